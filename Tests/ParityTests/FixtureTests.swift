// Fixture files with deliberate problems: wrong values, unknown ops, malformed cases, non-finite values,
// tolerance overrides and shape mismatches. Each problem fails its case by name, never the process.

import Foundation
import Testing
@testable import Parity

@Suite("Fixture files")
struct FixtureTests {
    @Test("A wrong expected value fails that case with its name, the difference and the first mismatch")
    func wrongValueFails() throws {
        let report = try Support.report("wrong-value.json")
        #expect(report.text == """
            ok    softmax-right        output max abs 0.0e+00 rel 0.0e+00
            FAIL  softmax-wrong-value  output max abs 4.4e-02 rel 9.7e-02
                    output: max abs 4.4e-02 rel 9.7e-02 > tolerance (atol 1e-06, rtol 1e-05); 1 of 4 elements differ; first mismatch at [1, 1]: expected 0.4558, got 0.5
            1 passed, 1 failed

            """)
        let failed = try #require(Support.result(report, "softmax-wrong-value"))
        #expect(failed.status == .fail)
        #expect(failed.checks.first?.firstMismatch == Check.Mismatch(index: [1, 1], expected: 0.4558, actual: 0.5))
    }

    @Test("An unknown op is an error of that case, named, and the other cases still run")
    func unknownOpIsAnErrorByName() throws {
        let report = try Support.report("unknown-op.json")
        let mystery = try #require(Support.result(report, "mystery"))
        #expect(mystery.status == .error)
        #expect(mystery.error?.hasPrefix("unknown op 'foo'") == true)
        #expect(report.lines[0].hasPrefix("ERROR mystery             error: unknown op 'foo' (known: arcface_head, "))
        #expect(Support.result(report, "softmax-still-runs")?.status == .ok)
        #expect(report.summary == "1 passed, 1 failed")
    }

    @Test("Malformed cases are errors by name, with a message saying what is wrong", arguments: [
        ("missing-arg", "missing arg 'maxnorm'"),
        ("ragged-input", "ragged array: input[1] has shape [1] but input[0] has shape [2]"),
        ("ragged-expect", "ragged array: expect.output[1] has shape [1] but expect.output[0] has shape [2]"),
        ("bad-dtype", "bad dtype \"float16\" (expected \"float32\" or \"float64\")"),
        ("label-out-of-range", "label[1] is 3, out of range for 3 classes (0..<3)"),
        ("negative-label", "label[0] is -1, out of range for 2 classes (0..<2)"),
        ("target-out-of-range", "target[0] is 2, out of range for 2 classes (0..<2) and not ignore_index -100"),
        ("wrong-type", "arg 'dim' is the string \"1\", expected an integer"),
        ("non-integral-dim", "arg 'dim' is 1.5, expected an integer"),
        ("dim-out-of-range", "arg 'dim' is 2, out of range for 2 dimensions (expected -2...1)"),
        ("renorm-1d-input", "renorm: input needs at least 2 dimensions, got shape [2]"),
        ("capitalised-nan", "input[0][0] is the string \"NaN\", expected a number (or \"nan\", \"inf\", \"-inf\") or a nested array of them"),
        ("unknown-arg", "unknown arg 'keepdim' for op 'softmax' (known: input, dim)"),
        ("unknown-expect-key", "unknown expect key 'outputs' for op 'softmax' (known: output, grad)"),
        ("grad-of-a-non-tensor", "expect.grad has 'dim', which is not a tensor arg of 'softmax' (gradients exist for: input)"),
        ("nothing-to-compare", "expect holds nothing to compare (expected output and/or grad)"),
        ("bad-reduction", "arg 'reduction' is 'avg', expected 'none', 'mean' or 'sum'"),
        ("negative-rtol", "\"rtol\" is -1.0, expected a finite number >= 0"),
        ("cases[19]", "the case is a number, expected an object"),
    ])
    func malformedCaseIsAnErrorByName(name: String, message: String) throws {
        let report = try Support.report("malformed.json")
        let result = try #require(Support.result(report, name))
        #expect(result.status == .error)
        #expect(result.error == message)
        #expect(report.lines.contains { $0.hasPrefix("ERROR \(name) ") && $0.hasSuffix("error: \(message)") })
    }

    @Test("A case without a name is reported by its index, and the malformed file's summary counts every error")
    func unnamedCaseAndMalformedSummary() throws {
        let report = try Support.report("malformed.json")
        #expect(Support.result(report, "cases[18]")?.status == .ok)
        #expect(report.summary == "1 passed, 19 failed")
    }

    @Test("nan equals nan, infinities equal by sign, and the strings nan / inf / -inf parse anywhere")
    func nonFiniteValues() throws {
        let report = try Support.report("nonfinite.json")
        #expect(Support.result(report, "nan-equals-nan")?.status == .ok)
        #expect(Support.result(report, "nan-scalar-loss")?.status == .ok)
        #expect(Support.result(report, "inf-strings-in-args")?.status == .ok)
        #expect(Support.result(report, "minus-inf-matches")?.status == .ok)
        let sign = try #require(Support.result(report, "inf-versus-minus-inf"))
        #expect(sign.status == .fail)
        #expect(sign.details == ["output: max abs inf rel inf > tolerance (atol 1e-06, rtol 1e-05); 1 of 2 elements differ; first mismatch at [0, 1]: expected inf, got -inf"])
        let nan = try #require(Support.result(report, "nan-versus-number"))
        #expect(nan.status == .fail)
        #expect(nan.details.first?.hasSuffix("2 of 4 elements differ; first mismatch at [0, 0]: expected 0.0, got nan") == true)
    }

    @Test("A case's own rtol and atol override the defaults")
    func perCaseToleranceOverrides() throws {
        let report = try Support.report("tolerance.json")
        #expect(Support.result(report, "default-tolerance-fails")?.status == .fail)
        #expect(Support.result(report, "own-rtol-passes")?.status == .ok)
        #expect(Support.result(report, "own-atol-passes")?.status == .ok)
        #expect(Support.result(report, "zero-tolerance-exact-passes")?.status == .ok)
        let tight = try #require(Support.result(report, "own-rtol-still-too-tight"))
        #expect(tight.details.first?.contains("> tolerance (atol 1e-06, rtol 0.0001)") == true)
    }

    @Test("A shape mismatch fails the case with both shapes, even for one element against a scalar")
    func shapeMismatchFails() throws {
        let report = try Support.report("shape-mismatch.json")
        let transposed = try #require(Support.result(report, "transposed-output"))
        #expect(transposed.status == .fail)
        #expect(transposed.summary == "output shape mismatch")
        #expect(transposed.details == ["output: shape mismatch: expected [2, 1], got [1, 2]"])
        #expect(Support.result(report, "loss-as-one-element-array")?.details == ["output: shape mismatch: expected [1], got []"])
        #expect(Support.result(report, "shapes-match")?.status == .ok)
    }

    @Test("sgd checks its steps, skips a null gradient, and runs in float64 too")
    func optimizerCases() throws {
        let report = try Support.report("optim.json")
        #expect(Support.result(report, "sgd-two-steps")?.status == .ok)
        #expect(Support.result(report, "sgd-null-grad-skips")?.status == .ok)
        #expect(Support.result(report, "sgd-fewer-expected-steps")?.details
                == ["params: shape mismatch (steps x params): expected [1, 1], got [2, 1]"])
        #expect(Support.result(report, "sgd-float64")?.status == .ok)
        #expect(Support.result(report, "sgd-nesterov-with-dampening")?.error
                == "sgd: Nesterov momentum requires a momentum and zero dampening")
        #expect(Support.result(report, "sgd-grad-shape")?.error == "grads[0][0] has shape [3], params[0] has shape [2]")
        #expect(Support.result(report, "multistep-halving")?.status == .ok)
    }

    @Test("A file that is not JSON, has no cases or is missing is a file error, not a case failure")
    func fileErrors() throws {
        #expect(throws: ParityFileError.invalidJSON(path: Support.fixture("not-json.json"), reason: "Unexpected end of file during JSON parse.")) {
            try ParityFile.load(path: Support.fixture("not-json.json"))
        }
        #expect(throws: ParityFileError.notAReferenceFile(path: Support.fixture("no-cases.json"), reason: "the top-level object has no \"cases\"")) {
            try ParityFile.load(path: Support.fixture("no-cases.json"))
        }
        #expect(throws: ParityFileError.notAReferenceFile(path: Support.fixture("top-level-array.json"), reason: "the top level is an array, expected an object with \"cases\"")) {
            try ParityFile.load(path: Support.fixture("top-level-array.json"))
        }
        #expect(throws: ParityFileError.unreadable(path: "/nonexistent/parity.json", reason: "no such file")) {
            try ParityFile.load(path: "/nonexistent/parity.json")
        }
    }
}

@Suite("Comparison rule")
struct ComparisonTests {
    @Test("A value passes when |actual - expected| <= atol + rtol * |expected|, as numpy.allclose")
    func allcloseRule() {
        let t = Tolerance(rtol: 1e-5, atol: 1e-6)
        #expect(t.accepts(1.0 + 1.1e-5 - 1e-9, 1.0))
        #expect(!t.accepts(1.0 + 1.2e-5, 1.0))
        #expect(t.accepts(.nan, .nan))
        #expect(!t.accepts(.nan, 0))
        #expect(!t.accepts(0, .nan))
        #expect(t.accepts(.infinity, .infinity))
        #expect(t.accepts(-.infinity, -.infinity))
        #expect(!t.accepts(-.infinity, .infinity))
        #expect(!t.accepts(1e300, .infinity))
    }

    @Test("Relative difference ignores elements whose expected value is zero")
    func relativeDifferenceSkipsZeros() {
        let check = Check.compare(label: "output", expected: NDArray(shape: [2], values: [0, 2]),
                                  actual: NDArray(shape: [2], values: [1e-7, 2.000002]), tolerance: Tolerance())
        #expect(check.passed)
        #expect(abs(check.maxAbs - 2e-6) < 1e-12)
        #expect(abs(check.maxRel - 1e-6) < 1e-12)
    }

    @Test("Nested arrays parse to a shape, and a scalar is 0-d")
    func nestedArraysParse() throws {
        let v = JSONValue.array([.array([.number(1), .string("inf")]), .array([.string("-inf"), .string("nan")])])
        let a = try NDArray.parse(v, at: "x")
        #expect(a.shape == [2, 2])
        #expect(a.values[1] == .infinity && a.values[2] == -.infinity && a.values[3].isNaN)
        #expect(try NDArray.parse(.number(3), at: "x") == NDArray(shape: [], values: [3]))
        #expect(try NDArray.parse(.array([]), at: "x") == NDArray(shape: [0], values: []))
        #expect(throws: CaseError.self) { try NDArray.parse(.array([.array([]), .array([.number(1)])]), at: "x") }
    }
}

@Suite("Values the dtype cannot hold")
struct DtypeUnderflowTests {
    /// renorm's p is a tensor-typed value (0 as a Float32: a case error, never a trap); SGD's momentum
    /// is a Python float in torch, checked as such and converted in the kernel, so 1e-50 with
    /// Nesterov runs as in torch (momentum 0 in float32 arithmetic).
    @Test("A value that is positive as a Double but 0 as a Float32 is an error of its case where ArcFaceKit rejects it, never a trap")
    func underflowingValuesAreCaseErrors() throws {
        let run = try Support.runTool(["parity", Support.fixture("dtype-underflow.json")])
        #expect(run.status == 1, "stderr: \(run.stderr)")
        #expect(run.lines.contains { $0.hasPrefix("ERROR renorm-p-zero-as-float32 ") && $0.hasSuffix("error: renorm: p must be > 0 in Float, got 1e-50") })
        #expect(run.lines.contains { $0.hasPrefix("ok    sgd-nesterov-momentum-zero-as-float32") })
        #expect(run.lines.contains { $0.hasPrefix("ok    sgd-still-runs") })
        #expect(run.lines.last == "2 passed, 1 failed")
    }
}
