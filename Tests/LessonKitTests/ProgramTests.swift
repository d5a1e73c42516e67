// Program generation: the last expression of a cell is displayed, statements are not.

import Testing
@testable import LessonKit
@testable import TestSupport

@Suite struct ProgramTests {
    func wrapped(_ code: String) -> Bool {
        Program.displayingLastExpression(code).contains("LessonRuntime.display(")
    }

    @Test func aFinalExpressionIsDisplayed() {
        #expect(Program.displayingLastExpression("let a = 1\na + 1\n") == "let a = 1\nLessonRuntime.display(a + 1)\n")
        #expect(Program.displayingLastExpression("x.renorm(p: 2, dim: 0, maxnorm: 1e-5) * 1e5 // rows\n")
            == "LessonRuntime.display(x.renorm(p: 2, dim: 0, maxnorm: 1e-5) * 1e5) // rows\n")
    }

    @Test func multiLineExpressionsAreWrappedWhole() {
        let code = "let v = [1, 2]\nv\n    .map { $0 * 2 }\n    .reduce(0, +)\n"
        #expect(Program.displayingLastExpression(code) == "let v = [1, 2]\nLessonRuntime.display(v\n    .map { $0 * 2 }\n    .reduce(0, +))\n")
    }

    @Test func declarationsAssignmentsAndControlFlowAreNotDisplayed() {
        #expect(!wrapped("let a = 1\n"))
        #expect(!wrapped("var a = 1\na = 2\n"))
        #expect(!wrapped("var a = 1\na += 2\n"))
        #expect(!wrapped("for i in 0..<3 {\n  print(i)\n}\n"))
        #expect(!wrapped("func f() -> Int {\n  1\n}\n"))
        #expect(!wrapped("if true {\n  print(1)\n} else {\n  print(2)\n}\n"))
        #expect(!wrapped("// only a comment\n"))
        #expect(!wrapped(""))
    }

    @Test func stringsAndCommentsDoNotConfuseTheScanner() {
        #expect(wrapped("let s = \"a = b\"\ns == \"}\" // x = 1\n"))
        #expect(wrapped("\"total \\(1 + 2) = 3\"\n"))
        #expect(wrapped("/* let x = 1 */ 42\n"))
        #expect(!wrapped("let s = \"\"\"\nabc\n\"\"\"\n"))
    }

    @Test func cellsAreEmittedUnderSourceLocationOfTheMarkdownFile() throws {
        let l = try #require(Support.parse("# T\n\n```swift\nlet a = 1\n```\n\n```swift traps\nlet b = [a]\n```\n").lesson)
        let source = Program.source(for: l)
        #expect(source.contains("#sourceLocation(file: \"lessons/01-test.md\", line: 4)\nlet a = 1\n#sourceLocation()"))
        #expect(source.contains("LessonRuntime.expectTrap {\n#sourceLocation(file: \"lessons/01-test.md\", line: 8)"))
    }
}
