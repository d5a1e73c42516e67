// Shared pieces of the fuzz targets: reading the input, and the invariants they check. A broken
// invariant aborts, which libFuzzer reports as a crash and saves the input.

#if canImport(Glibc)
import Glibc
#endif

/// Stops the run with `message` when `condition` fails (libFuzzer then writes the crashing input).
public func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        let text = Array("fuzz invariant broken: \(message())\n".utf8)
        _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        abort()
    }
}

/// The fuzzer's bytes, consumed from the front.
public struct FuzzInput {
    public var bytes: ArraySlice<UInt8>

    public init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        bytes = size > 0 && data != nil ? ArraySlice(UnsafeBufferPointer(start: data, count: size)) : []
    }

    public var isEmpty: Bool { bytes.isEmpty }

    public mutating func byte() -> UInt8 {
        bytes.popFirst() ?? 0
    }

    /// A Double that is often a special value (nan, ±inf, ±0, subnormal, ±1e308, huge integers)
    /// and otherwise a small decimal or 8 raw bytes.
    public mutating func double() -> Double {
        let tag = byte()
        switch tag % 16 {
        case 0: return .nan
        case 1: return .infinity
        case 2: return -.infinity
        case 3: return 0
        case 4: return -0.0
        case 5: return .leastNonzeroMagnitude * Double(byte())
        case 6: return 1e308
        case 7: return -1e308
        case 8: return .greatestFiniteMagnitude
        case 9: return Double(Int8(bitPattern: byte())) * 1e-300
        case 10, 11:
            var bits: UInt64 = 0
            for _ in 0..<8 { bits = bits << 8 | UInt64(byte()) }
            return Double(bitPattern: bits)
        default:
            return Double(Int16(bitPattern: UInt16(byte()) << 8 | UInt16(byte()))) / Double(1 + Int(byte() % 100))
        }
    }

    /// The rest as text, invalid UTF-8 repaired (U+FFFD).
    public mutating func rest() -> String {
        defer { bytes = [] }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A short string (up to 16 bytes).
    public mutating func string() -> String {
        let n = Int(byte() % 17)
        let taken = bytes.prefix(n)
        bytes = bytes.dropFirst(n)
        return String(decoding: taken, as: UTF8.self)
    }
}

/// Elements that never have a closing tag in HTML.
let voidElements: Set<String> = ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]

/// Nil when every start tag of `markup` is closed in order (HTML void elements, `<.../>`, comments,
/// `<!DOCTYPE>` and attribute values with `>` in quotes allowed); else what is wrong.
public func unbalancedTags(_ markup: String) -> String? {
    let s = Array(markup.utf8)
    var stack: [String] = []
    var i = 0
    func name(from start: Int) -> (String, Int) {
        var j = start
        while j < s.count, s[j] != UInt8(ascii: " "), s[j] != UInt8(ascii: ">"), s[j] != UInt8(ascii: "/"),
              s[j] != UInt8(ascii: "\n"), s[j] != UInt8(ascii: "\t") { j += 1 }
        return (String(decoding: s[start..<j], as: UTF8.self).lowercased(), j)
    }
    while i < s.count {
        guard s[i] == UInt8(ascii: "<") else { i += 1; continue }
        if s[i...].starts(with: "<!--".utf8) {
            guard let end = find("-->", in: s, from: i + 4) else { return "comment never closed at \(i)" }
            i = end + 3
            continue
        }
        if i + 1 < s.count, s[i + 1] == UInt8(ascii: "!") || s[i + 1] == UInt8(ascii: "?") {
            guard let end = find(">", in: s, from: i) else { return "declaration never closed at \(i)" }
            i = end + 1
            continue
        }
        let closing = i + 1 < s.count && s[i + 1] == UInt8(ascii: "/")
        let (tag, afterName) = name(from: i + (closing ? 2 : 1))
        guard !tag.isEmpty else { return "'<' that starts no tag at \(i)" }
        // The end of the tag, skipping quoted attribute values.
        var j = afterName, quote: UInt8?
        while j < s.count {
            if let q = quote { if s[j] == q { quote = nil } }
            else if s[j] == UInt8(ascii: "\"") || s[j] == UInt8(ascii: "'") { quote = s[j] }
            else if s[j] == UInt8(ascii: ">") { break }
            j += 1
        }
        guard j < s.count else { return "tag <\(tag) never ends" }
        if closing {
            guard let top = stack.popLast() else { return "</\(tag)> closes nothing at \(i)" }
            guard top == tag else { return "</\(tag)> closes <\(top)> at \(i)" }
        } else if s[j - 1] != UInt8(ascii: "/") && !voidElements.contains(tag) {
            stack.append(tag)
        }
        i = j + 1
    }
    return stack.isEmpty ? nil : "never closed: \(stack.joined(separator: ", "))"
}

func find(_ needle: String, in s: [UInt8], from start: Int) -> Int? {
    let n = Array(needle.utf8)
    guard s.count >= n.count else { return nil }
    var i = start
    while i + n.count <= s.count {
        if s[i..<(i + n.count)].elementsEqual(n) { return i }
        i += 1
    }
    return nil
}

/// The number of lines (newline-separated pieces) of `text`.
public func lineCount(_ text: String) -> Int {
    text.utf8.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
}

/// libFuzzer's driver (compiler-rt's libclang_rt.fuzzer, linked by -sanitize=fuzzer).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ target: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// Runs libFuzzer over `target` with the command line's flags. SwiftPM links an executable's own
/// entry point (main.swift's top level) as `main`, so libFuzzer's `main` is never linked in and
/// the target starts the driver itself.
public func runFuzzer(_ target: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, target))
}
