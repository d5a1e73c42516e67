// The fused fast paths (FastArcFaceHead.swift, FastTrainer.swift) against the plain composed ops
// with autograd: same values and gradients, one and two SGD steps, to float32 rounding.

import CKernels
import Foundation
import Testing
@testable import ArcFaceKit
@testable import ArcFaceKitFast

@Suite struct FastPathTests {
    static func maxRelDiff(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count)
        let scale = max(a.map { abs($0) }.max() ?? 0, 1e-6)
        return zip(a, b).map { abs($0 - $1) }.max()! / scale
    }

    /// The instruction sets of CKernels this CPU can run: each test below runs on every one of them.
    static let kernelISAs: [String] = {
        let best = FastBLAS.kernelISA
        let usable = ["avx512", "avx2", "baseline"].filter { FastBLAS.useKernelISA($0) }
        FastBLAS.useKernelISA(best)
        return usable
    }()

    /// Runs body with the kernels on `isa`, then back on the CPU's best. Serialised: the choice is process wide.
    static func withKernelISA(_ isa: String, _ body: () -> Void) {
        isaLock.lock()
        defer { isaLock.unlock() }
        let best = FastBLAS.kernelISA
        #expect(FastBLAS.useKernelISA(isa))
        body()
        FastBLAS.useKernelISA(best)
    }
    static let isaLock = NSLock()

    @Test(arguments: kernelISAs)
    func theKernelExpIsWithinAFewUlpOfExp(_ isa: String) {
        Self.withKernelISA(isa) {
            var xs: [Float] = []
            var x: Float = -87
            while x < 88 { xs.append(x); x += 0.0137 }
            xs += [-200, -87.5, 0, 1e-30]
            var ys = [Float](repeating: .nan, count: xs.count)
            afk_exp(xs, &ys, xs.count)
            var worst: Float = 0
            for (x, y) in zip(xs, ys) where x >= -87 {
                let ref = Float(Foundation.exp(Double(x)))
                worst = max(worst, abs(y - ref) / ref)
            }
            #expect(worst < 4e-7, "worst relative error on \(isa)")
            #expect(ys[ys.count - 4] == 0 && ys[ys.count - 3] == 0 && ys[ys.count - 2] == 1, "\(ys.suffix(4))")
        }
    }

    /// A batch with targets in both branches (margin and cosface fallback), labels at the row ends,
    /// and C not a multiple of 16 (the vector loops' tails).
    static func headBatch(B: Int, E: Int, C: Int, seed: Int) -> (emb: Tensor, kernel: Tensor, label: [Int]) {
        let gen = Generator(seed: seed)
        let kernel = Tensor.zeros(E, C).uniform_(-1, 1, generator: gen)
        let emb = l2_norm(Tensor.zeros(B, E).normal_(generator: gen), axis: 1)
        var label = (0..<B).map { ($0 * 7 + 3) % C }
        label[1] = 0
        label[2] = C - 1
        // Row 0 points away from its class: the fallback branch.
        let col = l2_norm(kernel, axis: 0).select(dim: 1, index: label[0])
        for e in 0..<E { emb[0, e] = -col[e] * 0.999 }
        // Row 3 points nearly at its class: cosine 0.99 (closer to 1, sin theta loses float32 digits in every implementation).
        let col3 = l2_norm(kernel, axis: 0).select(dim: 1, index: label[3])
        for e in 0..<E { emb[3, e] = col3[e] * 0.99 }
        return (emb, kernel, label)
    }

    /// (B, E, C, threads, columns per block): the last two cases split the classes over two
    /// threads in blocks of 16 and 24 columns with ragged ends (333 and 150 are not multiples of 8).
    @Test(arguments: [(16, 32, 50, 1, nil), (16, 32, 50, 2, nil), (5, 3, 7, 1, nil), (12, 8, 333, 2, nil),
                      (12, 8, 333, 2, 16), (7, 5, 150, 1, 24), (9, 6, 150, 2, 24)] as [(Int, Int, Int, Int, Int?)])
    func theFastHeadAgreesWithTheComposedOps(_ sizes: (Int, Int, Int, Int, Int?)) {
        for isa in Self.kernelISAs { Self.withKernelISA(isa) { headAgrees(sizes) } }
    }

    func headAgrees(_ sizes: (Int, Int, Int, Int, Int?)) {
        let (B, E, C, threads, blockColumns) = sizes
        let (emb, kernel, label) = Self.headBatch(B: B, E: E, C: C, seed: B + C)
        // Reference: the composed ops in Float64 on the same values.
        let e64 = DoubleTensor(shape: [B, E], scalars: emb.scalars.map(Double.init)).requiresGrad_()
        let k64 = DoubleTensor(shape: [E, C], scalars: kernel.scalars.map(Double.init)).requiresGrad_()
        let ref = crossEntropy(arcFaceLogits(embeddings: e64, kernel: k64, label: label, s: 64, m: 0.5), label)
        ref.backward()
        // The composed ops in Float32.
        let (e1, k1) = (emb.clone().requiresGrad_(), kernel.clone().requiresGrad_())
        let composed = crossEntropy(arcFaceLogits(embeddings: e1, kernel: k1, label: label, s: 64, m: 0.5), label)
        composed.backward()

        let head = FastArcFaceHead(batch: B, embedding: E, classes: C, s: 64, m: 0.5, threads: threads, blockColumns: blockColumns)
        var dE = [Float](repeating: .nan, count: B * E), dK = [Float](repeating: .nan, count: E * C)
        for _ in 0..<2 {  // twice: the reused buffers must not leak state from one step into the next
            let loss = head.forwardBackward(embeddings: emb.scalars, kernel: kernel.scalars, labels: label, dEmbeddings: &dE, dKernel: &dK)
            #expect(abs(Double(loss) - ref.item()) <= 2e-5 * abs(ref.item()))
            #expect(abs(loss - composed.item()) <= 2e-5 * abs(composed.item()))
            #expect(head.forward(embeddings: emb.scalars, kernel: kernel.scalars, labels: label) == loss)
            let refE = e64.grad!.scalars.map(Float.init), refK = k64.grad!.scalars.map(Float.init)
            #expect(Self.maxRelDiff(refE, dE) < 1e-4, "d emb vs float64")
            #expect(Self.maxRelDiff(refK, dK) < 1e-4, "d kernel vs float64")
            #expect(Self.maxRelDiff(e1.grad!.scalars, dE) < 1e-4, "d emb vs float32 composed")
            #expect(Self.maxRelDiff(k1.grad!.scalars, dK) < 1e-4, "d kernel vs float32 composed")
        }
    }

    /// A row whose every logit is far below s (all cosines under -0.8 at s = 64): exp(z - s)
    /// underflows for every class, and the head must fall back to the row's maximum as torch does.
    @Test func aRowFarFromEveryClassTakesTheRowMaximumPath() {
        let degrees: [Double] = [0, 20, 40, 60]
        let (B, E, C) = (2, 2, degrees.count)
        var k = [Float](repeating: 0, count: E * C)
        for (c, d) in degrees.enumerated() {
            k[c] = Float(cos(d * .pi / 180)) * 2; k[C + c] = Float(sin(d * .pi / 180)) * 2
        }
        let angles: [Double] = [210, 55]  // row 0: cosines -0.87, -0.98, -0.98, -0.87; row 1: near class 3
        let e = angles.flatMap { [Float(cos($0 * .pi / 180)), Float(sin($0 * .pi / 180))] }
        let label = [1, 3]
        let e64 = DoubleTensor(shape: [B, E], scalars: e.map(Double.init)).requiresGrad_()
        let k64 = DoubleTensor(shape: [E, C], scalars: k.map(Double.init)).requiresGrad_()
        let ref = crossEntropy(arcFaceLogits(embeddings: e64, kernel: k64, label: label, s: 64, m: 0.5), label)
        ref.backward()
        #expect(ref.item() > 10 && ref.item().isFinite)  // about 16: row 0 is far from everything
        for isa in Self.kernelISAs {
            Self.withKernelISA(isa) {
                let head = FastArcFaceHead(batch: B, embedding: E, classes: C, s: 64, m: 0.5)
                var dE = [Float](repeating: .nan, count: B * E), dK = [Float](repeating: .nan, count: E * C)
                let loss = head.forwardBackward(embeddings: e, kernel: k, labels: label, dEmbeddings: &dE, dKernel: &dK)
                #expect(abs(Double(loss) - ref.item()) <= 2e-5 * abs(ref.item()), "\(isa): \(loss) vs \(ref.item())")
                #expect(Self.maxRelDiff(e64.grad!.scalars.map(Float.init), dE) < 1e-4, "\(isa) d emb")
                #expect(Self.maxRelDiff(k64.grad!.scalars.map(Float.init), dK) < 1e-4, "\(isa) d kernel")
            }
        }
    }

    @Test func theFastHeadAgreesWithArcFaceCrossEntropy() {
        let (emb, kernel, label) = Self.headBatch(B: 9, E: 16, C: 40, seed: 5)
        let (e, k) = (emb.clone().requiresGrad_(), kernel.clone().requiresGrad_())
        let fused = arcFaceCrossEntropy(embeddings: e, kernel: k, label: label, s: 30, m: 0.3)
        fused.backward()
        let head = FastArcFaceHead(batch: 9, embedding: 16, classes: 40, s: 30, m: 0.3)
        var dE = [Float](repeating: 0, count: 9 * 16), dK = [Float](repeating: 0, count: 16 * 40)
        let loss = head.forwardBackward(embeddings: emb.scalars, kernel: kernel.scalars, labels: label, dEmbeddings: &dE, dKernel: &dK)
        #expect(abs(loss - fused.item()) <= 1e-5 * abs(fused.item()))
        #expect(Self.maxRelDiff(e.grad!.scalars, dE) < 1e-4)
        #expect(Self.maxRelDiff(k.grad!.scalars, dK) < 1e-4)
    }

    /// The composed path's training step (as ToyTrainingTests' trainToy) next to the fused trainer,
    /// from the same weights on the same batches.
    /// (ArcFace head?, threads, classes): the larger cases split rows and classes unevenly over the threads.
    @Test(arguments: [(true, 1, 6), (false, 1, 6), (true, 2, 6), (false, 2, 6), (true, 2, 137), (false, 2, 137), (true, 3, 140)])
    func oneAndTwoStepsOfTheFusedTrainerEqualTheComposedSteps(_ c: (Bool, Int, Int)) {
        for isa in Self.kernelISAs { Self.withKernelISA(isa) { trainerSteps(c.0, threads: c.1, classes: c.2) } }
    }

    /// The kernels' SGD update is torch's (and SGD's) bit for bit: same fused multiply-adds.
    @Test(arguments: kernelISAs)
    func theKernelSGDEqualsSGDBitForBit(_ isa: String) {
        Self.withKernelISA(isa) {
            for (momentum, n) in [(Float(0.9), 1037), (0, 33)] {
                let gen = Generator(seed: n)
                let p = Tensor.zeros(n).normal_(generator: gen).requiresGrad_()
                var theta = p.scalars, buf = [Float](repeating: 0, count: n)
                let sgd = SGD([p], lr: 0.1, momentum: Double(momentum), weightDecay: 5e-4)
                for step in 0..<3 {
                    let g = Tensor.zeros(n).normal_(generator: gen)
                    p.grad = g
                    sgd.step()
                    afk_sgd(&theta, g.scalars, &buf, n, 0.1, momentum, 5e-4, step == 0 ? 1 : 0)
                    #expect(theta == p.scalars, "\(isa), momentum \(momentum), step \(step)")
                }
            }
        }
    }

    func trainerSteps(_ arcFace: Bool, threads: Int, classes C: Int) {
        let gen = Generator(seed: 11)
        let (B, In, H, E) = (40, 8, 40, 20)
        let l1 = Linear(In, H, generator: gen), l2 = Linear(H, E, generator: gen)
        let arc = ArcFace(embeddingSize: E, classnum: C, s: 16, m: 0.5, generator: gen)
        let soft = SoftmaxHead(embeddingSize: E, classnum: C, generator: gen)
        let trainer = arcFace
            ? FastMLPTrainer(layer1: l1, layer2: l2, arcFace: arc, batch: B, lr: 0.1, threads: threads)
            : FastMLPTrainer(layer1: l1, layer2: l2, softmax: soft, batch: B, lr: 0.1, threads: threads)
        trainer.minParallelWork = 0  // split the model's jobs too, small as it is
        let model = Sequential(l1, ReLU(), l2, L2Norm(axis: 1))
        let headParams = arcFace ? arc.parameters() : soft.parameters()
        let optimizer = SGD(model.parameters() + headParams, lr: 0.1, momentum: 0.9, weightDecay: 5e-4)
        for stepIndex in 0..<2 {
            let inputs = Tensor.zeros(B, In).normal_(generator: gen)
            let labels = (0..<B).map { ($0 + stepIndex) % C }
            optimizer.zeroGrad()
            let emb = model(inputs)
            let loss = crossEntropy(arcFace ? arc(emb, labels) : soft(emb), labels)
            loss.backward()
            optimizer.step()
            let fastLoss = trainer.step(inputs: inputs.scalars, labels: labels)
            #expect(abs(fastLoss - loss.item()) <= 1e-5 * max(1, abs(loss.item())), "step \(stepIndex)")
            let pairs: [([Float], [Float], String)] = [
                (l1.weight.scalars, trainer.w1, "w1"), (l1.bias!.scalars, trainer.b1, "b1"),
                (l2.weight.scalars, trainer.w2, "w2"), (l2.bias!.scalars, trainer.b2, "b2"),
                ((arcFace ? arc.kernel : soft.kernel).scalars, trainer.kernel, "kernel"),
            ] + (arcFace ? [] : [(soft.bias.scalars, trainer.bias, "bias")])
            for (plain, fast, name) in pairs {
                let diff = zip(plain, fast).map { abs($0 - $1) }.max()!
                #expect(diff < 2e-6, "\(name) after step \(stepIndex): \(diff)")
            }
        }
    }

    @Test func theFusedTrainerLearnsTheToyClusters() {
        let gen = Generator(seed: 0)
        let data = ToyClusters(identities: 8, samplesPerIdentity: 64, dim: 32, centerScale: 2, generator: gen)
        let trainer = FastMLPTrainer(layer1: Linear(32, 128, generator: gen), layer2: Linear(128, 2, generator: gen),
                                     arcFace: ArcFace(embeddingSize: 2, classnum: 8, s: 16, m: 0.5, generator: gen),
                                     batch: 64, lr: 0.1)
        let run = trainer.train(data, epochs: 20, milestones: [12, 16], generator: gen)
        #expect(run.steps == 20 * 8)
        #expect(run.epochLosses.last! < run.epochLosses.first! * 0.5)
        let stats = trainer.evaluate(data.inputs, labels: data.labels)
        #expect(stats.accuracy > 0.9)
        #expect(stats.minInterCenterAngle > 10)
    }
}
