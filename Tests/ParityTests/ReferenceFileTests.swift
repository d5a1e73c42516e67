// The committed PyTorch reference file (tools/parity-reference.json): every case passes with
// ArcFaceKit, and the file covers every op the format defines. Torch is not needed: the file is committed.

import Foundation
import Testing
@testable import Parity

@Suite("The committed reference file")
struct ReferenceFileTests {
    /// The cases of the committed file as (name, op, dtype) triples.
    static func cases() throws -> [(name: String, op: String, dtype: String?)] {
        let file = try ParityFile.load(path: Support.referenceFile)
        return file.cases.map { value in
            guard case .object(let o) = value else { return ("?", "?", nil) }
            func string(_ key: String) -> String? { if case .string(let s)? = o[key] { s } else { nil } }
            return (string("name") ?? "?", string("op") ?? "?", string("dtype"))
        }
    }

    @Test("Every case of the committed file passes and the summary says so")
    func everyCasePasses() throws {
        let cases = try Self.cases()
        let run = try Support.runTool(["parity", Support.referenceFile])
        let failing = run.lines.filter { !$0.hasPrefix("ok ") && !$0.hasSuffix(" failed") }
        #expect(failing.isEmpty, "lines that are not ok:\n\(failing.joined(separator: "\n"))")
        #expect(run.lines.last == "\(cases.count) passed, 0 failed")
        #expect(run.status == 0)
        #expect(run.stderr.isEmpty)
    }

    @Test("Every op of the format appears in the committed file and passes there")
    func everyOpIsCovered() throws {
        let cases = try Self.cases()
        let ops = Set(cases.map(\.op))
        #expect(ops == Set(OpSpec.names), "ops missing: \(Set(OpSpec.names).subtracting(ops).sorted()), unknown: \(ops.subtracting(OpSpec.names).sorted())")
        let run = try Support.runTool(["parity", Support.referenceFile])
        let okNames = Set(run.lines.filter { $0.hasPrefix("ok ") }.map { String($0.dropFirst(6).prefix { $0 != " " }) })
        for op in OpSpec.names {
            let passing = cases.filter { $0.op == op && okNames.contains($0.name) }
            #expect(!passing.isEmpty, "no passing case for op '\(op)'")
        }
    }

    @Test("Every tensor op is also checked in float64")
    func tensorOpsHaveFloat64Cases() throws {
        let cases = try Self.cases()
        // multistep_lr has no dtype: torch's lr is a Python float.
        for op in OpSpec.names where op != "multistep_lr" {
            #expect(cases.contains { $0.op == op && $0.dtype == "float64" }, "no float64 case for '\(op)'")
        }
    }

    @Test("The file records which torch wrote it and every case name is unique")
    func fileRecordsTorchVersionAndUniqueNames() throws {
        let file = try ParityFile.load(path: Support.referenceFile)
        #expect(file.torchVersion?.isEmpty == false)
        let names = try Self.cases().map(\.name)
        #expect(Set(names).count == names.count)
    }
}
