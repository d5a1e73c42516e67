// `arcface-lessons repl`: the source it generates, its text renderings, and whole sessions driven
// through piped input and through a pseudo-terminal (`script`), on a fixture lesson made here.

import LessonRuntime
import Foundation
import Testing
@testable import LessonKit
@testable import LessonRepl
@testable import TestSupport

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
    @Test func aLogAxisIsDrawnInPowersOfTenAndLeavesOutWhatItCannotShow() {
        // 1e-4 ... 1 over five points: on a log axis they fall on a straight line, one per 2.75 rows.
        let plot = Plot(title: "floor", series: [Series("L", x: [0, 1, 2, 3, 4, 5], y: [1, 0.1, 0.01, 0.001, 0.0001, 0])],
                        yScale: .log)
        let text = ReplText.plot(plot, width: 21, height: 9)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[1].hasPrefix("     1 |*"), "\(text)")
        #expect(lines[5].hasPrefix("       |") && lines[5].dropFirst(8).firstIndex(of: "*") != nil, "0.01 is the middle row: \(text)")
        #expect(lines[9].hasPrefix("0.0001 |"), "\(text)")
        #expect(text.contains("log scale: y"))
    }

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
