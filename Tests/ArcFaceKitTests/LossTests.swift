// softmax, log_softmax, nll_loss and cross_entropy: hand-computed values, numerical stability,
// torch's edge cases, finite-difference gradient checks in Float64 for every option combination,
// and PyTorch's values and gradients recorded in Reference/losses.json.

import Foundation
import Testing
@testable import ArcFaceKit

// MARK: Softmax and log-softmax

@Suite("Softmax and log-softmax")
struct SoftmaxTests {
    @Test func softmaxIsExpOverTheSumOfExpAlongTheDimension() {
        let x = DoubleTensor([[1, 2, 3], [0, 0, 0]])
        let y = x.softmax(dim: 1)
        let z = exp(1.0) + exp(2.0) + exp(3.0)
        let want = [exp(1.0) / z, exp(2.0) / z, exp(3.0) / z, 1.0 / 3, 1.0 / 3, 1.0 / 3]
        for (a, b) in zip(y.scalars, want) { #expect(abs(a - b) < 1e-15) }
        #expect(y.shape == [2, 3])
        // dim 0: each column sums to 1
        let c = x.softmax(dim: 0)
        for j in 0..<3 { #expect(abs(c[0, j] + c[1, j] - 1) < 1e-15) }
        #expect(x.softmax(dim: -1).scalars == y.scalars)
    }

    @Test func logSoftmaxIsTheLogOfSoftmax() {
        let x = GradCheck.random([2, 3, 4], seed: 7, in: -3...3)
        for d in [0, 1, 2, -1] {
            let a = x.logSoftmax(dim: d).scalars, b = x.softmax(dim: d).scalars.map { Foundation.log($0) }
            for (u, v) in zip(a, b) { #expect(abs(u - v) < 1e-12, "dim \(d)") }
        }
    }

    @Test func logSoftmaxOf1000And0IsFiniteAndExact() {
        #expect(Tensor([1000, 0]).logSoftmax(dim: 0).scalars == [0, -1000])
        #expect(Tensor([0, 1000]).logSoftmax(dim: 0).scalars == [-1000, 0])
        #expect(Tensor([1000, 0]).softmax(dim: 0).scalars == [1, 0])
        #expect(Tensor([[-1000, -1000]]).softmax(dim: 1).scalars == [0.5, 0.5])
    }

    @Test func softmaxOfArcFaceScaledLogitsStaysFinite() {
        // s = 64 times cosines of +-1: a logit gap of 128, beyond float32's exp range (e^88).
        let x = Tensor([[64, -64], [32, -32], [64, 64]])  // 64 * cos for cos = +-1, +-0.5, equal
        let y = x.softmax(dim: 1)
        #expect(y.scalars.allSatisfy { $0.isFinite })
        #expect(y[0, 0] == 1 && y[0, 1] == 0)  // e^-128 underflows to 0, as in torch
        #expect(abs(y[1, 1] - Float(exp(-64.0))) <= 1e-6 * Float(exp(-64.0)))
        #expect(y[2, 0] == 0.5 && y[2, 1] == 0.5)
        let lp = x.logSoftmax(dim: 1)
        #expect(lp[0, 0] == 0 && lp[0, 1] == -128)
        #expect(lp[1, 1] == -64 && lp[1, 0] == 0)  // log(1 + e^-64) rounds to 0 in float32
        #expect(abs(lp[2, 0] + Float(log(2.0))) < 1e-7)
    }

    @Test func aNaNPoisonsOnlyItsOwnLaneAndInfinitiesFollowTorch() {
        let y = Tensor([[1, .nan, 2], [1, 2, 3]]).softmax(dim: 1)
        #expect(y.row(0).scalars.allSatisfy { $0.isNaN })
        #expect(y.row(1).scalars.allSatisfy { $0.isFinite })
        // a masked (-inf) logit gets probability 0 and log-probability -inf; an all -inf row is NaN
        let masked = Tensor([[-.infinity, 0], [-.infinity, -.infinity]])
        #expect(masked.softmax(dim: 1).row(0).scalars == [0, 1])
        #expect(masked.logSoftmax(dim: 1).row(0).scalars == [-.infinity, 0])
        #expect(masked.logSoftmax(dim: 1).row(1).scalars.allSatisfy { $0.isNaN })
        #expect(Tensor([[.infinity, 0]]).softmax(dim: 1).scalars.allSatisfy { $0.isNaN })
    }

    @Test func aZeroDimensionalTensorHasSoftmax1AndLogSoftmax0() {
        #expect(Tensor(3.5).softmax(dim: 0).scalars == [1])
        #expect(Tensor(3.5).logSoftmax(dim: -1).scalars == [0])
        #expect(Tensor(3.5).softmax(dim: 0).shape == [])
        #expect(Tensor.zeros(2, 0).softmax(dim: 1).shape == [2, 0])
    }

    @Test func theOpsRecordTorchsGradFnNames() {
        let x = Tensor([[1, 2]]).requiresGrad_()
        #expect(x.softmax(dim: 1).gradFnName == "SoftmaxBackward0")
        #expect(x.logSoftmax(dim: 1).gradFnName == "LogSoftmaxBackward0")
        #expect(Softmax(dim: 1)(x).gradFnName == "SoftmaxBackward0")
        #expect(LogSoftmax(dim: -1)(x).gradFnName == "LogSoftmaxBackward0")
        #expect(withNoGrad { x.softmax(dim: 1) }.isLeaf)
    }

    @Test func backwardWithAnExplicitGradientGivesTheSoftmaxJacobianColumns() {
        // upstream one-hot e_j: dx_k = y_k (delta_kj - y_j), one column of diag(y) - y y^T
        let x = DoubleTensor([0.3, -1.2, 2.0, 0.5])
        for j in 0..<4 {
            let leaf = x.clone().requiresGrad_()
            let y = leaf.softmax(dim: 0)
            var e = [Double](repeating: 0, count: 4); e[j] = 1
            y.backward(DoubleTensor(e))
            for k in 0..<4 {
                let want = y[k] * ((k == j ? 1 : 0) - y[j])
                #expect(abs(leaf.grad![k] - want) < 1e-15)
            }
        }
    }

    @Test func backwardWithAnExplicitGradientGivesTheLogSoftmaxFormula() {
        // g_in = g - exp(y) * sum(g, dim), lane by lane along dim 0 of a (3, 2) tensor
        let leaf = DoubleTensor([[0.3, -1.2], [2.0, 0.5], [-0.7, 0.1]]).requiresGrad_()
        let y = leaf.logSoftmax(dim: 0)
        let g = DoubleTensor([[1, 2], [0.5, -1], [3, 0]])
        y.backward(g)
        for j in 0..<2 {
            let gsum = (0..<3).reduce(0.0) { $0 + g[$1, j] }
            for i in 0..<3 { #expect(abs(leaf.grad![i, j] - (g[i, j] - exp(y[i, j]) * gsum)) < 1e-14) }
        }
    }

    @Test(arguments: [0, 1, -1])
    func softmaxAndLogSoftmaxGradientsMatchFiniteDifferencesIn2D(dim: Int) {
        let x = GradCheck.random([4, 5], seed: 21, in: -2...2)
        GradCheck.check([x]) { $0[0].softmax(dim: dim) }
        GradCheck.check([x]) { $0[0].logSoftmax(dim: dim) }
    }

    @Test(arguments: [0, 1, 2, -1])
    func softmaxAndLogSoftmaxGradientsMatchFiniteDifferencesIn3D(dim: Int) {
        let x = GradCheck.random([2, 3, 4], seed: 22, in: -2...2)
        GradCheck.check([x]) { $0[0].softmax(dim: dim) }
        GradCheck.check([x]) { $0[0].logSoftmax(dim: dim) }
    }

    @Test func gradientsMatchFiniteDifferencesFor1DAndArcFaceScaledLogits() {
        GradCheck.check([GradCheck.random([6], seed: 23)]) { $0[0].softmax(dim: 0) }
        GradCheck.check([GradCheck.random([6], seed: 23)]) { $0[0].logSoftmax(dim: -1) }
        let scaled = GradCheck.random([3, 5], seed: 24) * 8  // logits within +-8: probabilities not saturated
        GradCheck.check([scaled]) { $0[0].softmax(dim: 1) }
        GradCheck.check([scaled]) { $0[0].logSoftmax(dim: 1) }
        // chained: softmax of log_softmax, so each op's backward sees a non-trivial upstream gradient
        GradCheck.check([GradCheck.random([3, 4], seed: 25)]) { $0[0].logSoftmax(dim: 1).softmax(dim: 0) }
    }
}

// MARK: NLL and cross-entropy

/// One combination of loss options, for the parameterised gradient checks.
struct LossOptions: CustomTestStringConvertible, Sendable {
    var crossEntropy: Bool
    var reduction: Reduction
    var weighted: Bool
    var ignoreHit: Bool
    var labelSmoothing: Double

    var testDescription: String {
        "\(crossEntropy ? "cross_entropy" : "nll_loss") \(reduction)\(weighted ? " weight" : "")"
            + "\(ignoreHit ? " ignore_index hit" : "")\(labelSmoothing > 0 ? " label_smoothing \(labelSmoothing)" : "")"
    }

    static let all: [LossOptions] = {
        var out: [LossOptions] = []
        for ce in [false, true] {
            for r in [Reduction.none, .mean, .sum] {
                for w in [false, true] {
                    for ig in [false, true] {
                        for eps in ce ? [0, 0.1, 1] : [0.0] {
                            out.append(LossOptions(crossEntropy: ce, reduction: r, weighted: w, ignoreHit: ig, labelSmoothing: eps))
                        }
                    }
                }
            }
        }
        return out
    }()

    /// The loss of `x` ((5, 4) or (4)) under these options.
    func loss(_ x: DoubleTensor) -> DoubleTensor {
        // a 1-D input's single target is never the ignored class (that would be a NaN mean, see the edge-case tests)
        let target = x.dim == 1 ? [3] : ignoreHit ? [1, 2, 0, 2, 3] : [1, 0, 3, 3, 2]
        let weight = weighted ? DoubleTensor([0.5, 2, 1.25, 0.75]) : nil
        return crossEntropy
            ? ArcFaceKit.crossEntropy(x, target, weight: weight, ignoreIndex: ignoreHit ? 2 : -100, reduction: reduction,
                                      labelSmoothing: labelSmoothing)
            : nllLoss(x, target, weight: weight, ignoreIndex: ignoreHit ? 2 : -100, reduction: reduction)
    }
}

@Suite("NLL and cross-entropy")
struct LossTests {
    let logits = DoubleTensor([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]])

    @Test func nllLossNegatesTheTargetEntryAndReducesByTheWeightSum() {
        let lp = DoubleTensor([[-0.5, -1.0, -2.0], [-3.0, -0.25, -1.5]])
        #expect(nllLoss(lp, [1, 2]).item() == (1.0 + 1.5) / 2)
        #expect(nllLoss(lp, [1, 2], reduction: .sum).item() == 2.5)
        #expect(nllLoss(lp, [1, 2], reduction: .none).scalars == [1.0, 1.5])
        let w = DoubleTensor([1, 2, 4])
        #expect(nllLoss(lp, [1, 2], weight: w, reduction: .none).scalars == [2.0, 6.0])
        #expect(nllLoss(lp, [1, 2], weight: w).item() == 8.0 / 6.0)  // divides by w[1] + w[2], not N
        #expect(nllLoss(lp, [1, 2], weight: w, reduction: .sum).item() == 8.0)
    }

    @Test func crossEntropyEqualsNLLOfLogSoftmaxWithTheModules() {
        let x = Tensor.randn([4, 6], generator: Generator(seed: 5)), y = [5, 0, 2, 2]
        let ce = CrossEntropyLoss(), nll = NLLLoss(), logSoftmax = LogSoftmax(dim: 1)
        #expect(ce(x, y).item() == nll(logSoftmax(x), y).item())
        #expect(ce(x, y).item() == crossEntropy(x, y).item())
        // and their gradients agree
        let a = x.clone().requiresGrad_(), b = x.clone().requiresGrad_()
        ce(a, y).backward()
        nll(logSoftmax(b), y).backward()
        #expect(a.grad!.scalars == b.grad!.scalars)
        // the softmax-minus-one-hot form of cross-entropy's gradient, divided by N
        let p = x.softmax(dim: 1)
        for i in 0..<4 {
            for c in 0..<6 {
                #expect(abs(a.grad![i, c] - (p[i, c] - (c == y[i] ? 1 : 0)) / 4) < 1e-7)
            }
        }
        let withOptions = CrossEntropyLoss(weight: Tensor([1, 2, 3, 1, 1, 1]), ignoreIndex: 0, reduction: .sum, labelSmoothing: 0.1)
        #expect(withOptions(x, y).item() == crossEntropy(x, y, weight: Tensor([1, 2, 3, 1, 1, 1]), ignoreIndex: 0,
                                                         reduction: .sum, labelSmoothing: 0.1).item())
        #expect(NLLLossOf<Double>(reduction: .none)(logits, [0, 2]).shape == [2])
    }

    @Test func labelSmoothingFollowsTorchsFormulaWithWeightsAndIgnoreIndex() {
        // (1 - eps) * nll + eps / C * smooth, both sums divided by the target-weight sum of kept rows
        let x = DoubleTensor([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0], [0.2, 0.1, -0.3]])
        let w = [0.5, 2.0, 1.5], t = [1, 2, 0], eps = 0.2, C = 3.0
        let lp = x.logSoftmax(dim: 1)
        func row(_ i: Int) -> (nll: Double, smooth: Double) {
            (-w[t[i]] * lp[i, t[i]], -(0..<3).reduce(0.0) { $0 + w[$1] * lp[i, $1] })
        }
        // target 0 of row 2 is ignored (ignoreIndex 0)
        let (r0, r1) = (row(0), row(1))
        let W = w[t[0]] + w[t[1]]
        let want = (1 - eps) * (r0.nll + r1.nll) / W + eps / C * (r0.smooth + r1.smooth) / W
        let got = crossEntropy(x, t, weight: DoubleTensor(w), ignoreIndex: 0, labelSmoothing: eps)
        #expect(abs(got.item() - want) < 1e-14)
        let none = crossEntropy(x, t, weight: DoubleTensor(w), ignoreIndex: 0, reduction: .none, labelSmoothing: eps)
        #expect(abs(none[0] - ((1 - eps) * r0.nll + eps / C * r0.smooth)) < 1e-14)
        #expect(none[2] == 0)
        // without weights the smooth part is averaged over the kept rows
        let plain = crossEntropy(x, t, ignoreIndex: 0, labelSmoothing: eps)
        let p0 = -lp[0, 1], p1 = -lp[1, 2]
        let s0 = -(0..<3).reduce(0.0) { $0 + lp[0, $1] }, s1 = -(0..<3).reduce(0.0) { $0 + lp[1, $1] }
        #expect(abs(plain.item() - ((1 - eps) * (p0 + p1) / 2 + eps / C * (s0 + s1) / 2)) < 1e-14)
    }

    @Test func gradFnIsNllLossBackwardWithoutSmoothingAndAddBackwardWithIt() {
        let x = logits.clone().requiresGrad_()
        #expect(nllLoss(x, [0, 1]).gradFnName == "NllLossBackward0")
        #expect(crossEntropy(x, [0, 1]).gradFnName == "NllLossBackward0")
        #expect(crossEntropy(x, [0, 1], reduction: .none).gradFnName == "NllLossBackward0")
        #expect(crossEntropy(x, [0, 1], labelSmoothing: 0.1).gradFnName == "AddBackward0")
        #expect(withNoGrad { crossEntropy(x, [0, 1]) }.isLeaf)
    }

    @Test func everyTargetIgnoredGivesNaNMeanZeroSumAndZeroGradients() {
        for eps in [0.0, 0.1] {
            for weight in [nil, DoubleTensor([1, 2, 3])] {
                let x = logits.clone().requiresGrad_()
                let mean = crossEntropy(x, [-100, -100], weight: weight, labelSmoothing: eps)
                #expect(mean.item().isNaN)
                mean.backward()
                #expect(x.grad!.scalars.allSatisfy { $0 == 0 }, "torch writes no gradient for ignored rows, even under a NaN mean")
                #expect(crossEntropy(logits, [-100, -100], weight: weight, reduction: .sum, labelSmoothing: eps).item() == 0)
                #expect(crossEntropy(logits, [-100, -100], weight: weight, reduction: .none, labelSmoothing: eps).scalars == [0, 0])
            }
        }
        #expect(nllLoss(logits, [-100, -100]).item().isNaN)
    }

    @Test func targetsOfZeroTotalWeightGiveNaNLikeTorch() {
        // kept rows whose class weight is 0: mean is 0 / 0, and the gradient 0 * inf = NaN on those rows
        let x = logits.clone().requiresGrad_()
        let loss = nllLoss(x, [0, -100], weight: DoubleTensor([0, 1, 1]))
        #expect(loss.item().isNaN)
        loss.backward()
        #expect(x.grad![0, 0].isNaN && x.grad![0, 1] == 0 && x.grad!.row(1).scalars == [0, 0, 0])
    }

    @Test func aOneDimensionalInputTakesOneTargetAndGivesAZeroDimensionalLoss() {
        let x = DoubleTensor([1.0, 2.0, 0.5])
        let none = crossEntropy(x, [1], reduction: .none)
        #expect(none.shape == [])
        #expect(crossEntropy(x, [1]).item() == crossEntropy(x.unsqueeze(0), [1]).item())
        #expect(nllLoss(x, [2], reduction: .none).item() == -0.5)
        #expect(crossEntropy(x, [-100]).item().isNaN)
        #expect(crossEntropy(x, [-100], reduction: .none).item() == 0)
        let smoothed = crossEntropy(x, [1], weight: DoubleTensor([1, 2, 3]), labelSmoothing: 0.25)
        #expect(abs(smoothed.item() - crossEntropy(x.unsqueeze(0), [1], weight: DoubleTensor([1, 2, 3]), labelSmoothing: 0.25).item()) < 1e-15)
    }

    @Test func anEmptyBatchGivesNaNMeanZeroSumAndAnEmptyNoneLikeTorch() {
        let x = DoubleTensor.zeros(0, 4)
        #expect(nllLoss(x, []).item().isNaN)
        #expect(nllLoss(x, [], reduction: .sum).item() == 0)
        #expect(nllLoss(x, [], reduction: .none).shape == [0])
        #expect(crossEntropy(x, [], labelSmoothing: 0.1).item().isNaN)
    }

    @Test func aNegativeLabelSmoothingIsIgnoredAsInTorch() {
        #expect(crossEntropy(logits, [0, 1], labelSmoothing: -0.1).item() == crossEntropy(logits, [0, 1]).item())
    }

    @Test func aMaskedLogitOffTheTargetIsFineWithoutSmoothing() {
        // eps = 0 never evaluates the smoothing sum, so -inf log-probabilities elsewhere do not make 0 * inf
        let x = Tensor([[0.5, -.infinity, 1.0]]).requiresGrad_()
        let loss = crossEntropy(x, [0])
        #expect(loss.item().isFinite)
        loss.backward()
        #expect(x.grad!.scalars.allSatisfy { $0.isFinite } && x.grad![0, 1] == 0)
        #expect(crossEntropy(x, [0], labelSmoothing: 0.1).item() == .infinity)
    }

    @Test func anOutOfRangeTargetFailsWithTorchsMessage() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = nllLoss(Tensor.zeros(2, 3), [0, 3])
        }
        if let result {
            #expect(String(decoding: result.standardErrorContent, as: UTF8.self).contains("Target 3 is out of bounds."))
        }
        await #expect(processExitsWith: .failure) { _ = crossEntropy(Tensor.zeros(2, 3), [-1, 0]) }
        await #expect(processExitsWith: .failure) { _ = crossEntropy(Tensor.zeros(3), [5], labelSmoothing: 0.1) }
    }

    @Test func badShapesAndSmoothingAboveOneFailLikeTorch() async {
        await #expect(processExitsWith: .failure) { _ = crossEntropy(Tensor.zeros(2, 3), [0]) }
        await #expect(processExitsWith: .failure) { _ = nllLoss(Tensor.zeros(2, 3), [0, 1], weight: Tensor.ones(2)) }
        await #expect(processExitsWith: .failure) { _ = crossEntropy(Tensor.zeros(2, 3, 4), [0, 1]) }
        await #expect(processExitsWith: .failure) { _ = crossEntropy(Tensor.zeros(2, 3), [0, 1], labelSmoothing: 1.5) }
    }

    @Test(arguments: LossOptions.all)
    func lossGradientsMatchFiniteDifferences(_ options: LossOptions) {
        GradCheck.check([GradCheck.random([5, 4], seed: 31, in: -2...2)]) { options.loss($0[0]) }
        GradCheck.check([GradCheck.random([4], seed: 32, in: -2...2)]) { options.loss($0[0]) }
    }

    @Test func lossGradientsMatchFiniteDifferencesForArcFaceScaledLogits() {
        // s = 64 times cosines: the loss is large but smooth (in Float64)
        let x = GradCheck.random([3, 5], seed: 33) * 64
        let w = DoubleTensor([1, 0.5, 2, 1, 1.5])
        GradCheck.check([x]) { crossEntropy($0[0], [4, 1, 0]) }
        GradCheck.check([x]) { crossEntropy($0[0], [4, 1, 0], weight: w, reduction: .none, labelSmoothing: 0.1) }
        GradCheck.check([x], atol: 1e-5) { crossEntropy($0[0], [4, 1, 0], weight: w, reduction: .sum, labelSmoothing: 0.1) }
    }

    @Test func nllLossGradientsFlowThroughLogSoftmaxIntoAnUpstreamGraph() {
        // loss(logSoftmax(a mm b)): nll's and log_softmax's backwards composed with mm's
        let a = GradCheck.random([3, 4], seed: 34), b = GradCheck.random([4, 5], seed: 35)
        GradCheck.check([a, b]) { nllLoss($0[0].mm($0[1]).logSoftmax(dim: 1), [4, 0, 2], weight: DoubleTensor([1, 2, 3, 4, 5])) }
    }
}

// MARK: PyTorch reference (Reference/losses.json)

/// Reference/losses.json, written by Reference/losses_reference.py.
struct LossReferenceFile: Decodable, Sendable {
    let torch_version: String
    let cases: [LossReferenceCase]

    static func load() throws -> LossReferenceFile {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Reference/losses.json")
        return try JSONDecoder().decode(LossReferenceFile.self, from: Data(contentsOf: url))
    }
}

struct LossReferenceCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let op: String
    let input: ReferenceTensor
    let target: [Int]?
    let weight: ReferenceTensor?
    let dim: Int?
    let ignore_index: Int
    let reduction: String
    let label_smoothing: Double
    let output: ReferenceTensor
    let grad_output: ReferenceTensor
    let grad_fn: String
    let grad_input: ReferenceTensor

    var testDescription: String { name }

    var reductionValue: Reduction {
        switch reduction {
        case "none": .none
        case "sum": .sum
        default: .mean
        }
    }

    /// Runs the case through ArcFaceKit (float32) on `x`.
    func run(_ x: Tensor) -> Tensor {
        switch op {
        case "softmax": return x.softmax(dim: dim!)
        case "log_softmax": return x.logSoftmax(dim: dim!)
        case "nll_loss":
            return nllLoss(x, target!, weight: weight?.tensor, ignoreIndex: ignore_index, reduction: reductionValue)
        default:
            return crossEntropy(x, target!, weight: weight?.tensor, ignoreIndex: ignore_index, reduction: reductionValue,
                                labelSmoothing: Float(label_smoothing))
        }
    }
}

/// Losses sum over classes, so they get a looser relative tolerance than single ops.
func expectLossClose(_ actual: Tensor, _ expected: ReferenceTensor, _ what: String,
                     sourceLocation: SourceLocation = #_sourceLocation) {
    expectClose(actual, expected, what, rtol: 1e-5, sourceLocation: sourceLocation)
}

@Suite("PyTorch reference: losses")
struct LossReferenceTests {
    @Test func referenceFileRecordsTheTorchVersionAndCoversEveryOption() throws {
        let file = try LossReferenceFile.load()
        #expect(!file.torch_version.isEmpty)
        #expect(file.cases.count >= 20)
        let cases = file.cases
        #expect(Set(cases.map(\.op)) == ["softmax", "log_softmax", "nll_loss", "cross_entropy"])
        #expect(Set(cases.map(\.reduction)) == ["none", "mean", "sum"])
        #expect(cases.contains { $0.weight != nil && $0.label_smoothing > 0 && $0.target!.contains($0.ignore_index) })
        #expect(cases.contains { $0.op == "cross_entropy" && $0.input.shape.count == 1 })
        #expect(cases.contains { $0.reduction == "mean" && $0.output.data.first!.isNaN })
        #expect(cases.contains { $0.input.data.contains { abs($0) > 60 } })
    }

    @Test(arguments: try LossReferenceFile.load().cases)
    func caseMatchesPyTorchInValueAndGradient(_ c: LossReferenceCase) {
        let x = c.input.tensor.requiresGrad_()
        let out = c.run(x)
        expectLossClose(out, c.output, "\(c.name): output")
        #expect(out.gradFnName == c.grad_fn, "\(c.name): grad_fn")
        out.backward(c.grad_output.tensor)
        guard let grad = x.grad else { Issue.record("\(c.name): no gradient"); return }
        expectLossClose(grad, c.grad_input, "\(c.name): gradient")
    }

    @Test(arguments: try LossReferenceFile.load().cases)
    func caseMatchesPyTorchInFloat64Too(_ c: LossReferenceCase) {
        // the same op in Double, rounded to float32 at the end, agrees with torch's float32 as well
        let x = DoubleTensor(shape: c.input.shape, scalars: c.input.data.map(Double.init)).requiresGrad_()
        let weight = c.weight.map { DoubleTensor(shape: $0.shape, scalars: $0.data.map(Double.init)) }
        let out: DoubleTensor
        switch c.op {
        case "softmax": out = x.softmax(dim: c.dim!)
        case "log_softmax": out = x.logSoftmax(dim: c.dim!)
        case "nll_loss": out = nllLoss(x, c.target!, weight: weight, ignoreIndex: c.ignore_index, reduction: c.reductionValue)
        default:
            out = crossEntropy(x, c.target!, weight: weight, ignoreIndex: c.ignore_index, reduction: c.reductionValue,
                               labelSmoothing: c.label_smoothing)
        }
        func float(_ t: DoubleTensor) -> Tensor { Tensor(shape: t.shape, scalars: t.scalars.map(Float.init)) }
        expectLossClose(float(out), c.output, "\(c.name): float64 output")
        out.backward(DoubleTensor(shape: c.grad_output.shape, scalars: c.grad_output.data.map(Double.init)))
        expectLossClose(float(x.grad!), c.grad_input, "\(c.name): float64 gradient")
    }
}
