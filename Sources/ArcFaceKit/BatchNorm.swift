// Batch normalisation: the functional `batchNorm` (torch.nn.functional.batch_norm) with its analytic
// backward beside the forward, and the `BatchNorm1d` module holding the running statistics.

/// `torch.nn.functional.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)`
/// for `x` of shape `(B, C)` (or `(B, C, L)`: statistics per channel over B and L).
///
/// - training: normalises with the batch mean and the *biased* batch variance (divide by n, where
///   n = B * L), and, when given, updates `runningMean` / `runningVar` in place:
///   `running = (1 - momentum) * running + momentum * batch`, with the *unbiased* variance
///   (divide by n - 1) for `runningVar`. Needs n > 1, as torch.
/// - eval: normalises with `runningMean` / `runningVar` (both required), leaving them unchanged.
///
/// `y = (x - mean) / sqrt(var + eps) * weight + bias`; weight and bias (`(C)`) may be nil (no affine).
/// Statistics are accumulated in Double (torch's CPU kernel accumulates float in double too).
/// The recorded backward (`NativeBatchNormBackward0`) gives gradients for x, weight and bias;
/// the running statistics are buffers and get none.
@_specialize(where Scalar == Float)
public func batchNorm<Scalar>(_ x: TensorOf<Scalar>, runningMean: TensorOf<Scalar>?, runningVar: TensorOf<Scalar>?,
                              weight: TensorOf<Scalar>? = nil, bias: TensorOf<Scalar>? = nil,
                              training: Bool = false, momentum: Scalar = 0.1, eps: Scalar = 1e-5) -> TensorOf<Scalar> {
    check(x.dim >= 2, "batchNorm: expected an input of shape (B, C) or (B, C, L), got \(x.shape)")
    let B = x.shape[0], C = x.shape[1]
    let L = x.shape[2...].reduce(1, *)
    let n = B * L                                    // values per channel
    for (name, t) in [("runningMean", runningMean), ("runningVar", runningVar), ("weight", weight), ("bias", bias)] {
        if let t { check(t.shape == [C], "batchNorm: \(name) must have shape [\(C)], got \(t.shape)") }
    }
    // Element (b, c, l) is at (b * C + c) * L + l.
    let xs = x.scalars

    // forward, per channel c: mean[c], invstd[c] = 1 / sqrt(var[c] + eps)
    var mean = [Double](repeating: 0, count: C)      // (C)
    var invstd = [Double](repeating: 0, count: C)    // (C)
    if training {
        check(n > 1, "batchNorm: Expected more than 1 value per channel when training, got input size \(x.shape)")
        var varSum = [Double](repeating: 0, count: C)
        for c in 0..<C {
            var s = 0.0
            for b in 0..<B { for l in 0..<L { s += Double(xs[(b * C + c) * L + l]) } }
            mean[c] = s / Double(n)
            var q = 0.0
            for b in 0..<B { for l in 0..<L { let d = Double(xs[(b * C + c) * L + l]) - mean[c]; q += d * d } }
            varSum[c] = q
            invstd[c] = 1 / (q / Double(n) + Double(eps)).squareRoot()   // biased variance normalises
        }
        // running_mean = (1 - momentum) * running_mean + momentum * mean
        // running_var  = (1 - momentum) * running_var  + momentum * var_sum / (n - 1)   (unbiased)
        let mom = Double(momentum)
        if let runningMean {
            let r = runningMean.scalars
            runningMean.scalars = (0..<C).map { Scalar((1 - mom) * Double(r[$0]) + mom * mean[$0]) }
        }
        if let runningVar {
            let r = runningVar.scalars
            runningVar.scalars = (0..<C).map { Scalar((1 - mom) * Double(r[$0]) + mom * varSum[$0] / Double(n - 1)) }
        }
    } else {
        guard let runningMean, let runningVar else {
            checkFailure("batchNorm: running_mean and running_var must be given in eval mode (training: false)")
        }
        let (rm, rv) = (runningMean.scalars, runningVar.scalars)
        for c in 0..<C {
            mean[c] = Double(rm[c])
            invstd[c] = 1 / (Double(rv[c]) + Double(eps)).squareRoot()
        }
    }
    let w = weight?.scalars.map { Double($0) } ?? [Double](repeating: 1, count: C)
    let bv = bias?.scalars.map { Double($0) } ?? [Double](repeating: 0, count: C)

    // forward: y = (x - mean) * invstd * weight + bias                  (B, C, L)
    var ys = [Scalar](repeating: 0, count: xs.count)
    for b in 0..<B {
        for c in 0..<C {
            for l in 0..<L {
                let k = (b * C + c) * L + l
                ys[k] = Scalar((Double(xs[k]) - mean[c]) * invstd[c] * w[c] + bv[c])
            }
        }
    }
    let y = TensorOf(shape: x.shape, scalars: ys)

    var inputs = [x]
    if let weight { inputs.append(weight) }
    if let bias { inputs.append(bias) }
    return y.recorded("NativeBatchNormBackward0", inputs) { g in
        // backward of: y = xhat * weight + bias, xhat = (x - mean) * invstd
        //   dbias   = sum_{b,l} g                                          (C)
        //   dweight = sum_{b,l} g * xhat                                   (C)
        //   training (mean and invstd depend on x):
        //     dx = weight * invstd / n * (n * g - dbias - xhat * dweight)  (B, C, L)
        //   eval (running statistics are constants):
        //     dx = g * weight * invstd
        let gs = g.scalars
        var sumG = [Double](repeating: 0, count: C), sumGXhat = [Double](repeating: 0, count: C)
        for b in 0..<B {
            for c in 0..<C {
                for l in 0..<L {
                    let k = (b * C + c) * L + l
                    let gk = Double(gs[k])
                    sumG[c] += gk
                    sumGXhat[c] += gk * (Double(xs[k]) - mean[c]) * invstd[c]
                }
            }
        }
        var dx: TensorOf<Scalar>? = nil
        if x.requiresGrad {
            var out = [Scalar](repeating: 0, count: xs.count)
            let nd = Double(n)
            for b in 0..<B {
                for c in 0..<C {
                    for l in 0..<L {
                        let k = (b * C + c) * L + l
                        if training {
                            let xhat = (Double(xs[k]) - mean[c]) * invstd[c]
                            out[k] = Scalar(w[c] * invstd[c] / nd * (nd * Double(gs[k]) - sumG[c] - xhat * sumGXhat[c]))
                        } else {
                            out[k] = Scalar(Double(gs[k]) * w[c] * invstd[c])
                        }
                    }
                }
            }
            dx = TensorOf(shape: x.shape, scalars: out)
        }
        var grads: [TensorOf<Scalar>?] = [dx]
        if let weight { grads.append(weight.requiresGrad ? TensorOf(shape: [C], scalars: sumGXhat.map { Scalar($0) }) : nil) }
        if let bias { grads.append(bias.requiresGrad ? TensorOf(shape: [C], scalars: sumG.map { Scalar($0) }) : nil) }
        return grads
    }
}

/// `nn.BatchNorm1d(numFeatures, eps, momentum, affine)` (with `track_running_stats=True`) for inputs
/// `(B, C)` or `(B, C, L)`.
///
/// Parameters `weight` (ones) and `bias` (zeros) when `affine`; buffers `running_mean` (zeros),
/// `running_var` (ones) and the counter `numBatchesTracked` (an Int here; torch's int64 buffer
/// `num_batches_tracked` is therefore not in `namedBuffers()`). In training mode every forward
/// increments `numBatchesTracked` and updates the running statistics with factor `momentum`, or with
/// `1 / numBatchesTracked` (a cumulative average) when `momentum` is nil, as torch.
public final class BatchNorm1d: Module {
    public let numFeatures: Int
    public let eps: Float
    public var momentum: Float?
    public let affine: Bool
    /// `(C)`, ones; nil unless affine.
    public var weight: Tensor?
    /// `(C)`, zeros; nil unless affine.
    public var bias: Tensor?
    /// `(C)`: exponential moving average of the batch means.
    public let runningMean: Tensor
    /// `(C)`: exponential moving average of the unbiased batch variances.
    public let runningVar: Tensor
    public private(set) var numBatchesTracked = 0
    public var training = true

    public init(_ numFeatures: Int, eps: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true) {
        self.numFeatures = numFeatures
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        weight = affine ? Tensor.ones(numFeatures).requiresGrad_() : nil
        bias = affine ? Tensor.zeros(numFeatures).requiresGrad_() : nil
        runningMean = Tensor.zeros(numFeatures)
        runningVar = Tensor.ones(numFeatures)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        check(x.dim == 2 || x.dim == 3, "BatchNorm1d: expected 2D or 3D input (got \(x.dim)D input)")
        check(x.shape[1] == numFeatures, "BatchNorm1d: input has \(x.shape[1]) channels, expected \(numFeatures)")
        var factor: Float = 0
        if training {
            numBatchesTracked += 1
            factor = momentum ?? 1 / Float(numBatchesTracked)
        }
        return batchNorm(x, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
                         training: training, momentum: factor, eps: eps)
    }

    public var directParameters: [(String, Tensor)] {
        (weight.map { [("weight", $0)] } ?? []) + (bias.map { [("bias", $0)] } ?? [])
    }

    public var directBuffers: [(String, Tensor)] { [("running_mean", runningMean), ("running_var", runningVar)] }

    /// `bn.reset_running_stats()`: running mean 0, variance 1, counter 0.
    public func resetRunningStats() {
        runningMean.scalars = [Float](repeating: 0, count: numFeatures)
        runningVar.scalars = [Float](repeating: 1, count: numFeatures)
        numBatchesTracked = 0
    }
}
