// Hostile and careless input: folders --out must not replace, line endings, limits that cannot be
// held, doubles at the edges, script URLs, control characters in reports, unreadable files. Each
// case must end in a clear error at file:line (or exit 2 for a bad flag), a non-zero exit, and
// nothing lost.

import LessonRuntime
import Foundation
import Testing
@testable import LessonKit
@testable import LessonRepl
@testable import TestSupport

@Suite struct PlotTotalityTests {
    static let edges: [Double] = [0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-300, 1, -1, 1e308, -1e308,
                                  .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .nan, .infinity, -.infinity]

    /// Every plot shape the edges give: each pair of values as a series, a series of all of them,
    /// empty and one-point series, fixed ranges far from the data, each style and the unit circle.
    static var plots: [Plot] {
        var plots: [Plot] = []
        for (i, a) in edges.enumerated() {
            for b in edges[i...] {
                plots.append(Plot(title: "\(a) \(b)", series: [Series("s", x: [a, b], y: [b, a])]))
                plots.append(Plot(title: "\(a) bars", series: [Series("bars", x: [a, b], y: [1, a], style: .bar)]))
            }
        }
        plots.append(Plot(title: "all", series: [Series("line", x: edges, y: edges.reversed()),
                                                 Series("dots", x: edges, y: edges, style: .scatter)]))
        plots.append(Plot(title: "empty", series: [Series("e", x: [], y: [])]))
        plots.append(Plot(title: "none", series: []))
        plots.append(Plot(title: "one", series: [Series("o", x: [3], y: [4])]))
        plots.append(Plot(title: "far outside", series: [Series("f", x: [0, 1e300, -1e300], y: [0, 1e300, 5e-324])],
                          xRange: 0...1, yRange: -1...1))
        plots.append(Plot(title: "tiny range", series: [Series("t", x: [0, 1], y: [0, 1])], xRange: 0...5e-324))
        plots.append(Plot(title: "huge range", series: [Series("h", x: [0, 1], y: [0, 1])], xRange: -1e308...1e308))
        plots.append(Plot(title: "circle", series: [Series("c", x: edges, y: edges.reversed(), style: .scatter)], kind: .unitCircle))
        return plots
    }

    @Test func everyPlotOfEdgeDoublesRendersAsWellFormedSVGAndAsText() {
        for plot in Self.plots {
            let figure = Plots.svg(plot)
            #expect(XMLElements.parse(figure).error == nil, "\(plot.title)")
            #expect(!figure.contains("nan,") && !figure.contains("inf,"), "\(plot.title): \(figure.components(separatedBy: "inf,").first!.suffix(80))")
            let text = ReplText.plot(plot)
            #expect(text.hasPrefix("plot: \(plot.title) "), "\(plot.title)")
        }
        var slider = PlotSlider(parameter: "m", values: [.nan, 1e308, 5e-324], plots: Array(Self.plots.prefix(3)))
        // As a lesson program could send it (the record is JSON): an initial index and values that do not fit.
        (slider.initial, slider.values) = (7, [.nan])
        let html = Plots.slider(slider)
        #expect(html.components(separatedBy: "<figure").count == 4)
        #expect(html.components(separatedBy: " hidden>").count == 3, "the last plot is shown: \(html.prefix(300))")
        #expect(ReplText.render(.slider(slider)).contains("plot slider: m"))
    }

    @Test func aMillionPointsRenderInSeconds() {
        let n = 1_000_000
        let xs = (0..<n).map { Double($0) }, ys = (0..<n).map { sin(Double($0) / 1000) }
        let start = Date()
        for style in [Series.Style.line, .scatter] {
            let figure = Plots.svg(Plot(title: "big", series: [Series("s", x: xs, y: ys, style: style)]))
            #expect(figure.hasSuffix("</figure>\n"))
        }
        #expect(ReplText.plot(Plot(title: "big", series: [Series("s", x: xs, y: ys)])).contains("1000000 points"))
        #expect(Date().timeIntervalSince(start) < 60)
    }

    @Test func aTableOfEdgeValuesRendersAndItsTextFormIsAligned() {
        let cells = Self.edges.map { "\($0)" }
        let table = Table(caption: "edges", columns: ["v"], rows: cells.map { [$0] })
        let html = Render.table(table)
        #expect(XMLElements.parse(html).all("td").count == cells.count)
        let lines = table.text.split(separator: "\n").map(String.init).dropFirst()
        #expect(lines.allSatisfy { $0.count == lines.first?.count })
        #expect(XMLElements.parse(Render.table(Table(columns: [], rows: []))).error == nil)
        // A record decoded from a lesson program skips Table's precondition: rows are fitted to the columns.
        var ragged = Table(columns: ["a", "b"], rows: [])
        ragged.rows = [["1"], ["1", "2", "3"]]
        guard case .table(let fitted) = Execute.wellFormed(.table(ragged)) else { Issue.record("not a table"); return }
        #expect(fitted.rows == [["1", ""], ["1", "2"]])
        #expect(fitted.text == "a  b\n1   \n1  2\n")
    }
}

@Suite struct URLSafetyTests {
    static let unsafe: [(markdown: String, url: String)] = [
        ("[x](javascript://%0Aalert(document.domain))", "javascript://%0Aalert(document.domain)"),
        ("[x](JaVaScRiPt:alert(1))", "JaVaScRiPt:alert(1)"),
        ("[x](&#106;avascript:alert(1))", "javascript:alert(1)"),
        ("[x](<java\tscript:alert(1)>)", "java\tscript:alert(1)"),
        ("[x][r]\n\n[r]: vbscript:msgbox(1)", "vbscript:msgbox(1)"),
        ("<javascript:alert(1)>", "javascript:alert(1)"),
        ("![i](data:image/svg+xml,x)", "data:image/svg+xml,x"),
        ("[f](file:///etc/passwd)", "file:///etc/passwd"),
        ("[s](%20javascript:alert(1))", "%20javascript:alert(1)"),
    ]

    @Test(arguments: 0..<unsafe.count)
    func anUnsafeURLIsAnErrorAtItsLineAndRenderedInert(_ k: Int) throws {
        let (markdown, url) = Self.unsafe[k]
        let lesson = try #require(Support.parse("# T\n\ntext\n\n\(markdown)\n").lesson)
        let failed = Links.check([lesson], pages: [lesson.slug: Links.anchors(of: lesson)]).filter { $0.status == .failed }
        #expect(failed.count == 1, "\(failed)")
        #expect(failed.first?.line == 5)
        #expect(failed.first?.diagnostic?.message.hasPrefix("unsafe ") == true)
        #expect(failed.first?.diagnostic?.message.contains("'\(url)'") == true, "\(String(describing: failed.first?.diagnostic))")
        let html = Markdown.html(lesson.markdown, Markdown.Substitutions()).lowercased()
        for scheme in ["javascript", "vbscript", "data:", "file:"] {
            #expect(!html.contains("href=\"\(scheme)") && !html.contains("src=\"\(scheme)"), "\(html)")
        }
    }

    @Test func rawHTMLOfALessonThatOptsInHasItsScriptURLsEmptiedAndReported() throws {
        let text = "---\nraw_html: true\n---\n# T\n\n<a href=\"java&#x09;script:alert(1)\">a</a> <img src='javascript&colon;alert(1)'> <a href=\"#t\">ok</a>\n"
        let lesson = try #require(Support.parse(text).lesson)
        let failed = Links.check([lesson], pages: [lesson.slug: Links.anchors(of: lesson)]).filter { $0.status == .failed }
        #expect(failed.map(\.line) == [6, 6])
        var subs = Markdown.Substitutions()
        subs.rawHTML = true
        let html = Markdown.html(lesson.markdown, subs)
        #expect(!html.lowercased().contains("script:"), "\(html)")
        #expect(html.contains("<a href=\"#t\">ok</a>"))
    }

    @Test(arguments: ["https://example.com/a?b#c", "http://x", "mailto:a@b.c", "02-softmax.md#x", "#anchor", "img/a.png", "//host/x", "a/b:c"])
    func allowedURLsPass(_ url: String) {
        #expect(Links.isSafe(url))
    }
}

@Suite struct ReportEscapingTests {
    static func report() -> Report {
        var r = Report()
        let d = Diagnostic(stage: .verify, file: "lessons/01-\u{1B}x.md", line: 3, "expected 'a', got 'b\u{1B}[2J\u{0}\u{1E}\u{7F}\rc'")
        r.checks = [.failed(d, "output of cell 1\u{1E}"), .passed("lessons/01-\u{1B}x.md", 9, "output of cell 2")]
        return r
    }

    @Test func controlCharactersAreVisibleEscapesInTextGitHubAndJUnit() {
        let r = Self.report()
        for out in [r.rendered(.text), r.rendered(.github), r.junit()] {
            #expect(!out.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" || $0.value == 0x7F }, "\(out)")
            #expect(out.contains("\\u{1B}[2J\\u{0}\\u{1E}\\u{7F}"), "\(out)")
        }
        #expect(r.rendered(.github).split(separator: "\n").count == 2)
        let parsed = XMLElements.parse(r.junit())
        #expect(parsed.error == nil)
        #expect(parsed.all("failure").count == 1)
    }
}
