// Tolerant comparison of expected output blocks with actual output.

import Testing
@testable import LessonKit

@Suite struct CompareTests {
    func check(_ expected: String, _ actual: String, _ tolerance: Tolerance = Tolerance()) -> Mismatch? {
        Compare.check(expected: expected, actual: actual, tolerance: tolerance)
    }

    @Test func numbersMatchToThePrecisionWritten() {
        #expect(check("0.4558\n", "0.455812\n") == nil)
        #expect(check("0.4558\n", "0.45585001\n") != nil)
        #expect(check("0.46\n", "0.4558\n") == nil)
        #expect(check("0.2558\n", "0.4558\n")?.message == "expected 0.2558, got 0.4558 (tolerance 5e-05)")
    }

    @Test func integersMustMatchExactly() {
        #expect(check("64\n", "64\n") == nil)
        #expect(check("64\n", "65\n")?.message == "expected 64, got 65 (tolerance 0)")
        #expect(check("3\n", "3.0\n") == nil)
    }

    @Test func scientificNotationUsesThePrecisionOfTheMantissa() {
        #expect(Compare.allowed(written: "1.5e-3", value: 1.5e-3, tolerance: Tolerance()) == 0.5e-4)
        #expect(check("1.5e-3\n", "0.00154\n") == nil)
        #expect(check("1.5e-3\n", "0.00156\n") != nil)
    }

    // Found by fuzz-compare: the exponent minus the decimals overflowed Int.
    @Test func exponentsOfAnyLengthGiveATolerance() {
        #expect(check("1.5e-9223372036854775808\n", "1.5\n") != nil)
        #expect(Compare.allowed(written: "1.5e-9223372036854775808", value: 0, tolerance: Tolerance()) == 0)
        #expect(Compare.allowed(written: "1.5e99999999999999999999", value: .infinity, tolerance: Tolerance()) == .infinity)
        #expect(check("1.5e99999999999999999999\n", "inf\n") == nil)
    }

    @Test func explicitAbsoluteAndRelativeTolerancesReplaceTheWrittenPrecision() {
        #expect(check("0.4558\n", "0.4568\n", Tolerance(abs: 1e-3)) == nil)
        #expect(check("0.4558\n", "0.4570\n", Tolerance(abs: 1e-3)) != nil)
        #expect(check("1000\n", "1009\n", Tolerance(rel: 1e-2)) == nil)
        #expect(check("1000\n", "1011\n", Tolerance(rel: 1e-2)) != nil)
    }

    @Test func tensorReprsCompareElementWiseAndReportTheColumn() {
        let expected = "tensor([[0.2673, 0.5345, 0.8018],\n        [0.2558, 0.5698, 0.6838]])\n"
        let actual = "tensor([[0.2673, 0.5345, 0.8018],\n        [0.4558, 0.5698, 0.6838]])\n"
        let m = check(expected, actual)
        #expect(m == Mismatch(line: 1, column: 9, message: "expected 0.2558, got 0.4558 (tolerance 5e-05)"))
    }

    @Test func nanAndInfCompareAsThemselves() {
        #expect(check("nan inf -inf\n", "nan inf -inf\n") == nil)
        #expect(check("nan\n", "0.0\n") != nil)
        #expect(check("0.0\n", "nan\n") != nil)
        #expect(check("inf\n", "-inf\n") != nil)
        #expect(check("1.0\n", "inf\n", Tolerance(abs: 1e9)) != nil)
    }

    @Test func otherTextMustMatchExactlyButTrailingWhiteSpaceIsIgnored() {
        #expect(check("loss 0.5  \n\n", "loss 0.5\n") == nil)
        #expect(check("loss 0.5\n", "Loss 0.5\n")?.message == "expected 'loss 0.5', got 'Loss 0.5'")
        #expect(check("a\n", "a\nb\n")?.message == "unexpected extra output: 'b'")
        #expect(check("a\nb\n", "a\n")?.message == "expected more output: missing line 'b'")
    }

    @Test func digitsInsideWordsAreTextNotNumbers() {
        #expect(Compare.tokens("fp16 x1 3rd") == [.text("fp16 x1 3rd")])
        #expect(check("fp16\n", "fp17\n") != nil)
        #expect(Compare.tokens("tensor([1., -2.])") == [.text("tensor(["), .number(1, written: "1.", column: 8),
                                                         .text(", "), .number(-2, written: "-2.", column: 12), .text("])")])
    }
}
