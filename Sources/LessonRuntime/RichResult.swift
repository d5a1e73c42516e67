// Rich results: the tables, plots and sliders a cell shows with `show(...)`. They travel to the tool
// as `rich` records (Record.swift) and are rendered by LessonKit's Site stage.

import Foundation

/// Like `precondition`, with the message printed in optimised builds too (as ArcFaceKit's `check`).
@inline(__always)
func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String = String(),
           file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}

/// A table a cell shows; rendered as an HTML table on the site and as aligned text in the checked output.
public struct Table: Sendable, Codable, Equatable {
    public var caption: String
    public var columns: [String]
    public var rows: [[String]]
    /// A cross-reference label (`tab-norms`): the table is numbered on its page and prose refers
    /// to it as `@tab-norms`. Optional in the JSON, so results recorded without it still decode.
    public var label: String?

    public init(label: String? = nil, caption: String = "", columns: [String], rows: [[String]]) {
        check(rows.allSatisfy { $0.count == columns.count }, "every row needs \(columns.count) cells")
        self.label = label
        self.caption = caption
        self.columns = columns
        self.rows = rows
    }

    /// The text form that goes into the cell's checked output: caption, header, rows; right-aligned columns.
    public var text: String {
        let all = [columns] + rows
        let widths = columns.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { String(repeating: " ", count: widths[$0.offset] - $0.element.count) + $0.element }
                .joined(separator: "  ")
        }
        var lines: [String] = []
        if !caption.isEmpty { lines.append(caption) }
        lines.append(line(columns))
        lines += rows.map(line)
        return lines.joined(separator: "\n") + "\n"
    }
}

/// One data series of a plot.
public struct Series: Sendable, Codable, Equatable {
    public enum Style: String, Sendable, Codable { case line, scatter, bar }
    public var name: String
    public var x: [Double]
    public var y: [Double]
    public var style: Style

    public init(_ name: String, x: [Double], y: [Double], style: Style = .line) {
        check(x.count == y.count, "series \(name): x has \(x.count) values, y has \(y.count)")
        self.name = name
        self.x = x
        self.y = y
        self.style = style
    }
}

extension Series {
    /// A histogram of `values` as bars: `bins` equal bins over `range` (default: the values' range);
    /// x holds the bin centres, y the counts.
    public static func histogram(_ name: String, _ values: [Double], bins: Int = 20, range: ClosedRange<Double>? = nil) -> Series {
        check(bins > 0, "histogram: bins must be positive, got \(bins)")
        let finite = values.filter(\.isFinite)
        let lo = range?.lowerBound ?? finite.min() ?? 0, hi = range?.upperBound ?? finite.max() ?? 1
        let width = hi > lo ? (hi - lo) / Double(bins) : 1
        var counts = [Double](repeating: 0, count: bins)
        // hi - lo can overflow (-1e308 ... 1e308) and the width underflow (0 ... 5e-324): then bins
        // and centres come from halved fractions of the range, which cannot (Int(inf) would trap).
        let plain = width.isFinite && width > 0
        func bin(_ v: Double) -> Int {
            let k = plain ? (v - lo) / width : (v / 2 - lo / 2) / (hi / 2 - lo / 2) * Double(bins)
            return Swift.max(0, Swift.min(bins - 1, k.isFinite ? Int(k.rounded(.down)) : 0))
        }
        for v in finite where v >= lo && v <= hi { counts[bin(v)] += 1 }
        let x = (0..<bins).map { i -> Double in
            let f = (Double(i) + 0.5) / Double(bins)
            return plain ? lo + (Double(i) + 0.5) * width : lo * (1 - f) + hi * f
        }
        return Series(name, x: x, y: counts, style: .bar)
    }
}

/// A plot a cell shows; rendered as SVG on the site. Its text form (checked output) is empty: the
/// numbers behind a plot are checked through tables or printed values.
public struct Plot: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// Axes with ticks.
        case cartesian
        /// 2-D unit vectors: a square plot with the unit circle drawn, for embeddings and class centres.
        case unitCircle
    }
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    /// What the plot shows, in a sentence, for screen readers (the SVG's description).
    public var summary: String?
    public var kind: Kind?
    /// Fixed axis ranges (default: the data's range).
    public var xRange: [Double]?
    public var yRange: [Double]?
    /// A cross-reference label (`fig-margin`): the plot is numbered as a figure on its page and
    /// prose refers to it as `@fig-margin`. Optional in the JSON.
    public var label: String?
    /// How an axis maps values: linear (the default) or logarithmic (ticks at powers of ten;
    /// values <= 0 are left out). Optional, so JSON written before these fields decodes.
    public enum Scale: String, Sendable, Codable { case linear, log }
    public var xScale: Scale?
    public var yScale: Scale?

    public init(label: String? = nil, title: String, xLabel: String = "", yLabel: String = "", series: [Series], summary: String? = nil,
                kind: Kind = .cartesian, xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil,
                xScale: Scale? = nil, yScale: Scale? = nil) {
        self.label = label
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.summary = summary
        self.kind = kind
        self.xRange = xRange.map { [$0.lowerBound, $0.upperBound] }
        self.yRange = yRange.map { [$0.lowerBound, $0.upperBound] }
        self.xScale = xScale
        self.yScale = yScale
    }
}

/// Several plots of one parameter's values (e.g. the margin m), which a reader switches between
/// with a slider on the page; all computed at build time.
public struct PlotSlider: Sendable, Codable, Equatable {
    public var parameter: String
    public var values: [Double]
    public var plots: [Plot]
    /// Index of the plot shown first.
    public var initial: Int
    /// A cross-reference label (`fig-slider`): the slider is numbered as one figure. Optional in the JSON.
    public var label: String?

    public init(label: String? = nil, parameter: String, values: [Double], plots: [Plot], initial: Int = 0) {
        check(values.count == plots.count && !plots.isEmpty, "one plot per value")
        self.label = label
        self.parameter = parameter
        self.values = values
        self.plots = plots
        self.initial = Swift.min(Swift.max(0, initial), plots.count - 1)
    }
}

/// A rich result as it travels from the lesson program to the renderer.
public enum RichResult: Sendable, Codable, Equatable {
    case table(Table)
    case plot(Plot)
    case slider(PlotSlider)

    public var text: String {
        switch self {
        case .table(let t): t.text
        case .plot, .slider: ""
        }
    }
}

/// Shows a table in the cell's output.
public func show(_ table: Table) { LessonRuntime.emit(.table(table)) }

/// Shows a plot in the cell's output.
public func show(_ plot: Plot) { LessonRuntime.emit(.plot(plot)) }

/// Shows plots the reader switches between with a slider.
public func show(_ slider: PlotSlider) { LessonRuntime.emit(.slider(slider)) }

/// Formats a number for a table cell with a fixed number of decimals (like torch's `{:.4f}`).
public func fmt(_ x: Double, _ decimals: Int = 4) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x < 0 ? "-inf" : "inf" }
    return String(format: "%.\(decimals)f", x)
}

public func fmt(_ x: Float, _ decimals: Int = 4) -> String { fmt(Double(x), decimals) }

