// Running a reference file case by case and the report `arcface-lessons parity` prints:
//
//     ok    renorm-dim1      output max abs 0.0e+00 rel 0.0e+00  grad.input max abs 1.2e-08 rel 3.1e-08
//     FAIL  wrong-value      output max abs 3.0e-03 rel 6.6e-03
//             output: max abs 3.0e-03 rel 6.6e-03 > tolerance (atol 1e-06, rtol 1e-05); 1 of 6 elements differ; first mismatch at [1, 2]: expected 0.4558, got 0.4528
//     ERROR unknown-op       error: unknown op 'foo' (known: ...)
//     1 passed, 2 failed
//
// One line per case: status (6 wide), name (padded to the longest name), then per compared value
// (grouped: all of `params` in one) the largest absolute and relative difference; a FAIL has one
// indented detail line per failing value. rel is over the elements whose expected value is nonzero.

import Foundation

/// The outcome of one case.
public struct CaseResult: Sendable, Equatable {
    public enum Status: String, Sendable {
        case ok = "ok"
        case fail = "FAIL"
        case error = "ERROR"
    }

    public var name: String
    public var op: String?
    public var dtype: DType
    public var checks: [Check]
    /// Why the case could not be evaluated (malformed, unknown op, unsupported): an ERROR.
    public var error: String?

    public var status: Status {
        if error != nil { return .error }
        return checks.allSatisfy(\.passed) ? .ok : .fail
    }

    public var passed: Bool { status == .ok }

    /// The summary after the name: `output max abs .. rel ..  grad.input max abs .. rel ..` or `error: ...`.
    public var summary: String {
        if let error { return "error: " + error }
        var groups: [String] = []
        var byGroup: [String: [Check]] = [:]
        for c in checks {
            if byGroup[c.group] == nil { groups.append(c.group) }
            byGroup[c.group, default: []].append(c)
        }
        return groups.map { g in
            let cs = byGroup[g]!
            if cs.contains(where: { !$0.shapeMatches }) { return "\(g) shape mismatch" }
            let maxAbs = cs.map(\.maxAbs).reduce(0, Swift.max), maxRel = cs.map(\.maxRel).reduce(0, Swift.max)
            return "\(g) max abs \(Format.e(maxAbs)) rel \(Format.e(maxRel))"
        }.joined(separator: "  ")
    }

    /// One line per failing value, explaining it.
    public var details: [String] {
        checks.filter { !$0.passed }.map { c in
            if !c.shapeMatches {
                let what = c.label == "params" ? " (steps x params)" : ""
                return "\(c.label): shape mismatch\(what): expected \(c.expectedShape), got \(c.actualShape)"
            }
            var s = "\(c.label): max abs \(Format.e(c.maxAbs)) rel \(Format.e(c.maxRel)) > tolerance "
                + "(atol \(Format.g(c.tolerance.atol)), rtol \(Format.g(c.tolerance.rtol))); "
                + "\(c.mismatches) of \(c.count) elements differ"
            if let m = c.firstMismatch {
                s += "; first mismatch at \(m.index): expected \(Format.value(m.expected, dtype)), got \(Format.value(m.actual, dtype))"
            }
            return s
        }
    }
}

/// All cases of a file, evaluated.
public struct ParityReport: Sendable {
    public var torchVersion: String?
    public var results: [CaseResult]

    public var passed: Int { results.filter(\.passed).count }
    public var failed: Int { results.count - passed }
    public var ok: Bool { failed == 0 }

    /// `N passed, N failed`.
    public var summary: String { "\(passed) passed, \(failed) failed" }

    /// The printed report, one string per line, ending with the summary.
    public var lines: [String] {
        let width = results.map(\.name.count).max() ?? 0
        var out: [String] = []
        for r in results {
            let status = r.status.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)
            let name = r.name.padding(toLength: width, withPad: " ", startingAt: 0)
            out.append(status + name + "  " + r.summary)
            out += r.details.map { "        " + $0 }
        }
        out.append(summary)
        return out
    }

    public var text: String { lines.joined(separator: "\n") + "\n" }
}

/// Evaluates reference files.
public enum ParityRunner {
    /// Reads and evaluates the file at `path`; throws only when the file as a whole is unusable.
    public static func run(path: String) throws(ParityFileError) -> ParityReport {
        run(try ParityFile.load(path: path))
    }

    /// Evaluates every case of a decoded file, in order.
    public static func run(_ file: ParityFile) -> ParityReport {
        ParityReport(torchVersion: file.torchVersion,
                     results: file.cases.enumerated().map { evaluate($0.element, index: $0.offset) })
    }

    /// Evaluates case `index`; a malformed case or an unknown op gives an ERROR result, never a trap.
    public static func evaluate(_ value: JSONValue, index: Int) -> CaseResult {
        var result = CaseResult(name: ParityCase.name(of: value, index: index), op: nil, dtype: .float32, checks: [])
        do {
            let c = try ParityCase.decode(value, index: index)
            result.op = c.op
            result.dtype = c.dtype
            result.checks = try Evaluator.checks(for: c)
        } catch let e as CaseError {
            result.error = e.message
        } catch {
            result.error = "\(error)"
        }
        return result
    }
}

/// Number formatting of the report.
enum Format {
    /// `1.2e-08`; `inf` / `nan` as such.
    static func e(_ x: Double) -> String {
        x.isFinite ? String(format: "%.1e", x) : (x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf"))
    }

    /// A tolerance: `1e-06`, `0.0001`.
    static func g(_ x: Double) -> String { String(format: "%g", x) }

    /// A value in the case's dtype, shortest round-trip form (`0.4558`, `nan`, `-inf`).
    static func value(_ x: Double, _ dtype: DType) -> String {
        dtype == .float32 ? Float(x).description : x.description
    }
}
