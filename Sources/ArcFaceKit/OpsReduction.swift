// Reductions over a whole tensor or one dimension: sum, mean, max/min (+ arg), and p-norms.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Tensor {
    /// Views the tensor as (outer, n, inner) around dimension `d`, where `n = shape[d]`; element
    /// (o, k, i) is at `(o * n + k) * inner + i`. Every reduction and `renorm` walks this layout.
    func lanes(_ d: Int) -> (outer: Int, n: Int, inner: Int) {
        guard dim > 0 else { return (1, 1, 1) }  // a 0-d tensor reduces over its dim 0 like a (1,) one
        return (shape[..<d].reduce(1, *), shape[d], shape[(d + 1)...].reduce(1, *))
    }

    /// Shape after reducing dimension `d`: removed, or kept with size 1.
    func reducedShape(_ d: Int, keepdim: Bool) -> [Int] {
        guard dim > 0 else { return [] }
        var s = shape
        if keepdim { s[d] = 1 } else { s.remove(at: d) }
        return s
    }

    /// A lane: `n` elements of a buffer at `base`, `base + stride`, ... (one reduction's input).
    typealias Lane = (x: UnsafeBufferPointer<Float>, base: Int, stride: Int, n: Int)

    /// Reduces each lane along `dim` with `body`, reading storage through one buffer pointer.
    func reduce(dim: Int, keepdim: Bool, _ body: (Lane) -> Float) -> Tensor {
        let d = wrapDim(dim)
        let (outer, n, inner) = lanes(d)
        var out = [Float](repeating: 0, count: outer * inner)
        scalars.withUnsafeBufferPointer { x in
            for o in 0..<outer {
                for i in 0..<inner { out[o * inner + i] = body((x, o * n * inner + i, inner, n)) }
            }
        }
        return Tensor(shape: reducedShape(d, keepdim: keepdim), scalars: out)
    }

    /// The whole tensor as one lane.
    func reduceAll<R>(_ body: (Lane) -> R) -> R {
        scalars.withUnsafeBufferPointer { body(($0, 0, 1, $0.count)) }
    }

    /// Sum of a lane, accumulated in Double (torch accumulates float32 pairwise; Double is at least as exact).
    static func laneSum(_ l: Lane) -> Double {
        var s = 0.0
        for k in 0..<l.n { s += Double(l.x[l.base + k * l.stride]) }
        return s
    }

    /// Index of the largest (`sign` 1) or smallest (`sign` -1) element of a lane; the first NaN wins,
    /// because torch's max/min propagate NaN. Ties keep the first index.
    static func laneArgExtreme(_ l: Lane, sign: Float) -> Int {
        precondition(l.n > 0, "max()/min(): Expected reduction dim to have non-zero size.")
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
    static func laneExtreme(_ l: Lane, sign: Float) -> Float { l.x[l.base + laneArgExtreme(l, sign: sign) * l.stride] }

    // MARK: Sum and mean

    /// `x.sum()`: a 0-d tensor.
    public func sum() -> Tensor { Tensor(Float(reduceAll(Tensor.laneSum))) }

    /// `x.sum(dim, keepdim)`.
    public func sum(dim: Int, keepdim: Bool = false) -> Tensor {
        reduce(dim: dim, keepdim: keepdim) { Float(Tensor.laneSum($0)) }
    }

    /// `x.mean()`: a 0-d tensor; NaN for an empty tensor, as torch.
    public func mean() -> Tensor { Tensor(Float(reduceAll(Tensor.laneSum) / Double(numel))) }

    /// `x.mean(dim, keepdim)`.
    public func mean(dim: Int, keepdim: Bool = false) -> Tensor {
        reduce(dim: dim, keepdim: keepdim) { Float(Tensor.laneSum($0) / Double($0.n)) }
    }

    // MARK: Max and min

    /// `x.max()`: the largest element as a 0-d tensor (NaN if any element is NaN).
    public func max() -> Tensor { Tensor(reduceAll { Tensor.laneExtreme($0, sign: 1) }) }
    /// `x.min()`.
    public func min() -> Tensor { Tensor(reduceAll { Tensor.laneExtreme($0, sign: -1) }) }

    /// The values of `torch.max(x, dim, keepdim)`; the indices are `argmax(dim:)`.
    public func max(dim: Int, keepdim: Bool = false) -> Tensor {
        reduce(dim: dim, keepdim: keepdim) { Tensor.laneExtreme($0, sign: 1) }
    }
    /// The values of `torch.min(x, dim, keepdim)`; the indices are `argmin(dim:)`.
    public func min(dim: Int, keepdim: Bool = false) -> Tensor {
        reduce(dim: dim, keepdim: keepdim) { Tensor.laneExtreme($0, sign: -1) }
    }

    /// `x.argmax()`: flat index of the largest element.
    public func argmax() -> Int { reduceAll { Tensor.laneArgExtreme($0, sign: 1) } }
    /// `x.argmin()`.
    public func argmin() -> Int { reduceAll { Tensor.laneArgExtreme($0, sign: -1) } }

    /// `x.argmax(dim)`: indices as Ints in row-major order of the reduced shape (torch returns an
    /// int64 tensor; this library has only Float32 tensors). Exact: an index survives the Float trip.
    public func argmax(dim: Int) -> [Int] {
        reduce(dim: dim, keepdim: false) { Float(Tensor.laneArgExtreme($0, sign: 1)) }.scalars.map { Int($0) }
    }
    /// `x.argmin(dim)`, like `argmax(dim:)`.
    public func argmin(dim: Int) -> [Int] {
        reduce(dim: dim, keepdim: false) { Float(Tensor.laneArgExtreme($0, sign: -1)) }.scalars.map { Int($0) }
    }

    // MARK: Norms

    /// `torch.norm(x, p)` over all elements: a 0-d tensor.
    public func norm(p: Float = 2) -> Tensor { Tensor(reduceAll(PNorm(p).of)) }

    /// `torch.norm(x, p, dim, keepdim)`: `(sum |x|^p)^(1/p)` along `dim`; `p` may be `.infinity`
    /// (max |x|), `-.infinity` (min |x|) or 0 (count of nonzeros).
    public func norm(p: Float = 2, dim: Int, keepdim: Bool = false) -> Tensor {
        reduce(dim: dim, keepdim: keepdim, PNorm(p).of)
    }
}

/// Accumulator of a vector p-norm, computed in Double and rounded to Float once at the end.
struct PNorm {
    let p: Double

    init(_ p: Float) {
        precondition(!p.isNaN, "norm: p must not be NaN")
        self.p = Double(p)
    }

    var initial: Double { p == -.infinity ? .infinity : 0 }

    func combine(_ acc: Double, _ x: Float) -> Double {
        let a = Swift.abs(Double(x))
        switch p {
        case .infinity: return a.isNaN || acc.isNaN ? .nan : Swift.max(acc, a)
        case -.infinity: return a.isNaN || acc.isNaN ? .nan : Swift.min(acc, a)
        case 0: return acc + (x == 0 ? 0 : 1)
        case 1: return acc + a
        case 2: return acc + a * a
        default: return acc + libmPow(a, p)
        }
    }

    /// The norm of one lane.
    func of(_ l: Tensor.Lane) -> Float {
        var s = initial
        for k in 0..<l.n { s = combine(s, l.x[l.base + k * l.stride]) }
        return finish(s)
    }

    func finish(_ acc: Double) -> Float {
        switch p {
        case .infinity, -.infinity, 0, 1: Float(acc)
        case 2: Float(acc.squareRoot())
        default: Float(libmPow(acc, 1 / p))
        }
    }
}

/// libm `pow`, named so it does not collide with `Tensor.pow` inside the extension.
@inline(__always) func libmPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
