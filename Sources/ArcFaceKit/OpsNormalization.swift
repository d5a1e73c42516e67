// Norm-based rescaling: torch's renorm, the study note's l2_norm, and F.normalize.

extension Tensor {
    /// p-norm of every sub-tensor `select(dim: d, index: k)`, k in 0..<size(d), in one O(n) pass.
    func subTensorNorms(p: Float, dim d: Int) -> [Float] {
        let (outer, n, inner) = lanes(d)
        let acc = PNorm(p)
        var sums = [Double](repeating: acc.initial, count: n)
        let x = scalars
        for o in 0..<outer {
            for k in 0..<n {
                let base = (o * n + k) * inner
                for i in 0..<inner { sums[k] = acc.combine(sums[k], x[base + i]) }
            }
        }
        return sums.map(acc.finish)
    }

    /// `x.renorm(p, dim, maxnorm)`: each sub-tensor along `dim` whose p-norm exceeds `maxnorm` is
    /// scaled down to norm `maxnorm`; the others are returned unchanged.
    ///
    /// Torch's exact rule (aten renorm_scale_factor, all in float32): `factor = norm > maxnorm ?
    /// maxnorm / (norm + 1e-7) : 1`, then `x * factor`. The 1e-7 makes the resulting norm a hair
    /// below maxnorm; sub-tensors at or under the limit are multiplied by exactly 1.
    public func renorm(p: Float, dim: Int, maxnorm: Float) -> Tensor { clone().renorm_(p: p, dim: dim, maxnorm: maxnorm) }

    /// In-place `renorm_`; returns self.
    @discardableResult
    public func renorm_(p: Float, dim: Int, maxnorm: Float) -> Tensor {
        precondition(self.dim > 1, "renorm: input needs at least 2 dimensions, got \(self.dim) dimensions")
        precondition(p > 0, "renorm: non-positive-norm not supported")
        precondition(maxnorm >= 0, "renorm: expected maxnorm to be >= 0 but got \(maxnorm)")
        let d = wrapDim(dim)
        let eps: Float = 1e-7
        let factors = subTensorNorms(p: p, dim: d).map { $0 > maxnorm ? maxnorm / ($0 + eps) : 1 }
        let (outer, n, inner) = lanes(d)
        scalars.withUnsafeMutableBufferPointer { x in
            for o in 0..<outer {
                for k in 0..<n where factors[k] != 1 {
                    let base = (o * n + k) * inner
                    for i in 0..<inner { x[base + i] *= factors[k] }
                }
            }
        }
        return self
    }
}

/// The study note's `l2_norm`: `input / torch.norm(input, 2, axis, True)`. No epsilon, on purpose:
/// a zero vector divides 0 by 0 and gives NaN, exactly as the PyTorch code does.
public func l2_norm(_ input: Tensor, axis: Int = 1) -> Tensor {
    input / input.norm(p: 2, dim: axis, keepdim: true)  // (B, C) / (B, 1)
}

/// `torch.nn.functional.normalize`: `x / max(||x||_p, eps)` along `dim`, so a zero vector stays zero.
public func normalize(_ input: Tensor, p: Float = 2, dim: Int = 1, eps: Float = 1e-12) -> Tensor {
    input / input.norm(p: p, dim: dim, keepdim: true).clamp(min: eps)
}
