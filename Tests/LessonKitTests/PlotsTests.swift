// Plots: SVG figures and sliders. Structure is checked by parsing the output as XML; the look is
// checked by a page of sample plots in /tmp/plots-check that chromium screenshots (when installed).

import LessonRuntime
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import LessonKit

/// The elements of an XML document in document order, with their attributes and text.
final class XMLElements: NSObject, XMLParserDelegate {
    struct Element { var name: String; var attributes: [String: String]; var text = "" }
    var elements: [Element] = []
    private var open: [Int] = []
    var error: Error?

    static func parse(_ xml: String) -> XMLElements {
        let collector = XMLElements()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = collector
        _ = parser.parse()
        collector.error = parser.parserError
        return collector
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        open.append(elements.count)
        elements.append(Element(name: name, attributes: attributes))
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        open.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        for i in open { elements[i].text += string }
    }

    func all(_ name: String) -> [Element] { elements.filter { $0.name == name } }
}

/// A small deterministic generator for sample data (no randomness in the tests).
struct SampleRandom {
    var state: UInt64
    mutating func uniform() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }
    mutating func normal() -> Double {
        let u = max(uniform(), 1e-12), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}

enum Samples {
    static let degrees = (0...180).map(Double.init)

    static var margins: Plot {
        let cos0 = degrees.map { cos($0 * .pi / 180) }
        let arc = degrees.map { $0 + 28.6 <= 180 ? cos(($0 + 28.6) * .pi / 180) : Double.nan }
        let cosface = degrees.map { cos($0 * .pi / 180) - 0.35 }
        return Plot(title: "Target logit against the angle θ", xLabel: "θ (degrees)", yLabel: "logit / s",
                    series: [Series("softmax cos θ", x: degrees, y: cos0),
                             Series("ArcFace cos(θ + 0.5)", x: degrees, y: arc),
                             Series("CosFace cos θ − 0.35", x: degrees, y: cosface)],
                    summary: "ArcFace adds the margin to the angle, CosFace subtracts it from the cosine; ArcFace's curve stops where θ + m passes 180°.")
    }

    static var single: Plot {
        let xs = stride(from: -3.0, through: 3.0, by: 0.05).map { $0 }
        return Plot(title: "A single curve", xLabel: "z", yLabel: "tanh z − 0.1z", series: [Series("", x: xs, y: xs.map { tanh($0) - 0.1 * $0 })])
    }

    static var scatter: Plot {
        var rng = SampleRandom(state: 42)
        var series: [Series] = []
        for (k, (cx, cy)) in [(0.6, 0.2), (-0.4, 0.9), (0.1, -0.7)].enumerated() {
            let xs = (0..<300).map { _ in cx + 0.25 * rng.normal() }
            let ys = (0..<300).map { _ in cy + 0.25 * rng.normal() }
            series.append(Series("class \(k)", x: xs, y: ys, style: .scatter))
        }
        return Plot(title: "Features before normalisation", xLabel: "feature 1", yLabel: "feature 2", series: series)
    }

    static var histogram: Plot {
        var rng = SampleRandom(state: 7)
        let positive = (0..<2000).map { _ in 35 + 9 * rng.normal() }
        let negative = (0..<2000).map { _ in 88 + 6 * rng.normal() }
        return Plot(title: "Angles to the class centres", xLabel: "angle (degrees)", yLabel: "count",
                    series: [Series.histogram("own class", positive, bins: 30, range: 0...120),
                             Series.histogram("other classes", negative, bins: 30, range: 0...120)],
                    summary: "Samples sit close to their own centre and almost orthogonal to the others.")
    }

    static var unitCircle: Plot {
        var rng = SampleRandom(state: 3)
        var series: [Series] = []
        let angles = [0.4, 2.3, 4.2]
        for (k, a) in angles.enumerated() {
            let t = (0..<60).map { _ in a + 0.28 * rng.normal() }
            series.append(Series("class \(k)", x: t.map(cos), y: t.map(sin), style: .scatter))
        }
        series.append(Series("centres", x: angles.map(cos), y: angles.map(sin), style: .scatter))
        return Plot(title: "Normalised embeddings and class centres", xLabel: "", yLabel: "", series: series,
                    summary: "Each class gathers around its centre on the unit circle.", kind: .unitCircle)
    }

    static var fixedRange: Plot {
        let xs = stride(from: 0.0, through: 10, by: 0.1).map { $0 }
        return Plot(title: "Loss during training (clipped)", xLabel: "epoch", yLabel: "loss",
                    series: [Series("train", x: xs, y: xs.map { 3 * exp(-$0 / 3) + 0.2 }),
                             Series("validation", x: xs, y: xs.map { 3.2 * exp(-$0 / 3.5) + 0.35 })],
                    xRange: 0...10, yRange: 0...2)
    }

    static var dense: Plot {
        var rng = SampleRandom(state: 9)
        let series = [(0.0, 0.0), (1.5, 1.0)].enumerated().map { k, centre in
            Series("cluster \(k)", x: (0..<3000).map { _ in centre.0 + 0.6 * rng.normal() },
                   y: (0..<3000).map { _ in centre.1 + 0.6 * rng.normal() }, style: .scatter)
        }
        return Plot(title: "6000 points", xLabel: "u", yLabel: "v", series: series)
    }

    static var slider: PlotSlider {
        let ms = [0.0, 0.25, 0.5, 0.75]
        let plots = ms.map { m in
            Plot(title: "cos(θ + m) for m = \(m)", xLabel: "θ (degrees)", yLabel: "logit / s",
                 series: [Series("cos θ", x: degrees, y: degrees.map { cos($0 * .pi / 180) }),
                          Series("cos(θ + m)", x: degrees, y: degrees.map { cos($0 * .pi / 180 + m) })])
        }
        return PlotSlider(parameter: "m", values: ms, plots: plots, initial: 2)
    }
}

@Suite struct PlotsTests {
    static let all: [Plot] = [Samples.margins, Samples.single, Samples.scatter, Samples.histogram, Samples.unitCircle, Samples.fixedRange]

    /// The `<svg>` element of a figure.
    func svgElement(_ figure: String) -> String {
        guard let a = figure.range(of: "<svg"), let b = figure.range(of: "</svg>") else { return "" }
        return String(figure[a.lowerBound..<b.upperBound])
    }

    /// A histogram whose range overflows (hi - lo = inf) or whose bin width underflows to 0 counts
    /// every value and has finite bar centres, where it used to trap in Int(inf) inside the lesson.
    @Test func aHistogramOfExtremeRangesCountsEveryValueWithoutTrapping() {
        for values in [[0, 5e-324], [-1e308, 1e308], [-Double.greatestFiniteMagnitude, 0, .greatestFiniteMagnitude], [3, 3]] {
            let h = Series.histogram("h", values, bins: 7)
            #expect(h.y.reduce(0, +) == Double(values.count), "\(values)")
            #expect(h.x.allSatisfy(\.isFinite) && h.x.count == 7, "\(values): \(h.x)")
        }
        // The ordinary case keeps its bins: 0..<10 in 5 bins of width 2.
        #expect(Series.histogram("h", (0..<10).map(Double.init), bins: 5).y == [2, 2, 2, 2, 2])
    }

    @Test func everyKindOfPlotIsWellFormedXML() {
        for plot in Self.all {
            let figure = Plots.svg(plot)
            let parsed = XMLElements.parse(figure)
            #expect(parsed.error == nil, "\(plot.title): \(String(describing: parsed.error))")
            // A cartesian plot has a wide and a narrow SVG, a unit circle one.
            #expect(parsed.all("svg").count == (plot.kind == .unitCircle ? 1 : 2))
            #expect(figure.hasPrefix("<figure class=\"plot"))
            let svg = parsed.all("svg")[0]
            #expect(svg.attributes["viewBox"]?.hasPrefix("0 0 ") == true)
            #expect(svg.attributes["role"] == "img")
        }
        // No finite data: the frame and a note, still well-formed.
        for empty in [Plot(title: "", series: []), Plot(title: "e", series: [Series("", x: [.nan], y: [1])])] {
            let figure = Plots.svg(empty)
            #expect(XMLElements.parse(figure).error == nil)
            #expect(figure.contains(">No data</text>"))
        }
        // Extreme values do not trap.
        let extreme = Plot(title: "x", series: [Series("", x: [-1.7e308, 1.7e308], y: [1e-300, 2e-300]), Series("", x: [1e10, 1e10 + 1e-6], y: [5, 5])])
        #expect(XMLElements.parse(Plots.svg(extreme)).error == nil)
        // Markup in names and titles is escaped.
        let tricky = Plot(title: "a < b & \"c\"", xLabel: "<x>", series: [Series("s&p", x: [1, 2], y: [3, 4]), Series("<b>", x: [1, 2], y: [1, 1])])
        #expect(XMLElements.parse(Plots.svg(tricky)).error == nil)
    }

    @Test func ticksAreRoundNumbersThatCoverTheData() {
        for (lo, hi) in [(0.0, 1.0), (-0.84, 1.0), (0.0, 180.0), (3.7, 9.2), (-1234.0, 98765.0), (0.0012, 0.0047), (17.0, 17.0), (1e-9, 3e-9)] {
            let a = Plots.axis(lo, hi, target: 5, extend: true)
            #expect(a.ticks.count >= 3 && a.ticks.count <= 12, "\(lo)...\(hi): \(a.ticks)")
            #expect(a.ticks.first! <= lo && a.ticks.last! >= hi, "\(lo)...\(hi): \(a.ticks)")
            #expect(a.lo == a.ticks.first && a.hi == a.ticks.last)
            let step = a.ticks[1] - a.ticks[0]
            let mantissa = step / pow(10, floor(log10(step)))
            #expect([1.0, 2, 5].contains { abs(mantissa - $0) < 1e-6 }, "step \(step)")
            for t in a.ticks {
                #expect(abs(t / step - (t / step).rounded()) < 1e-6, "tick \(t) is not a multiple of \(step)")
            }
        }
        // Labels without float noise, with a real minus sign and thousands separators.
        // One number of decimals per axis, as d3 and ggplot2 do.
        #expect(Plots.axis(0, 0.3, target: 3, extend: true).labels == ["0.0", "0.1", "0.2", "0.3"])
        #expect(Plots.axis(-1, 1, target: 4, extend: true).labels == ["\u{2212}1.0", "\u{2212}0.5", "0.0", "0.5", "1.0"])
        #expect(Plots.axis(-20, 40, target: 4, extend: true).labels == ["\u{2212}20", "0", "20", "40"])
        #expect(Plots.axis(0, 50000, target: 5, extend: true).labels.last == "50,000")
        #expect(Plots.axis(0, 180, target: 6, extend: true).ticks == stride(from: 0.0, through: 180, by: 20).map { $0 })
        // Fixed ranges keep their ends; ticks stay inside.
        let fixed = Plots.axis(-1.15, 1.15, target: 4, extend: false)
        #expect(fixed.lo == -1.15 && fixed.hi == 1.15 && fixed.ticks == [-1, -0.5, 0, 0.5, 1])
    }

    @Test func theDomainIncludesZeroWhenTheDataComeNearIt() {
        let near = Plots.layout(Plot(title: "", series: [Series("", x: [1, 2, 3], y: [0.3, 0.8, 1])]))
        #expect(near.y.lo == 0)
        let far = Plots.layout(Plot(title: "", series: [Series("", x: [1, 2, 3], y: [0.8, 0.9, 1])]))
        #expect(far.y.lo > 0)
    }

    @Test func numbersAreFormattedToFourSignificantDigits() {
        #expect(Plots.number(0.1 + 0.2) == "0.3")
        #expect(Plots.number(1.0 / 3) == "0.3333")
        #expect(Plots.number(-2.5) == "-2.5")
        #expect(Plots.number(123456) == "123500")
        #expect(Plots.number(1.23456e-7) == "1.235e-7")
        #expect(Plots.number(.nan) == "nan" && Plots.number(-.infinity) == "-inf")
        #expect(Plots.number(0) == "0")
    }

    @Test func aNonFiniteValueBreaksALine() {
        let plot = Plot(title: "gap", series: [Series("", x: [0, 1, 2, 3, 4, 5, 6], y: [0, 1, .nan, 3, 4, .infinity, 6])])
        let parsed = XMLElements.parse(svgElement(Plots.svg(plot)))  // the wide SVG (the narrow one is the same plot)
        let lines = parsed.all("polyline")
        #expect(lines.count == 2)
        #expect(lines.map { $0.attributes["points"]!.split(separator: " ").count } == [2, 2])
        // The lone point after the infinity is a dot.
        #expect(parsed.all("circle").count == 1)
    }

    @Test func theUnitCirclePlotIsSquareWithTheCircleAndOneRayPerCentre() {
        let plot = Samples.unitCircle
        let layout = Plots.layout(plot)
        #expect(layout.right - layout.left == layout.bottom - layout.top)
        #expect(layout.x.lo == -1.15 && layout.x.hi == 1.15 && layout.y.lo == -1.15 && layout.y.hi == 1.15)
        let parsed = XMLElements.parse(Plots.svg(plot))
        #expect(parsed.error == nil)
        let circle = parsed.all("circle").filter { $0.attributes["class"] == "unit" }
        #expect(circle.count == 1)
        #expect(Double(circle[0].attributes["r"]!)! == ((layout.px(1) - layout.px(0)) * 100).rounded() / 100)
        let rays = parsed.all("line").filter { $0.attributes["class"] == "ray" }
        #expect(rays.count == 3)
        for ray in rays {
            #expect(Double(ray.attributes["x1"]!)! == (layout.px(0) * 100).rounded() / 100)
            #expect(Double(ray.attributes["y1"]!)! == (layout.py(0) * 100).rounded() / 100)
        }
        // 3 × 60 embeddings as points (plus the legend's swatches).
        #expect(parsed.all("circle").filter { $0.attributes["r"] == "2.5" }.count == 180)
        // A centre series outside a unit-circle plot is just a series.
        let cartesian = Plot(title: "", series: [Series("centres", x: [0, 1], y: [1, 0], style: .scatter)])
        #expect(!Plots.svg(cartesian).contains("class=\"ray\""))
    }

    @Test func aHistogramsBarsSumToTheCount() {
        var rng = SampleRandom(state: 11)
        let values = (0..<500).map { _ in rng.normal() }
        let plot = Plot(title: "h", series: [Series.histogram("v", values, bins: 15)])
        let layout = Plots.layout(plot)
        let parsed = XMLElements.parse(svgElement(Plots.svg(plot)))
        let bars = parsed.all("rect").filter { $0.attributes["clip-path"] == nil && $0.attributes["rx"] == nil }
        let unit = layout.py(0) - layout.py(1)
        let total = bars.map { Double($0.attributes["height"]!)! / unit }.reduce(0, +)
        #expect(abs(total - 500) < 0.5, "bars add up to \(total)")
        // Bars are as wide as the bin spacing (less a half-pixel gap each side) and start at zero.
        let binWidth = layout.px(plot.series[0].x[1]) - layout.px(plot.series[0].x[0])
        for bar in bars {
            #expect(abs(Double(bar.attributes["width"]!)! - (binWidth - 1)) < 0.02)
            #expect(abs(Double(bar.attributes["y"]!)! + Double(bar.attributes["height"]!)! - layout.py(0)) < 0.02)
        }
        #expect(layout.y.lo == 0)
        // Two bar series are overlaid with transparency.
        #expect(Plots.svg(Samples.histogram).contains("fill-opacity=\"0.5\""))
    }

    @Test func aLegendAppearsOnlyWithTwoOrMoreNamedSeries() {
        func legend(_ series: [Series]) -> Bool { Plots.svg(Plot(title: "t", series: series)).contains("class=\"legend\"") }
        let a = Series("a", x: [0, 1], y: [0, 1]), b = Series("b", x: [0, 1], y: [1, 0]), unnamed = Series("", x: [0, 1], y: [2, 2])
        #expect(!legend([a]))
        #expect(!legend([a, unnamed]))
        #expect(legend([a, b]))
        let parsed = XMLElements.parse(svgElement(Plots.svg(Samples.margins)))
        let legendTexts = parsed.elements.filter { $0.name == "text" && Samples.margins.series.map(\.name).contains($0.text) }
        #expect(legendTexts.count == 3)
        // The legend sits above the plot area.
        let layout = Plots.layout(Samples.margins)
        #expect(layout.legend.allSatisfy { $0.y < layout.top })
    }

    @Test func theTitleAndDescriptionAreLinkedToTheSVG() {
        let parsed = XMLElements.parse(Plots.svg(Samples.histogram))
        let svg = parsed.all("svg")[0]
        let ids = svg.attributes["aria-labelledby"]!.split(separator: " ").map(String.init)
        let title = parsed.all("title")[0], desc = parsed.all("desc")[0]
        #expect(ids == [title.attributes["id"]!, desc.attributes["id"]!])
        #expect(title.text == "Angles to the class centres")
        #expect(desc.text == Samples.histogram.summary)
        #expect(parsed.all("figcaption")[0].text == "Angles to the class centres")
        #expect(parsed.elements.contains { $0.name == "p" && $0.attributes["class"] == "plot-caption" && $0.text == Samples.histogram.summary })
        // Without a summary the description is generated from the series.
        let generated = XMLElements.parse(Plots.svg(Samples.scatter)).all("desc")[0].text
        #expect(generated.hasPrefix("Scatter plot of feature 2 against feature 1 with 3 series: “class 0” (300 points)"))
    }

    @Test func renderingIsDeterministicAndCoordinatesHaveAtMostTwoDecimals() throws {
        for plot in Self.all {
            let a = Plots.svg(plot), b = Plots.svg(plot)
            #expect(a == b)
            let svg = svgElement(a)
            let numbers = try Regex(#"-?\d+\.(\d+)"#)
            for match in svg.matches(of: numbers) {
                #expect(match.output[1].substring!.count <= 2, "\(plot.title): \(match.output[0].substring!)")
            }
            #expect(!svg.contains("nan") && !svg.contains("inf"))
        }
        // Float noise below 0.005 px does not change a byte.
        let xs = (0..<50).map { Double($0) / 7 }
        let p1 = Plot(title: "n", series: [Series("", x: xs, y: xs.map { $0 * 0.1 })])
        let p2 = Plot(title: "n", series: [Series("", x: xs, y: xs.map { $0 * 0.1 * (1 + 1e-13) })])
        #expect(Plots.svg(p1) == Plots.svg(p2))
    }

    @Test func theDataTableListsTheValuesAndCapsLongSeries() {
        let parsed = XMLElements.parse(Plots.svg(Samples.margins))
        #expect(parsed.all("details")[0].attributes["class"] == "plot-data")
        #expect(parsed.all("summary")[0].text == "Data")
        // Shared x values: one column per series.
        #expect(parsed.all("th").map(\.text) == ["θ (degrees)", "softmax cos θ", "ArcFace cos(θ + 0.5)", "CosFace cos θ − 0.35"])
        let rows = parsed.all("tr").dropFirst()
        #expect(rows.count == 181)
        #expect(parsed.all("td").prefix(4).map(\.text) == ["0", "1", "0.878", "0.65"])
        #expect(parsed.all("td").contains { $0.text == "nan" })
        // Different x values: a block per series, at most 200 rows each, with a note.
        let scatter = XMLElements.parse(Plots.svg(Plot(title: "s", series: [
            Series("a", x: (0..<250).map(Double.init), y: (0..<250).map { Double($0) / 3 }, style: .scatter),
            Series("b", x: [0.5], y: [2], style: .scatter)])))
        #expect(scatter.all("th").map(\.text) == ["x", "y", "a (first 200 of 250)", "b"])
        #expect(scatter.all("tbody").count == 2)
        #expect(scatter.all("td").count == 2 * 201)
        #expect(scatter.all("td")[3].text == "0.3333")
    }

    @Test func theSliderHasOneSlidePerValueAndHidesAllButTheInitialOne() throws {
        let html = Plots.slider(Samples.slider)
        #expect(html.hasPrefix("<div class=\"plot-slider\" data-parameter=\"m\">\n<label>m = <output>0.5</output> <input type=\"range\" min=\"0\" max=\"3\" step=\"1\" value=\"2\" aria-label=\"m\"></label>\n"))
        let slides = html.matches(of: try Regex(#"<div class="slide" data-value="([^"]*)"( hidden)?>"#))
        #expect(slides.map { String($0.output[1].substring!) } == ["0", "0.25", "0.5", "0.75"])
        #expect(slides.map { $0.output[2].substring != nil } == [true, true, false, true])
        #expect(html.components(separatedBy: "<figure").count == 5)
        // The slides share their axes, so switching moves only the curves (one viewBox for the wide
        // SVGs, one for the narrow ones).
        let viewBoxes = Set(html.matches(of: try Regex(#"viewBox="[^"]*""#)).map { String($0.output[0].substring!) })
        #expect(viewBoxes.count == 2)
        // Ids differ between slides and between a slide's two SVGs.
        let ids = html.matches(of: try Regex(#"<title id="([^"]*)""#)).map { String($0.output[1].substring!) }
        #expect(Set(ids).count == 8)
        // The script finds every slider and has nothing that needs escaping in a page.
        #expect(FrontEnd.sliderScript.contains("querySelectorAll(\".plot-slider\")"))
        #expect(!FrontEnd.sliderScript.contains("<") && !FrontEnd.sliderScript.contains("&"))
    }

    @Test func theCSSIsScopedToPlotsSlidersAndDataTables() {
        for line in FrontEnd.plotsCSS.split(separator: "\n") where line.contains("{") && !line.hasPrefix("@media") && !line.hasPrefix("@container") && !line.hasPrefix(" ") {
            #expect(line.hasPrefix(".plot"), "unscoped rule: \(line)")
        }
        for k in 0..<8 { #expect(FrontEnd.plotsCSS.contains(".plot .s\(k) { color: var(--plot-c\(k)); }")) }
        #expect(FrontEnd.plotsCSS.contains("prefers-color-scheme: dark"))
    }

    /// Writes /tmp/plots-check/index.html (light) and dark.html and, when chromium is installed,
    /// screenshots them to p.png and p-dark.png for a person to look at.
    @Test func aSamplePageRendersToAScreenshot() throws {
        let dir = "/tmp/plots-check"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var body = ""
        for plot in Self.all + [Samples.dense] { body += Plots.svg(plot) }
        body += Plots.slider(Samples.slider)
        func page(dark: Bool) -> String {
            """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            \(dark ? "<meta name=\"color-scheme\" content=\"dark\">" : "")
            <title>Plots check</title>
            <style>
            \(FrontEnd.themeCSS)
            \(FrontEnd.plotsCSS)
            \(dark ? ":root { --bg: #16181a; --fg: #e4e6e8; --muted: #a0a6ad; --accent: #6cb6ff; --rule: #2c3035; }" : ":root { --bg: #fdfdfc; }")
            </style></head>
            <body><main><h1>Plots</h1>
            \(body)
            </main><script>\(FrontEnd.sliderScript)</script></body></html>
            """
        }
        try page(dark: false).write(toFile: dir + "/index.html", atomically: true, encoding: .utf8)
        try page(dark: true).write(toFile: dir + "/dark.html", atomically: true, encoding: .utf8)
        #expect(XMLElements.parse("<body>" + body.replacingOccurrences(of: " hidden>", with: " hidden=\"\">")
            .replacingOccurrences(of: "aria-label=\"m\">", with: "aria-label=\"m\"/>") + "</body>").error == nil)

        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let chromium else { return }
        for (name, png, extra) in [("index.html", "p.png", [String]()), ("dark.html", "p-dark.png", ["--force-dark-mode"])] {
            try? FileManager.default.removeItem(atPath: dir + "/" + png)
            let r = try Subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"] + extra +
                                       ["--screenshot=\(dir)/\(png)", "--window-size=900,4700", "file://\(dir)/\(name)"],
                                       environment: ProcessInfo.processInfo.environment, timeout: 120)
            let size = (try? FileManager.default.attributesOfItem(atPath: dir + "/" + png)[.size] as? Int) ?? 0
            #expect(size > 50_000, "\(png): \(String(decoding: r.output, as: UTF8.self).suffix(400))")
        }
    }
}

extension PlotsTests {
    @Test func aDenseScatterIsOnePathOfDotsAndStaysSmall() {
        var rng = SampleRandom(state: 5)
        let n = 20_000
        let plot = Plot(title: "dense", series: [Series("", x: (0..<n).map { _ in rng.normal() }, y: (0..<n).map { _ in rng.normal() }, style: .scatter)])
        let figure = Plots.svg(plot)
        let parsed = XMLElements.parse(svgElement(figure))
        #expect(parsed.error == nil)
        #expect(parsed.all("circle").isEmpty)
        let dots = parsed.all("path").filter { $0.attributes["class"] == "dots s0" }
        #expect(dots.count == 1)
        let drawn = dots[0].attributes["d"]!.components(separatedBy: "h0").count - 1
        #expect(drawn > n / 2 && drawn <= n)
        #expect(svgElement(figure).utf8.count < 16 * n)
    }
}
