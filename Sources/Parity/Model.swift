// The reference file's structure: the file, its cases, tensors as n-d arrays, and typed access to a
// case's args. Everything here validates and reports errors as CaseError (by case) or
// ParityFileError (the whole file), never traps.

import Foundation

/// Why a whole reference file cannot be evaluated (`arcface-lessons parity` exits 2).
public enum ParityFileError: Error, Equatable, CustomStringConvertible {
    /// The file is missing or cannot be read.
    case unreadable(path: String, reason: String)
    /// The file is not JSON.
    case invalidJSON(path: String, reason: String)
    /// The file is JSON, but not an object with a "cases" array.
    case notAReferenceFile(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): "cannot read '\(path)': \(reason)"
        case let .invalidJSON(path, reason): "'\(path)' is not valid JSON: \(reason)"
        case let .notAReferenceFile(path, reason): "'\(path)' is not a parity reference file: \(reason)"
        }
    }
}

/// Why one case cannot be evaluated: reported on the case's ERROR line, counted failed.
public struct CaseError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The element type a case is evaluated in: `Tensor` (TensorOf<Float>) or `DoubleTensor`.
public enum DType: String, Sendable {
    case float32, float64
}

/// A dense n-d array of Doubles in row-major order: the form of every tensor in the file (and of every
/// result ArcFaceKit computes, converted back) when it is compared.
public struct NDArray: Sendable, Equatable {
    public var shape: [Int]
    public var values: [Double]

    public init(shape: [Int], values: [Double]) {
        self.shape = shape
        self.values = values
    }

    public var count: Int { values.count }

    /// A number (or "nan"/"inf"/"-inf") is a 0-d array; a nested array of them must be rectangular.
    static func parse(_ v: JSONValue, at path: String) throws -> NDArray {
        if let x = v.numberValue { return NDArray(shape: [], values: [x]) }
        guard case .array(let items) = v else {
            throw CaseError("\(path) is \(v.kind), expected a number (or \"nan\", \"inf\", \"-inf\") or a nested array of them")
        }
        if items.isEmpty { return NDArray(shape: [0], values: []) }
        var values: [Double] = []
        var inner: [Int] = []
        for (i, item) in items.enumerated() {
            let sub = try parse(item, at: "\(path)[\(i)]")
            if i > 0 && sub.shape != inner {
                throw CaseError("ragged array: \(path)[\(i)] has shape \(sub.shape) but \(path)[0] has shape \(inner)")
            }
            inner = sub.shape
            values += sub.values
        }
        return NDArray(shape: [items.count] + inner, values: values)
    }

    /// The multi-index of flat position `k`.
    func index(of k: Int) -> [Int] {
        var rest = k
        var out = [Int](repeating: 0, count: shape.count)
        for d in shape.indices.reversed() where shape[d] > 0 {
            out[d] = rest % shape[d]
            rest /= shape[d]
        }
        return out
    }
}

/// One entry of "cases", decoded far enough to evaluate; `name` is known even when the rest is malformed.
public struct ParityCase: Sendable {
    public var name: String
    public var op: String
    public var dtype: DType
    public var args: [String: JSONValue]
    public var expect: [String: JSONValue]
    public var rtol: Double
    public var atol: Double

    public static let defaultRtol = 1e-5
    public static let defaultAtol = 1e-6

    /// The name of case `index` for messages: its "name", or `cases[index]` when it has none.
    static func name(of value: JSONValue, index: Int) -> String {
        if case .object(let o) = value, case .string(let s)? = o["name"], !s.isEmpty { return s }
        return "cases[\(index)]"
    }

    /// Decodes and checks the case-level fields; unknown fields (such as "note") are ignored.
    static func decode(_ value: JSONValue, index: Int) throws -> ParityCase {
        let name = name(of: value, index: index)
        guard case .object(let o) = value else { throw CaseError("the case is \(value.kind), expected an object") }
        if let n = o["name"], n != .null {
            guard case .string(let s) = n, !s.isEmpty else { throw CaseError("\"name\" is \(n.kind), expected a non-empty string") }
        }
        guard let opValue = o["op"] else { throw CaseError("missing \"op\"") }
        guard case .string(let op) = opValue else { throw CaseError("\"op\" is \(opValue.kind), expected a string") }
        var dtype = DType.float32
        if let d = o["dtype"], d != .null {
            guard case .string(let s) = d, let t = DType(rawValue: s) else {
                let shown = if case .string(let s) = d { "\"\(s)\"" } else { d.kind }
                throw CaseError("bad dtype \(shown) (expected \"float32\" or \"float64\")")
            }
            dtype = t
        }
        guard let argsValue = o["args"] else { throw CaseError("missing \"args\"") }
        guard case .object(let args) = argsValue else { throw CaseError("\"args\" is \(argsValue.kind), expected an object") }
        guard let expectValue = o["expect"] else { throw CaseError("missing \"expect\"") }
        guard case .object(let expect) = expectValue else { throw CaseError("\"expect\" is \(expectValue.kind), expected an object") }
        func tolerance(_ key: String, _ fallback: Double) throws -> Double {
            guard let v = o[key], v != .null else { return fallback }
            guard case .number(let x) = v, x >= 0, x.isFinite else {
                let shown = if case .number(let x) = v { "\(x)" } else { v.kind }
                throw CaseError("\"\(key)\" is \(shown), expected a finite number >= 0")
            }
            return x
        }
        return ParityCase(name: name, op: op, dtype: dtype, args: args, expect: expect,
                          rtol: try tolerance("rtol", defaultRtol), atol: try tolerance("atol", defaultAtol))
    }
}

/// A reference file: its torch version and its cases, each still a JSON value (decoded one by one, so
/// that a malformed case fails alone).
public struct ParityFile: Sendable {
    public var torchVersion: String?
    public var cases: [JSONValue]

    /// Reads and decodes `path`; a missing file, bad JSON or a top level without "cases" throws.
    public static func load(path: String) throws(ParityFileError) -> ParityFile {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? error.localizedDescription : "no such file"
            throw .unreadable(path: path, reason: reason)
        }
        return try decode(data, path: path)
    }

    /// Decodes the bytes of a reference file; `path` only names it in errors.
    public static func decode(_ data: Data, path: String = "<data>") throws(ParityFileError) -> ParityFile {
        let root: JSONValue
        do {
            root = try JSONValue.parse(data)
        } catch {
            throw .invalidJSON(path: path, reason: describe(error, in: data))
        }
        guard case .object(let o) = root else {
            throw .notAReferenceFile(path: path, reason: "the top level is \(root.kind), expected an object with \"cases\"")
        }
        guard let casesValue = o["cases"] else {
            throw .notAReferenceFile(path: path, reason: "the top-level object has no \"cases\"")
        }
        guard case .array(let cases) = casesValue else {
            throw .notAReferenceFile(path: path, reason: "\"cases\" is \(casesValue.kind), expected an array")
        }
        var version: String?
        if case .string(let v)? = o["torch_version"] { version = v }
        return ParityFile(torchVersion: version, cases: cases)
    }

    /// A one-line description of why `data` is not JSON. Foundation's JSONDecoder only says "not valid
    /// JSON" on Linux, so the error path asks JSONSerialization, which names the place ("around character
    /// 12"), and adds the line and column of that place.
    static func describe(_ error: any Error, in data: Data) -> String {
        var message = "\(error)"
        if case DecodingError.dataCorrupted(let context) = error { message = context.debugDescription }
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            if let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String { message = detail }
        }
        if let r = message.range(of: #"character (\d+)"#, options: .regularExpression),
           let offset = Int(message[r].dropFirst("character ".count)) {
            let before = data.prefix(offset)
            let line = before.filter { $0 == UInt8(ascii: "\n") }.count + 1
            let column = offset - (before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0) + 1
            message += " (line \(line), column \(column))"
        }
        return message
    }
}

/// Typed, validated access to a case's "args": every accessor throws a CaseError naming the arg.
struct Args {
    let values: [String: JSONValue]

    /// Every arg must be one the op knows: an ignored arg would make a passing case meaningless.
    func allowOnly(_ known: [String], op: String) throws {
        for key in values.keys.sorted() where !known.contains(key) {
            throw CaseError("unknown arg '\(key)' for op '\(op)' (known: \(known.joined(separator: ", ")))")
        }
    }

    /// The value of an optional arg; JSON null (Python's None) counts as absent.
    func optional(_ key: String) -> JSONValue? {
        guard let v = values[key], v != .null else { return nil }
        return v
    }

    func required(_ key: String) throws -> JSONValue {
        guard let v = optional(key) else { throw CaseError("missing arg '\(key)'") }
        return v
    }

    func tensor(_ key: String) throws -> NDArray { try NDArray.parse(required(key), at: key) }

    func number(_ key: String) throws -> Double { try Args.number(required(key), at: key) }

    func number(_ key: String, default d: Double) throws -> Double {
        guard let v = optional(key) else { return d }
        return try Args.number(v, at: key)
    }

    func int(_ key: String) throws -> Int { try Args.int(required(key), at: key) }

    func int(_ key: String, default d: Int) throws -> Int {
        guard let v = optional(key) else { return d }
        return try Args.int(v, at: key)
    }

    func ints(_ key: String) throws -> [Int] {
        let v = try required(key)
        guard case .array(let items) = v else { throw CaseError("arg '\(key)' is \(v.kind), expected an array of integers") }
        return try items.enumerated().map { try Args.int($0.element, at: "\(key)[\($0.offset)]") }
    }

    func bool(_ key: String, default d: Bool) throws -> Bool {
        guard let v = optional(key) else { return d }
        guard case .bool(let b) = v else { throw CaseError("arg '\(key)' is \(v.kind), expected true or false") }
        return b
    }

    func string(_ key: String, default d: String) throws -> String {
        guard let v = optional(key) else { return d }
        guard case .string(let s) = v else { throw CaseError("arg '\(key)' is \(v.kind), expected a string") }
        return s
    }

    /// An array of tensors (`sgd`'s params).
    func tensors(_ key: String) throws -> [NDArray] {
        let v = try required(key)
        guard case .array(let items) = v else { throw CaseError("arg '\(key)' is \(v.kind), expected an array of tensors") }
        return try items.enumerated().map { try NDArray.parse($0.element, at: "\(key)[\($0.offset)]") }
    }

    /// An array of arrays of tensors (`sgd`'s grads: one list per step).
    func tensorLists(_ key: String) throws -> [[NDArray]] {
        let v = try required(key)
        guard case .array(let steps) = v else { throw CaseError("arg '\(key)' is \(v.kind), expected an array of steps") }
        return try steps.enumerated().map { s, step in
            guard case .array(let items) = step else {
                throw CaseError("arg '\(key)[\(s)]' is \(step.kind), expected an array of tensors")
            }
            return try items.enumerated().map { try NDArray.parse($0.element, at: "\(key)[\(s)][\($0.offset)]") }
        }
    }

    static func number(_ v: JSONValue, at path: String) throws -> Double {
        guard let x = v.numberValue else {
            throw CaseError("arg '\(path)' is \(v.kind), expected a number (or \"nan\", \"inf\", \"-inf\")")
        }
        return x
    }

    static func int(_ v: JSONValue, at path: String) throws -> Int {
        guard case .number(let x) = v, x.rounded() == x, Swift.abs(x) <= 9.0e15 else {
            let shown = if case .number(let x) = v { "\(x)" } else { v.kind }
            throw CaseError("arg '\(path)' is \(shown), expected an integer")
        }
        return Int(x)
    }
}
