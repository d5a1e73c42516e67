// Compare: expected-output text vs actual text; numbers within tolerance, everything else exactly.

import ArcFaceKit
import LessonRuntime
import Foundation

/// The first difference between an expected block and a cell's actual output.
public struct Mismatch: Sendable, Equatable {
    /// 0-based line and 0-based column within the expected block.
    public var line: Int
    public var column: Int
    public var message: String
}

public enum Compare {
    /// A line split into text and numbers: `tensor([[0.2673, 0.5345],` -> text, number, text, number, text.
    enum Token: Equatable {
        case text(String)
        case number(Double, written: String, column: Int)
    }

    /// Compares `actual` with `expected`: per line, trailing white space ignored, trailing empty lines
    /// ignored; numbers compared with `tolerance` (or the precision written), other text exactly.
    public static func check(expected: String, actual: String, tolerance: Tolerance) -> Mismatch? {
        let e = lines(expected), a = lines(actual)
        for (i, eLine) in e.enumerated() {
            guard i < a.count else {
                return Mismatch(line: i, column: 0, message: "expected more output: missing line '\(eLine)'")
            }
            if let m = checkLine(expected: eLine, actual: a[i], tolerance: tolerance) {
                return Mismatch(line: i, column: m.column, message: m.message)
            }
        }
        if a.count > e.count {
            return Mismatch(line: max(0, e.count - 1), column: 0,
                            message: "unexpected extra output: '\(a[e.count])'" + (a.count > e.count + 1 ? " (and \(a.count - e.count - 1) more lines)" : ""))
        }
        return nil
    }

    /// Compares a value written in prose (`~ 0.4558`, or several numbers for a tensor) with a
    /// value's printed description, number by number, each to the precision written; other text
    /// is ignored when the expected value holds numbers. Nil when they agree, else the message.
    public static func values(expected: String, actual: String) -> String? {
        func numbers(_ s: String) -> [(value: Double, written: String)] {
            tokens(s).compactMap { if case .number(let v, let w, _) = $0 { (v, w) } else { nil } }
        }
        let e = numbers(expected), a = numbers(actual)
        guard !e.isEmpty else {
            return expected == actual.trimmingCharacters(in: .whitespacesAndNewlines) ? nil : "expected \(expected), got \(actual)"
        }
        guard e.count == a.count else {
            return "expected \(e.count) number\(e.count == 1 ? "" : "s") (\(expected)), got \(a.count): \(actual)"
        }
        var failures: [(index: Int, diff: Double, tol: Double)] = []
        for (i, (x, y)) in zip(e, a).enumerated() {
            let tol = allowed(written: x.written, value: x.value, tolerance: Tolerance())
            if !agrees(expected: x.value, actual: y.value, tolerance: tol) {
                failures.append((i, y.value.isNaN || x.value.isNaN ? .infinity : Swift.abs(y.value - x.value), tol))
            }
        }
        guard let worst = failures.max(by: { $0.diff < $1.diff }) else { return nil }
        let x = e[worst.index], y = a[worst.index]
        let what = "expected \(x.written), got \(y.written) (tolerance \(format(worst.tol)))"
        if e.count == 1 { return what }
        return "\(failures.count) of \(e.count) values differ; max difference \(format(worst.diff)) at index \(worst.index): \(what)"
    }

    static func lines(_ s: String) -> [String] {
        var result = s.split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0.reversed().drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" }).reversed())
        }
        while result.last?.isEmpty == true { result.removeLast() }
        return result
    }

    /// Every difference between an expected block and a text, where `check` stops at the first: each
    /// number outside its tolerance, each line whose text differs, missing and extra lines (the REPL's
    /// `:check` lists them). Empty exactly when `check` finds none.
    package static func differences(expected: String, actual: String, tolerance: Tolerance) -> [Mismatch] {
        let e = lines(expected), a = lines(actual)
        var found: [Mismatch] = []
        for (i, eLine) in e.enumerated() {
            guard i < a.count else {
                found.append(Mismatch(line: i, column: 0, message: "expected more output: missing line '\(eLine)'"))
                continue
            }
            guard let first = checkLine(expected: eLine, actual: a[i], tolerance: tolerance) else { continue }
            let et = tokens(eLine), at = tokens(a[i])
            // Spacing that differs only because the numbers' widths differ (a tensor's padding)
            // still lets the numbers be compared one by one.
            func squeezed(_ t: [Token]) -> [Token] { t.map { if case .text(let x) = $0 { .text(x.filter { $0 != " " }) } else { $0 } } }
            guard sameShape(et, at) || sameShape(squeezed(et), squeezed(at)) else {
                found.append(Mismatch(line: i, column: first.column, message: first.message))
                continue
            }
            for case (.number(let ev, let written, let column), .number(let av, let aw, _)) in zip(et, at) {
                let tol = allowed(written: written, value: ev, tolerance: tolerance)
                if !agrees(expected: ev, actual: av, tolerance: tol) {
                    found.append(Mismatch(line: i, column: column, message: "expected \(written), got \(aw) (tolerance \(format(tol)))"))
                }
            }
            if !found.contains(where: { $0.line == i }) { found.append(Mismatch(line: i, column: first.column, message: first.message)) }
        }
        if a.count > e.count {
            found.append(Mismatch(line: max(0, e.count - 1), column: 0,
                                  message: "unexpected extra output: '\(a[e.count])'" + (a.count > e.count + 1 ? " (and \(a.count - e.count - 1) more lines)" : "")))
        }
        return found
    }

    /// The same text between the same places for numbers.
    private static func sameShape(_ et: [Token], _ at: [Token]) -> Bool {
        et.count == at.count && zip(et, at).allSatisfy {
            switch ($0, $1) {
            case (.text(let x), .text(let y)): x == y
            case (.number, .number): true
            default: false
            }
        }
    }

    static func checkLine(expected: String, actual: String, tolerance: Tolerance) -> (column: Int, message: String)? {
        if expected == actual { return nil }
        let et = tokens(expected), at = tokens(actual)
        guard sameShape(et, at) else {
            return (firstDifference(expected, actual), "expected '\(expected)', got '\(actual)'")
        }
        for case (.number(let ev, let written, let column), .number(let av, let aw, _)) in zip(et, at) {
            let tol = allowed(written: written, value: ev, tolerance: tolerance)
            if !agrees(expected: ev, actual: av, tolerance: tol) {
                return (column, "expected \(written), got \(aw) (tolerance \(format(tol)))")
            }
        }
        return nil
    }

    /// The allowed absolute difference: explicit tol + rtol * |expected|, or half a unit of the
    /// last digit written (`0.4558` -> 5e-05, `1.5e-3` -> 5e-05); integers must match exactly.
    static func allowed(written: String, value: Double, tolerance: Tolerance) -> Double {
        if tolerance.isExplicit { return (tolerance.abs ?? 0) + (tolerance.rel ?? 0) * Swift.abs(value) }
        let lower = written.lowercased()
        var mantissa = Substring(lower), exponent = 0
        if let e = lower.firstIndex(of: "e") {
            mantissa = lower[..<e]
            // Clamped: a written exponent can have any number of digits (`1.5e-9223372036854775808`
            // overflowed the subtraction below); past ±1000 the power of ten is 0 or inf anyway.
            let digits = lower[lower.index(after: e)...]
            exponent = max(-1000, min(1000, Int(digits) ?? (digits.hasPrefix("-") ? -1000 : 1000)))
        }
        guard let dot = mantissa.firstIndex(of: ".") else {
            return exponent == 0 ? 0 : 0.5 * PortableMath.pow(10, Double(exponent))
        }
        let decimals = mantissa.distance(from: dot, to: mantissa.endIndex) - 1
        return 0.5 * PortableMath.pow(10, Double(exponent - decimals))
    }

    static func agrees(expected e: Double, actual a: Double, tolerance: Double) -> Bool {
        if e.isNaN || a.isNaN { return e.isNaN && a.isNaN }
        if e.isInfinite || a.isInfinite { return e == a }
        // A hair of slack so that 0.45585 written vs 0.4558 printed is decided by the digits, not binary noise.
        return Swift.abs(a - e) <= tolerance * (1 + 1e-9) + 1e-300
    }

    package static func format(_ x: Double) -> String {
        x == 0 ? "0" : String(format: "%g", x)
    }

    /// Splits a line into numbers and the text between them. A number is a decimal literal not glued
    /// to a preceding letter, digit or '_' (so `x1` and `fp16` stay text), or nan / inf / -inf.
    static func tokens(_ line: String) -> [Token] {
        let c = Array(line)
        var result: [Token] = []
        var text = ""
        var i = 0
        func isWordChar(_ ch: Character) -> Bool { ch.isLetter || ch.isNumber || ch == "_" }
        while i < c.count {
            let prevIsWord = i > 0 && (isWordChar(c[i - 1]) || c[i - 1] == ".")
            if !prevIsWord, let (value, length) = number(c, i) {
                if !text.isEmpty { result.append(.text(text)); text = "" }
                result.append(.number(value, written: String(c[i..<(i + length)]), column: i))
                i += length
                continue
            }
            text.append(c[i])
            i += 1
        }
        if !text.isEmpty { result.append(.text(text)) }
        return result
    }

    private static func number(_ c: [Character], _ start: Int) -> (Double, Int)? {
        var i = start
        var sign = 1.0
        if i < c.count && (c[i] == "-" || c[i] == "+") {
            if c[i] == "-" { sign = -1 }
            i += 1
        }
        for word in ["nan", "inf"] {
            if matchesWord(c, i, word) {
                // -nan prints from some C code; treat it as nan.
                return (word == "nan" ? .nan : sign * .infinity, i - start + word.count)
            }
        }
        let digitsStart = i
        while i < c.count && c[i].isASCII && c[i].isNumber { i += 1 }
        var digits = i - digitsStart
        if i < c.count && c[i] == "." {
            let j = i + 1
            var k = j
            while k < c.count && c[k].isASCII && c[k].isNumber { k += 1 }
            // `1.` (torch prints integral floats so) is a number; a lone `.` is not.
            if k > j || digits > 0 { digits += k - j; i = k }
        }
        guard digits > 0 else { return nil }
        if i < c.count && (c[i] == "e" || c[i] == "E") {
            var k = i + 1
            if k < c.count && (c[k] == "-" || c[k] == "+") { k += 1 }
            let expStart = k
            while k < c.count && c[k].isASCII && c[k].isNumber { k += 1 }
            if k > expStart { i = k }
        }
        // A number glued to a following letter (`3rd`, `2D`) is text.
        if i < c.count && (c[i].isLetter || c[i] == "_") { return nil }
        guard let v = Double(String(c[start..<i]).replacingOccurrences(of: "+", with: "")) ?? Double(String(c[digitsStart..<i])).map({ sign * $0 }) else {
            return nil
        }
        return (v, i - start)
    }

    private static func matchesWord(_ c: [Character], _ i: Int, _ word: String) -> Bool {
        var k = i
        for ch in word {
            guard k < c.count, c[k] == ch else { return false }
            k += 1
        }
        return k >= c.count || !(c[k].isLetter || c[k].isNumber || c[k] == "_")
    }

    private static func firstDifference(_ a: String, _ b: String) -> Int {
        var i = 0
        for (x, y) in zip(a, b) {
            if x != y { return i }
            i += 1
        }
        return i
    }
}
