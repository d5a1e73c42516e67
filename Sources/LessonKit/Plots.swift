// Plots: a Plot value -> inline SVG. Coordinates are rounded to 0.01 px so another machine's
// floating-point noise cannot change a byte of the site.

import ArcFaceKit
import Foundation

enum Plots {
    static let width = 640.0, height = 360.0
    static let margin = (left: 56.0, right: 16.0, top: 32.0, bottom: 44.0)
    /// Okabe-Ito: distinguishable with the common colour-vision deficiencies.
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

    static func r(_ x: Double) -> String {
        let v = (x * 100).rounded() / 100
        return v == v.rounded() ? String(Int(v)) : String(format: "%.2f", v).replacingOccurrences(of: #"0$"#, with: "", options: .regularExpression)
    }

    static func svg(_ plot: Plot) -> String {
        let xs = plot.series.flatMap(\.x).filter(\.isFinite), ys = plot.series.flatMap(\.y).filter(\.isFinite)
        guard let x0 = xs.min(), let x1 = xs.max(), let y0 = ys.min(), let y1 = ys.max() else { return "" }
        var (xLo, xHi) = x0 == x1 ? (x0 - 1, x1 + 1) : (x0, x1)
        var (yLo, yHi) = y0 == y1 ? (y0 - 1, y1 + 1) : (y0, y1)
        if let r = plot.xRange, r.count == 2, r[0] < r[1] { (xLo, xHi) = (r[0], r[1]) }
        if let r = plot.yRange, r.count == 2, r[0] < r[1] { (yLo, yHi) = (r[0], r[1]) }
        if plot.kind == .unitCircle { (xLo, xHi, yLo, yHi) = (-1.2, 1.2, -1.2, 1.2) }
        let pw = width - margin.left - margin.right, ph = height - margin.top - margin.bottom
        func px(_ x: Double) -> Double { margin.left + (x - xLo) / (xHi - xLo) * pw }
        func py(_ y: Double) -> Double { margin.top + (1 - (y - yLo) / (yHi - yLo)) * ph }

        var s = "<figure class=\"plot\"><svg viewBox=\"0 0 \(r(width)) \(r(height))\" role=\"img\" aria-label=\"\(Render.escape(plot.title))\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        s += "<title>\(Render.escape(plot.title))</title>\n"
        s += "<rect class=\"frame\" x=\"\(r(margin.left))\" y=\"\(r(margin.top))\" width=\"\(r(pw))\" height=\"\(r(ph))\" fill=\"none\" stroke=\"currentColor\" stroke-opacity=\"0.4\"/>\n"
        for t in ticks(xLo, xHi) {
            s += "<text x=\"\(r(px(t)))\" y=\"\(r(height - margin.bottom + 16))\" text-anchor=\"middle\" font-size=\"11\" fill=\"currentColor\">\(tickLabel(t))</text>\n"
        }
        for t in ticks(yLo, yHi) {
            s += "<text x=\"\(r(margin.left - 6))\" y=\"\(r(py(t) + 4))\" text-anchor=\"end\" font-size=\"11\" fill=\"currentColor\">\(tickLabel(t))</text>\n"
        }
        s += "<text x=\"\(r(margin.left + pw / 2))\" y=\"\(r(height - 6))\" text-anchor=\"middle\" font-size=\"12\" fill=\"currentColor\">\(Render.escape(plot.xLabel))</text>\n"
        s += "<text x=\"14\" y=\"\(r(margin.top + ph / 2))\" text-anchor=\"middle\" font-size=\"12\" fill=\"currentColor\" transform=\"rotate(-90 14 \(r(margin.top + ph / 2)))\">\(Render.escape(plot.yLabel))</text>\n"
        for (i, series) in plot.series.enumerated() {
            let color = palette[i % palette.count]
            let points = zip(series.x, series.y).filter { $0.0.isFinite && $0.1.isFinite }
            switch series.style {
            case .line:
                s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"" + points.map { "\(r(px($0.0))),\(r(py($0.1)))" }.joined(separator: " ") + "\"/>\n"
            case .scatter, .bar:
                for p in points { s += "<circle cx=\"\(r(px(p.0)))\" cy=\"\(r(py(p.1)))\" r=\"3\" fill=\"\(color)\"/>\n" }
            }
            s += "<text x=\"\(r(margin.left + 8))\" y=\"\(r(margin.top + 14 + Double(i) * 14))\" font-size=\"11\" fill=\"\(color)\">\(Render.escape(series.name))</text>\n"
        }
        return s + "</svg><figcaption>\(Render.escape(plot.title))</figcaption></figure>\n"
    }

    /// Plots switched by a range input; the page's script shows the one for the chosen value
    /// (without script, the first is shown and the others are listed below it).
    static func slider(_ s: PlotSlider) -> String {
        var html = "<div class=\"plot-slider\" data-parameter=\"\(Render.escape(s.parameter))\">\n"
        html += "<label>\(Render.escape(s.parameter)) = <output>\(tickLabel(s.values[s.initial]))</output> "
        html += "<input type=\"range\" min=\"0\" max=\"\(s.plots.count - 1)\" step=\"1\" value=\"\(s.initial)\" aria-label=\"\(Render.escape(s.parameter))\"></label>\n"
        for (i, p) in s.plots.enumerated() {
            html += "<div class=\"slide\" data-value=\"\(tickLabel(s.values[i]))\"\(i == s.initial ? "" : " hidden")>\n" + svg(p) + "</div>\n"
        }
        return html + "</div>\n"
    }

    /// About five round tick values (1, 2 or 5 times a power of ten) inside [lo, hi].
    static func ticks(_ lo: Double, _ hi: Double) -> [Double] {
        let raw = (hi - lo) / 5
        let p = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * p }.first { $0 >= raw } ?? 10 * p
        var t = (lo / step).rounded(.up) * step
        var out: [Double] = []
        while t <= hi + step * 1e-9 { out.append(t); t += step }
        return out
    }

    static func tickLabel(_ t: Double) -> String {
        let v = (t * 1e6).rounded() / 1e6
        return v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(format: "%g", v)
    }
}
