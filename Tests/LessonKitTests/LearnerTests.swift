// For learners (issue 15), without a browser: log axes, colours stable per series name, per-class
// spokes, the narrow plot variant, lang="zh" on Chinese runs, the downloads, the sidebar, the
// dark-mode toggle's variables.

import Foundation
import LessonRuntime
import Testing
@testable import LessonKit
@testable import TestSupport

@Suite struct LearnerTests {
    // MARK: Log axes

    @Test func aLogAxisHasTicksAtPowersOfTenAndPlacesValuesByTheirLogarithm() {
        let a = Plots.logAxis(0.003, 40, target: 5, extend: true)
        #expect(a.log && a.lo == 0.001 && a.hi == 100)
        #expect(a.ticks == [0.001, 0.01, 0.1, 1, 10, 100])
        #expect(a.labels == ["10⁻³", "0.01", "0.1", "1", "10", "100"])
        #expect(a.minor.contains(0.002) && a.minor.contains(50) && !a.minor.contains(200))
        #expect(abs(a.fraction(1) - 0.6) < 1e-12 && abs(a.fraction(0.001)) < 1e-12)
        // Many decades: every k-th one, still powers of ten.
        let wide = Plots.logAxis(1e-15, 10, target: 5, extend: true)
        #expect(wide.ticks.count <= 7 && wide.ticks.count >= 3)
        #expect(wide.ticks.allSatisfy { t in (-20...5).contains { Plots.power($0) == t } })
        #expect(wide.labels.contains("10⁻¹²"))
    }

    @Test func aLogPlotsSVGLabelsPowersOfTenAndLeavesOutValuesAtOrBelowZero() {
        let plot = Plot(title: "floor", xLabel: "s", yLabel: "loss",
                        series: [Series("a", x: [1, 2, 3, 4], y: [1, 0.01, 1e-4, 0])],
                        xRange: 1...4, yScale: .log)
        let svg = Plots.svg(plot)
        let doc = XMLElements.parse("<root>" + svg + "</root>")
        #expect(doc.error == nil)
        let tickTexts = doc.all("g").filter { $0.attributes["text-anchor"] == "end" }.first?.text ?? ""
        #expect(tickTexts.contains("10⁻⁴") && tickTexts.contains("0.01") && tickTexts.contains("1"), "\(tickTexts)")
        // The zero is not drawn: one polyline of three points in each variant.
        let lines = doc.all("polyline").map { $0.attributes["points"]!.split(separator: " ").count }
        #expect(lines == [3, 3], "\(lines)")
        // Equal ratios are equal distances: 1 -> 0.01 and 0.01 -> 1e-4.
        let ys = doc.all("polyline")[0].attributes["points"]!.split(separator: " ").map { Double($0.split(separator: ",")[1])! }
        #expect(abs((ys[1] - ys[0]) - (ys[2] - ys[1])) < 0.02, "\(ys)")
    }

    @Test func aPlotWithoutScalesDecodesFromOldJSONAndALogScaleRoundTrips() throws {
        let old = #"{"kind":"cartesian","series":[],"title":"t","xLabel":"","yLabel":""}"#
        let plot = try JSONDecoder().decode(Plot.self, from: Data(old.utf8))
        #expect(plot.yScale == nil && plot.xScale == nil)
        let log = Plot(title: "t", series: [], yScale: .log)
        let json = String(decoding: try JSONEncoder().encode(log), as: UTF8.self)
        #expect(json.contains(#""yScale":"log""#))
        #expect(try JSONDecoder().decode(Plot.self, from: Data(json.utf8)) == log)
    }

    // MARK: Colours

    static func classes(_ svg: String, role: String) -> [String] {
        XMLElements.parse("<root>" + svg + "</root>").all("g").compactMap { e -> String? in
            let parts = (e.attributes["class"] ?? "").split(separator: " ").map(String.init)
            guard parts.first == role else { return nil }
            return parts.last
        }
    }

    @Test func aSeriesNameHasTheSameColourInEveryPlotOfALesson() {
        let xs = [0.0, 1, 2]
        let one = Plot(title: "1", series: [Series("softmax", x: xs, y: xs), Series("ArcFace", x: xs, y: xs)])
        let two = Plot(title: "2", series: [Series("CosFace", x: xs, y: xs), Series("ArcFace", x: xs, y: xs), Series("softmax", x: xs, y: xs)])
        let colours = Plots.colours(for: [one, two])
        #expect(colours == ["softmax": 0, "ArcFace": 1, "CosFace": 2])
        let lines1 = Self.classes(Plots.svg(one, colours: colours), role: "line")
        let lines2 = Self.classes(Plots.svg(two, colours: colours), role: "line")
        #expect(Array(lines1.prefix(2)) == ["s0", "s1"])
        #expect(Array(lines2.prefix(3)) == ["s2", "s1", "s0"], "ArcFace and softmax keep their colours in the second plot")
        // Without a map (a plot on its own), series take the palette in order, as before.
        #expect(Array(Self.classes(Plots.svg(two), role: "line").prefix(3)) == ["s0", "s1", "s2"])
    }

    @Test func thePaletteHasNoYellowOnWhite() {
        for colour in Plots.palette + [FrontEnd.plotsCSS] {
            #expect(!colour.uppercased().contains("F0E442"), "Okabe-Ito's yellow is unreadable on white")
        }
        #expect(Set(Plots.palette).count == Plots.palette.count)
    }

    @Test func eachSpokeOfAUnitCirclePlotHasItsClasssColour() {
        // Three classes of points and one centre series: origin, centre, origin, centre, ...
        let centres: [(Double, Double)] = [(1, 0), (0, 1), (-1, 0)]
        var series = centres.enumerated().map { k, c in Series("identity \(k)", x: [c.0 * 0.9], y: [c.1 * 0.9], style: .scatter) }
        series.append(Series("class centres", x: centres.flatMap { [0, $0.0] }, y: centres.flatMap { [0, $0.1] }))
        let plot = Plot(title: "circle", series: series, kind: .unitCircle)
        let colours = Plots.colours(for: [Plot(title: "before", series: [Series("identity 2", x: [0], y: [0])]), plot])
        let svg = Plots.svg(plot, colours: colours)
        let dots = Self.classes(svg, role: "dots"), spokes = Self.classes(svg, role: "spoke")
        #expect(dots.count == 3 && spokes == dots, "spokes \(spokes) should match the classes' dots \(dots)")
        #expect(Set(spokes).count == 3)
        #expect(svg.components(separatedBy: "class=\"ray\"").count - 1 == 3, "one ray per centre, none for the origin points")
        #expect(!svg.contains("class=\"narrow\""), "a unit circle has no narrow twin")
    }

    // MARK: Phones

    @Test func aCartesianFigureHasAWideAndANarrowSVG() {
        let xs = (0...10).map(Double.init)
        let figure = Plots.svg(Plot(title: "t", xLabel: "x", yLabel: "y", series: [Series("a", x: xs, y: xs)]))
        let svgs = XMLElements.parse(figure).all("svg")
        #expect(svgs.map { $0.attributes["class"] } == ["wide", "narrow"])
        #expect(svgs.map { $0.attributes["viewBox"]?.split(separator: " ")[2] } == ["640", "360"])
        let ids = svgs.compactMap { $0.attributes["aria-labelledby"] }
        #expect(Set(ids).count == 2, "each SVG has its own title and description ids")
        #expect(FrontEnd.plotsCSS.contains("@container") && !FrontEnd.themeCSS.contains("min-width: 520px"))
    }

    // MARK: Chinese

    @Test func chineseRunsInTheProseAreMarkedAndCodeIsLeftAlone() {
        let html = "<blockquote><p>w.renorm(2,0,1e-5) 对w进行归一化 。w.renorm中前两个2,0是代表maxnorm ,将大于1e-5的乘以1e5。</p></blockquote>\n"
            + "<p>The note's \"归一化到 0-1 之间\" (\"normalised to between 0 and 1\") and 值 again.</p>\n"
            + "<pre class=\"code\"><code>// 注释 stays</code></pre><p><code>中文</code> <span title=\"中\">x</span></p>"
        let marked = Lang.mark(html)
        #expect(marked.contains("<p>w.renorm(2,0,1e-5) <span lang=\"zh\">对w进行归一化 。w.renorm中前两个2,0是代表maxnorm ,将大于1e-5的乘以1e5。</span></p>"))
        #expect(marked.contains("\"<span lang=\"zh\">归一化到 0-1 之间</span>\" (\"normalised"))
        #expect(marked.contains(" and <span lang=\"zh\">值</span> again."), "English between two Chinese runs splits them")
        #expect(marked.contains("<code>// 注释 stays</code>") && marked.contains("<code>中文</code>") && marked.contains("title=\"中\""))
        #expect(Lang.mark("<p>no Chinese</p>") == "<p>no Chinese</p>")
    }

    // MARK: The site's files

    static func site(_ lessons: [(String, String)]) -> [String: Data] {
        let runs = lessons.enumerated().map { k, l -> LessonRun in
            let (lesson, diagnostics) = Parse.lesson(LessonSource(path: "lessons/\(l.0).md", slug: l.0, number: k + 1, text: l.1))
            precondition(lesson != nil, "\(diagnostics)")
            let cells = lesson!.cells.map { CellResult(index: $0.index, segments: [.text("out \($0.index)\n")], outcome: .completed) }
            return LessonRun(lesson: lesson!, compileErrors: [], cells: cells, seconds: 0)
        }
        return Render.site(runs)
    }

    static let lessonA = "---\ntitle: First\n---\n# First\n\n## Part one\n\n```swift\nprint(1)\n```\n\n## Part two\n\n```swift\nlet x = 2\nx\n```\n"
    static let lessonB = "# Second\n\n```swift\nprint(\"b\")\n```\n"

    @Test func eachLessonHasItsMarkdownAndItsProgramAsDownloadsLinkedFromItsPage() throws {
        let files = Self.site([("01-first", Self.lessonA), ("02-second", Self.lessonB)])
        #expect(String(decoding: files["downloads/01-first.md"]!, as: UTF8.self) == Self.lessonA)
        let program = String(decoding: files["downloads/01-first.swift"]!, as: UTF8.self)
        #expect(program.contains("import ArcFaceKit") && program.contains("print(1)") && program.contains("LessonRuntime.display(x)"))
        #expect(program.contains("swiftc 01-first.swift -I $K/Modules -I $R/Sources/CPortableMath/include -L $K -lArcFaceKit -lLessonRuntime"))
        #expect(!program.contains("#sourceLocation") && !program.contains("beginCell"))
        let page = String(decoding: files["01-first.html"]!, as: UTF8.self)
        #expect(page.contains("href=\"downloads/01-first.md\"") && page.contains("href=\"downloads/01-first.swift\""))
        #expect(page.contains("swiftc 01-first.swift") && page.contains("arcface-lessons repl 01-first"))
        #expect(page.contains("data-lesson=\"01-first\""))
        #expect(files["downloads/02-second.swift"] != nil)
    }

    @Test func theSidebarListsEveryLessonWithTheCurrentOnesSections() {
        let files = Self.site([("01-first", Self.lessonA), ("02-second", Self.lessonB)])
        let page = String(decoding: files["01-first.html"]!, as: UTF8.self)
        #expect(page.contains("<li class=\"current\"><a href=\"01-first.html\" aria-current=\"page\">"))
        #expect(page.contains("<a href=\"02-second.html\"><span class=\"num\">2</span><span class=\"title\">Second</span></a>"))
        #expect(page.contains("<a href=\"#part-one\">Part one</a>") && page.contains("<a href=\"#part-two\">Part two</a>"))
        #expect(page.contains("class=\"menu-button\"") && page.contains("class=\"theme-toggle\""))
        let index = String(decoding: files["index.html"]!, as: UTF8.self)
        #expect(!index.contains("id=\"sidebar\"") && index.contains("class=\"theme-toggle\""))
    }

    /// The toggle's colours (learner.css, `:root[data-theme=…]`) are theme.css's own.
    @Test func theDarkModeTogglesColoursAreThoseOfTheTheme() throws {
        func variables(_ block: Substring) -> [String: String] {
            var out: [String: String] = [:]
            for declaration in (block.split(separator: "{").last ?? block).split(separator: ";") {
                let parts = declaration.split(separator: ":", maxSplits: 1)
                guard parts.count == 2 else { continue }
                let name = (parts[0].split(separator: "{").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                if name.hasPrefix("--") { out[name] = parts[1].trimmingCharacters(in: .whitespacesAndNewlines) }
            }
            return out
        }
        func block(_ css: String, after marker: String) -> Substring? {
            guard let start = css.range(of: marker), let open = css[start.upperBound...].firstIndex(of: "{"),
                  let close = css[open...].firstIndex(of: "}") else { return nil }
            return css[css.index(after: open)..<close]
        }
        let theme = FrontEnd.themeCSS, learner = FrontEnd.learnerCSS
        let light = try #require(block(theme, after: ":root")), dark = try #require(block(theme, after: "@media (prefers-color-scheme: dark)"))
        let toggleLight = try #require(block(learner, after: ":root[data-theme=light]"))
        let toggleDark = try #require(block(learner, after: ":root[data-theme=dark]"))
        let themeLight = variables(light).filter { !["--sans", "--serif", "--mono"].contains($0.key) }
        #expect(variables(toggleLight) == themeLight)
        #expect(variables(toggleDark) == variables(dark))
        #expect(!variables(dark).isEmpty)
    }
}
