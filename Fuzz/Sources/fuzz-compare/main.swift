// Tolerant comparison: expected vs actual output blocks and prose values. Input: one byte picks the
// tolerance, then expected and actual text separated by the first NUL byte.

import FuzzSupport
@testable import LessonKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCompare(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let mode = input.byte()
    var tolerance = Tolerance()
    if mode & 1 == 1 { tolerance.abs = input.double() }
    if mode & 2 == 2 { tolerance.rel = input.double() }
    let bytes = input.bytes
    let split = bytes.firstIndex(of: 0) ?? bytes.endIndex
    let expected = String(decoding: bytes[..<split], as: UTF8.self)
    let actual = String(decoding: bytes[split...].dropFirst(), as: UTF8.self)

    let mismatch = Compare.check(expected: expected, actual: actual, tolerance: tolerance)
    if let m = mismatch {
        let lines = Compare.lines(expected)
        require(m.line >= 0 && m.line <= max(0, lines.count - 1), "mismatch at line \(m.line) of \(lines.count)")
        require(m.column >= 0, "negative column \(m.column)")
    }
    _ = Compare.values(expected: expected, actual: actual)

    // A text always matches itself, and its own copy with trailing blanks and empty lines.
    for text in [expected, actual] {
        require(Compare.check(expected: text, actual: text, tolerance: tolerance) == nil, "a text differs from itself")
        let padded = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0 + " \t" }.joined(separator: "\n") + "\n\n"
        require(Compare.check(expected: text, actual: padded, tolerance: tolerance) == nil, "trailing blanks are not ignored")
        let numbers = Compare.tokens(text).contains { if case .number = $0 { true } else { false } }
        if numbers || text == text.trimmingCharacters(in: .whitespacesAndNewlines) {
            require(Compare.values(expected: text, actual: text) == nil, "a value differs from itself")
        }
    }
    // Every token of a line, joined again, is the line.
    for line in Compare.lines(expected) {
        let joined = Compare.tokens(line).map { if case .text(let t) = $0 { t } else if case .number(_, let w, _) = $0 { w } else { "" } }.joined()
        require(joined == line, "tokens do not cover the line")
    }
    return 0
}

runFuzzer { fuzzCompare($0, $1) }
