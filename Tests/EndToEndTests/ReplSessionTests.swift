// `arcface-lessons repl`: whole sessions driven through piped input and through a pseudo-terminal
// (`script`), on a fixture lesson made here.

import LessonRuntime
import Foundation
import Testing
@testable import LessonKit
@testable import LessonRepl
@testable import TestSupport

@Suite(.serialized) struct ReplSessionTests {
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

    static let exerciseLesson = """
        # With exercises

        ```swift
        var m = 0.5
        print("m =", m)
        ```

        ```output
        m = 0.5
        ```

        ### Exercise: twice m

        Print `2 * m` and `3 * m` on one line.

        ```swift solution
        m = 100  // runs apart: later cells still see 0.5
        print(2 * 0.5, 3 * 0.5)
        ```

        ```output
        1.0 1.50
        ```

        ```swift
        print("after", m)
        ```

        ```output
        after 0.5
        ```

        """

    /// `:check` passes the solution's own code, fails a wrong answer naming the differing number,
    /// and counts what the inputs since `:exercise N` printed; stepping over the solution shows
    /// nothing of it and changes nothing.
    @Test func checkComparesTheLearnersOutputWithTheSolution() throws {
        let input = [
            ":exercise",
            ":exercise 1",             // runs cell 1, shows the prompt
            ":check",                  // nothing yet
            "print(2 * m, 4 * m)",     // wrong second number
            ":check",
            "print(2 * m, 3 * m)",     // the solution's answer
            ":check",
            "",                        // steps over the solution
            "",                        // cell 3: m is still 0.5
            ":check 1",                // the exercise closed with the step
            ":quit",
        ].joined(separator: "\n") + "\n"
        let (status, output, _) = try Self.session(input, arguments: "01-ex", lessons: ["01-ex.md": Self.exerciseLesson])
        #expect(status == 0, "\(output)")
        #expect(Self.inOrder(output, [
            "[1/3]> :exercise\n", "   1  Exercise: twice m  cell 2 · lessons/01-ex.md:12",
            "[1/3]> :exercise 1\n", "m = 0.5\n", "── exercise 1/1 · cell 2/3 · lessons/01-ex.md:12 ──\nExercise: twice m\nPrint `2 * m` and `3 * m` on one line.\n",
            "[2/3]> :check\nNothing printed yet since exercise 1 opened",
            "[2/3]> print(2 * m, 4 * m)\n1.0 2.0\n",
            "[2/3]> :check\n✗ exercise 1: not yet", "line 1, column 5: expected 1.50, got 2.0 (tolerance 0.005)\n",
            "[2/3]> print(2 * m, 3 * m)\n1.0 1.5\n",
            "[2/3]> :check\n✓ exercise 1: your output matches the solution's",
            "[2/3]> \n(exercise 1 closed",
            "── cell 3/3", "[3/3]> \nafter 0.5\n",
            "[end]> :check 1\nExercise 1 is not open",
        ]), "\(output)")
        #expect(!output.contains("m = 100"))
    }

    /// `repl LESSON:K` and `--at K` open the lesson at cell K with the cells before it run; a cell
    /// out of range is a usage error.
    @Test func aLessonOpensAtACell() throws {
        let (status, output, _) = try Self.session("m * 2\n:quit\n", arguments: "01-fixture:2")
        #expect(status == 0, "\(output)")
        #expect(Self.inOrder(output, ["running cells 1-1 ...", "── cell 2/3 · lessons/01-fixture.md:14 ──", "[2/3]> m * 2\n1.0\n"]), "\(output)")
        #expect(!output.contains("── cell 1/3"))

        let at = try Self.session("late\n:quit\n", arguments: "1 --at 3")
        #expect(at.status == 0, "\(at.output)")
        #expect(Self.inOrder(at.output, ["running cells 1-2 ...", "── cell 3/3", "[3/3]> late\n"]), "\(at.output)")

        let out = try Self.session("", arguments: "01-fixture:4")
        #expect(out.status == 2, "\(out.output)")
        #expect(out.output.contains("cell 4 is out of range: lessons/01-fixture.md has 3 cells"), "\(out.output)")
        let zero = try Self.session("", arguments: "01-fixture --at 0")
        #expect(zero.status == 2 && zero.output.contains("cell 0 is out of range"), "\(zero.output)")
        let twice = try Self.session("", arguments: "01-fixture:2 --at 3")
        #expect(twice.status == 2 && twice.output.contains("the cell is given twice"), "\(twice.output)")
    }
}
