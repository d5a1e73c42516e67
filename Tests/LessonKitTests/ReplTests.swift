// `arcface-lessons repl`: the source it generates, its text renderings, and whole sessions driven
// through piped input and through a pseudo-terminal (`script`), on a fixture lesson made here.

import ArcFaceKit
import Foundation
import Testing
@testable import LessonKit

/// All of the REPL's tests, so that `swift test --filter ReplTests` runs them.
@Suite struct ReplTests {}

extension ReplTests { @Suite struct Source {
    @Test func statementsAreSplitAndClassified() {
        let s = ReplSource.statements("""
            @discardableResult func f(_ x: Int) -> Int { x }
            let a = 1, b: [Int: Int] = [:]
            var (c, d) = (1, 2)
            var e: Int { a * 2 }
            private struct S { var x = 1 }
            import Foundation
            print(a); a + 1
            """)
        #expect(s.map(\.kind) == [
            .declaration(name: "f"), .variable(names: ["a", "b"], initialized: true), .variable(names: ["c", "d"], initialized: true),
            .variable(names: ["e"], initialized: false), .declaration(name: "S"), .importDeclaration, .statement, .statement,
        ])
        #expect(s.last?.text == "a + 1")
        #expect(s.last?.isExpression == true)
        #expect(s[0].declarations == [ReplDeclaration(name: "f", kind: "func")])
        #expect(s[4].declarations == [ReplDeclaration(name: "S", kind: "struct")])
    }

    @Test func unclosedBracketsAndStringsAskForMoreInput() {
        #expect(ReplSource.isUnfinished("let a = [1,"))
        #expect(ReplSource.isUnfinished("func f() {"))
        #expect(ReplSource.isUnfinished("let s = \"\"\"\nabc"))
        #expect(!ReplSource.isUnfinished("let a = [1, 2] // ["))
        #expect(!ReplSource.isUnfinished("print(\"(\")"))
    }

    @Test func lessonConstantsBecomeVariablesWithOffsetsKept() {
        let code = "let m = 0.5\nlet (a, b) = (1, 2)\nlet f: Float\nfor i in 0..<2 { let x = i }\n"
        let out = ReplSource.mutableCode(code)
        #expect(out == "var m = 0.5\nvar (a, b) = (1, 2)\nlet f: Float\nfor i in 0..<2 { let x = i }\n")
    }

    @Test func aCellRunAgainAssignsItsVariables() throws {
        let s = ReplSource.statements("let a: Int = 1, b = [1, 2].map { $0 * 2 }")[0]
        #expect(ReplSource.assignment(s) == "    a      = 1; b = [1, 2].map { $0 * 2 }")
        let t = ReplSource.statements("let (c, d): (Int, Int) = (3, 4)")[0]
        #expect(ReplSource.assignment(t) == "    (c, d)             = (3, 4)")
    }

    @Test func theNewestDeclarationOfANameWins() {
        let lines = ReplSource.importLines([
            ("LessonProgram", [ReplDeclaration(name: "m", kind: "var"), ReplDeclaration(name: "Learner", kind: "class")]),
            ("ReplInput1", [ReplDeclaration(name: "k", kind: "var"), ReplDeclaration(name: "f", kind: "func")]),
            ("ReplInput2", [ReplDeclaration(name: "k", kind: "var")]),
            ("ReplInput3", [ReplDeclaration(name: "m", kind: "var")]),
        ])
        #expect(lines == [
            "@testable import class LessonProgram.Learner",
            "@testable import func ReplInput1.f",
            "@testable import ReplInput2",
            "@testable import ReplInput3",
        ])
    }

    @Test func anInputPutsDeclarationsAtFileScopeAndShowsItsLastValue() {
        let context = ReplSource.Context(modules: ["@testable import LessonProgram"], imports: [],
                                         notYetRun: ["late": "declared in cell 3", "k": "declared in cell 4"])
        let input = ReplSource.input("let k = 2\nk * m", module: "ReplInput1", context: context)
        #expect(input.declaredNames == ["k"])
        // The learner's own `k` is not replaced by the stub of the lesson's later `k`.
        #expect(input.source.contains("var late: Never"))
        #expect(!input.source.contains("var k: Never"))
        #expect(input.source.contains("#sourceLocation(file: \"<repl>\", line: 2)\nlet k = 2\n"))
        #expect(input.source.contains("let __replValue =\nk * m\n#sourceLocation()\nLessonRuntime.display(__replValue)"))
        #expect(input.source.contains("@_cdecl(\"repl_entry\")"))
    }

    @Test func aVariableOfACellNotRunYetIsFoundBeforeCompiling() {
        let names: Set = ["late", "loss"]
        #expect(ReplSource.firstUse(of: names, in: "x.late + f(late: 1)\nlet y = 2 * loss") ?? ("", 0, 0) == ("loss", 2, 13))
        #expect(ReplSource.firstUse(of: names, in: "let late = 1; \"late\"") == nil)
        #expect(ReplSource.firstUse(of: names, in: "print(\"\\(1 + loss)\")") ?? ("", 0, 0) == ("loss", 1, 14))
    }

    @Test func theLessonProgramStopsBeforeEachCell() throws {
        let (lesson, _) = Support.parse("# T\n\n```swift\nlet m = 0.5\n```\n\n```swift\nm\n```\n")
        let source = ReplSource.program(for: try #require(lesson))
        #expect(source.contains("ReplRuntime.checkpoint(0)\nLessonRuntime.beginCell(0)\n"))
        #expect(source.contains("var m = 0.5"))
        #expect(source.contains("LessonRuntime.display(m)"))
        #expect(source.hasSuffix("ReplRuntime.end(2)\n"))
    }
} }

extension ReplTests { @Suite struct Text {
    @Test func aPlotIsASummaryLineAndACharacterChart() {
        let plot = Plot(title: "loss", xLabel: "epoch", yLabel: "loss",
                        series: [Series("a", x: [1, 2, 3], y: [3, 2, 1]), Series("b", x: [1, 2, 3], y: [1, 1, 1], style: .scatter)])
        let text = ReplText.render(.plot(plot))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "plot: loss (2 series, 6 points)")
        #expect(lines[1].hasPrefix("3 |*"))
        #expect(lines[12].hasPrefix("1 |+"))
        #expect(lines[12].hasSuffix("+"))
        #expect(text.contains("x: epoch, y: loss; * a  + b"))
    }

    @Test func aTableIsItsTextForm() {
        let table = Table(columns: ["n", "total"], rows: [["3", "6.0000"]])
        #expect(ReplText.render(.table(table)) == "n   total\n3  6.0000\n")
    }

    @Test func highlightedCodeIsInANSIColours() {
        let ansi = ReplText.highlighted("let s = \"a\\(x)\" // <c>")
        #expect(ansi.contains("\u{1B}[35mlet\u{1B}[0m"))
        #expect(ansi.contains("// <c>"))
        let plain = ansi.replacingOccurrences(of: #"\x1B\[[0-9;]*m"#, with: "", options: .regularExpression)
        #expect(plain == "let s = \"a\\(x)\" // <c>")
        // A piece inside a string restores the string's colour when it ends.
        #expect(ReplText.highlighted("f(\"\\(1)\")") == "\u{1B}[34mf\u{1B}[0m(\u{1B}[32m\"\u{1B}[32m\\(\u{1B}[0m\u{1B}[32m"
            + "\u{1B}[36m1\u{1B}[0m\u{1B}[32m\u{1B}[32m)\u{1B}[0m\u{1B}[32m\"\u{1B}[0m)")
    }
} }

extension ReplTests { @Suite(.serialized) struct Sessions {
    static let fixture = """
        # Fixture

        ```swift
        var m = 0.5
        let xs = [1.0, 2.0, 3.0]
        print("m =", m)
        ```

        ```output
        m = 0.5
        ```

        ```swift
        let total = xs.reduce(0, +) * m
        show(Table(columns: ["n", "total"], rows: [["3", fmt(total)]]))
        total
        ```

        ```swift
        let late = 7
        print("late", late)
        show(Plot(title: "line", series: [Series("y=x", x: [0, 1, 2, 3], y: [0, 1, 2, 3])]))
        ```

        """

    /// Runs `arcface-lessons repl ARGS` in a fixture project with `input` on stdin (a file, so not a
    /// terminal), or through a pseudo-terminal made by `script` when `terminal` is set.
    static func session(_ input: String, arguments: String = "01-fixture", terminal: Bool = false,
                        lessons: [String: String] = ["01-fixture.md": fixture]) throws -> (status: Int32, output: String, dir: String) {
        let dir = try Support.project(lessons)
        try input.write(toFile: dir + "/input.txt", atomically: true, encoding: .utf8)
        let command = "'\(Support.tool)' repl \(arguments)"
        let shell = terminal
            ? "cd '\(dir)' && TERM=xterm script -qec \"\(command)\" /dev/null < input.txt"
            : "cd '\(dir)' && \(command) < input.txt"
        var env = ProcessInfo.processInfo.environment
        env["ARCFACE_LESSONS_HISTORY"] = dir + "/history"
        env.removeValue(forKey: "NO_COLOR")
        let r = try Subprocess.run(["/bin/sh", "-c", shell], environment: env, timeout: 300)
        let output = String(decoding: r.output, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        guard case .exited(let status) = r.termination else { return (-1, output, dir) }
        return (status, output, dir)
    }

    /// `needles` occur in `text` in this order.
    static func inOrder(_ text: String, _ needles: [String]) -> Bool {
        var rest = text[...]
        for n in needles {
            guard let r = rest.range(of: n) else { Issue.record("not found in order: \(n)"); return false }
            rest = rest[r.upperBound...]
        }
        return true
    }

    /// The REPL reads rich results with the channel's JSON rule, as verify does: a plot whose data
    /// hold nan and inf is shown, not dropped.
    @Test func aPlotHoldingNanAndInfinityIsShownInTheREPL() throws {
        let lesson = """
            # Non-finite

            ```swift
            show(Plot(title: "overflow", series: [Series("loss", x: [0, 1, 2, 3], y: [1, .infinity, .nan, -.infinity])]))
            print("after")
            ```

            """
        let (status, output, _) = try Self.session("\n:quit\n", arguments: "01-nonfinite", lessons: ["01-nonfinite.md": lesson])
        #expect(status == 0, "\(output)")
        #expect(Self.inOrder(output, ["plot: overflow (1 series, 4 points)", "after\n"]), "\(output)")
    }

    @Test func aPipedSessionStepsEvaluatesAndRecovers() throws {
        let input = [
            "",                        // run cell 1
            "m * 4",                   // an expression in the lesson's state
            "let k = 10",              // a declaration ...
            "k + 1",                   // ... used later
            "nope + 1",                // a compile error, placed in the input
            "k * 2",                   // and the session goes on
            "late",                    // a variable of a cell that has not run
            "xs[10]",                  // a trap: the state stays
            "k",
            "func twice(_ x: Double) -> Double { 2 * x }",
            "m = twice(m)",            // change the lesson's m ...
            "",                        // ... and cell 2 uses it
            ":list",
            ":rerun",
            "",
            ":back",
            ":jump 1",
            "k",                       // typed at cell 2: forgotten when going back before it
            ":quit",
        ].joined(separator: "\n") + "\n"
        let (status, output, _) = try Self.session(input)
        #expect(status == 0, "\(output)")
        #expect(Self.inOrder(output, [
            "── cell 1/3 · lessons/01-fixture.md:4 ──", "[1/3]> \n", "m = 0.5\n",
            "── cell 2/3 · lessons/01-fixture.md:14 ──",
            "[2/3]> m * 4\n2.0\n",
            "[2/3]> let k = 10\n[2/3]> k + 1\n11\n",
            "[2/3]> nope + 1\n<repl>:1:1: error: cannot find 'nope' in scope\nnope + 1\n^~~~\n",
            "[2/3]> k * 2\n20\n",
            "[2/3]> late\n<repl>:1:1: error: 'late' is declared in cell 3 (lessons/01-fixture.md:20), which has not run yet\n",
            "[2/3]> xs[10]\nFatal error: Index out of range\nThe input trapped; the state is as before it.\n",
            "[2/3]> k\n10\n",
            "[2/3]> m = twice(m)\n[2/3]> \nn   total\n3  6.0000\n6.0\n",
            "── cell 3/3",
            "[3/3]> :list\n   1 ran  lessons/01-fixture.md:4  var m = 0.5\n   2 ran  lessons/01-fixture.md:14  let total",
            ">  3      lessons/01-fixture.md:20  let late = 7\n",
            "[3/3]> :rerun\n── running cell 2/3 again ──\nn   total\n3  6.0000\n6.0\n",
            "[3/3]> \nlate 7\nplot: line (1 series, 4 points)\n",
            "── end of the lesson ──",
            "[end]> :back\nrestarting the lesson: running cells 1-2",
            "── cell 3/3",
            "[3/3]> :jump 1\nrestarting the lesson", "(2 inputs typed at later cells forgotten)", "── cell 1/3",
            "[1/3]> k\n<repl>:1:1: error: cannot find 'k' in scope",
            "[1/3]> :quit\n",
        ]))
        // Not a terminal: no colours.
        #expect(!output.contains("\u{1B}["))
    }

    @Test func endOfInputQuitsAndALessonCanBePickedFromTheList() throws {
        let (status, output, _) = try Self.session("2\n\nm\n", arguments: "",
                                                   lessons: ["01-other.md": "# Other\n\nNo cells.\n", "02-fixture.md": Self.fixture])
        #expect(status == 0, "\(output)")
        #expect(Self.inOrder(output, ["  1  01-other  Other\n", "  2  02-fixture  Fixture\n", "lesson (number or name)> 2\n",
                                      "── cell 1/3 · lessons/02-fixture.md:4 ──", "m = 0.5\n", "[2/3]> m\n0.5\n", "[2/3]> \n"]))
    }

    @Test func anUnknownLessonIsAUsageErrorAndABrokenOneFailsToCompile() throws {
        let missing = try Self.session("", arguments: "99-none")
        #expect(missing.status == 2)
        #expect(missing.output.contains("no lesson '99-none'"))
        let broken = try Self.session("", arguments: "01-broken", lessons: ["01-broken.md": "# Broken\n\n```swift\nlet a: Int = \"x\"\n```\n"])
        #expect(broken.status == 1)
        #expect(broken.output.contains("lessons/01-broken.md:4:14: error: cannot convert value of type 'String'"))
    }

    @Test func aTerminalSessionHasColoursLineEditingAndHistory() throws {
        guard Subprocess.which("script") != nil else {
            Issue.record("`script` (util-linux) is needed for the terminal test")
            return
        }
        // Typed as on a keyboard: Enter is CR; Ctrl-A (libedit: start of line) puts `k ` before `+ 1`;
        // the up arrow recalls the line before.
        let input = "\r" + "let k = 10\r" + "+ 1\u{01}k \r" + "\u{1B}[A\r" + "nope\r" + "k * 3\r" + ":quit\r"
        let (status, output, dir) = try Self.session(input, terminal: true)
        #expect(status == 0, "\(output)")
        #expect(output.contains("\u{1B}[35mvar\u{1B}[0m"))  // the cell, highlighted
        #expect(Self.inOrder(output, ["m = 0.5", "11\n", "11\n", "cannot find 'nope' in scope", "30\n"]))
        let history = try String(contentsOfFile: dir + "/history", encoding: .utf8)
        // libedit's history file escapes spaces as \040.
        #expect(history.replacingOccurrences(of: "\\040", with: " ").contains("let k = 10\nk + 1\nk + 1\nnope\nk * 3\n:quit\n"))

        // The next session starts with that history: up, up recalls `k * 3` (k is gone with the session).
        try "\r\u{1B}[A\u{1B}[A\r:quit\r".write(toFile: dir + "/input.txt", atomically: true, encoding: .utf8)
        let shell = "cd '\(dir)' && TERM=xterm script -qec \"'\(Support.tool)' repl 01-fixture\" /dev/null < input.txt"
        var env = ProcessInfo.processInfo.environment
        env["ARCFACE_LESSONS_HISTORY"] = dir + "/history"
        let again = String(decoding: try Subprocess.run(["/bin/sh", "-c", shell], environment: env, timeout: 300).output, as: UTF8.self)
        #expect(again.contains("cannot find 'k' in scope"))
        #expect(again.contains("k * 3"))
    }
} }
