// Comparing one computed array with the expected one: numpy.allclose's rule, elementwise, with NaN
// equal to NaN and infinities equal by sign; plus the statistics the report prints.

import Foundation

/// numpy.allclose's tolerance: |actual - expected| <= atol + rtol * |expected|.
public struct Tolerance: Sendable, Equatable {
    public var rtol: Double
    public var atol: Double

    public init(rtol: Double = ParityCase.defaultRtol, atol: Double = ParityCase.defaultAtol) {
        self.rtol = rtol
        self.atol = atol
    }

    /// Whether `actual` passes for `expected`. NaN passes only for NaN; an infinity only for the same infinity.
    public func accepts(_ actual: Double, _ expected: Double) -> Bool {
        if actual.isNaN || expected.isNaN { return actual.isNaN && expected.isNaN }
        if actual.isInfinite || expected.isInfinite { return actual == expected }
        return Swift.abs(actual - expected) <= atol + rtol * Swift.abs(expected)
    }
}

/// The outcome of comparing one expected array (e.g. `grad.input`, `params[2][0]`) with what ArcFaceKit computed.
public struct Check: Sendable, Equatable {
    /// The full name of the compared value: `output`, `grad.input`, `params[1][0]`, ...
    public var label: String
    /// The group the report summarises it under: `output`, `grad.input`, `params`, ...
    public var group: String
    public var expectedShape: [Int]
    public var actualShape: [Int]
    /// Largest |actual - expected| over the elements (0 where both are the same non-finite value;
    /// infinite where only one is non-finite or they differ in sign).
    public var maxAbs: Double
    /// Largest |actual - expected| / |expected| over the elements whose expected value is finite and
    /// nonzero (0 if there are none), infinite for a non-finite mismatch.
    public var maxRel: Double
    /// How many elements fail the tolerance.
    public var mismatches: Int
    public var count: Int
    /// The first element (row-major) that fails: its index, expected and actual value.
    public var firstMismatch: Mismatch?
    public var tolerance: Tolerance

    public struct Mismatch: Sendable, Equatable {
        public var index: [Int]
        public var expected: Double
        public var actual: Double
    }

    public var shapeMatches: Bool { expectedShape == actualShape }
    public var passed: Bool { shapeMatches && mismatches == 0 }

    /// Compares element by element; a shape mismatch fails without comparing values.
    public static func compare(label: String, group: String? = nil, expected: NDArray, actual: NDArray,
                               tolerance: Tolerance) -> Check {
        var check = Check(label: label, group: group ?? label, expectedShape: expected.shape, actualShape: actual.shape,
                          maxAbs: 0, maxRel: 0, mismatches: 0, count: expected.count, firstMismatch: nil,
                          tolerance: tolerance)
        guard expected.shape == actual.shape, expected.count == actual.count else { return check }
        for k in 0..<expected.count {
            let (e, a) = (expected.values[k], actual.values[k])
            let ok = tolerance.accepts(a, e)
            if !ok {
                check.mismatches += 1
                if check.firstMismatch == nil {
                    check.firstMismatch = Mismatch(index: expected.index(of: k), expected: e, actual: a)
                }
            }
            if e.isFinite && a.isFinite {
                let diff = Swift.abs(a - e)
                check.maxAbs = Swift.max(check.maxAbs, diff)
                if e != 0 { check.maxRel = Swift.max(check.maxRel, diff / Swift.abs(e)) }
            } else if !ok {
                check.maxAbs = .infinity
                check.maxRel = .infinity
            }
        }
        return check
    }
}
