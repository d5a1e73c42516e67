// Reductions over a whole tensor or one dimension: sum, mean, max/min (+ arg), and p-norms.

extension TensorOf {
    /// Views the tensor as (outer, n, inner) around dimension `d`, where `n = shape[d]`; element
    /// (o, k, i) is at `(o * n + k) * inner + i`. Every reduction and `renorm` walks this layout.
    @_specialize(where Scalar == Float)
    func lanes(_ d: Int) -> (outer: Int, n: Int, inner: Int) {
        guard dim > 0 else { return (1, 1, 1) }  // a 0-d tensor reduces over its dim 0 like a (1,) one
        return (shape[..<d].reduce(1, *), shape[d], shape[(d + 1)...].reduce(1, *))
    }

    /// Shape after reducing dimension `d`: removed, or kept with size 1.
    @_specialize(where Scalar == Float)
    func reducedShape(_ d: Int, keepdim: Bool) -> [Int] {
        guard dim > 0 else { return [] }
        var s = shape
        if keepdim { s[d] = 1 } else { s.remove(at: d) }
        return s
    }

    /// A lane: `n` elements of a buffer at `base`, `base + stride`, ... (one reduction's input).
    typealias Lane = (x: UnsafeBufferPointer<Scalar>, base: Int, stride: Int, n: Int)

    /// Reduces each lane along `dim` with `body`, reading storage through one buffer pointer.
    @_specialize(where Scalar == Float)
    func reduce(dim: Int, keepdim: Bool, _ body: (Lane) -> Scalar) -> TensorOf {
        let d = wrapDim(dim)
        let (outer, n, inner) = lanes(d)
        var out = [Scalar](repeating: 0, count: outer * inner)
        scalars.withUnsafeBufferPointer { x in
            for o in 0..<outer {
                for i in 0..<inner { out[o * inner + i] = body((x, o * n * inner + i, inner, n)) }
            }
        }
        return TensorOf(shape: reducedShape(d, keepdim: keepdim), scalars: out)
    }

    /// The whole tensor as one lane.
    func reduceAll<R>(_ body: (Lane) -> R) -> R {
        scalars.withUnsafeBufferPointer { body(($0, 0, 1, $0.count)) }
    }

    /// Sum of a lane, accumulated in Double (torch accumulates float32 pairwise; Double is at least as exact).
    @_specialize(where Scalar == Float)
    static func laneSum(_ l: Lane) -> Double {
        var s = 0.0
        for k in 0..<l.n { s += Double(l.x[l.base + k * l.stride]) }
        return s
    }

    /// Index of the largest (`sign` 1) or smallest (`sign` -1) element of a lane; the first NaN wins,
    /// because torch's max/min propagate NaN. Ties keep the first index.
    @_specialize(where Scalar == Float)
    static func laneArgExtreme(_ l: Lane, sign: Scalar) -> Int {
        check(l.n > 0, "max()/min(): Expected reduction dim to have non-zero size.")
        var best = 0
        var bestValue = l.x[l.base]
        for k in 0..<l.n {
            let v = l.x[l.base + k * l.stride]
            if v.isNaN { return k }
            if sign * v > sign * bestValue { (best, bestValue) = (k, v) }
        }
        return best
    }

    /// The extreme value of a lane.
    @_specialize(where Scalar == Float)
    static func laneExtreme(_ l: Lane, sign: Scalar) -> Scalar { l.x[l.base + laneArgExtreme(l, sign: sign) * l.stride] }

    // MARK: Sum and mean

    /// Broadcasts the gradient of a reduction over `d` (kept or removed) back to this tensor's shape.
    @_specialize(where Scalar == Float)
    func expandReduced(_ g: TensorOf, dim d: Int, keepdim: Bool) -> TensorOf {
        let gk = keepdim || self.dim == 0 ? g : g.unsqueeze(d)
        return TensorOf.zeros(shape) + gk
    }

    /// `x.sum()`: a 0-d tensor.
    @_specialize(where Scalar == Float)
    public func sum() -> TensorOf {
        TensorOf(Scalar(reduceAll(TensorOf.laneSum))).recorded("SumBackward0", [self]) { [shape] g in
            [TensorOf.full(shape, value: g.item())]  // every element contributed once
        }
    }

    /// `x.sum(dim, keepdim)`.
    @_specialize(where Scalar == Float)
    public func sum(dim: Int, keepdim: Bool = false) -> TensorOf {
        let d = wrapDim(dim)
        return reduce(dim: d, keepdim: keepdim) { Scalar(TensorOf.laneSum($0)) }.recorded("SumBackward1", [self]) { g in
            [self.expandReduced(g, dim: d, keepdim: keepdim)]
        }
    }

    /// `x.mean()`: a 0-d tensor; NaN for an empty tensor, as torch.
    @_specialize(where Scalar == Float)
    public func mean() -> TensorOf {
        let n = Scalar(numel)
        return TensorOf(Scalar(reduceAll(TensorOf.laneSum) / Double(numel))).recorded("MeanBackward0", [self]) { [shape] g in
            [TensorOf.full(shape, value: g.item() / n)]
        }
    }

    /// `x.mean(dim, keepdim)`.
    @_specialize(where Scalar == Float)
    public func mean(dim: Int, keepdim: Bool = false) -> TensorOf {
        let d = wrapDim(dim)
        let n = Scalar(self.dim == 0 ? 1 : shape[d])
        return reduce(dim: d, keepdim: keepdim) { Scalar(TensorOf.laneSum($0) / Double($0.n)) }.recorded("MeanBackward1", [self]) { g in
            [self.expandReduced(g, dim: d, keepdim: keepdim) / n]
        }
    }

    // MARK: Max and min

    /// `x.max()`: the largest element as a 0-d tensor (NaN if any element is NaN). The gradient is
    /// shared evenly by all elements equal to the maximum, as torch does.
    @_specialize(where Scalar == Float)
    public func max() -> TensorOf { extreme(sign: 1, name: "MaxBackward1") }
    /// `x.min()`.
    @_specialize(where Scalar == Float)
    public func min() -> TensorOf { extreme(sign: -1, name: "MinBackward1") }

    private func extreme(sign: Scalar, name: String) -> TensorOf {
        let value = reduceAll { TensorOf.laneExtreme($0, sign: sign) }
        return TensorOf(value).recorded(name, [self]) { g in
            let hits = self.scalars.map { $0 == value || ($0.isNaN && value.isNaN) ? Scalar(1) : 0 }
            let count = hits.reduce(0, +)
            return [TensorOf(shape: self.shape, scalars: hits.map { $0 * g.item() / count })]
        }
    }

    /// The values of `torch.max(x, dim, keepdim)`; the indices are `argmax(dim:)`. The gradient goes
    /// to the index chosen (the first maximum).
    @_specialize(where Scalar == Float)
    public func max(dim: Int, keepdim: Bool = false) -> TensorOf { extreme(dim: dim, keepdim: keepdim, sign: 1, name: "MaxBackward0") }
    /// The values of `torch.min(x, dim, keepdim)`; the indices are `argmin(dim:)`.
    @_specialize(where Scalar == Float)
    public func min(dim: Int, keepdim: Bool = false) -> TensorOf { extreme(dim: dim, keepdim: keepdim, sign: -1, name: "MinBackward0") }

    private func extreme(dim: Int, keepdim: Bool, sign: Scalar, name: String) -> TensorOf {
        let d = wrapDim(dim)
        let values = reduce(dim: d, keepdim: keepdim) { TensorOf.laneExtreme($0, sign: sign) }
        return values.recorded(name, [self]) { g in
            let index = self.reduce(dim: d, keepdim: false) { Scalar(TensorOf.laneArgExtreme($0, sign: sign)) }.scalars
            let (outer, n, inner) = self.lanes(d)
            var out = [Scalar](repeating: 0, count: self.numel)
            for o in 0..<outer {
                for i in 0..<inner {
                    out[(o * n + Int(index[o * inner + i])) * inner + i] = g.scalars[o * inner + i]
                }
            }
            return [TensorOf(shape: self.shape, scalars: out)]
        }
    }

    /// `x.argmax()`: flat index of the largest element.
    @_specialize(where Scalar == Float)
    public func argmax() -> Int { reduceAll { TensorOf.laneArgExtreme($0, sign: 1) } }
    /// `x.argmin()`.
    @_specialize(where Scalar == Float)
    public func argmin() -> Int { reduceAll { TensorOf.laneArgExtreme($0, sign: -1) } }

    /// `x.argmax(dim)`: indices as Ints in row-major order of the reduced shape (torch returns an
    /// int64 tensor; this library has only Float32 tensors). Exact: an index survives the Scalar trip.
    @_specialize(where Scalar == Float)
    public func argmax(dim: Int) -> [Int] {
        reduce(dim: dim, keepdim: false) { Scalar(TensorOf.laneArgExtreme($0, sign: 1)) }.scalars.map { Int($0) }
    }
    /// `x.argmin(dim)`, like `argmax(dim:)`.
    @_specialize(where Scalar == Float)
    public func argmin(dim: Int) -> [Int] {
        reduce(dim: dim, keepdim: false) { Scalar(TensorOf.laneArgExtreme($0, sign: -1)) }.scalars.map { Int($0) }
    }

    // MARK: Norms

    /// `torch.norm(x, p)` over all elements: a 0-d tensor.
    @_specialize(where Scalar == Float)
    public func norm(p: Scalar = 2) -> TensorOf { flatten().norm(p: p, dim: 0) }

    /// `torch.norm(x, p, dim, keepdim)`: `(sum |x|^p)^(1/p)` along `dim`; `p` may be `.infinity`
    /// (max |x|), `-.infinity` (min |x|) or 0 (count of nonzeros).
    @_specialize(where Scalar == Float)
    public func norm(p: Scalar = 2, dim: Int, keepdim: Bool = false) -> TensorOf {
        let d = wrapDim(dim)
        let norms = reduce(dim: d, keepdim: keepdim, PNorm(p).of)
        return norms.recorded("NormBackward1", [self]) { g in
            // d||x||_p / dx = sign(x) |x|^(p-1) / ||x||^(p-1); zero where the norm is 0 (torch masks it).
            let n = self.expandReduced(norms.detach(), dim: d, keepdim: keepdim).scalars
            let gx = self.expandReduced(g, dim: d, keepdim: keepdim).scalars
            let x = self.scalars
            var out = [Scalar](repeating: 0, count: x.count)
            if p.isInfinite {
                // The gradient is shared evenly by the elements whose |x| is the extreme one.
                var ties = [Scalar](repeating: 0, count: x.count)
                let hit = x.indices.map { Swift.abs(x[$0]) == n[$0] }
                let tieCount = self.expandReduced(
                    TensorOf(shape: self.shape, scalars: hit.map { $0 ? 1 : 0 }).sum(dim: d, keepdim: keepdim), dim: d, keepdim: keepdim).scalars
                for k in x.indices where hit[k] { ties[k] = 1 / tieCount[k] }
                for k in x.indices { out[k] = gx[k] * ties[k] * (x[k] > 0 ? 1 : x[k] < 0 ? -1 : 0) }
            } else if p != 0 {
                for k in x.indices {
                    // A product with 0, not a skip, at a zero norm: torch gives NaN there for a NaN or
                    // infinite upstream gradient (l2_norm of a zero column), 0 otherwise.
                    guard n[k] != 0 else { out[k] = gx[k] * 0; continue }
                    let sign: Scalar = x[k] > 0 ? 1 : x[k] < 0 ? -1 : 0
                    let ratio = p == 2 ? x[k] / n[k] : sign * Scalar.pow(Swift.abs(x[k]) / n[k], p - 1)
                    out[k] = gx[k] * ratio
                }
            }
            return [TensorOf(shape: self.shape, scalars: out)]
        }
    }
}

/// Accumulator of a vector p-norm, computed in Double and rounded to Scalar once at the end.
struct PNorm<Scalar: TensorScalar> {
    let p: Double

    init(_ p: Scalar) {
        check(!p.isNaN, "norm: p must not be NaN")
        self.p = Double(p)
    }

    var initial: Double { p == -.infinity ? .infinity : 0 }

    func combine(_ acc: Double, _ x: Scalar) -> Double {
        let a = Swift.abs(Double(x))
        switch p {
        case .infinity: return a.isNaN || acc.isNaN ? .nan : Swift.max(acc, a)
        case -.infinity: return a.isNaN || acc.isNaN ? .nan : Swift.min(acc, a)
        case 0: return acc + (x == 0 ? 0 : 1)
        case 1: return acc + a
        case 2: return acc + a * a
        default: return acc + PortableMath.pow(a, p)
        }
    }

    /// The norm of one lane.
    func of(_ l: TensorOf<Scalar>.Lane) -> Scalar {
        var s = initial
        for k in 0..<l.n { s = combine(s, l.x[l.base + k * l.stride]) }
        return finish(s)
    }

    func finish(_ acc: Double) -> Scalar {
        switch p {
        case .infinity, -.infinity, 0, 1: Scalar(acc)
        case 2: Scalar(acc.squareRoot())
        default: Scalar(PortableMath.pow(acc, 1 / p))
        }
    }
}


