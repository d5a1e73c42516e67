// Heads: the study note's ArcFace head line by line, the combined-margin family (softmax,
// SphereFace, CosFace, ArcFace, CM1, CM2), a plain softmax classifier, and a fused ArcFace +
// cross-entropy with an analytic backward that must agree with the composed ops.

/// The seed's ArcFace head's constants for a margin m (TreB1eN InsightFace_Pytorch, model.py).
public struct ArcFaceConstants<Scalar: TensorScalar>: Sendable {
    public let s, m, cos_m, sin_m, mm, threshold: Scalar

    public init(s: Scalar, m: Scalar) {
        self.s = s
        self.m = m
        cos_m = Scalar.cos(m)
        sin_m = Scalar.sin(m)
        mm = sin_m * m  // issue 1: once `sin_m * m * s` in InsightFace_TF; first-order stand-in for the margin
        threshold = Scalar.cos(Scalar.pi - m)  // theta + m > pi beyond this cosine
    }
}

/// `Arcface.forward` of the seed, with the same names and order:
///
///     kernel_norm = l2_norm(self.kernel, axis=0)
///     cos_theta = torch.mm(embbedings, kernel_norm).clamp(-1, 1)
///     ...
///     output *= self.s
///
/// `easyMargin` (insightface's meaning) applies the margin only where cos_theta > 0 and has no fallback.
@_specialize(where Scalar == Float)
public func arcFaceLogits<Scalar>(embeddings embbedings: TensorOf<Scalar>, kernel: TensorOf<Scalar>, label: [Int],
                                  s: Scalar, m: Scalar, easyMargin: Bool = false) -> TensorOf<Scalar> {
    let k = ArcFaceConstants(s: s, m: m)
    let nB = embbedings.shape[0]
    check(label.count == nB, "arcface: \(label.count) labels for \(nB) embeddings")
    let kernel_norm = l2_norm(kernel, axis: 0)                      // (E, C), unit columns
    let cos_theta = embbedings.mm(kernel_norm).clamp(min: -1, max: 1)  // (B, C); clamp for numerical stability
    let cos_theta_2 = cos_theta.pow(2)
    let sin_theta_2 = 1 - cos_theta_2
    let sin_theta = sin_theta_2.sqrt()
    var cos_theta_m = cos_theta * k.cos_m - sin_theta * k.sin_m   // cos(theta + m)
    if easyMargin {
        cos_theta_m = `where`(cos_theta > 0, cos_theta_m, cos_theta)
    } else {
        // this condition controls the theta+m should in range [0, pi]: 0 <= theta + m <= pi
        let cond_v = cos_theta - k.threshold
        let cond_mask = cond_v <= 0
        let keep_val = cos_theta - k.mm  // when theta not in [0, pi], use cosface instead
        cos_theta_m[cond_mask] = keep_val[cond_mask]
    }
    let output = cos_theta * 1.0  // a copy, so that the assignment below leaves cos_theta alone
    let idx_ = arange(nB)
    output[idx_, label] = cos_theta_m[idx_, label]
    output *= k.s  // scale up in order to make softmax work, first introduced in normface
    return output
}

/// The seed's `Arcface` module: kernel (embedding_size, classnum) initialised by
/// `uniform_(-1, 1).renorm_(2, 1, 1e-5).mul_(1e5)`, one unit column per class.
public final class ArcFace {
    public let classnum: Int
    public let kernel: Tensor
    public let s, m: Float
    public let easyMargin: Bool
    public var constants: ArcFaceConstants<Float> { ArcFaceConstants(s: s, m: m) }

    public init(embeddingSize: Int = 512, classnum: Int = 51332, s: Float = 64, m: Float = 0.5,
                easyMargin: Bool = false, generator: Generator = .default) {
        self.classnum = classnum
        kernel = Tensor.zeros(embeddingSize, classnum)
        kernel.data.uniform_(-1, 1, generator: generator).renorm_(p: 2, dim: 1, maxnorm: 1e-5).mul_(1e5)
        kernel.requiresGrad_()
        self.s = s
        self.m = m
        self.easyMargin = easyMargin
    }

    public func callAsFunction(_ embbedings: Tensor, _ label: [Int]) -> Tensor {
        arcFaceLogits(embeddings: embbedings, kernel: kernel, label: label, s: s, m: m, easyMargin: easyMargin)
    }

    public func parameters() -> [Tensor] { [kernel] }
}

/// The combined margin of insightface: target logit `cos(m1 * theta + m2) - m3` with
/// `theta = acos(cos_theta)`, the other logits `cos_theta`, all times s. Presets below.
@_specialize(where Scalar == Float)
public func combinedMarginLogits<Scalar>(cosTheta cos_theta: TensorOf<Scalar>, label: [Int],
                                         s: Scalar, m1: Scalar, m2: Scalar, m3: Scalar) -> TensorOf<Scalar> {
    let nB = cos_theta.shape[0]
    check(label.count == nB, "combined margin: \(label.count) labels for \(nB) rows")
    let idx_ = arange(nB)
    let target = cos_theta[idx_, label]
    let theta = target.acos()
    let final_target = (theta * m1 + m2).cos() - m3
    let output = cos_theta * 1.0
    output[idx_, label] = final_target
    output *= s
    return output
}

/// (m1, m2, m3) of the paper's margins.
public enum MarginPreset: String, CaseIterable, Sendable {
    case softmax, sphereFace, arcFace, cosFace, cm1, cm2

    public var margins: (m1: Double, m2: Double, m3: Double) {
        switch self {
        case .softmax: (1, 0, 0)
        case .sphereFace: (1.35, 0, 0)
        case .arcFace: (1, 0.5, 0)
        case .cosFace: (1, 0, 0.35)
        case .cm1: (1, 0.3, 0.2)
        case .cm2: (0.9, 0.4, 0.15)
        }
    }
}

/// A head with a combined margin over normalised embeddings and class weights.
public final class CombinedMargin {
    public let kernel: Tensor
    public let s, m1, m2, m3: Float

    public init(embeddingSize: Int, classnum: Int, s: Float = 64, m1: Float, m2: Float, m3: Float, generator: Generator = .default) {
        kernel = Tensor.zeros(embeddingSize, classnum)
        kernel.data.uniform_(-1, 1, generator: generator).renorm_(p: 2, dim: 1, maxnorm: 1e-5).mul_(1e5)
        kernel.requiresGrad_()
        (self.s, self.m1, self.m2, self.m3) = (s, m1, m2, m3)
    }

    public convenience init(embeddingSize: Int, classnum: Int, s: Float = 64, preset: MarginPreset, generator: Generator = .default) {
        let p = preset.margins
        self.init(embeddingSize: embeddingSize, classnum: classnum, s: s, m1: Float(p.m1), m2: Float(p.m2), m3: Float(p.m3), generator: generator)
    }

    public func callAsFunction(_ embeddings: Tensor, _ label: [Int]) -> Tensor {
        let cos_theta = l2_norm(embeddings, axis: 1).mm(l2_norm(kernel, axis: 0)).clamp(min: -1, max: 1)
        return combinedMarginLogits(cosTheta: cos_theta, label: label, s: s, m1: m1, m2: m2, m3: m3)
    }

    public func parameters() -> [Tensor] { [kernel] }
}

/// The plain classifier ArcFace replaces: logits = x W + b, with torch.nn.Linear's initialisation
/// (U(-1/sqrt(E), 1/sqrt(E)) for both), kept as an (E, C) kernel like the heads above.
public final class SoftmaxHead {
    public let kernel: Tensor
    public let bias: Tensor

    public init(embeddingSize: Int, classnum: Int, generator: Generator = .default) {
        let bound = 1 / Float(embeddingSize).squareRoot()
        kernel = Tensor.zeros(embeddingSize, classnum).uniform_(-bound, bound, generator: generator).requiresGrad_()
        bias = Tensor.zeros(classnum).uniform_(-bound, bound, generator: generator).requiresGrad_()
    }

    public func callAsFunction(_ embeddings: Tensor, _ label: [Int] = []) -> Tensor { embeddings.mm(kernel) + bias }

    public func parameters() -> [Tensor] { [kernel, bias] }
}

/// ArcFace head + mean cross-entropy in one op: the column normalisation folded into the GEMM
/// output, one pass over the (B, C) logits for margin, softmax, loss and gradient, and an
/// analytic backward for embeddings and kernel. Agrees with
/// `crossEntropy(arcFaceLogits(...), label)` to float rounding.
@_specialize(where Scalar == Float)
public func arcFaceCrossEntropy<Scalar>(embeddings: TensorOf<Scalar>, kernel: TensorOf<Scalar>, label: [Int],
                                        s: Scalar, m: Scalar, easyMargin: Bool = false) -> TensorOf<Scalar> {
    let k = ArcFaceConstants(s: s, m: m)
    let (B, E, C) = (embeddings.shape[0], embeddings.shape[1], kernel.shape[1])
    check(kernel.shape[0] == E && label.count == B, "arcface: embeddings \(embeddings.shape), kernel \(kernel.shape), \(label.count) labels")
    check(label.allSatisfy { $0 >= 0 && $0 < C }, "arcface: a label is out of range 0..<\(C)")
    // n_c = ||kernel[:, c]||: (C)
    var norms = [Scalar](repeating: 0, count: C)
    kernel.scalars.withUnsafeBufferPointer { w in
        for e in 0..<E { for c in 0..<C { norms[c] += w[e * C + c] * w[e * C + c] } }
    }
    norms = norms.map { $0.squareRoot() }
    // raw = (emb @ kernel) / n: (B, C), the cosines before the clamp
    let raw = gemm(embeddings, transposed: false, kernel, transposed: false)
    var cosines = raw.scalars
    for i in 0..<B { for c in 0..<C { cosines[i * C + c] /= norms[c] } }
    // One pass per row: margin on the target, softmax, loss, and dL/dcos.
    var dcos = [Scalar](repeating: 0, count: B * C)  // (B, C)
    var loss: Double = 0
    var z = [Scalar](repeating: 0, count: C)
    for i in 0..<B {
        let y = label[i]
        let row = i * C
        for c in 0..<C { z[c] = k.s * Swift.min(Swift.max(cosines[row + c], -1), 1) }
        let t = Swift.min(Swift.max(cosines[row + y], -1), 1)
        let sinT = (1 - t * t).squareRoot()
        let useMargin = easyMargin ? t > 0 : t - k.threshold > 0
        let fallback: Scalar = easyMargin ? t : t - k.mm
        z[y] = k.s * (useMargin ? t * k.cos_m - sinT * k.sin_m : fallback)
        let dt: Scalar = useMargin ? k.cos_m + k.sin_m * t / sinT : 1  // d target / d cos_theta[i, y]
        let zmax = z.max()!
        var sum: Scalar = 0
        for c in 0..<C { sum += Scalar.exp(z[c] - zmax) }
        loss += Double(zmax + Scalar.log(sum) - z[y])
        for c in 0..<C {
            // dL/dz = (softmax - onehot) / B; dL/dcos = s * dL/dz (* dt on the target); 0 outside the clamp
            let p = Scalar.exp(z[c] - zmax) / sum
            var g = k.s * (p - (c == y ? 1 : 0)) / Scalar(B)
            if c == y { g *= dt }
            let x = cosines[row + c]
            dcos[row + c] = x > -1 && x < 1 ? g : 0
        }
    }
    let out = TensorOf<Scalar>(Scalar(loss / Double(B)))
    return out.recorded("ArcFaceCrossEntropyBackward", [embeddings, kernel]) { g in
        let scale = g.item()
        // cos = (emb . k_c) / n_c:  d emb = (dcos / n) @ kernel^T;  d k_c = emb^T dcos[:, c] / n_c - k_c (sum_i dcos_ic cos_ic) / n_c^2
        var scaled = dcos
        for i in 0..<B { for c in 0..<C { scaled[i * C + c] *= scale / norms[c] } }
        let dcosOverN = TensorOf(shape: [B, C], scalars: scaled)
        let dEmb = gemm(dcosOverN, transposed: false, kernel, transposed: true)  // (B, E)
        let dK = gemm(embeddings, transposed: true, dcosOverN, transposed: false)  // (E, C)
        var colDot = [Scalar](repeating: 0, count: C)
        for i in 0..<B { for c in 0..<C { colDot[c] += scaled[i * C + c] * cosines[i * C + c] } }
        var dk = dK.scalars
        let w = kernel.scalars
        for e in 0..<E { for c in 0..<C { dk[e * C + c] -= w[e * C + c] * colDot[c] / norms[c] } }
        return [dEmb, TensorOf(shape: [E, C], scalars: dk)]
    }
}
