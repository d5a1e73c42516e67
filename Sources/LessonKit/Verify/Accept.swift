// Accept: rewrites expected outputs and checked prose values from the actual results, keeping the
// precision each number was written with, so that a change is reviewed as a diff of the lessons.

import Foundation

public struct AcceptResult: Sendable, Equatable {
    public var file: String
    public var blocks: Int
    public var values: Int
}

public enum Accept {
    /// Rewrites every lesson of `report` whose outputs or values differ; returns what changed.
    /// Lessons that did not compile are left alone; cells that did not run keep their blocks.
    public static func apply(_ report: Report) throws -> [AcceptResult] {
        var results: [AcceptResult] = []
        for run in report.runs where run.compileErrors.isEmpty {
            let lesson = run.lesson
            // Lines as Parse saw them (normalised); written back with the file's own BOM and line ends.
            let original = try String(contentsOfFile: lesson.path, encoding: .utf8)
            let crlf = original.utf8.contains(13), bom = original.unicodeScalars.first == "\u{FEFF}"
            var lines = Load.normalize(original).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            // Edits as (first line, line count to replace, new lines), applied bottom-up.
            var edits: [(line: Int, count: Int, new: [String])] = []
            var values = 0
            for (cell, result) in zip(lesson.cells, run.cells) {
                switch result.outcome {
                case .completed, .trappedAsExpected: break
                default: continue
                }
                let actual = result.checkedText
                if let e = cell.expected {
                    if let edit = replacement(e, actual: actual, lines: lines) { edits.append(edit) }
                } else if !cell.attributes.nocheck && !cell.attributes.traps && !actual.allSatisfy(\.isWhitespace) {
                    edits.append(insertion(after: cell.endLine, actual: actual))
                }
            }
            // Python cells (verify --python): those that completed, or raised as marked.
            for cell in lesson.pythonCells {
                guard let result = run.python?.cells.first(where: { $0.index == cell.index }),
                      (result.exception != nil) == cell.attributes.raises else { continue }
                if let e = cell.expected {
                    if let edit = replacement(e, actual: result.output, lines: lines) { edits.append(edit) }
                } else if cell.attributes.raises {
                    edits.append(insertion(after: cell.endLine, actual: result.output))
                }
            }
            for (k, e) in lesson.inlineExpressions.enumerated() {
                guard let written = e.expected, case .value(let text)? = run.inline[k],
                      Compare.values(expected: written, actual: text) != nil, e.line <= lines.count else { continue }
                let line = lines[e.line - 1]
                guard let span = line.range(of: "`{swift} " + e.code, range: line.index(line.startIndex, offsetBy: max(0, e.column - 1), limitedBy: line.endIndex).map { $0..<line.endIndex }),
                      let tilde = line.range(of: "~ " + written, range: span.upperBound..<line.endIndex) else { continue }
                let replacement = "~ " + rewriteNumbers(written: written, actual: text)
                lines[e.line - 1] = line.replacingCharacters(in: tilde, with: replacement)
                values += 1
            }
            guard !edits.isEmpty || values > 0 else { continue }
            for edit in edits.sorted(by: { $0.line > $1.line }) {
                let at = min(edit.line - 1, lines.count)
                lines.replaceSubrange(at..<min(at + edit.count, lines.count), with: edit.new)
            }
            var text = lines.joined(separator: crlf ? "\r\n" : "\n")
            if bom { text = "\u{FEFF}" + text }
            try Data(text.utf8).write(to: URL(fileURLWithPath: lesson.path), options: .atomic)
            results.append(AcceptResult(file: lesson.path, blocks: edits.count, values: values))
        }
        return results
    }

    /// The edit that rewrites an ```output block whose check fails, fences too (a printed line of
    /// ``` needs a longer fence); nil when it passes.
    static func replacement(_ e: Expectation, actual: String, lines: [String]) -> (line: Int, count: Int, new: [String])? {
        guard Compare.check(expected: e.text, actual: actual, tolerance: e.tolerance) != nil else { return nil }
        let new = rewrite(expected: e.text, actual: actual), count = contentLines(e.text)
        let opener = e.fenceLine <= lines.count ? lines[e.fenceLine - 1] : "```output"
        let indent = opener.prefix { $0 == " " }, mark = opener.dropFirst(indent.count).first ?? "`"
        let written = opener.dropFirst(indent.count).prefix { $0 == mark }
        let fence = String(repeating: mark, count: max(written.count, longestRun(of: mark, in: new) + 1))
        return (e.fenceLine, count + 2, [indent + fence + opener.dropFirst(indent.count + written.count)] + new + [indent + fence])
    }

    /// A new ```output block after the cell that ends at `endLine`.
    static func insertion(after endLine: Int, actual: String) -> (line: Int, count: Int, new: [String]) {
        let new = Compare.lines(actual)
        let fence = String(repeating: "`", count: max(3, longestRun(of: "`", in: new) + 1))
        return (endLine + 1, 0, ["", fence + "output"] + new + [fence])
    }

    /// The longest run of `mark` in `lines` (a fence must be longer than any run it encloses).
    static func longestRun(of mark: Character, in lines: [String]) -> Int {
        var best = 0
        for line in lines {
            var run = 0
            for ch in line {
                run = ch == mark ? run + 1 : 0
                best = max(best, run)
            }
        }
        return best
    }

    /// Lines between a block's fences (its literal ends with a newline when it is not empty).
    private static func contentLines(_ text: String) -> Int {
        text.isEmpty ? 0 : text.split(separator: "\n", omittingEmptySubsequences: false).count - (text.hasSuffix("\n") ? 1 : 0)
    }

    /// The new block text: line by line, where a line has the same shape as before (same text
    /// between the numbers) its numbers are rewritten in the precision they were written with;
    /// other lines are taken as printed.
    static func rewrite(expected: String, actual: String) -> [String] {
        let e = Compare.lines(expected), a = Compare.lines(actual)
        return a.enumerated().map { i, line in
            guard i < e.count else { return line }
            return sameShape(e[i], line) ? rewriteNumbers(written: e[i], actual: line) : line
        }
    }

    static func sameShape(_ a: String, _ b: String) -> Bool {
        let x = Compare.tokens(a), y = Compare.tokens(b)
        return x.count == y.count && zip(x, y).allSatisfy {
            switch ($0, $1) {
            case (.text(let p), .text(let q)): p == q
            case (.number, .number): true
            default: false
            }
        }
    }

    /// Replaces each number of `written` by the corresponding number of `actual`, formatted like
    /// the written one (`0.46` stays two decimals, `1.5e-3` stays one-decimal scientific).
    static func rewriteNumbers(written: String, actual: String) -> String {
        let actualNumbers = Compare.tokens(actual).compactMap { t -> (Double, String)? in
            if case .number(let v, let w, _) = t { (v, w) } else { nil }
        }
        var k = 0
        return Compare.tokens(written).map { t -> String in
            switch t {
            case .text(let s): return s
            case .number(_, let w, _):
                defer { k += 1 }
                guard k < actualNumbers.count else { return w }
                return format(actualNumbers[k].0, like: w, printed: actualNumbers[k].1)
            }
        }.joined()
    }

    static func format(_ v: Double, like written: String, printed: String) -> String {
        guard v.isFinite else { return printed }
        let lower = written.lowercased()
        let sign = written.hasPrefix("+") && v >= 0 ? "+" : ""
        if let e = lower.firstIndex(of: "e") {
            let mantissa = lower[..<e]
            let decimals = mantissa.firstIndex(of: ".").map { mantissa.distance(from: $0, to: mantissa.endIndex) - 1 } ?? 0
            var s = String(format: "%.\(decimals)e", v)
            // C writes e-05; keep the written style of the exponent (e-5 or e-05).
            let writtenExponent = lower[lower.index(after: e)...]
            if !writtenExponent.drop(while: { $0 == "-" || $0 == "+" }).hasPrefix("0") {
                s = s.replacingOccurrences(of: "e-0", with: "e-").replacingOccurrences(of: "e+0", with: "e+")
            }
            if !writtenExponent.hasPrefix("+") { s = s.replacingOccurrences(of: "e+", with: "e") }
            return sign + s
        }
        guard let dot = lower.firstIndex(of: ".") else {
            // Written as an integer: keep it one if the value is one.
            return v == v.rounded() ? sign + String(format: "%.0f", v) : printed
        }
        let decimals = lower.distance(from: dot, to: lower.endIndex) - 1
        return sign + (decimals == 0 ? String(format: "%.0f", v) + "." : String(format: "%.\(decimals)f", v))
    }
}
