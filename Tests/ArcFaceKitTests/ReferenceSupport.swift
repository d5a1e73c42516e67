// Loads the PyTorch reference file (Reference/tensor_ops.json) and compares tensors against it.

import Foundation
import Testing
import ArcFaceKit

/// The contents of Reference/tensor_ops.json, written by Reference/make_reference.py.
struct ReferenceFile: Decodable, Sendable {
    let torch_version: String
    let ops: [ReferenceOp]
    let reprs: [ReferenceRepr]

    /// Read from the source tree next to this file (the test target declares no resources).
    static func load() throws -> ReferenceFile {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Reference/tensor_ops.json")
        return try JSONDecoder().decode(ReferenceFile.self, from: Data(contentsOf: url))
    }
}

/// A float32 tensor as stored in the JSON; non-finite values are the strings "nan", "inf", "-inf".
struct ReferenceTensor: Decodable, Sendable {
    let shape: [Int]
    let data: [Float]

    private enum Keys: String, CodingKey { case shape, data }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        shape = try c.decode([Int].self, forKey: .shape)
        data = try c.decode([JSONNumber].self, forKey: .data).map { Float($0.value) }
    }

    var tensor: Tensor { Tensor(shape: shape, scalars: data) }
}

/// A JSON number, or one of the strings "nan", "inf", "-inf".
struct JSONNumber: Decodable, Sendable {
    let value: Double

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let d = try? c.decode(Double.self) { value = d; return }
        switch try c.decode(String.self) {
        case "nan": value = .nan
        case "inf": value = .infinity
        case "-inf": value = -.infinity
        case let s: throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a number: \(s)")
        }
    }
}

/// An op argument: a number (maybe "inf") or a Bool.
enum ReferenceArg: Decodable, Sendable {
    case number(Double)
    case bool(Bool)

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b) } else { self = .number(try c.decode(JSONNumber.self).value) }
    }
}

/// What an op produced in torch: a tensor, or int64 indices (argmax/argmin) flattened.
enum ReferenceOutput: Decodable, Sendable {
    case tensor(ReferenceTensor)
    case indices([Int])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let i = try? c.decode([Int].self) { self = .indices(i) } else { self = .tensor(try c.decode(ReferenceTensor.self)) }
    }
}

struct ReferenceOp: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let op: String
    let inputs: [ReferenceTensor]
    let args: [String: ReferenceArg]
    let output: ReferenceOutput

    var testDescription: String { name }

    func float(_ key: String) -> Float? {
        if case .number(let d)? = args[key] { return Float(d) }
        return nil
    }
    func double(_ key: String) -> Double { if case .number(let d)? = args[key] { return d }; fatalError("missing \(key) in \(name)") }
    func int(_ key: String) -> Int? { float(key).map { Int($0) } }
    func bool(_ key: String) -> Bool { if case .bool(let b)? = args[key] { return b }; return false }
}

struct ReferenceRepr: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let input: ReferenceTensor
    let repr: String

    var testDescription: String { name }
}

/// Expects `actual` to have the reference's shape and, elementwise, `|a - e| <= 1e-6 + rtol |e|`
/// (by default a few float32 ulps: torch accumulates in float32, ArcFaceKit in Double); NaN must
/// meet NaN and an infinity the same infinity. On failure reports the max difference and the first
/// mismatches.
func expectClose(_ actual: Tensor, _ expected: ReferenceTensor, _ what: String = "", rtol: Float = 1e-6,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.shape == expected.shape, "\(what): shape \(actual.shape), torch \(expected.shape)", sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    var maxDiff: Float = 0
    var mismatches: [String] = []
    for (i, (a, e)) in zip(actual.scalars, expected.data).enumerated() {
        let ok: Bool
        if e.isNaN || a.isNaN { ok = e.isNaN && a.isNaN }
        else if e.isInfinite || a.isInfinite { ok = a == e }
        else {
            let diff = abs(a - e)
            maxDiff = max(maxDiff, diff)
            ok = diff <= 1e-6 + rtol * abs(e)
        }
        if !ok { mismatches.append("[\(i)] got \(a), torch \(e)") }
    }
    if !mismatches.isEmpty {
        Issue.record("\(what): \(mismatches.count) of \(expected.data.count) elements differ from torch, max abs diff \(maxDiff); first: \(mismatches.prefix(5).joined(separator: "; "))",
                     sourceLocation: sourceLocation)
    }
}
