// The heads: the seed's ArcFace forward, its fallback branch, easy margin, combined margins, and the
// fused ArcFace + cross-entropy against the composed ops.

import Foundation
import Testing
@testable import ArcFaceKit

@Suite struct HeadTests {
    /// A batch whose targets cover both branches: theta + m below pi, and beyond it (cos <= cos(pi - m)).
    static func batch() -> (emb: DoubleTensor, kernel: DoubleTensor, label: [Int]) {
        let kernel = GradCheck.random([4, 5], seed: 21)
        let emb = l2_norm(GradCheck.random([6, 4], seed: 22), axis: 1).detach()
        // Row 0 points away from its class: cos close to -1, the cosface fallback.
        let col = l2_norm(kernel, axis: 0).detach().select(dim: 1, index: 2)
        for e in 0..<4 { emb[0, e] = -col[e] * 0.999 }
        return (emb, kernel, [2, 0, 1, 4, 3, 2])
    }

    @Test func theConstantsForMHalfAreTheSeeds() {
        let k = ArcFaceConstants<Double>(s: 64, m: 0.5)
        #expect(abs(k.cos_m - 0.8775825618903728) < 1e-15)
        #expect(abs(k.sin_m - 0.479425538604203) < 1e-15)
        #expect(abs(k.mm - 0.2397127693021015) < 1e-15)
        #expect(abs(k.threshold + 0.8775825618903728) < 1e-15)
    }

    @Test func theTargetTakesTheMarginOrTheFallbackAndOtherColumnsStayScaledCosines() {
        let (emb, kernel, label) = Self.batch()
        let logits = arcFaceLogits(embeddings: emb, kernel: kernel, label: label, s: 64, m: 0.5)
        let cos = emb.mm(l2_norm(kernel, axis: 0)).clamp(min: -1, max: 1)
        let k = ArcFaceConstants<Double>(s: 64, m: 0.5)
        for i in 0..<6 {
            for c in 0..<5 {
                let x = cos[i, c]
                let expected: Double
                if c != label[i] { expected = 64 * x }
                else if x - k.threshold <= 0 { expected = 64 * (x - k.mm) }
                else { expected = 64 * Foundation.cos(Foundation.acos(x) + 0.5) }
                #expect(abs(logits[i, c] - expected) < 1e-9, "row \(i) column \(c)")
            }
        }
        #expect(cos[0, 2] < k.threshold)  // the fallback branch was exercised
    }

    @Test func easyMarginLeavesNonPositiveCosinesAlone() {
        let (emb, kernel, label) = Self.batch()
        let logits = arcFaceLogits(embeddings: emb, kernel: kernel, label: label, s: 64, m: 0.5, easyMargin: true)
        let cos = emb.mm(l2_norm(kernel, axis: 0))
        #expect(abs(logits[0, 2] - 64 * cos[0, 2]) < 1e-9)
    }

    @Test func theSeedsHeadIsDifferentiableEndToEnd() {
        let (emb, kernel, label) = Self.batch()
        GradCheck.check([emb, kernel], rtol: 1e-4) { crossEntropy(arcFaceLogits(embeddings: $0[0], kernel: $0[1], label: label, s: 8, m: 0.5), label) }
        GradCheck.check([emb, kernel], rtol: 1e-4) { crossEntropy(arcFaceLogits(embeddings: $0[0], kernel: $0[1], label: label, s: 8, m: 0.5, easyMargin: true), label) }
    }

    @Test func theFusedHeadAgreesWithTheComposedOpsInValueAndGradient() {
        for easy in [false, true] {
            let (emb, kernel, label) = Self.batch()
            let (e1, k1) = (emb.clone().requiresGrad_(), kernel.clone().requiresGrad_())
            let composed = crossEntropy(arcFaceLogits(embeddings: e1, kernel: k1, label: label, s: 64, m: 0.5, easyMargin: easy), label)
            composed.backward()
            let (e2, k2) = (emb.clone().requiresGrad_(), kernel.clone().requiresGrad_())
            let fused = arcFaceCrossEntropy(embeddings: e2, kernel: k2, label: label, s: 64, m: 0.5, easyMargin: easy)
            fused.backward()
            #expect(abs(composed.item() - fused.item()) < 1e-9)
            #expect(zip(e1.grad!.scalars, e2.grad!.scalars).allSatisfy { abs($0 - $1) < 1e-9 })
            #expect(zip(k1.grad!.scalars, k2.grad!.scalars).allSatisfy { abs($0 - $1) < 1e-9 })
        }
    }

    @Test func theFusedHeadAgreesInFloat32OnALargerBatch() {
        let gen = Generator(seed: 3)
        let kernel = Tensor.zeros(32, 50).uniform_(-1, 1, generator: gen)
        let emb = l2_norm(Tensor.zeros(16, 32).normal_(generator: gen), axis: 1)
        let label = (0..<16).map { ($0 * 7) % 50 }
        let (e1, k1) = (emb.clone().requiresGrad_(), kernel.clone().requiresGrad_())
        let composed = crossEntropy(arcFaceLogits(embeddings: e1, kernel: k1, label: label, s: 64, m: 0.5), label)
        composed.backward()
        let (e2, k2) = (emb.clone().requiresGrad_(), kernel.clone().requiresGrad_())
        let fused = arcFaceCrossEntropy(embeddings: e2, kernel: k2, label: label, s: 64, m: 0.5)
        fused.backward()
        #expect(abs(composed.item() - fused.item()) <= 1e-5 * abs(composed.item()))
        let maxDiff = zip(k1.grad!.scalars, k2.grad!.scalars).map { abs($0 - $1) }.max()!
        #expect(maxDiff < 1e-5)
    }

    @Test func combinedMarginPresetsGiveThePapersTargetLogits() {
        let cos = DoubleTensor([[0.5, -0.2], [0.1, 0.9]])
        for preset in MarginPreset.allCases {
            let (m1, m2, m3) = preset.margins
            let out = combinedMarginLogits(cosTheta: cos, label: [0, 1], s: 2, m1: m1, m2: m2, m3: m3)
            #expect(abs(out[0, 0] - 2 * (Foundation.cos(m1 * Foundation.acos(0.5) + m2) - m3)) < 1e-12, "\(preset)")
            #expect(out[0, 1] == -0.4 && abs(out[1, 0] - 0.2) < 1e-15)
        }
        GradCheck.check([DoubleTensor([[0.5, -0.2], [0.1, 0.9]])]) { combinedMarginLogits(cosTheta: $0[0], label: [0, 1], s: 4, m1: 0.9, m2: 0.4, m3: 0.15) }
    }

    @Test func theArcFaceModuleInitialisesUnitColumnsAsTheSeed() {
        let head = ArcFace(embeddingSize: 8, classnum: 5, generator: Generator(seed: 1))
        let norms = head.kernel.norm(p: 2, dim: 0).scalars
        #expect(norms.allSatisfy { abs($0 - 1) < 1e-6 })
        #expect(head.kernel.requiresGrad && head.kernel.isLeaf)
    }
}
