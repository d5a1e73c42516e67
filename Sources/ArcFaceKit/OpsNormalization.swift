// Norm-based rescaling: torch's renorm, the study note's l2_norm, and F.normalize.

extension TensorOf {
    /// p-norm of every sub-tensor `select(dim: d, index: k)`, k in 0..<size(d), in one O(n) pass.
    @_specialize(where Scalar == Float)
    func subTensorNorms(p: Scalar, dim d: Int) -> [Scalar] {
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
    @_specialize(where Scalar == Float)
    public func renorm(p: Scalar, dim: Int, maxnorm: Scalar) -> TensorOf {
        let x = self
        let d = wrapDim(dim)
        let (factors, norms) = renormFactors(p: p, dim: d, maxnorm: maxnorm)
        let y = TensorOf(shape: shape, scalars: scalars)
        y.scaleSubTensors(dim: d, by: factors)
        return y.recorded("RenormBackward0", [x]) { g in
            // y = x * c / (n + 1e-7) where n = ||x||_p > c, else y = x. For the scaled sub-tensors:
            // dx_j = g_j c/(n+eps) - (sum_i g_i x_i) c/(n+eps)^2 * dn/dx_j,  dn/dx_j = sign(x_j) |x_j|^(p-1) / n^(p-1)
            let (outer, n, inner) = x.lanes(d)
            let (xs, gs) = (x.scalars, g.scalars)
            var out = gs
            for k in 0..<n where factors[k] != 1 {
                let c = maxnorm, nk = norms[k], denom = nk + 1e-7
                var dot: Scalar = 0
                for o in 0..<outer { for i in 0..<inner { let at = (o * n + k) * inner + i; dot += gs[at] * xs[at] } }
                for o in 0..<outer {
                    for i in 0..<inner {
                        let at = (o * n + k) * inner + i
                        let sign: Scalar = xs[at] > 0 ? 1 : xs[at] < 0 ? -1 : 0
                        let dn = p == 2 ? xs[at] / nk : sign * Scalar.pow(Swift.abs(xs[at]) / nk, p - 1)
                        out[at] = gs[at] * factors[k] - dot * c / (denom * denom) * dn
                    }
                }
            }
            return [TensorOf(shape: x.shape, scalars: out)]
        }
    }

    /// In-place `renorm_`; returns self.
    @_specialize(where Scalar == Float)
    @discardableResult
    public func renorm_(p: Scalar, dim: Int, maxnorm: Scalar) -> TensorOf {
        updateInPlace({ $0.renorm(p: p, dim: dim, maxnorm: maxnorm) }, fast: {
            let d = wrapDim(dim)
            scaleSubTensors(dim: d, by: renormFactors(p: p, dim: d, maxnorm: maxnorm).factors)
        })
    }

    /// Torch's exact rule (aten renorm_scale_factor, all in float32): `factor = norm > maxnorm ?
    /// maxnorm / (norm + 1e-7) : 1`.
    @_specialize(where Scalar == Float)
    func renormFactors(p: Scalar, dim d: Int, maxnorm: Scalar) -> (factors: [Scalar], norms: [Scalar]) {
        check(self.dim > 1, "renorm: input needs at least 2 dimensions, got \(self.dim) dimensions")
        check(p > 0, "renorm: non-positive-norm not supported")
        check(maxnorm >= 0, "renorm: expected maxnorm to be >= 0 but got \(maxnorm)")
        let eps: Scalar = 1e-7
        let norms = subTensorNorms(p: p, dim: d)
        return (norms.map { $0 > maxnorm ? maxnorm / ($0 + eps) : 1 }, norms)
    }

    /// Multiplies sub-tensor k along `d` by `factors[k]`, in the storage.
    @_specialize(where Scalar == Float)
    func scaleSubTensors(dim d: Int, by factors: [Scalar]) {
        let (outer, n, inner) = lanes(d)
        storage.values.withUnsafeMutableBufferPointer { x in
            for o in 0..<outer {
                for k in 0..<n where factors[k] != 1 {
                    let base = (o * n + k) * inner
                    for i in 0..<inner { x[base + i] *= factors[k] }
                }
            }
        }
    }
}

/// The study note's `l2_norm`: `input / torch.norm(input, 2, axis, True)`. No epsilon, on purpose:
/// a zero vector divides 0 by 0 and gives NaN, exactly as the PyTorch code does.
@_specialize(where Scalar == Float)
public func l2_norm<Scalar>(_ input: TensorOf<Scalar>, axis: Int = 1) -> TensorOf<Scalar> {
    input / input.norm(p: 2, dim: axis, keepdim: true)  // (B, C) / (B, 1)
}

/// `torch.nn.functional.normalize`: `x / max(||x||_p, eps)` along `dim`, so a zero vector stays zero.
@_specialize(where Scalar == Float)
public func normalize<Scalar>(_ input: TensorOf<Scalar>, p: Scalar = 2, dim: Int = 1, eps: Scalar = 1e-12) -> TensorOf<Scalar> {
    input / input.norm(p: p, dim: dim, keepdim: true).clamp(min: eps)
}
