// The channel end to end: a lesson program that writes every verify-side record kind (cells, prose
// values, rich results holding nan and inf, a `traps` cell) is read back by verify and rendered.

import Foundation
import Testing
@testable import LessonKit
@testable import TestSupport

@Suite(.serialized) struct ChannelTests {
    static let lesson = """
        # Channel

        ```swift
        show(Table(caption: "losses", columns: ["epoch", "loss"], rows: [["0", fmt(Double.nan)], ["1", fmt(Double.infinity)]]))
        show(Plot(title: "overflow", series: [Series("loss", x: [0, 1, 2, 3], y: [1, .infinity, .nan, -.infinity])],
                  xRange: 0...3))
        show(PlotSlider(parameter: "m", values: [.nan, 0.5], plots: [
            Plot(title: "a", series: [Series("s", x: [0, 1], y: [.nan, 1])]),
            Plot(title: "b", series: [Series("s", x: [0, 1], y: [-.infinity, 1])]),
        ]))
        print("after")
        ```

        ```output
        losses
        epoch  loss
            0   nan
            1   inf
        after
        ```

        The value is `{swift} 0.25 * 2 ~ 0.5`.

        ```swift traps
        let xs = [1, 2]
        print(xs[5])
        ```

        """

    @Test func everyRecordKindOfARunReachesTheReportAndThePage() throws {
        let dir = try Support.project(["01-channel.md": Self.lesson])
        let report = try Support.verify(dir)
        #expect(Support.errors(report) == [])
        #expect(report.tally.failed == 0 && report.tally.passed >= 3, "\(report.tally)")
        let run = try #require(report.runs.first)
        #expect(run.inline == [0: .value("0.5")])
        #expect(run.cells.map(\.outcome) == [.completed, .trappedAsExpected(message: run.cells[1].outcomeMessage)])
        let rich = run.cells[0].segments.compactMap { if case .rich(let r) = $0 { r } else { nil } }
        #expect(rich.count == 3)
        guard rich.count == 3, case .plot(let plot) = rich[1] else { return }
        #expect(plot.series[0].y[1] == .infinity && plot.series[0].y[2].isNaN && plot.series[0].y[3] == -.infinity)
        let page = String(decoding: Render.site(report.runs)["01-channel.html"]!, as: UTF8.self)
        #expect(page.contains("<svg"), "the plot is rendered")
        #expect(page.contains(">nan<") && page.contains(">inf<"), "the table is rendered")
        #expect(page.components(separatedBy: "<svg").count - 1 >= 3, "the plot and the slider's plots")
    }
}

extension CellResult {
    /// The trap message of a `traps` cell, for comparing outcomes whole.
    var outcomeMessage: String {
        if case .trappedAsExpected(let m) = outcome { m } else { "" }
    }
}
