// Parse stage: cells, attributes, expected blocks, line numbers, and the errors of bad lessons.

import Testing
@testable import LessonKit
@testable import TestSupport

@Suite struct ParseTests {
    static let lesson = """
    ---
    title: Renorm by hand
    summary: rows and columns
    ---
    Prose with `code` and `{swift} x[0]`.

    ```swift hide
    let x = [1.0, 2.0]
    ```

    ```swift
    print(x)
    ```

    ```output tol=1e-3
    [1.0, 2.0]
    ```

    ```python
    print("not a cell")
    ```

    ```swift traps nocheck
    fatalError("boom")
    ```
    """

    @Test func cellsExpectedBlocksAndAttributesAreParsedWithTheirLines() throws {
        let (lesson, diagnostics) = Support.parse(Self.lesson)
        #expect(diagnostics.isEmpty)
        let l = try #require(lesson)
        #expect(l.title == "Renorm by hand")
        #expect(l.options.summary == "rows and columns")
        #expect(l.cells.count == 3)
        #expect(l.cells[0].fenceLine == 7)
        #expect(l.cells[0].codeLine == 8)
        #expect(l.cells[0].attributes.hide)
        #expect(l.cells[0].code == "let x = [1.0, 2.0]\n")
        #expect(l.cells[0].expected == nil)
        #expect(l.cells[1].expected?.fenceLine == 15)
        #expect(l.cells[1].expected?.text == "[1.0, 2.0]\n")
        #expect(l.cells[1].expected?.tolerance == Tolerance(abs: 1e-3))
        #expect(l.cells[2].attributes.traps && l.cells[2].attributes.nocheck)
        #expect(l.cells.map(\.index) == [0, 1, 2])
    }

    @Test func frontMatterLinesAreBlankedSoLineNumbersStayThoseOfTheFile() throws {
        let l = try #require(Support.parse(Self.lesson).lesson)
        let lines = l.markdown.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0].isEmpty && lines[3].isEmpty)
        #expect(lines[4].hasPrefix("Prose"))
    }

    @Test func inlineSwiftExpressionsInProseAreFoundWithTheirLine() throws {
        let l = try #require(Support.parse(Self.lesson).lesson)
        guard case .prose(let p) = l.blocks[0] else { Issue.record("first block is not prose"); return }
        #expect(p.inlineExpressions == [InlineExpression(line: 5, column: 23, code: "x[0]", expected: nil)])
    }

    @Test func titleComesFromTheFirstHeadingWithoutFrontMatter() throws {
        let l = try #require(Support.parse("Intro\n\n# The *title*\n\n## Later\n").lesson)
        #expect(l.title == "The title")
    }

    @Test func outputBlockWithNoCellBeforeItIsReportedAtItsLine() {
        let d = Support.parse("# T\n\ntext\n\n```output\n1\n```\n").diagnostics
        #expect(d.map(\.line) == [5])
        #expect(d[0].message.contains("no swift cell right before it"))
    }

    @Test func outputBlockSeparatedFromItsCellByProseIsReported() {
        let d = Support.parse("# T\n\n```swift\nprint(1)\n```\n\nprose\n\n```output\n1\n```\n").diagnostics
        #expect(d.map(\.line) == [9])
    }

    @Test func secondOutputBlockForOneCellIsReported() {
        let d = Support.parse("# T\n\n```swift\nprint(1)\n```\n```output\n1\n```\n```output\n1\n```\n").diagnostics
        #expect(d.map(\.line) == [9])
        #expect(d[0].message.contains("second output block for the cell at line 3"))
    }

    @Test func unknownCellAttributeIsReportedWithTheKnownOnes() {
        let d = Support.parse("# T\n\n```swift hidden\nprint(1)\n```\n").diagnostics
        #expect(d.map(\.line) == [3])
        #expect(d[0].message == "unknown cell attribute 'hidden'")
        #expect(d[0].hint?.contains("hide") == true)
    }

    @Test func malformedToleranceIsReported() {
        let d = Support.parse("# T\n\n```swift\nprint(1)\n```\n```output tol=abc\n1\n```\n").diagnostics
        #expect(d.map(\.line) == [6])
        #expect(d[0].message == "malformed tolerance 'tol=abc'")
        #expect(Support.parse("# T\n\n```swift\nprint(1)\n```\n```output rtol=-1\n1\n```\n").diagnostics.count == 1)
    }

    @Test func unterminatedFenceIsReportedAtTheOpeningLine() {
        let d = Support.parse("# T\n\nok\n\n```swift\nprint(1)\n\nmore text\n").diagnostics
        #expect(d.map(\.line) == [5])
        #expect(d[0].message == "code fence is never closed")
    }

    @Test func lessonWithoutTitleIsReported() {
        #expect(Support.parse("just prose\n").diagnostics.map(\.message) == ["lesson has no title"])
    }

    @Test func unknownFrontMatterKeyAndBadTimeoutAreReportedAtTheirLines() {
        let d = Support.parse("---\ntitel: x\ntimeout: soon\n---\n# T\n").diagnostics
        #expect(d.map(\.line).sorted() == [2, 3])
    }

    @Test func diagnosticsPrintAsFileLineColumn() {
        let d = Diagnostic(stage: .verify, file: "lessons/01-renorm.md", line: 41, column: 1,
                           "expected 0.2558, got 0.4558 (tolerance 5e-05)")
        #expect(d.description == "lessons/01-renorm.md:41:1: error: expected 0.2558, got 0.4558 (tolerance 5e-05)")
    }
}

/// Front matter is YAML: quoting, lists and types as the ecosystem's front matter has them.
@Suite struct FrontMatterYAMLTests {
    static func parse(_ frontMatter: String) -> (lesson: Lesson?, errors: [String]) {
        let (lesson, diagnostics) = Support.parse("---\n" + frontMatter + "\n---\n# T\n")
        return (lesson, diagnostics.filter { $0.severity == .error }.map(\.description))
    }

    @Test func aQuotedTitleMayHoldAColonAndListsAndNumbersAreTyped() throws {
        let (lesson, errors) = Self.parse("title: \"Margins: a primer\"\ntimeout: 30\ncell_timeout: 2.5\nraw_html: false")
        #expect(errors == [])
        #expect(lesson?.title == "Margins: a primer" && lesson?.options.timeout == 30 && lesson?.options.cellTimeout == 2.5)
    }

    @Test func anUnquotedColonIsAnErrorAtItsLineAndColumnWithAHint() {
        let (_, errors) = Self.parse("title: ok\nsummary: a: b")
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("lessons/01-test.md:3:") == true && errors.first?.contains("front matter is not valid YAML") == true, "\(errors)")
        #expect(errors.first?.contains("quote a value") == true)
    }

    @Test(arguments: [
        ("timeout: soon", "timeout must be a positive number of seconds"),
        ("timeout: \"30\"", "timeout must be a positive number of seconds"),
        ("raw_html: maybe", "raw_html must be true or false"),
        ("title: [a, b]", "title must be text"),
        ("colour: red", "unknown front matter key 'colour'"),
    ])
    func aValueOfTheWrongTypeIsAnErrorAtItsLine(_ line: String, _ message: String) {
        let (_, errors) = Self.parse(line)
        #expect(errors.contains { $0.hasPrefix("lessons/01-test.md:2:") && $0.contains(message) }, "\(errors)")
    }
}
