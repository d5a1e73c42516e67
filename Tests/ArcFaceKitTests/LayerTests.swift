// Layers: linear and batchNorm against finite differences (Float64) and PyTorch (Reference/layers.json),
// and the Module API (torch's parameter names, train/eval, zeroGrad, initialisation).

import Foundation
import Testing
@testable import ArcFaceKit

// MARK: - Reference file (written by Reference/layers_reference.py)

/// A float32 tensor as stored in layers.json.
struct LayerRefTensor: Decodable, Sendable {
    let shape: [Int]
    let data: [Float]
    var tensor: Tensor { Tensor(shape: shape, scalars: data) }
}

/// The contents of Reference/layers.json.
struct LayersReference: Decodable, Sendable {
    struct LinearCase: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let bias: Bool
        let x, weight, gradOutput, output, gradX, gradWeight: LayerRefTensor
        let biasValue, gradBias: LayerRefTensor?
        var testDescription: String { name }
    }

    struct BatchNormStep: Decodable, Sendable {
        let x, gradOutput, output, gradX, runningMean, runningVar: LayerRefTensor
        let gradWeight, gradBias: LayerRefTensor?
        let numBatchesTracked: Int
    }

    struct BatchNormCase: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let numFeatures: Int
        let momentum: Float?
        let affine: Bool
        let weight, bias: LayerRefTensor?
        let train: [BatchNormStep]
        let eval: BatchNormStep
        var testDescription: String { name }
    }

    // Python floats, as torch's optimizer keeps them.
    struct SGDOptions: Decodable, Sendable {
        let lr: Double?
        let momentum, dampening, weightDecay: Double?
        let nesterov: Bool?
    }

    struct SGDGroup: Decodable, Sendable {
        let params: [Int]
        let lr, momentum, dampening, weightDecay: Double?
        let nesterov: Bool?
    }

    struct SGDStep: Decodable, Sendable {
        let grads: [LayerRefTensor?]
        let params: [LayerRefTensor]
    }

    struct SGDCase: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let defaults: SGDOptions
        let groups: [SGDGroup]
        let initial: [LayerRefTensor]
        let steps: [SGDStep]
        var testDescription: String { name }
    }

    struct MultiStepCase: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let lrs: [Double]
        let milestones: [Int]
        let gamma: Double
        let epochs: Int
        let epochLrs: [[Double]]
        let lastLrs: [[Double]]
        var testDescription: String { name }
    }

    let torchVersion: String
    let linear: [LinearCase]
    let batchnorm: [BatchNormCase]
    let sgd: [SGDCase]
    let multistep: [MultiStepCase]

    /// Read from the source tree next to this file (the test target declares no resources).
    static func load() throws -> LayersReference {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Reference/layers.json")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(LayersReference.self, from: Data(contentsOf: url))
    }
}

/// Expects `actual` to have the reference's shape and, elementwise, `|a - e| <= atol + rtol |e|`.
func expectMatchesTorch(_ actual: Tensor?, _ expected: LayerRefTensor?, _ what: String,
                        rtol: Float = 1e-5, atol: Float = 1e-6, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let expected else {
        #expect(actual == nil, "\(what): torch has none", sourceLocation: sourceLocation)
        return
    }
    guard let actual else { Issue.record("\(what): missing", sourceLocation: sourceLocation); return }
    #expect(actual.shape == expected.shape, "\(what): shape", sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    var bad: [String] = []
    for (i, (a, e)) in zip(actual.scalars, expected.data).enumerated() where !(abs(a - e) <= atol + rtol * abs(e)) {
        bad.append("[\(i)] got \(a), torch \(e)")
    }
    if !bad.isEmpty {
        Issue.record("\(what): \(bad.count) of \(expected.data.count) differ; first: \(bad.prefix(4).joined(separator: "; "))",
                     sourceLocation: sourceLocation)
    }
}

// MARK: - linear

@Suite("Linear")
struct LinearTests {
    @Test func linearGradientsForInputWeightAndBiasMatchFiniteDifferences() {
        GradCheck.check([GradCheck.random([4, 3], seed: 1), GradCheck.random([5, 3], seed: 2), GradCheck.random([5], seed: 3)]) {
            linear($0[0], weight: $0[1], bias: $0[2])
        }
    }

    @Test func linearWithoutBiasAndOnA3DInputMatchesFiniteDifferences() {
        GradCheck.check([GradCheck.random([6, 2], seed: 4), GradCheck.random([3, 2], seed: 5)]) {
            linear($0[0], weight: $0[1])
        }
        GradCheck.check([GradCheck.random([2, 3, 4], seed: 6), GradCheck.random([5, 4], seed: 7), GradCheck.random([5], seed: 8)]) {
            linear($0[0], weight: $0[1], bias: $0[2])
        }
    }

    @Test func linearBackwardWithAnExplicitGradientIsTheHandComputedProducts() {
        // y = x W^T + b with x (2, 2), W (3, 2); dx = g W, dW = g^T x, db = column sums of g.
        let x = DoubleTensor([[1, 2], [3, 4]]).requiresGrad_()
        let w = DoubleTensor([[1, 0], [0, 1], [1, 1]]).requiresGrad_()
        let b = DoubleTensor([10, 20, 30]).requiresGrad_()
        let y = linear(x, weight: w, bias: b)
        #expect(y.scalars == [11, 22, 33, 13, 24, 37])
        #expect(y.gradFnName == "AddmmBackward0")
        y.backward(DoubleTensor([[1, 0, 2], [0, 1, -1]]))
        #expect(x.grad?.scalars == [3, 2, -1, 0])
        #expect(w.grad?.scalars == [1, 2, 3, 4, -1, 0])
        #expect(b.grad?.scalars == [1, 1, 1])
    }

    @Test(arguments: try LayersReference.load().linear)
    func linearModuleMatchesPyTorch(_ c: LayersReference.LinearCase) {
        let m = Linear(c.weight.shape[1], c.weight.shape[0], bias: c.bias, generator: Generator(seed: 0))
        m.weight.scalars = c.weight.data
        if let b = c.biasValue { m.bias?.scalars = b.data }
        let x = c.x.tensor.requiresGrad_()
        let y = m(x)
        expectMatchesTorch(y, c.output, "\(c.name): output")
        y.backward(c.gradOutput.tensor)
        expectMatchesTorch(x.grad, c.gradX, "\(c.name): grad x")
        expectMatchesTorch(m.weight.grad, c.gradWeight, "\(c.name): grad weight")
        expectMatchesTorch(m.bias?.grad, c.gradBias, "\(c.name): grad bias")
    }

    @Test func linearInitIsUniformWithinOneOverSqrtInDrawnWeightFirstThenBias() {
        let m = Linear(16, 5, generator: Generator(seed: 3))
        #expect(m.weight.shape == [5, 16] && m.bias?.shape == [5])
        #expect(m.weight.requiresGrad && m.bias?.requiresGrad == true && m.weight.isLeaf)
        let bound: Float = 0.25
        let g = Generator(seed: 3)
        #expect(m.weight.scalars == Tensor.zeros(5, 16).uniform_(-bound, bound, generator: g).scalars)
        #expect(m.bias?.scalars == Tensor.zeros(5).uniform_(-bound, bound, generator: g).scalars)
        #expect(Linear(16, 5, generator: Generator(seed: 3)).weight.scalars == m.weight.scalars)
        #expect(Linear(16, 5, generator: Generator(seed: 4)).weight.scalars != m.weight.scalars)
    }

    @Test func linearInitHasTheMomentsOfUMinusBoundBound() {
        let m = Linear(100, 300, generator: Generator(seed: 11))
        let w = m.weight.scalars.map(Double.init)
        let bound = 0.1
        #expect(w.allSatisfy { abs($0) <= bound })
        let mean = w.reduce(0, +) / Double(w.count)
        let variance = w.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(w.count)
        #expect(abs(mean) < 0.003)
        #expect(abs(variance - bound * bound / 3) < 0.0002)  // U(-b, b) has variance b^2/3
        #expect(w.max()! > 0.099 && w.min()! < -0.099)
    }

    @Test func linearWithoutBiasHasOnlyAWeightParameter() {
        let m = Linear(3, 2, bias: false, generator: Generator(seed: 1))
        #expect(m.bias == nil)
        #expect(m.namedParameters().map(\.0) == ["weight"])
        #expect(m(Tensor.ones(4, 3)).shape == [4, 2])
    }
}

// MARK: - batchNorm

@Suite("BatchNorm")
struct BatchNormTests {
    static var x: DoubleTensor { GradCheck.random([6, 3], seed: 21, in: -2...2) }
    static var w: DoubleTensor { GradCheck.random([3], seed: 22, in: 0.5...1.5) }
    static var b: DoubleTensor { GradCheck.random([3], seed: 23) }

    @Test func trainingModeGradientsForInputWeightAndBiasMatchFiniteDifferences() {
        GradCheck.check([Self.x, Self.w, Self.b]) {
            batchNorm($0[0], runningMean: nil, runningVar: nil, weight: $0[1], bias: $0[2], training: true)
        }
        // Without affine parameters, and with running statistics being updated on every call.
        let rm = DoubleTensor.zeros(3), rv = DoubleTensor.ones(3)
        GradCheck.check([Self.x]) { batchNorm($0[0], runningMean: rm, runningVar: rv, training: true) }
    }

    @Test func evalModeGradientsForInputWeightAndBiasMatchFiniteDifferences() {
        let rm = GradCheck.random([3], seed: 24), rv = GradCheck.random([3], seed: 25, in: 0.2...2)
        GradCheck.check([Self.x, Self.w, Self.b]) {
            batchNorm($0[0], runningMean: rm, runningVar: rv, weight: $0[1], bias: $0[2], training: false)
        }
    }

    @Test func threeDimensionalInputGradientsMatchFiniteDifferences() {
        let x = GradCheck.random([3, 2, 4], seed: 26, in: -2...2)
        GradCheck.check([x, GradCheck.random([2], seed: 27, in: 0.5...1.5), GradCheck.random([2], seed: 28)]) {
            batchNorm($0[0], runningMean: nil, runningVar: nil, weight: $0[1], bias: $0[2], training: true)
        }
    }

    @Test func trainingBackwardWithAnExplicitGradientMatchesTheComposedFormula() {
        // dx = w * invstd / n * (n g - sum g - xhat * sum(g xhat)), checked per column by hand.
        let x = DoubleTensor([[1, 10], [2, 20], [4, 0]]).requiresGrad_()
        let w = DoubleTensor([2, 3]).requiresGrad_(), b = DoubleTensor([0, 1]).requiresGrad_()
        let g = DoubleTensor([[1, 0], [0, 1], [2, -1]])
        let y = batchNorm(x, runningMean: nil, runningVar: nil, weight: w, bias: b, training: true, eps: 0)
        #expect(y.gradFnName == "NativeBatchNormBackward0")
        y.backward(g)
        for c in 0..<2 {
            let col = (0..<3).map { x[$0, c] }, gc = (0..<3).map { g[$0, c] }
            let mean = col.reduce(0, +) / 3
            let invstd = 1 / (col.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 3).squareRoot()
            let xhat = col.map { ($0 - mean) * invstd }
            let sumG = gc.reduce(0, +), sumGX = zip(gc, xhat).map(*).reduce(0, +)
            for r in 0..<3 {
                #expect(abs(y[r, c] - (xhat[r] * w[c] + b[c])) < 1e-12)
                let dx = w[c] * invstd / 3 * (3 * gc[r] - sumG - xhat[r] * sumGX)
                #expect(abs(x.grad![r, c] - dx) < 1e-12)
            }
            #expect(abs(w.grad![c] - sumGX) < 1e-12 && abs(b.grad![c] - sumG) < 1e-12)
        }
    }

    @Test func trainingUpdatesRunningStatisticsWithTheUnbiasedVarianceAndEvalLeavesThemAlone() {
        let x = DoubleTensor([[1, -1], [2, 0], [6, 4]])   // column means 3 and 1; unbiased variances 7 and 7
        let rm = DoubleTensor([1, 1]), rv = DoubleTensor([2, 2])
        _ = batchNorm(x, runningMean: rm, runningVar: rv, training: true, momentum: 0.25)
        #expect(zip(rm.scalars, [0.75 * 1 + 0.25 * 3, 0.75 * 1 + 0.25 * 1]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(zip(rv.scalars, [0.75 * 2 + 0.25 * 7, 0.75 * 2 + 0.25 * 7]).allSatisfy { abs($0 - $1) < 1e-12 })
        let (m0, v0) = (rm.scalars, rv.scalars)
        let y = batchNorm(x, runningMean: rm, runningVar: rv, training: false, eps: 0)
        #expect(rm.scalars == m0 && rv.scalars == v0)
        #expect(abs(y[0, 0] - (1 - m0[0]) / v0[0].squareRoot()) < 1e-12)
    }

    @Test(arguments: try LayersReference.load().batchnorm)
    func batchNorm1dMatchesPyTorchOverThreeTrainingBatchesAndEval(_ c: LayersReference.BatchNormCase) {
        let bn = BatchNorm1d(c.numFeatures, momentum: c.momentum, affine: c.affine)
        if let w = c.weight { bn.weight?.scalars = w.data }
        if let b = c.bias { bn.bias?.scalars = b.data }
        func check(_ s: LayersReference.BatchNormStep, _ what: String) {
            bn.zeroGrad()
            let x = s.x.tensor.requiresGrad_()
            let y = bn(x)
            expectMatchesTorch(y, s.output, "\(what) output")
            y.backward(s.gradOutput.tensor)
            expectMatchesTorch(x.grad, s.gradX, "\(what) grad x")
            expectMatchesTorch(bn.weight?.grad, s.gradWeight, "\(what) grad weight")
            expectMatchesTorch(bn.bias?.grad, s.gradBias, "\(what) grad bias")
            expectMatchesTorch(bn.runningMean, s.runningMean, "\(what) running_mean")
            expectMatchesTorch(bn.runningVar, s.runningVar, "\(what) running_var")
            #expect(bn.numBatchesTracked == s.numBatchesTracked, "\(what) num_batches_tracked")
        }
        for (i, s) in c.train.enumerated() { check(s, "\(c.name), training batch \(i)") }
        bn.eval()
        check(c.eval, "\(c.name), eval")
    }

    @Test func batchNorm1dStartsWithTorchsParametersAndBuffers() {
        let bn = BatchNorm1d(4)
        #expect(bn.weight?.scalars == [1, 1, 1, 1] && bn.bias?.scalars == [0, 0, 0, 0])
        #expect(bn.runningMean.scalars == [0, 0, 0, 0] && bn.runningVar.scalars == [1, 1, 1, 1])
        #expect(bn.numBatchesTracked == 0 && bn.training)
        #expect(bn.namedParameters().map(\.0) == ["weight", "bias"])
        #expect(bn.namedBuffers().map(\.0) == ["running_mean", "running_var"])
        #expect(BatchNorm1d(4, affine: false).parameters().isEmpty)
        // Eval before any training normalises with mean 0, variance 1: y = x / sqrt(1 + eps).
        bn.eval()
        let y = bn(Tensor([[2, 0, -1, 4]]))
        #expect(abs(y[0, 0] - 2 / Float(1 + 1e-5).squareRoot()) < 1e-6)
        #expect(bn.numBatchesTracked == 0)
    }

    @Test func trainingOnOneValuePerChannelIsRefusedLikeTorch() async {
        await #expect(processExitsWith: .failure) {
            _ = BatchNorm1d(3)(Tensor.ones(1, 3))
        }
    }
}

// MARK: - Modules

@Suite("Modules")
struct ModuleTests {
    static func model() -> Sequential {
        let g = Generator(seed: 5)
        return Sequential(Linear(4, 3, generator: g), BatchNorm1d(3), ReLU(), Linear(3, 2, bias: false, generator: g), L2Norm())
    }

    @Test func namedParametersUseTorchsDottedIndexNamesAndBuffersAreSeparate() {
        let m = Self.model()
        #expect(m.namedParameters().map(\.0) == ["0.weight", "0.bias", "1.weight", "1.bias", "3.weight"])
        #expect(m.namedBuffers().map(\.0) == ["1.running_mean", "1.running_var"])
        #expect(m.parameters().count == 5)
        #expect(m.parameters()[4] === (m[3] as! Linear).weight)
        let nested = Sequential(Sequential(Linear(2, 2, generator: Generator(seed: 1)), ReLU()), Linear(2, 1, generator: Generator(seed: 2)))
        #expect(nested.namedParameters().map(\.0) == ["0.0.weight", "0.0.bias", "1.weight", "1.bias"])
        #expect(nested.namedModules().map(\.0) == ["", "0", "0.0", "0.1", "1"])
    }

    @Test func aModuleSharedTwiceContributesItsParametersOnce() {
        let shared = Linear(2, 2, generator: Generator(seed: 1))
        let m = Sequential(shared, ReLU(), shared)
        #expect(m.namedParameters().map(\.0) == ["0.weight", "0.bias"])
    }

    @Test func trainAndEvalPropagateThroughNestedSequentials() {
        let inner = Sequential(BatchNorm1d(2), ReLU())
        let m = Sequential(Linear(2, 2, generator: Generator(seed: 1)), inner)
        #expect(m.modules().allSatisfy { $0.training })
        m.eval()
        #expect(m.modules().allSatisfy { !$0.training })
        #expect(!(inner[0] as! BatchNorm1d).training)
        m.train()
        #expect(m.modules().allSatisfy { $0.training })
        m.train(false)
        #expect(!m.training && !inner.training)
    }

    @Test func sequentialAppliesItsLayersInOrderAndRecordsTheGraph() {
        let m = Self.model()
        let x = Tensor.randn([5, 4], generator: Generator(seed: 9))
        let y = m(x)
        var h = x
        for layer in m.layers { h = layer(h) }
        #expect(y.scalars == h.scalars && y.shape == [5, 2])
        // L2Norm makes every row a unit vector.
        for r in 0..<5 { #expect(abs((y[r, 0] * y[r, 0] + y[r, 1] * y[r, 1]) - 1) < 1e-5) }
        #expect(y.requiresGrad)
    }

    @Test func zeroGradSetsEveryParametersGradToNil() {
        let m = Self.model()
        let y = m(Tensor.randn([4, 4], generator: Generator(seed: 10)))
        y.backward(Tensor.ones(4, 2))
        #expect(m.parameters().allSatisfy { $0.grad != nil })
        m.zeroGrad()
        #expect(m.parameters().allSatisfy { $0.grad == nil })
    }

    @Test func evalModeUsesRunningStatisticsSoAnEvalForwardIsPerSample() {
        let m = Sequential(Linear(3, 4, generator: Generator(seed: 2)), BatchNorm1d(4))
        for s in 0..<3 { _ = m(Tensor.randn([8, 3], generator: Generator(seed: 30 + s))) }
        m.eval()
        let x = Tensor.randn([6, 3], generator: Generator(seed: 40))
        let all = m(x)
        let firstAlone = m(Tensor(shape: [1, 3], scalars: Array(x.scalars[0..<3])))
        for (a, b) in zip(all.scalars[0..<4], firstAlone.scalars) { #expect(abs(a - b) <= 1e-6 * max(1, abs(b))) }
    }

    @Test func l2NormModulePassesGradientsThroughTheComposedOps() {
        GradCheck.check([GradCheck.random([3, 4], seed: 50)]) { l2_norm($0[0], axis: 1) }
        let x = Tensor([[3, 4]]).requiresGrad_()
        let y = L2Norm()(x)
        #expect(y.scalars == [0.6, 0.8])
        y.backward(Tensor([[1, 0]]))
        // d(x0 / |x|)/dx = (1/|x|) (e0 - y0 y) = (1/5) ([1, 0] - 0.6 [0.6, 0.8])
        #expect(abs(x.grad![0, 0] - 0.128) < 1e-6 && abs(x.grad![0, 1] + 0.096) < 1e-6)
    }
}
