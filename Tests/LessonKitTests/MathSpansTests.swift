// Math in prose: which dollars start a formula, and that line numbers survive the placeholders.

import Testing
@testable import LessonKit
@testable import TestSupport

@Suite struct MathSpansTests {
    @Test func inlineAndDisplayFormulasAreFoundOutsideCode() {
        let text = "A $x_i$ and $$y^2$$.\n\n`$not$` and\n\n```\n$also not$\n```\n\\$5 and $10 stay text.\n"
        let (out, spans) = MathSpans.extract(text)
        #expect(spans.map(\.tex) == ["x_i", "y^2"])
        #expect(spans.map(\.display) == [false, true])
        #expect(spans.map(\.line) == [1, 1] && spans.map(\.column) == [3, 13])
        #expect(out == "A AFLMATH0X and AFLMATH1X.\n\n`$not$` and\n\n```\n$also not$\n```\n\\$5 and $10 stay text.\n")
    }

    @Test func aMultiLineDisplayFormulaKeepsTheLineNumbersBelowIt() {
        let text = "Intro.\n\n$$\nL = \\frac{1}{N}\n$$\n\nAfter.\n"
        let (out, spans) = MathSpans.extract(text)
        #expect(spans.count == 1 && spans[0].tex == "\nL = \\frac{1}{N}\n" && spans[0].line == 3)
        #expect(out.split(separator: "\n", omittingEmptySubsequences: false).count == text.split(separator: "\n", omittingEmptySubsequences: false).count)
        #expect(out.split(separator: "\n", omittingEmptySubsequences: false)[6] == "After.")
    }

    @Test func badTeXIsAParseErrorAtItsLineAndColumn() {
        let d = Support.parse("# T\n\nBad $\\frac{1}{N$ here.\n").diagnostics
        #expect(d.map { "\($0.line):\($0.column) \($0.message)" } == ["3:14 bad TeX: missing closing brace for group opened here"])
    }

    @Test func formulasRenderAsMathMLInThePageAndTitlesKeepTheirTeX() throws {
        let l = try #require(Support.parse("# About $\\theta$\n\nThe angle $\\theta_{y_i}$.\n").lesson)
        #expect(l.title == "About \\theta")
        let html = Markdown.html(l.markdown, Markdown.Substitutions(math: l.math.map(\.mathML)))
        #expect(html.contains("<p>The angle <math><semantics><msub><mi>θ</mi>"))
        #expect(!html.contains("AFLMATH"))
    }
}

@Suite struct MathInTablesTests {
    @Test func aFormulaInsideATableCellIsRendered() throws {
        let l = try #require(Support.parse("# T\n\n| a | b |\n|---|---|\n| x $\\cos\\theta$ y | 2 |\n").lesson)
        let html = Markdown.html(l.markdown, Markdown.Substitutions(math: l.math.map(\.mathML)))
        #expect(html.contains("<td>x <math><semantics><mrow><mi>cos</mi>"))
    }
}
