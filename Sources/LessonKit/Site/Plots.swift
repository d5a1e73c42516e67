// Plots: a Plot value -> an accessible, theme-aware inline SVG figure with a data table, and a
// PlotSlider -> such figures switched by a range input.
//
// Look: minimal (ggplot2's theme_minimal / Observable Plot): light grid lines, no frame, a baseline,
// tick labels in a muted tone, the y label above the axis ("↑ y") and the x label at its right end
// ("x →"), a legend above the plot area when two or more series have names.
//
// Theming: the SVG draws text, grid and axes in `currentColor` (with opacities), so it follows the
// page's text colour in light and dark mode without any CSS. Series colours are presentation
// attributes (Okabe-Ito, its yellow replaced: no yellow on white) that Resources/frontend/plots.css
// overrides through the `.s0`...`.s7` classes and the `--plot-c0`...`--plot-c7` custom properties
// (dark mode swaps black for a light grey). A page passes a `Colours` map so that a series name keeps
// its colour in every plot of a lesson; on unit-circle plots each class-centre spoke takes the colour
// of its class's points.
//
// Widths: a cartesian figure holds two SVGs, a wide one (640 units) and a narrow one (360 units,
// fewer ticks) that plots.css shows when the figure is narrower than 560 px, so tick labels stay
// legible on a phone instead of shrinking to half their size.
//
// Determinism: every coordinate is rounded to 0.01 px with integer arithmetic, ids are a hash of
// the rendered (already rounded) SVG, and nothing depends on time, randomness or dictionary order.

import ArcFaceKit
import LessonRuntime
import Foundation

enum Plots {
    // MARK: Constants

    /// Width of a cartesian plot's viewBox; plot areas are `plotHeight` tall (unit circle: a square).
    static let width = 640.0
    static let plotHeight = 270.0
    /// The phone variant of a cartesian plot.
    static let narrowWidth = 360.0, narrowPlotHeight = 230.0
    static let unitSide = 340.0
    static let tickFont = 11.0, labelFont = 12.0
    /// Okabe-Ito: distinguishable with the common colour-vision deficiencies.
    /// Okabe-Ito's yellow (#F0E442, unreadable on white) is replaced by a purple that stays apart
    /// from its reddish purple by lightness; black becomes a light grey in dark mode (plots.css).
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#6A3D9A", "#000000"]
    /// The palette index used for things drawn in the text's colour (a multi-coloured spoke legend).
    static let neutral = 7
    /// Rows of the data table per series.
    static let maxRows = 200
    /// Above this many points a scatter series is drawn as one path of dots instead of circles.
    static let denseScatter = 1500
    static let fontFamily = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"

    // MARK: Entry points

    /// Series name -> palette index, shared by the plots of one page.
    typealias Colours = [String: Int]

    /// One plot as a `<figure>`: title, SVG, summary, data table.
    static func svg(_ plot: Plot, colours: Colours = [:]) -> String { figure(plot, extent: nil, colours: colours) }

    /// Colours for every series name of a page's plots, in order of first appearance: a new name
    /// takes the first palette colour that no other series of its plot already has, so the same name
    /// is the same colour in every plot of the lesson and a plot's series differ while it can.
    static func colours(for plots: [Plot]) -> Colours {
        var map: Colours = [:]
        for plot in plots {
            for name in plot.series.map(\.name) where !name.isEmpty && map[name] == nil {
                let taken = Set(plot.series.compactMap { map[$0.name] })
                map[name] = palette.indices.first { !taken.contains($0) } ?? map.count % palette.count
            }
        }
        return map
    }

    /// Every plot a list of rich results shows (a slider's plots included).
    static func plots(in results: [RichResult]) -> [Plot] {
        results.flatMap { r -> [Plot] in
            switch r {
            case .plot(let p): [p]
            case .slider(let s): s.plots
            case .table: []
            }
        }
    }

    /// Plots switched by a range input; `sliderScript` shows the one for the chosen value (without
    /// script, the initial one is shown). Slides share their axes unless a plot fixes its ranges.
    static func slider(_ s: PlotSlider, colours: Colours = [:]) -> String {
        guard !s.plots.isEmpty else { return "" }
        let initial = min(max(0, s.initial), s.plots.count - 1)
        func value(_ i: Int) -> String { i < s.values.count ? number(s.values[i], digits: 6) : String(i) }
        let shared = s.plots.map(extent).reduce(Extent()) { $0.union($1) }
        let parameter = Render.escape(s.parameter)
        var html = "<div class=\"plot-slider\" data-parameter=\"\(parameter)\">\n"
        html += "<label>\(parameter) = <output>\(value(initial))</output> "
        html += "<input type=\"range\" min=\"0\" max=\"\(s.plots.count - 1)\" step=\"1\" value=\"\(initial)\" aria-label=\"\(parameter)\"></label>\n"
        for (i, p) in s.plots.enumerated() {
            html += "<div class=\"slide\" data-value=\"\(value(i))\"\(i == initial ? "" : " hidden")>\n" + figure(p, extent: shared, colours: colours) + "</div>\n"
        }
        return html + "</div>\n"
    }

    // MARK: Data extent

    /// The finite data's bounding box (bars: including their width and zero).
    struct Extent: Equatable {
        var x: ClosedRange<Double>?
        var y: ClosedRange<Double>?

        func union(_ o: Extent) -> Extent {
            func u(_ a: ClosedRange<Double>?, _ b: ClosedRange<Double>?) -> ClosedRange<Double>? {
                guard let a else { return b }
                guard let b else { return a }
                return min(a.lowerBound, b.lowerBound)...max(a.upperBound, b.upperBound)
            }
            return Extent(x: u(x, o.x), y: u(y, o.y))
        }
    }

    static func finitePoints(_ s: Series) -> [(Double, Double)] {
        zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite }
    }

    /// A bar's width: the smallest spacing of the series' x values (1 for a single bar).
    static func barWidth(_ s: Series) -> Double {
        let xs = Set(s.x.filter(\.isFinite)).sorted()
        var w = Double.infinity
        for i in xs.indices.dropFirst() { w = min(w, xs[i] - xs[i - 1]) }
        return w.isFinite && w > 0 ? w : 1
    }

    static func extent(_ plot: Plot) -> Extent {
        var e = Extent()
        let (logX, logY) = (plot.xScale == .log, plot.yScale == .log)
        for s in plot.series {
            let pts = finitePoints(s).filter { (!logX || $0.0 > 0) && (!logY || $0.1 > 0) }
            guard !pts.isEmpty else { continue }
            let half = s.style == .bar ? barWidth(s) / 2 : 0
            var box = Extent(x: (pts.map(\.0).min()! - half)...(pts.map(\.0).max()! + half),
                             y: pts.map(\.1).min()!...pts.map(\.1).max()!)
            if s.style == .bar && !logY { box = box.union(Extent(x: nil, y: 0...0)) }
            e = e.union(box)
        }
        return e
    }

    // MARK: Ticks

    /// An axis: its domain, tick values and their labels.
    struct Axis: Equatable {
        var lo: Double
        var hi: Double
        var ticks: [Double]
        var labels: [String]
        /// Logarithmic: positions go by log10, ticks are powers of ten.
        var log = false
        /// Grid lines without labels (a log axis's 2...9 times each power of ten).
        var minor: [Double] = []

        /// Where `v` lies between lo (0) and hi (1).
        func fraction(_ v: Double) -> Double {
            guard log else { return (v - lo) / (hi - lo) }
            let a = PortableMath.log10(lo), b = PortableMath.log10(hi)
            return v > 0 ? (PortableMath.log10(v) - a) / (b - a) : -.infinity
        }
    }

    /// A logarithmic axis over positive lo...hi: ticks at powers of ten (every k-th decade when there
    /// are many), labelled 0.01 ... 100 plainly and 10⁻⁷, 10⁵ beyond. With `extend`, the domain grows
    /// to whole decades.
    static func logAxis(_ lo: Double, _ hi: Double, target: Int, extend: Bool) -> Axis {
        var (lo, hi) = (lo, hi)
        if !(lo > 0 && lo.isFinite) { lo = hi > 0 && hi.isFinite ? hi / 10 : 0.1 }
        if !(hi > lo && hi.isFinite) { hi = lo * 10 }
        let eps = 1e-9
        var a = Int(floor(PortableMath.log10(lo) + eps)), b = Int(ceil(PortableMath.log10(hi) - eps))
        if b <= a { b = a + 1 }
        let step = max(1, Int((Double(b - a) / Double(max(1, target))).rounded(.up)))
        if extend {
            a = Int((Double(a) / Double(step)).rounded(.down)) * step
            b = Int((Double(b) / Double(step)).rounded(.up)) * step
            (lo, hi) = (power(a), power(b))
        }
        let first = Int((Double(a) / Double(step)).rounded(.up)) * step
        let exponents = stride(from: first, through: b, by: step).filter { power($0) >= lo * (1 - eps) && power($0) <= hi * (1 + eps) }
        var minor: [Double] = []
        if step == 1 {
            for e in (a - 1)...b { for m in 2...9 { let v = Double(m) * power(e); if v > lo && v < hi { minor.append(v) } } }
        }
        return Axis(lo: lo, hi: hi, ticks: exponents.map(power), labels: exponents.map(powerLabel), log: true, minor: minor)
    }

    /// 10^e as an exact integer power (or its reciprocal), not pow's rounding.
    static func power(_ e: Int) -> Double {
        var v = 1.0
        for _ in 0..<abs(e) { v *= 10 }
        return e < 0 ? 1 / v : v
    }

    /// "0.01", "0.1", "1", "10", "100"; beyond those "10⁻³", "10⁴" (a real minus sign).
    static func powerLabel(_ e: Int) -> String {
        switch e {
        case -2: return "0.01"
        case -1: return "0.1"
        case 0: return "1"
        case 1: return "10"
        case 2: return "100"
        default:
            let digits: [Character: String] = ["0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹"]
            return "10" + (e < 0 ? "⁻" : "") + String(abs(e)).map { digits[$0] ?? "" }.joined()
        }
    }

    /// Round ticks (1, 2 or 5 times a power of ten), about `target` + 1 of them. With `extend`, the
    /// domain grows to the outer ticks (so the ticks cover the data); otherwise ticks lie inside it.
    static func axis(_ lo: Double, _ hi: Double, target: Int, extend: Bool) -> Axis {
        var (lo, hi) = (lo, hi)
        if !(hi > lo) {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            (lo, hi) = (lo - pad, hi + pad)
        }
        // After the padding, which can overflow too (a single point at 1.8e308).
        if !(lo.isFinite && hi.isFinite && (hi - lo).isFinite && hi > lo) { (lo, hi) = (-1, 1) }  // beyond Double's range
        let span = hi - lo
        // log10 of the span and of the target apart: span / target underflows to 0 (log10 -inf, a
        // trap in Int) for a subnormal span such as 0...5e-324. hi > lo, both finite: span > 0.
        let e0 = Int(floor(PortableMath.log10(span) - PortableMath.log10(Double(max(1, target)))))
        var best: (score: Double, a: Int, b: Int, m: Int, e: Int)?
        for e in (e0 - 1)...(e0 + 1) {
            for (rank, m) in [1, 5, 2].enumerated() {
                let step = Double(m) * PortableMath.pow(10, Double(e))
                guard abs(lo / step) < 1e15, abs(hi / step) < 1e15 else { continue }
                let a = Int(extend ? floor(lo / step + 1e-9) : ceil(lo / step - 1e-9))
                let b = Int(extend ? ceil(hi / step - 1e-9) : floor(hi / step + 1e-9))
                let n = b - a + 1
                // An outer tick past Double's range (data up to 1.8e308) would make the axis end at inf.
                guard n >= 2, n <= 2 * target + 2, (Double(a) * step).isFinite, (Double(b) * step).isFinite else { continue }
                var score = -0.08 * Double(abs(n - (target + 1))) - 0.015 * Double(rank)
                if extend { score -= 2.5 * (1 - span / (Double(b - a) * step)) }
                if best == nil || score > best!.score + 1e-12 { best = (score, a, b, m, e) }
            }
        }
        guard let best else {
            return Axis(lo: lo, hi: hi, ticks: [lo, hi], labels: [number(lo, digits: 3, minus: "\u{2212}"), number(hi, digits: 3, minus: "\u{2212}")])
        }
        // k·m·10^e computed as an integer times (or divided by) an exact power of ten: 0.3, not 0.30000000000000004.
        func tick(_ k: Int) -> Double {
            best.e >= 0 ? Double(k * best.m) * PortableMath.pow(10, Double(best.e)) : Double(k * best.m) / PortableMath.pow(10, Double(-best.e))
        }
        let ticks = (best.a...best.b).map(tick)
        let decimals = max(0, -best.e)
        let big = ticks.contains { abs($0) >= 1e9 } || decimals > 12
        let labels = ticks.map { big ? number($0, digits: 3, minus: "\u{2212}") : tickLabel($0, decimals: decimals) }
        return extend ? Axis(lo: tick(best.a), hi: tick(best.b), ticks: ticks, labels: labels)
                      : Axis(lo: lo, hi: hi, ticks: ticks, labels: labels)
    }

    /// A tick label: fixed decimals (no float noise), a real minus sign, thousands separated.
    static func tickLabel(_ v: Double, decimals: Int) -> String {
        var s = cFormat("%.\(decimals)f", v)
        var negative = s.hasPrefix("-")
        if negative { s.removeFirst() }
        if s.allSatisfy({ $0 == "0" || $0 == "." }) { negative = false }
        let parts = s.split(separator: ".", maxSplits: 1)
        var int = String(parts[0])
        if int.count > 4 {
            var grouped = ""
            for (i, ch) in int.enumerated() {
                if i > 0 && (int.count - i) % 3 == 0 { grouped += "," }
                grouped.append(ch)
            }
            int = grouped
        }
        return (negative ? "\u{2212}" : "") + int + (parts.count > 1 ? "." + parts[1] : "")
    }

    /// A number to `digits` significant digits without trailing zeros: 0.1, 1235, 1.5e-7, nan, inf.
    static func number(_ v: Double, digits: Int = 4, minus: String = "-") -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? minus + "inf" : "inf" }
        if v == 0 { return "0" }
        func trim(_ s: String) -> String {
            guard s.contains(".") else { return s }
            var s = s
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
            return s
        }
        let e = Int(floor(PortableMath.log10(abs(v))))
        var s: String
        if e >= -4 && e < 15 {
            if e >= digits {
                let q = PortableMath.pow(10, Double(e - digits + 1))
                s = cFormat("%.0f", (v / q).rounded() * q)
            } else {
                s = trim(cFormat("%.\(digits - 1 - e)f", v))
            }
        } else {
            let parts = cFormat("%.\(digits - 1)e", v).split(separator: "e")
            s = trim(String(parts[0])) + "e" + String(Int(parts[1]) ?? 0)
        }
        if s == "-0" { s = "0" }
        return minus == "-" ? s : s.split(separator: "-", omittingEmptySubsequences: false).joined(separator: minus)
    }

    // MARK: Layout

    struct LegendItem: Equatable {
        var series: Int
        var x: Double
        var y: Double
    }

    /// Where everything goes, in viewBox units.
    struct Layout {
        var width: Double
        var height: Double
        /// The plot area.
        var left: Double, top: Double, right: Double, bottom: Double
        var x: Axis
        var y: Axis
        var unitCircle: Bool
        /// Clip the data to the plot area (fixed ranges can cut data off).
        var clip: Bool
        var legend: [LegendItem]
        var yLabelBaseline: Double
        /// Palette index of each series.
        var colours: [Int] = []
        /// "wide" or "narrow": the SVG's class.
        var variant = "wide"

        func px(_ v: Double) -> Double { left + x.fraction(v) * (right - left) }
        func py(_ v: Double) -> Double { bottom - y.fraction(v) * (bottom - top) }
        /// A point the axes can place: finite, and positive on a log axis.
        func valid(_ vx: Double, _ vy: Double) -> Bool {
            vx.isFinite && vy.isFinite && (!x.log || vx > 0) && (!y.log || vy > 0)
        }
        func points(_ s: Series) -> [(Double, Double)] { zip(s.x, s.y).filter { valid($0.0, $0.1) } }
        /// Where bars start: zero, or the bottom of a log axis.
        var barBase: Double { y.log ? y.lo : 0 }
    }

    /// Approximate width of a text in a sans-serif font.
    static func textWidth(_ s: String, _ size: Double) -> Double { Double(s.count) * size * 0.6 }

    static func isCentre(_ s: Series) -> Bool {
        let n = s.name.lowercased()
        return n.contains("centre") || n.contains("center")
    }

    /// Zero joins the domain when the data come near it (e.g. 0.3...1 shows 0...1).
    static func withZero(_ lo: Double, _ hi: Double) -> (Double, Double) {
        if lo > 0 && lo <= 0.5 * (hi - lo) { return (0, hi) }
        if hi < 0 && -hi <= 0.5 * (hi - lo) { return (lo, 0) }
        return (lo, hi)
    }

    static func layout(_ plot: Plot, extent given: Extent? = nil, colours: Colours = [:], narrow: Bool = false) -> Layout {
        let unit = plot.kind == .unitCircle
        let data = extent(plot).union(given ?? Extent())
        var clip = false
        func makeAxis(_ fixed: [Double]?, _ range: ClosedRange<Double>?, target: Int, log: Bool) -> Axis {
            if let f = fixed, f.count == 2, f[0].isFinite, f[1].isFinite, f[0] < f[1], !log || f[0] > 0 {
                clip = true
                return log ? logAxis(f[0], f[1], target: target, extend: false) : axis(f[0], f[1], target: target, extend: false)
            }
            if log { return logAxis(range?.lowerBound ?? 0.1, range?.upperBound ?? 10, target: target, extend: true) }
            let (lo, hi) = withZero(range?.lowerBound ?? 0, range?.upperBound ?? 1)
            return axis(lo, hi, target: target, extend: true)
        }
        let x: Axis, y: Axis
        if unit {
            x = axis(-1.15, 1.15, target: 4, extend: false)
            y = x
            clip = true
        } else {
            x = makeAxis(plot.xRange, data.x, target: narrow ? 4 : 6, log: plot.xScale == .log)
            y = makeAxis(plot.yRange, data.y, target: narrow ? 4 : 5, log: plot.yScale == .log)
        }
        let width = narrow ? narrowWidth : self.width, plotHeight = narrow ? narrowPlotHeight : self.plotHeight
        let left = max(30, (y.labels.map { textWidth($0, tickFont) }.max() ?? 0) + 14).rounded(.up)
        let lastHalf = textWidth(x.labels.last ?? "", tickFont) / 2
        let rightPad = max(14, lastHalf + 4).rounded(.up)
        let w = unit ? left + unitSide + rightPad : width
        let right = w - rightPad

        // Legend above the plot area, wrapping into rows.
        var legend: [LegendItem] = []
        let named = plot.series.indices.filter { !plot.series[$0].name.isEmpty }
        var top = 0.0
        if named.count >= 2 {
            var lx = 0.0, row = 0
            for i in named {
                let itemWidth = 22 + textWidth(plot.series[i].name, labelFont) + 16
                if lx > 0 && lx + itemWidth - 16 > w { lx = 0; row += 1 }
                legend.append(LegendItem(series: i, x: lx, y: 10 + Double(row) * 20))
                lx += itemWidth
            }
            top = Double(row + 1) * 20 + 6
        }
        var yLabelBaseline = 0.0
        if !plot.yLabel.isEmpty {
            yLabelBaseline = top + 12
            top += 18
        }
        top += 10
        let bottom = top + (unit ? unitSide : plotHeight)
        let height = bottom + 22 + (plot.xLabel.isEmpty ? 0 : 18) + 4
        var used = Set(plot.series.compactMap { colours[$0.name] })
        let indices = plot.series.map { s -> Int in
            if let k = colours[s.name] { return k }
            let k = palette.indices.first { !used.contains($0) } ?? 0
            used.insert(k)
            return k
        }
        return Layout(width: w, height: height, left: left, top: top, right: right, bottom: bottom,
                      x: x, y: y, unitCircle: unit, clip: clip, legend: legend, yLabelBaseline: yLabelBaseline,
                      colours: indices, variant: narrow ? "narrow" : "wide")
    }

    // MARK: Formatting helpers

    /// A coordinate rounded to 0.01 with integer arithmetic: "12", "12.5", "12.05", "-3.2".
    static func c(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let cents = Int((min(max(v, -1e9), 1e9) * 100).rounded())
        let a = abs(cents), f = a % 100
        var s = (cents < 0 ? "-" : "") + String(a / 100)
        if f != 0 { s += f % 10 == 0 ? ".\(f / 10)" : (f < 10 ? ".0\(f)" : ".\(f)") }
        return s
    }

    static func esc(_ s: String) -> String { Render.escape(s) }

    /// FNV-1a, 32 bits of it in hex: ids that depend only on the rendered bytes.
    static func hash(_ s: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        let hex = String(h >> 32, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }

    // MARK: Figure

    static let idToken = "\u{1}ID\u{1}"

    static func figure(_ plot: Plot, extent: Extent?, colours: Colours = [:]) -> String {
        let L = layout(plot, extent: extent, colours: colours)
        var html = "<figure class=\"plot\(L.unitCircle ? " unit-circle" : "")\">\n"
        if !plot.title.isEmpty { html += "<figcaption class=\"plot-title\">\(esc(plot.title))</figcaption>\n" }
        // The unit circle is square and small enough for a phone; a cartesian plot has a narrow twin.
        for layout in L.unitCircle ? [L] : [L, self.layout(plot, extent: extent, colours: colours, narrow: true)] {
            let body = svgBody(plot, layout)
            html += body.replacingLiteral(idToken, with: "plot-" + hash(body))
        }
        if let summary = plot.summary?.trimmingCharacters(in: .whitespacesAndNewlines), !summary.isEmpty {
            html += "<p class=\"plot-caption\">\(esc(summary))</p>\n"
        }
        html += dataTable(plot)
        return html + "</figure>\n"
    }

    /// The `<svg>` element, with `idToken` where the plot's id goes.
    static func svgBody(_ plot: Plot, _ L: Layout) -> String {
        let id = idToken
        var s = "<svg class=\"\(L.variant)\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(c(L.width)) \(c(L.height))\" width=\"\(c(L.width))\" height=\"\(c(L.height))\""
        s += " role=\"img\" aria-labelledby=\"\(id)-t \(id)-d\" fill=\"currentColor\" font-family=\"\(fontFamily)\" font-size=\"\(c(tickFont))\">\n"
        s += "<title id=\"\(id)-t\">\(esc(plot.title.isEmpty ? "Plot" : plot.title))</title>\n"
        s += "<desc id=\"\(id)-d\">\(esc(describe(plot, L)))</desc>\n"
        if L.clip {
            s += "<clipPath id=\"\(id)-c\"><rect x=\"\(c(L.left - 4))\" y=\"\(c(L.top - 4))\" width=\"\(c(L.right - L.left + 8))\" height=\"\(c(L.bottom - L.top + 8))\"/></clipPath>\n"
        }
        s += frame(plot, L)
        // Data: lines, bars and points in series order; class-centre rays on top.
        let clipAttribute = L.clip ? " clip-path=\"url(#\(id)-c)\"" : ""
        var data = "", rays = ""
        let bars = plot.series.filter { $0.style == .bar }.count
        for (i, series) in plot.series.enumerated() {
            if L.unitCircle && isCentre(series) { rays += self.rays(series, i, L, plot) } else { data += draw(series, i, L, overlaid: bars > 1) }
        }
        if !data.isEmpty || !rays.isEmpty { s += "<g class=\"data\"\(clipAttribute)>\n" + data + rays + "</g>\n" }
        if !L.legend.isEmpty { s += legend(plot, L) }
        if plot.series.allSatisfy({ L.points($0).isEmpty }) {
            s += "<text x=\"\(c((L.left + L.right) / 2))\" y=\"\(c((L.top + L.bottom) / 2))\" text-anchor=\"middle\" fill-opacity=\"0.7\">No data</text>\n"
        }
        return s + "</svg>\n"
    }

    /// Colour of series `i`: a presentation attribute that the `.sN` class overrides (dark mode).
    static func colour(_ k: Int, _ role: String = "") -> String {
        "class=\"\(role.isEmpty ? "" : role + " ")s\(k % palette.count)\" color=\"\(palette[k % palette.count])\""
    }

    /// Colour of series `i` of the plot laid out as `L`.
    static func colour(_ L: Layout, _ i: Int, _ role: String = "") -> String {
        colour(i < L.colours.count ? L.colours[i] : i, role)
    }

    /// On a unit-circle plot, the palette index of each spoke of centre series `i`: the colour of
    /// the k-th point series when there is one point series per spoke (spoke k is class k's centre),
    /// else the series' own colour.
    static func spokeColours(_ plot: Plot, _ i: Int, _ L: Layout) -> [Int] {
        let spokes = L.points(plot.series[i]).filter { !($0.0 == 0 && $0.1 == 0) }.count
        let classes = plot.series.indices.filter { !isCentre(plot.series[$0]) && plot.series[$0].style == .scatter }
        let own = i < L.colours.count ? L.colours[i] : i
        guard spokes > 1, classes.count == spokes else { return Array(repeating: own, count: spokes) }
        return classes.map { $0 < L.colours.count ? L.colours[$0] : $0 }
    }

    /// Grid, zero lines / axes, tick labels, axis labels, the unit circle.
    static func frame(_ plot: Plot, _ L: Layout) -> String {
        var s = ""
        var grid = ""
        for t in L.x.ticks { grid += "M\(c(L.px(t))),\(c(L.top))V\(c(L.bottom))" }
        for t in L.y.ticks { grid += "M\(c(L.left)),\(c(L.py(t)))H\(c(L.right))" }
        s += "<path class=\"grid\" d=\"\(grid)\" fill=\"none\" stroke=\"currentColor\" stroke-opacity=\"0.11\" shape-rendering=\"crispEdges\"/>\n"
        var minor = ""
        for t in L.x.minor { minor += "M\(c(L.px(t))),\(c(L.top))V\(c(L.bottom))" }
        for t in L.y.minor { minor += "M\(c(L.left)),\(c(L.py(t)))H\(c(L.right))" }
        if !minor.isEmpty {
            s += "<path class=\"grid minor\" d=\"\(minor)\" fill=\"none\" stroke=\"currentColor\" stroke-opacity=\"0.05\" shape-rendering=\"crispEdges\"/>\n"
        }
        var axes = ""
        if L.unitCircle {
            axes = "M\(c(L.left)),\(c(L.py(0)))H\(c(L.right))M\(c(L.px(0))),\(c(L.top))V\(c(L.bottom))"
        } else {
            // A baseline (at zero when zero is in the domain) and a zero line for x.
            let base = !L.y.log && L.y.lo <= 0 && 0 <= L.y.hi ? 0 : L.y.lo
            axes = "M\(c(L.left)),\(c(L.py(base)))H\(c(L.right))"
            if !L.x.log && L.x.lo < 0 && 0 < L.x.hi { axes += "M\(c(L.px(0))),\(c(L.top))V\(c(L.bottom))" }
        }
        s += "<path class=\"axis\" d=\"\(axes)\" fill=\"none\" stroke=\"currentColor\" stroke-opacity=\"0.45\" shape-rendering=\"crispEdges\"/>\n"
        if L.unitCircle {
            let r = L.px(1) - L.px(0)
            s += "<circle class=\"unit\" cx=\"\(c(L.px(0)))\" cy=\"\(c(L.py(0)))\" r=\"\(c(r))\" fill=\"none\" stroke=\"currentColor\" stroke-opacity=\"0.55\" stroke-width=\"1.25\"/>\n"
        }
        s += "<g class=\"ticks\" fill-opacity=\"0.7\">\n"
        s += "<g text-anchor=\"middle\">"
        for (t, label) in zip(L.x.ticks, L.x.labels) {
            s += "<text x=\"\(c(L.px(t)))\" y=\"\(c(L.bottom + 16))\">\(esc(label))</text>"
        }
        s += "</g>\n<g text-anchor=\"end\">"
        for (t, label) in zip(L.y.ticks, L.y.labels) {
            s += "<text x=\"\(c(L.left - 8))\" y=\"\(c(L.py(t) + 3.8))\">\(esc(label))</text>"
        }
        s += "</g>\n</g>\n"
        if !plot.yLabel.isEmpty {
            s += "<text class=\"label\" x=\"0\" y=\"\(c(L.yLabelBaseline))\" font-size=\"\(c(labelFont))\">↑ \(esc(plot.yLabel))</text>\n"
        }
        if !plot.xLabel.isEmpty {
            s += "<text class=\"label\" x=\"\(c(L.right))\" y=\"\(c(L.bottom + 38))\" font-size=\"\(c(labelFont))\" text-anchor=\"end\">\(esc(plot.xLabel)) →</text>\n"
        }
        return s
    }

    /// One series as lines, points or bars.
    static func draw(_ series: Series, _ i: Int, _ L: Layout, overlaid: Bool) -> String {
        switch series.style {
        case .line:
            // Non-finite values break the line; a lone point between breaks is drawn as a dot.
            var segments: [[String]] = [[]]
            for (x, y) in zip(series.x, series.y) {
                guard L.valid(x, y) else {
                    if !segments[segments.count - 1].isEmpty { segments.append([]) }
                    continue
                }
                let p = "\(c(L.px(x))),\(c(L.py(y)))"
                if segments[segments.count - 1].last != p { segments[segments.count - 1].append(p) }
            }
            segments = segments.filter { !$0.isEmpty }
            guard !segments.isEmpty else { return "" }
            var s = "<g \(colour(L, i, "line")) fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\" stroke-linejoin=\"round\" stroke-linecap=\"round\">\n"
            for seg in segments {
                if seg.count == 1 {
                    let xy = seg[0].split(separator: ",")
                    s += "<circle cx=\"\(xy[0])\" cy=\"\(xy[1])\" r=\"2\" fill=\"currentColor\"/>\n"
                } else {
                    s += "<polyline points=\"\(seg.joined(separator: " "))\"/>\n"
                }
            }
            return s + "</g>\n"
        case .scatter:
            let pts = L.points(series)
            guard !pts.isEmpty else { return "" }
            guard pts.count > denseScatter else {
                var s = "<g \(colour(L, i, "dots")) fill=\"currentColor\" fill-opacity=\"0.72\">\n"
                for (x, y) in pts { s += "<circle cx=\"\(c(L.px(x)))\" cy=\"\(c(L.py(y)))\" r=\"2.5\"/>" }
                return s + "\n</g>\n"
            }
            // Many points: one path of round dots (zero-length segments with round caps), a third the
            // size of circles; a point within half a pixel of an earlier one adds nothing and is left out.
            struct Cell: Hashable { var x: Int, y: Int }
            func half(_ v: Double) -> Int { v.isNaN ? 0 : Int((min(max(v, -1e6), 1e6) * 2).rounded()) }
            var seen = Set<Cell>(), d = ""
            for (x, y) in pts {
                let gx = L.px(x), gy = L.py(y)
                guard seen.insert(Cell(x: half(gx), y: half(gy))).inserted else { continue }
                d += "M\(c(gx)),\(c(gy))h0"
            }
            return "<path \(colour(L, i, "dots")) d=\"\(d)\" fill=\"none\" stroke=\"currentColor\" stroke-opacity=\"0.72\" stroke-width=\"5\" stroke-linecap=\"round\"/>\n"
        case .bar:
            let pts = L.points(series)
            guard !pts.isEmpty else { return "" }
            let w = abs(L.px(barWidth(series)) - L.px(0))
            let inset = w > 6 ? 0.5 : 0
            var s = "<g \(colour(L, i, overlaid ? "bars overlaid" : "bars")) fill=\"currentColor\" fill-opacity=\"\(overlaid ? "0.5" : "0.85")\">\n"
            let base = L.barBase
            for (x, y) in pts where y != base {
                let x0 = L.px(x) - w / 2 + inset, y0 = L.py(max(base, y)), y1 = L.py(min(base, y))
                s += "<rect x=\"\(c(x0))\" y=\"\(c(y0))\" width=\"\(c(w - 2 * inset))\" height=\"\(c(y1 - y0))\"/>"
            }
            return s + "\n</g>\n"
        }
    }

    /// Class-centre directions: one arrow from the origin to each point (points at the origin, as in
    /// a series that goes origin, centre, origin, centre, are skipped). Each spoke has its class's
    /// colour when `spokeColours` can tell the classes apart.
    static func rays(_ series: Series, _ i: Int, _ L: Layout, _ plot: Plot) -> String {
        let pts = L.points(series).filter { !($0.0 == 0 && $0.1 == 0) }
        guard !pts.isEmpty else { return "" }
        let colours = spokeColours(plot, i, L)
        let perClass = Set(colours).count > 1
        let ox = L.px(0), oy = L.py(0)
        let group = "stroke=\"currentColor\" stroke-width=\"2\" stroke-linecap=\"round\" fill=\"currentColor\""
        var s = perClass ? "<g class=\"rays\" \(group)>\n" : "<g \(colour(L, i, "rays")) \(group)>\n"
        for (k, (x, y)) in pts.enumerated() {
            let tx = L.px(x), ty = L.py(y)
            let dx = tx - ox, dy = ty - oy, len = (dx * dx + dy * dy).squareRoot()
            if perClass { s += "<g \(colour(colours[k], "spoke"))>" }
            if len > 10 {
                let ux = dx / len, uy = dy / len, head = 9.0, half = 4.0
                let bx = tx - ux * head, by = ty - uy * head
                s += "<line class=\"ray\" x1=\"\(c(ox))\" y1=\"\(c(oy))\" x2=\"\(c(bx + ux))\" y2=\"\(c(by + uy))\"/>"
                s += "<path d=\"M\(c(tx)),\(c(ty))L\(c(bx - uy * half)),\(c(by + ux * half))L\(c(bx + uy * half)),\(c(by - ux * half))Z\" stroke=\"none\"/>"
            } else {
                s += "<line class=\"ray\" x1=\"\(c(ox))\" y1=\"\(c(oy))\" x2=\"\(c(tx))\" y2=\"\(c(ty))\"/>"
            }
            s += perClass ? "</g>\n" : "\n"
        }
        return s + "</g>\n"
    }

    /// Swatch and name per named series, above the plot area.
    static func legend(_ plot: Plot, _ L: Layout) -> String {
        var s = "<g class=\"legend\" font-size=\"\(c(labelFont))\">\n"
        for item in L.legend {
            let series = plot.series[item.series]
            let x = item.x, y = item.y
            let multicoloured = L.unitCircle && isCentre(series) && Set(spokeColours(plot, item.series, L)).count > 1
            s += multicoloured ? "<g \(colour(neutral))>" : "<g \(colour(L, item.series))>"
            if L.unitCircle && isCentre(series) {
                s += "<path d=\"M\(c(x)),\(c(y))H\(c(x + 10))\" stroke=\"currentColor\" stroke-width=\"2\"/><path d=\"M\(c(x + 16)),\(c(y))L\(c(x + 8)),\(c(y - 4))L\(c(x + 8)),\(c(y + 4))Z\"/>"
            } else {
                switch series.style {
                case .line: s += "<path d=\"M\(c(x)),\(c(y))H\(c(x + 16))\" stroke=\"currentColor\" stroke-width=\"2.5\" stroke-linecap=\"round\"/>"
                case .scatter: s += "<circle cx=\"\(c(x + 8))\" cy=\"\(c(y))\" r=\"4\" fill=\"currentColor\"/>"
                case .bar: s += "<rect x=\"\(c(x + 2))\" y=\"\(c(y - 6))\" width=\"12\" height=\"12\" rx=\"2\" fill=\"currentColor\" fill-opacity=\"0.85\"/>"
                }
            }
            s += "</g><text x=\"\(c(x + 22))\" y=\"\(c(y + 4.2))\">\(esc(series.name))</text>\n"
        }
        return s + "</g>\n"
    }

    // MARK: Text alternatives

    /// The SVG's description: the summary, or a sentence generated from the series.
    static func describe(_ plot: Plot, _ L: Layout) -> String {
        if let summary = plot.summary?.trimmingCharacters(in: .whitespacesAndNewlines), !summary.isEmpty { return summary }
        let styles = Set(plot.series.map(\.style))
        let kind: String
        if L.unitCircle { kind = "Unit-circle plot" }
        else if styles == [.line] { kind = "Line chart" }
        else if styles == [.scatter] { kind = "Scatter plot" }
        else if styles == [.bar] { kind = "Bar chart" }
        else { kind = "Chart" }
        let xName = plot.xLabel.isEmpty ? "x" : plot.xLabel, yName = plot.yLabel.isEmpty ? "y" : plot.yLabel
        var s = kind + (L.unitCircle ? "" : " of \(yName) against \(xName)")
        guard !plot.series.isEmpty else { return s + " with no data." }
        let parts = plot.series.map { series -> String in
            let name = series.name.isEmpty ? "unnamed" : "“\(series.name)”"
            let n = L.points(series).filter { !(L.unitCircle && isCentre(series) && $0.0 == 0 && $0.1 == 0) }.count
            let what = L.unitCircle && isCentre(series) ? (n == 1 ? "direction" : "directions") : (n == 1 ? "point" : "points")
            return "\(name) (\(n) \(what))"
        }
        s += plot.series.count == 1 ? ": " : " with \(plot.series.count) series: "
        s += parts.count <= 2 ? parts.joined(separator: " and ") : parts.dropLast().joined(separator: ", ") + " and " + parts.last!
        func r(_ a: Axis) -> String {
            "from \(number(a.lo, digits: 3, minus: "\u{2212}")) to \(number(a.hi, digits: 3, minus: "\u{2212}"))"
        }
        return s + "; \(xName) axis \(r(L.x)), \(yName) axis \(r(L.y))."
    }

    /// The values behind the plot, in a closed `<details>`: one column per series when all share
    /// their x values, otherwise one block of rows per series; at most `maxRows` rows per series.
    static func dataTable(_ plot: Plot) -> String {
        let series = plot.series
        guard !series.isEmpty else { return "" }
        let xName = plot.xLabel.isEmpty ? "x" : plot.xLabel, yName = plot.yLabel.isEmpty ? "y" : plot.yLabel
        /// (Arrays of unequal length can only come from hand-written JSON; their missing cells stay empty.)
        func cell(_ a: [Double], _ r: Int) -> String { r < a.count ? "<td>\(number(a[r]))</td>" : "<td></td>" }
        var t = "<details class=\"plot-data\"><summary>Data</summary><table>"
        if series.allSatisfy({ $0.x == series[0].x }) {
            let n = series[0].x.count, shown = min(n, maxRows)
            if n > shown { t += "<caption>First \(shown) of \(n) rows</caption>" }
            t += "\n<thead><tr><th scope=\"col\">\(esc(xName))</th>"
            for s in series { t += "<th scope=\"col\">\(esc(s.name.isEmpty ? yName : s.name))</th>" }
            t += "</tr></thead>\n<tbody>\n"
            for r in 0..<shown {
                t += "<tr>" + cell(series[0].x, r) + series.map { cell($0.y, r) }.joined() + "</tr>\n"
            }
            t += "</tbody>"
        } else {
            t += "\n<thead><tr><th scope=\"col\">\(esc(xName))</th><th scope=\"col\">\(esc(yName))</th></tr></thead>\n"
            for s in series {
                let note = s.x.count > maxRows ? " <small>(first \(maxRows) of \(s.x.count))</small>" : ""
                t += "<tbody><tr><th scope=\"colgroup\" colspan=\"2\">\(esc(s.name.isEmpty ? "unnamed" : s.name))\(note)</th></tr>\n"
                for r in 0..<min(s.x.count, maxRows) { t += "<tr>" + cell(s.x, r) + cell(s.y, r) + "</tr>\n" }
                t += "</tbody>"
            }
        }
        return t + "</table></details>\n"
    }
}

/// printf-style formatting of one Double through the C library: the same text as
/// `String(format:)`, which on Linux goes through CoreFoundation at many times the cost (it was
/// most of a warm build's render time).
func cFormat(_ format: String, _ v: Double) -> String {
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buf in
        let n = withVaList([v]) { vsnprintf(buf.baseAddress!, 64, format, $0) }
        if n >= 64 { return String(format: format, v) }  // (does not happen for the formats used here)
        return String(cString: buf.baseAddress!)
    }
}
