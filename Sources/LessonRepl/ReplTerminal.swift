// ReplTerminal: what `arcface-lessons repl` reads and writes. Lines come from libedit (editing and
// history) on a terminal and from plain `readLine()` otherwise, so a session can be scripted; cells
// are highlighted with ANSI colours on a terminal; tables and plots are shown as text.

import LessonKit
import LessonRuntime
import CEditLine
import Foundation
#if canImport(Glibc)
import Glibc
#endif

final class ReplConsole {
    /// stdin is a terminal: libedit reads the lines (editing, history).
    let interactive: Bool
    /// stdout is a terminal (and NO_COLOR is not set): ANSI colours.
    let color: Bool
    let historyFile: String?

    init(color: Bool? = nil, historyFile: String?) {
        interactive = isatty(0) != 0
        let env = ProcessInfo.processInfo.environment
        self.color = color ?? (isatty(1) != 0 && env["NO_COLOR"] == nil && env["TERM"] != "dumb")
        self.historyFile = historyFile
        if interactive {
            using_history()
            stifle_history(2000)
            if let historyFile { _ = read_history(historyFile) }
        }
    }

    /// One line, without its newline; nil at end of input (Ctrl-D).
    func readLine(prompt: String) -> String? {
        if interactive {
            while true {
                interruptRequested = 0
                guard let p = readline(prompt) else {
                    // Ctrl-C drops the line being edited and asks again; Ctrl-D ends the session.
                    if interruptRequested != 0 { write("\n"); continue }
                    return nil
                }
                defer { free(p) }
                return String(cString: p)
            }
        }
        write(prompt)
        guard let line = Swift.readLine(strippingNewline: true) else { return nil }
        // Piped input is not echoed by a terminal: echo it, so the output reads as a session.
        write(line + "\n")
        return line
    }

    func remember(_ line: String) {
        guard interactive, !line.trimmingCharacters(in: .whitespaces).isEmpty else { return }
        _ = add_history(line)
        if let historyFile { _ = write_history(historyFile) }
    }

    func write(_ s: String) {
        var s = s
        s.withUTF8 { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(1, buf.baseAddress! + off, buf.count - off)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                off += n
            }
        }
    }

    /// `text` in an SGR style when colours are on.
    func styled(_ text: String, _ sgr: String) -> String {
        color ? "\u{1B}[\(sgr)m\(text)\u{1B}[0m" : text
    }
    func dim(_ s: String) -> String { styled(s, "2") }
    func bold(_ s: String) -> String { styled(s, "1") }
    func red(_ s: String) -> String { styled(s, "31") }
    func green(_ s: String) -> String { styled(s, "32") }

    /// Swift code highlighted for the terminal (the site's styles as SGR colours).
    func highlight(_ code: String) -> String {
        color ? ReplText.highlighted(code) : code
    }
}

/// Text renderings for the terminal.
enum ReplText {
    static let colours: [Highlight.Style: String] = [
        .keyword: "35", .type: "33", .function: "34", .definition: "1;34", .number: "36", .string: "32",
        .comment: "90", .attribute: "35", .interpolation: "32",
    ]

    /// Swift code in ANSI colours: the styles the site's highlighter gives it.
    static func highlighted(_ code: String) -> String { ansi(Highlight.swiftPieces(code)) }

    /// Highlighted pieces as SGR colours; the end of a piece inside a string restores the string's colour.
    static func ansi(_ pieces: [Highlight.Piece], outer: String? = nil) -> String {
        let restore = "\u{1B}[0m" + (outer.map { "\u{1B}[\($0)m" } ?? "")
        var out = ""
        for piece in pieces {
            switch piece {
            case .text(let text, nil): out += text
            case .text(let text, let style?): out += "\u{1B}[\(colours[style] ?? "0")m" + text + restore
            case .group(let style, let inner):
                let code = colours[style] ?? "0"
                out += "\u{1B}[\(code)m" + ansi(inner, outer: code) + restore
            }
        }
        return out
    }

    /// A rich result as text: a table's own text form; a plot as a small character chart.
    static func render(_ rich: RichResult) -> String {
        switch rich {
        case .table(let t): return t.text
        case .plot(let p): return plot(p)
        case .slider(let s):
            let values = s.values.map { Compare.format($0) }.joined(separator: ", ")
            guard !s.plots.isEmpty else { return "plot slider: \(s.parameter) = \(values) (no plots)\n" }
            let initial = min(max(0, s.initial), s.plots.count - 1)
            let shown = initial < s.values.count ? Compare.format(s.values[initial]) : String(initial)
            return "plot slider: \(s.parameter) = \(values) (\(s.plots.count) plots); showing \(s.parameter) = \(shown)\n"
                + plot(s.plots[initial])
        }
    }

    static let marks: [Character] = ["*", "+", "o", "x", "#", "@", "%", "&"]

    /// A plot as a character chart: title and summary line, a grid with one mark per series, the
    /// y range on the left, the x range below, and a legend.
    static func plot(_ p: Plot, width: Int = 56, height: Int = 12) -> String {
        let points = p.series.reduce(0) { $0 + $1.x.count }
        var out = "plot: \(p.title) (\(p.series.count) series, \(points) points)\n"
        // A log axis is drawn in log10 of its values (the site's ticks are powers of ten too); values
        // <= 0 have no place on it and are left out, as on the site.
        let xLog = p.xScale == .log, yLog = p.yScale == .log
        func tx(_ v: Double) -> Double { xLog ? (v > 0 ? log10(v) : .nan) : v }
        func ty(_ v: Double) -> Double { yLog ? (v > 0 ? log10(v) : .nan) : v }
        let xs = p.series.flatMap(\.x).map(tx).filter(\.isFinite), ys = p.series.flatMap(\.y).map(ty).filter(\.isFinite)
        guard !xs.isEmpty, !ys.isEmpty else { return out }
        var (x0, x1) = (p.xRange?.first.map(tx) ?? xs.min()!, p.xRange?.last.map(tx) ?? xs.max()!)
        var (y0, y1) = (p.yRange?.first.map(ty) ?? ys.min()!, p.yRange?.last.map(ty) ?? ys.max()!)
        if p.series.contains(where: { $0.style == .bar }) && !yLog { y0 = min(y0, 0) }
        if !(x0.isFinite && x1.isFinite) { (x0, x1) = (xs.min()!, xs.max()!) }
        if !(y0.isFinite && y1.isFinite) { (y0, y1) = (ys.min()!, ys.max()!) }
        // A span too small to divide by (0, or subnormal) is widened like an empty one.
        if !((x1 / 2 - x0 / 2) > 1e-300) { let p = max(0.5, abs(x0) * 0.1); x0 -= p; x1 += p }
        if !((y1 / 2 - y0 / 2) > 1e-300) { let p = max(0.5, abs(y0) * 0.1); y0 -= p; y1 += p }
        var grid = Array(repeating: Array(repeating: Character(" "), count: width), count: height)
        // Halves, so that a span of ±1e308 does not overflow to inf; a point far outside the range
        // (or nan) is no cell rather than an Int conversion that traps.
        func index(_ v: Double, _ lo: Double, _ hi: Double, _ n: Int) -> Int? {
            let f = (v / 2 - lo / 2) / (hi / 2 - lo / 2) * Double(n - 1)
            guard f.isFinite, f > -0.5, f < Double(n) - 0.5 else { return nil }
            return Int(f.rounded())
        }
        func col(_ x: Double) -> Int? { index(x, x0, x1, width) }
        func row(_ y: Double) -> Int? { index(y, y0, y1, height).map { height - 1 - $0 } }
        for (k, s) in p.series.enumerated() {
            let mark = marks[k % marks.count]
            var previous: (Int, Int)?
            for (x, y) in zip(s.x.map(tx), s.y.map(ty)) where x.isFinite && y.isFinite {
                guard let c = col(x), let r = row(y) else { previous = nil; continue }
                if s.style == .bar, let base = row(yLog ? y0 : max(y0, 0)) {
                    for rr in min(r, base)...max(r, base) { grid[rr][c] = mark }
                } else if s.style == .line, let (pc, pr) = previous, abs(c - pc) > 1 {
                    // Fill the gap between two points of a line.
                    for cc in (min(pc, c) + 1)..<max(pc, c) {
                        let t = Double(cc - pc) / Double(c - pc)
                        grid[Int((Double(pr) + t * Double(r - pr)).rounded())][cc] = mark
                    }
                }
                grid[r][c] = mark
                previous = (c, r)
            }
        }
        let top = Compare.format(yLog ? pow(10, y1) : y1), bottom = Compare.format(yLog ? pow(10, y0) : y0)
        let labelWidth = max(top.count, bottom.count)
        for (r, line) in grid.enumerated() {
            let label = r == 0 ? top : r == height - 1 ? bottom : ""
            out += String(repeating: " ", count: labelWidth - label.count) + label + " |" + String(line) + "\n"
        }
        let left = Compare.format(xLog ? pow(10, x0) : x0), right = Compare.format(xLog ? pow(10, x1) : x1)
        out += String(repeating: " ", count: labelWidth) + " +" + String(repeating: "-", count: width) + "\n"
        out += String(repeating: " ", count: labelWidth + 2) + left
            + String(repeating: " ", count: max(1, width - left.count - right.count)) + right + "\n"
        var legend: [String] = []
        if !p.xLabel.isEmpty || !p.yLabel.isEmpty { legend.append("x: \(p.xLabel), y: \(p.yLabel)") }
        if xLog || yLog { legend.append("log scale: " + [xLog ? "x" : nil, yLog ? "y" : nil].compactMap { $0 }.joined(separator: ", ")) }
        legend.append(p.series.enumerated().map { "\(marks[$0.offset % marks.count]) \($0.element.name)" }.joined(separator: "  "))
        out += String(repeating: " ", count: labelWidth + 2) + legend.joined(separator: "; ") + "\n"
        return out
    }
}
