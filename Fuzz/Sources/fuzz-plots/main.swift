// Plot, slider and table rendering (SVG figures, HTML tables, the REPL's text charts). The first
// byte picks how the rest becomes a rich result: as the JSON a lesson program sends (decoded as
// Execute decodes it, so invariants of the initialisers are not guaranteed), or built from
// fuzzed Doubles (nan, ±inf, subnormals, ±1e308 and raw bit patterns).

import LessonRuntime
import Foundation
import FuzzSupport
@testable import LessonKit
@testable import LessonRepl

func series(_ input: inout FuzzInput, _ k: Int) -> Series {
    let n = Int(input.byte() % 40)
    var x: [Double] = [], y: [Double] = []
    for _ in 0..<n { x.append(input.double()); y.append(input.double()) }
    let style: Series.Style = [.line, .scatter, .bar][Int(input.byte() % 3)]
    return Series(input.byte() & 1 == 0 ? "" : "s\(k)", x: x, y: y, style: style)
}

func plot(_ input: inout FuzzInput) -> Plot {
    let flags = input.byte()
    let count = Int(flags % 4)
    func range(_ on: Bool) -> ClosedRange<Double>? {
        guard on else { return nil }
        let a = input.double(), b = input.double()
        // ClosedRange needs ordered, non-nan bounds; the JSON path reaches the other cases.
        guard !a.isNaN, !b.isNaN else { return nil }
        return min(a, b)...max(a, b)
    }
    let xRange = range(flags & 8 != 0), yRange = range(flags & 16 != 0)
    return Plot(title: "t", xLabel: flags & 32 != 0 ? "x" : "", yLabel: flags & 64 != 0 ? "y" : "",
                series: (0..<count).map { series(&input, $0) }, summary: nil,
                kind: flags & 128 != 0 ? .unitCircle : .cartesian, xRange: xRange, yRange: yRange)
}

func checkFigure(_ html: String, numbersOnly: Bool) {
    if let problem = unbalancedTags(html) { require(false, "figure markup: \(problem)") }
    if numbersOnly {
        // Non-finite values must never reach a coordinate (every label here is fixed text).
        for bad in ["nan", "inf", "NaN"] {
            require(!html.contains("=\"\(bad)") && !html.contains(" \(bad)") && !html.contains("\(bad),"),
                    "'\(bad)' in the figure: \(html.components(separatedBy: bad).first!.suffix(80))")
        }
    }
}

func render(_ rich: RichResult, numbersOnly: Bool) {
    switch Execute.wellFormed(rich) {
    case .plot(let p):
        checkFigure(Plots.svg(p), numbersOnly: numbersOnly)
        require(ReplText.plot(p).hasPrefix("plot: "), "text chart without its title line")
    case .slider(let s):
        let html = Plots.slider(s)
        if !s.plots.isEmpty { checkFigure(html, numbersOnly: false) }
        for p in s.plots { _ = ReplText.plot(p) }
    case .table(let t):
        if let problem = unbalancedTags(Render.table(t)) { require(false, "table markup: \(problem)") }
        _ = RichResult.table(t).text
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPlots(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    switch input.byte() % 4 {
    case 0:
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let bytes = Data(input.bytes)
        guard let rich = try? decoder.decode(RichResult.self, from: bytes) else { return 0 }
        render(rich, numbersOnly: false)
    case 1:
        render(.plot(plot(&input)), numbersOnly: true)
    case 2:
        let n = 1 + Int(input.byte() % 4)
        let plots = (0..<n).map { _ in plot(&input) }
        let values = plots.map { _ in input.double() }
        render(.slider(PlotSlider(parameter: "m", values: values, plots: plots, initial: Int(input.byte()) - 2)), numbersOnly: false)
    default:
        // Series.histogram is not fuzzed here: it runs in the lesson program (ArcFaceKit), not the tool.
        let columns = (0..<Int(input.byte() % 4)).map { _ in input.string() }
        let rows = (0..<Int(input.byte() % 6)).map { _ in columns.map { _ in input.string() } }
        render(.table(Table(caption: input.string(), columns: columns, rows: rows)), numbersOnly: false)
    }
    return 0
}

runFuzzer { fuzzPlots($0, $1) }
