// softmax and log_softmax along any dimension, forward and backward side by side (llm.c style):
// each op walks its input as lanes along `dim`, subtracts the lane's max for stability, sums the
// exponentials in Double, and records a backward that is a second pass over the same lanes.

extension TensorOf {
    /// Views the tensor as (outer, n, inner) around dimension `d` (already wrapped), where
    /// `n = shape[d]`: element (o, k, i) of a lane is at `(o * n + k) * inner + i`. A 0-d tensor is
    /// one lane of one element, as torch treats it.
    @_specialize(where Scalar == Float)
    func softmaxLanes(_ d: Int) -> (outer: Int, n: Int, inner: Int) {
        guard dim > 0 else { return (1, 1, 1) }
        return (shape[..<d].reduce(1, *), shape[d], shape[(d + 1)...].reduce(1, *))
    }

    /// The largest element of a lane; NaN if any element is NaN (so the whole lane becomes NaN, as in torch).
    @_specialize(where Scalar == Float)
    @inline(__always)
    static func laneMax(_ x: UnsafeBufferPointer<Scalar>, base: Int, stride: Int, n: Int) -> Scalar {
        var m = -Scalar.infinity
        for k in 0..<n {
            let v = x[base + k * stride]
            if v.isNaN { return v }
            if v > m { m = v }
        }
        return m
    }

    /// `torch.softmax(x, dim)`: `exp(x - max) / sum(exp(x - max))` along `dim` (negative counts from the end).
    ///
    /// Backward: `g_in = y * (g - sum(g * y, dim))`.
    @_specialize(where Scalar == Float)
    public func softmax(dim: Int) -> TensorOf {
        let d = wrapDim(dim)
        let (outer, n, inner) = softmaxLanes(d)
        let x = self
        var out = [Scalar](repeating: 0, count: numel)  // same shape as x
        x.scalars.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { ys in
                for o in 0..<outer {
                    for i in 0..<inner {
                        let base = o * n * inner + i
                        // m = max_k x[k]
                        let m = TensorOf.laneMax(xs, base: base, stride: inner, n: n)
                        // e[k] = exp(x[k] - m);  s = sum_k e[k]  (in Double)
                        var s = 0.0
                        for k in 0..<n {
                            let e = Scalar.exp(xs[base + k * inner] - m)
                            ys[base + k * inner] = e
                            s += Double(e)
                        }
                        // y[k] = e[k] / s
                        for k in 0..<n { ys[base + k * inner] = Scalar(Double(ys[base + k * inner]) / s) }
                    }
                }
            }
        }
        let y = out  // saved for the backward (torch saves the result too)
        return TensorOf(shape: shape, scalars: y).recorded("SoftmaxBackward0", [x]) { g in
            // backward of y[k] = e[k] / s:  dx[k] = y[k] * (g[k] - sum_j g[j] * y[j])
            var dx = [Scalar](repeating: 0, count: y.count)
            g.scalars.withUnsafeBufferPointer { gs in
                for o in 0..<outer {
                    for i in 0..<inner {
                        let base = o * n * inner + i
                        var dot = 0.0  // sum_j g[j] * y[j]
                        for k in 0..<n { dot += Double(gs[base + k * inner]) * Double(y[base + k * inner]) }
                        for k in 0..<n {
                            let j = base + k * inner
                            dx[j] = Scalar(Double(y[j]) * (Double(gs[j]) - dot))
                        }
                    }
                }
            }
            return [TensorOf(shape: x.shape, scalars: dx)]
        }
    }

    /// `torch.log_softmax(x, dim)`: `x - max - log(sum(exp(x - max)))` along `dim`, so that large
    /// logits (`[1000, 0]` gives `[0, -1000]`) stay finite and exact.
    ///
    /// Backward: `g_in = g - exp(y) * sum(g, dim)`.
    @_specialize(where Scalar == Float)
    public func logSoftmax(dim: Int) -> TensorOf {
        let d = wrapDim(dim)
        let (outer, n, inner) = softmaxLanes(d)
        let x = self
        var out = [Scalar](repeating: 0, count: numel)  // same shape as x
        x.scalars.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { ys in
                for o in 0..<outer {
                    for i in 0..<inner {
                        let base = o * n * inner + i
                        // m = max_k x[k]
                        let m = TensorOf.laneMax(xs, base: base, stride: inner, n: n)
                        // s = sum_k exp(x[k] - m)  (in Double);  lse = log(s)
                        var s = 0.0
                        for k in 0..<n { s += Double(Scalar.exp(xs[base + k * inner] - m)) }
                        let lse = Scalar(Double.log(s))
                        // y[k] = x[k] - m - lse
                        for k in 0..<n { ys[base + k * inner] = xs[base + k * inner] - m - lse }
                    }
                }
            }
        }
        let y = out  // saved for the backward (torch saves the result too)
        return TensorOf(shape: shape, scalars: y).recorded("LogSoftmaxBackward0", [x]) { g in
            // backward of y[k] = x[k] - m - log(sum_j exp(x[j] - m)):  dx[k] = g[k] - exp(y[k]) * sum_j g[j]
            var dx = [Scalar](repeating: 0, count: y.count)
            g.scalars.withUnsafeBufferPointer { gs in
                for o in 0..<outer {
                    for i in 0..<inner {
                        let base = o * n * inner + i
                        var gsum = 0.0  // sum_j g[j]
                        for k in 0..<n { gsum += Double(gs[base + k * inner]) }
                        for k in 0..<n {
                            let j = base + k * inner
                            dx[j] = Scalar(Double(gs[j]) - Double(Scalar.exp(y[j])) * gsum)
                        }
                    }
                }
            }
            return [TensorOf(shape: x.shape, scalars: dx)]
        }
    }
}
