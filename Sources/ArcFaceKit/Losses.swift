// Classification losses with torch.nn.functional's semantics: nll_loss and cross_entropy (with
// class weights, ignore_index, the three reductions and label smoothing), plus the nn.Module-like
// callables CrossEntropyLoss, NLLLoss, LogSoftmax and Softmax.
//
// cross_entropy is composed as torch composes it: log_softmax (Softmax.swift), then one fused
// negative-log-likelihood op on the log-probabilities whose forward and backward are written side by
// side below. With label smoothing eps over C classes, for a row i with target t_i (torch's
// `cross_entropy_loss_label_smoothing`, aten/src/ATen/native/LossNLL.cpp):
//
//     nll_i    = -w[t_i] * lp[i, t_i]
//     smooth_i = -sum_c w[c] * lp[i, c]          (w = 1 without weights)
//     loss_i   = (1 - eps) * nll_i + eps / C * smooth_i,   0 for a row whose target is ignoreIndex
//
// and reduction .mean divides both sums by W = sum of w[t_i] over the rows not ignored (without
// weights that is the number of such rows), so 0 / 0 gives NaN when every row is ignored.

/// How a loss reduces its per-sample values: torch's `reduction='none' | 'mean' | 'sum'`.
public enum Reduction: Sendable, Hashable {
    /// One loss per sample, shape (N) (a 0-d tensor for a 1-D input).
    case none
    /// The (weighted) average over the samples whose target is not ignored.
    case mean
    /// The sum over the samples.
    case sum
}

/// `F.nll_loss(input, target, weight, ignore_index, reduction)`: the negative log-likelihood of
/// `target` under the log-probabilities `input`.
///
/// - `input`: (N, C) log-probabilities, or (C) for a single sample.
/// - `target`: one class index in `0..<C` per row (exactly one for a 1-D input), or `ignoreIndex`.
/// - `weight`: optional (C) rescaling per class.
///
/// `loss_i = -weight[t_i] * input[i, t_i]`; an ignored row contributes 0 to the loss and 0 to the
/// weight sum that `.mean` divides by. A target outside `0..<C` that is not `ignoreIndex` is a
/// precondition failure (torch's "Target 5 is out of bounds.").
@_specialize(where Scalar == Float)
public func nllLoss<Scalar>(_ input: TensorOf<Scalar>, _ target: [Int], weight: TensorOf<Scalar>? = nil,
                            ignoreIndex: Int = -100, reduction: Reduction = .mean) -> TensorOf<Scalar> {
    smoothedNLL(input, target, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction, labelSmoothing: 0)
}

/// `F.cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing)`: `nll_loss` of
/// `log_softmax(input)` over the class dimension (1 for an (N, C) input, 0 for a (C) input), with
/// torch's label smoothing (see the top of Losses.swift for the formula).
///
/// `labelSmoothing` must be at most 1 (torch's message otherwise); like torch, a value <= 0 means no
/// smoothing (torch accepts a negative value silently and ignores it).
@_specialize(where Scalar == Float)
public func crossEntropy<Scalar>(_ input: TensorOf<Scalar>, _ target: [Int], weight: TensorOf<Scalar>? = nil,
                                 ignoreIndex: Int = -100, reduction: Reduction = .mean,
                                 labelSmoothing: Scalar = 0) -> TensorOf<Scalar> {
    check(labelSmoothing <= 1, "label_smoothing must be between 0.0 and 1.0. Got: \(labelSmoothing)")
    checkNLLArguments(input, target, weight: weight, ignoreIndex: ignoreIndex)
    let lp = input.logSoftmax(dim: input.dim == 1 ? 0 : 1)  // (N, C) or (C)
    return smoothedNLL(lp, target, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction,
                       labelSmoothing: labelSmoothing > 0 ? labelSmoothing : 0)
}

/// torch's argument checks for nll_loss / cross_entropy, with its messages.
@_specialize(where Scalar == Float)
func checkNLLArguments<Scalar>(_ input: TensorOf<Scalar>, _ target: [Int], weight: TensorOf<Scalar>?, ignoreIndex: Int) {
    check(input.dim == 1 || input.dim == 2,
                 "input tensor should be 1D or 2D (got shape \(input.shape); class-index targets of (N, C, d1, ...) inputs are not supported)")
    let batch = input.dim == 2 ? input.shape[0] : 1
    check(target.count == batch,
                 input.dim == 2 ? "Expected input batch_size (\(batch)) to match target batch_size (\(target.count))."
                                : "a 1D input (C) takes exactly one target, got \(target.count)")
    let classes = input.shape[input.dim - 1]
    if let weight {
        check(weight.dim == 1 && weight.numel == classes,
                     "weight tensor should be defined either for all \(classes) classes or no classes but got weight tensor of shape: \(weight.shape)")
    }
    for t in target where t != ignoreIndex {
        check(t >= 0 && t < classes, "Target \(t) is out of bounds.")
    }
}

/// The fused negative log-likelihood with label smoothing on log-probabilities `lp` ((N, C) or (C)):
/// forward and backward side by side. `eps == 0` is plain nll_loss (the smoothing terms are not
/// evaluated at all, so a -inf log-probability off the target does not turn into 0 * inf = NaN).
@_specialize(where Scalar == Float)
func smoothedNLL<Scalar>(_ lp: TensorOf<Scalar>, _ target: [Int], weight: TensorOf<Scalar>?, ignoreIndex: Int,
                         reduction: Reduction, labelSmoothing eps: Scalar) -> TensorOf<Scalar> {
    checkNLLArguments(lp, target, weight: weight, ignoreIndex: ignoreIndex)
    let N = target.count, C = lp.shape[lp.dim - 1]
    let x = lp.scalars                                   // (N, C)
    let w = weight?.scalars.map(Double.init) ?? [Double](repeating: 1, count: C)  // (C)
    let kept = target.map { $0 != ignoreIndex }          // (N)
    let smoothing = eps > 0

    // forward: per row, nll[i] = -w[t_i] * lp[i, t_i],  smooth[i] = -sum_c w[c] * lp[i, c]  (0 if ignored)
    var nll = [Double](repeating: 0, count: N)           // (N)
    var smooth = [Double](repeating: 0, count: N)        // (N)
    var totalWeight = 0.0                                // W = sum_{i kept} w[t_i]
    for i in 0..<N where kept[i] {
        let t = target[i]
        let wt = w[t]
        nll[i] = -wt * Double(x[i * C + t])
        totalWeight += wt
        if smoothing {
            var s = 0.0
            for c in 0..<C { s -= w[c] * Double(x[i * C + c]) }
            smooth[i] = s
        }
    }
    // loss = (1 - eps) * nll + eps / C * smooth, then reduced; mean divides both sums by W (0 / 0 = NaN)
    let (a, b) = (1 - Double(eps), Double(eps) / Double(C))
    let out: TensorOf<Scalar>
    switch reduction {
    case .none:
        let rows = (0..<N).map { i in Scalar(smoothing ? a * nll[i] + b * smooth[i] : nll[i]) }
        out = TensorOf(shape: lp.dim == 2 ? [N] : [], scalars: rows)
    case .sum, .mean:
        var (nllSum, smoothSum) = (0.0, 0.0)
        for i in 0..<N { nllSum += nll[i]; smoothSum += smooth[i] }
        let d = reduction == .mean ? totalWeight : 1
        out = TensorOf(smoothing ? Scalar(a * (nllSum / d) + b * (smoothSum / d)) : Scalar(nllSum / d))
    }

    return out.recorded(smoothing ? "AddBackward0" : "NllLossBackward0", [lp]) { g in
        // g: (N) for .none, 0-d otherwise. Per kept row, with gi = g[i] (.none), g (.sum) or g / W (.mean):
        // backward of nll[i] = -w[t_i] * lp[i, t_i]:           dlp[i, t_i] += -w[t_i] * (1 - eps) * gi
        // backward of smooth[i] = -sum_c w[c] * lp[i, c]:       dlp[i, c]   += -w[c] * eps / C * gi
        // Ignored rows get 0 (torch never writes them, so even a NaN mean leaves them 0).
        let gs = g.scalars.map(Double.init)
        var dx = [Scalar](repeating: 0, count: N * C)   // (N, C)
        for i in 0..<N where kept[i] {
            let gi = reduction == .none ? gs[i] : gs[0]
            let t = target[i]
            // torch's order: scale the upstream gradient, then divide by W, then multiply by the weight
            let gn = reduction == .mean ? gi * a / totalWeight : gi * a
            if smoothing {
                let gsm = reduction == .mean ? gi * b / totalWeight : gi * b
                for c in 0..<C { dx[i * C + c] = Scalar(-w[c] * gsm) }
            }
            dx[i * C + t] = Scalar(Double(dx[i * C + t]) - w[t] * gn)
        }
        return [TensorOf(shape: lp.shape, scalars: dx)]
    }
}

// MARK: Modules (torch.nn's callables)

/// `nn.Softmax(dim)`: `Softmax(dim: 1)(x) == x.softmax(dim: 1)`.
public struct Softmax: Sendable {
    public var dim: Int
    public init(dim: Int) { self.dim = dim }
    public func callAsFunction<Scalar>(_ input: TensorOf<Scalar>) -> TensorOf<Scalar> { input.softmax(dim: dim) }
}

/// `nn.LogSoftmax(dim)`: `LogSoftmax(dim: 1)(x) == x.logSoftmax(dim: 1)`.
public struct LogSoftmax: Sendable {
    public var dim: Int
    public init(dim: Int) { self.dim = dim }
    public func callAsFunction<Scalar>(_ input: TensorOf<Scalar>) -> TensorOf<Scalar> { input.logSoftmax(dim: dim) }
}

/// `nn.NLLLoss(weight, ignore_index, reduction)`: `NLLLoss()(logProbs, targets)` is `nllLoss`.
/// `NLLLoss` holds Float32 weights; `NLLLossOf<Double>` is the Float64 one.
public struct NLLLossOf<Scalar: TensorScalar> {
    public var weight: TensorOf<Scalar>?
    public var ignoreIndex: Int
    public var reduction: Reduction

    public init(weight: TensorOf<Scalar>? = nil, ignoreIndex: Int = -100, reduction: Reduction = .mean) {
        (self.weight, self.ignoreIndex, self.reduction) = (weight, ignoreIndex, reduction)
    }

    @_specialize(where Scalar == Float)
    public func callAsFunction(_ input: TensorOf<Scalar>, _ target: [Int]) -> TensorOf<Scalar> {
        nllLoss(input, target, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction)
    }
}
public typealias NLLLoss = NLLLossOf<Float>

/// `nn.CrossEntropyLoss(weight, ignore_index, reduction, label_smoothing)`:
/// `let ce = CrossEntropyLoss(); ce(logits, labels)` is `crossEntropy`, which equals
/// `NLLLoss()(LogSoftmax(dim: 1)(logits), labels)` without label smoothing.
/// `CrossEntropyLoss` holds Float32 weights; `CrossEntropyLossOf<Double>` is the Float64 one.
public struct CrossEntropyLossOf<Scalar: TensorScalar> {
    public var weight: TensorOf<Scalar>?
    public var ignoreIndex: Int
    public var reduction: Reduction
    public var labelSmoothing: Scalar

    public init(weight: TensorOf<Scalar>? = nil, ignoreIndex: Int = -100, reduction: Reduction = .mean,
                labelSmoothing: Scalar = 0) {
        (self.weight, self.ignoreIndex, self.reduction, self.labelSmoothing) = (weight, ignoreIndex, reduction, labelSmoothing)
    }

    @_specialize(where Scalar == Float)
    public func callAsFunction(_ input: TensorOf<Scalar>, _ target: [Int]) -> TensorOf<Scalar> {
        crossEntropy(input, target, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction,
                     labelSmoothing: labelSmoothing)
    }
}
public typealias CrossEntropyLoss = CrossEntropyLossOf<Float>
