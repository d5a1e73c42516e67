// Elementwise tensor arithmetic and math with numpy/torch broadcasting, out of place and in place.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: Broadcasting

/// The shape two shapes broadcast to (trailing dims aligned; each pair equal or one of them 1), or
/// a precondition failure worded like torch's error.
public func broadcastShapes(_ a: [Int], _ b: [Int]) -> [Int] {
    let n = max(a.count, b.count)
    return (0..<n).map { i in
        let x = i < n - a.count ? 1 : a[i - (n - a.count)]
        let y = i < n - b.count ? 1 : b[i - (n - b.count)]
        precondition(x == y || x == 1 || y == 1,
                     "The size of tensor a (\(x)) must match the size of tensor b (\(y)) at non-singleton dimension \(i)")
        return x == 1 ? y : x
    }
}

extension Tensor {
    /// Strides for reading this tensor as if it had shape `target`: 0 along broadcast (size-1 or missing) dims.
    func broadcastStrides(to target: [Int]) -> [Int] {
        let lead = target.count - dim
        let own = strides
        return target.indices.map { d in d < lead || shape[d - lead] == 1 ? 0 : own[d - lead] }
    }

    /// `f(a, b)` elementwise over the broadcast shape of `a` and `b`.
    static func zipBroadcast(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        if a.shape == b.shape {
            return Tensor(shape: a.shape, scalars: zip(a.scalars, b.scalars).map(f))
        }
        let shape = broadcastShapes(a.shape, b.shape)
        let (sa, sb) = (a.broadcastStrides(to: shape), b.broadcastStrides(to: shape))
        let n = shape.reduce(1, *)
        var out = [Float](repeating: 0, count: n)
        guard n > 0 else { return Tensor(shape: shape, scalars: out) }
        var index = [Int](repeating: 0, count: shape.count)
        var (ia, ib) = (0, 0)
        let (x, y) = (a.scalars, b.scalars)  // locals: no class-property access per element
        for k in 0..<n {
            out[k] = f(x[ia], y[ib])
            // Odometer step, keeping both source offsets in sync without recomputing them.
            var d = shape.count - 1
            while d >= 0 {
                index[d] += 1
                ia += sa[d]
                ib += sb[d]
                if index[d] < shape[d] { break }
                ia -= sa[d] * shape[d]
                ib -= sb[d] * shape[d]
                index[d] = 0
                d -= 1
            }
        }
        return Tensor(shape: shape, scalars: out)
    }

    /// In place `self = f(self, other)`; `other` must broadcast to `self`'s shape (torch's in-place rule).
    @discardableResult
    func applyInPlace(_ other: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        precondition(broadcastShapes(shape, other.shape) == shape,
                     "output with shape \(shape) doesn't match the broadcast shape \(broadcastShapes(shape, other.shape))")
        scalars = Tensor.zipBroadcast(self, other, f).scalars
        return self
    }

    /// `f` applied to every element (a new tensor).
    public func map(_ f: (Float) -> Float) -> Tensor { Tensor(shape: shape, scalars: scalars.map(f)) }

    // MARK: Operators

    public static func + (a: Tensor, b: Tensor) -> Tensor { zipBroadcast(a, b, +) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { zipBroadcast(a, b, -) }
    public static func * (a: Tensor, b: Tensor) -> Tensor { zipBroadcast(a, b, *) }
    public static func / (a: Tensor, b: Tensor) -> Tensor { zipBroadcast(a, b, /) }

    public static func + (a: Tensor, s: Float) -> Tensor { a.map { $0 + s } }
    public static func - (a: Tensor, s: Float) -> Tensor { a.map { $0 - s } }
    public static func * (a: Tensor, s: Float) -> Tensor { a.map { $0 * s } }
    public static func / (a: Tensor, s: Float) -> Tensor { a.map { $0 / s } }

    public static func + (s: Float, a: Tensor) -> Tensor { a.map { s + $0 } }
    public static func - (s: Float, a: Tensor) -> Tensor { a.map { s - $0 } }
    public static func * (s: Float, a: Tensor) -> Tensor { a.map { s * $0 } }
    public static func / (s: Float, a: Tensor) -> Tensor { a.map { s / $0 } }

    public static prefix func - (a: Tensor) -> Tensor { a.map { -$0 } }

    // Compound assignment mutates the tensor in place (the reference is not replaced), as in torch,
    // so it also works on a `let` and is seen through every other reference to the tensor.
    public static func += (a: Tensor, b: Tensor) { a.add_(b) }
    public static func -= (a: Tensor, b: Tensor) { a.sub_(b) }
    public static func *= (a: Tensor, b: Tensor) { a.mul_(b) }
    public static func /= (a: Tensor, b: Tensor) { a.div_(b) }
    public static func += (a: Tensor, s: Float) { a.add_(s) }
    public static func -= (a: Tensor, s: Float) { a.sub_(s) }
    public static func *= (a: Tensor, s: Float) { a.mul_(s) }
    public static func /= (a: Tensor, s: Float) { a.div_(s) }

    // MARK: In place (return self for chaining, like torch)

    @discardableResult public func add_(_ b: Tensor) -> Tensor { applyInPlace(b, +) }
    @discardableResult public func sub_(_ b: Tensor) -> Tensor { applyInPlace(b, -) }
    @discardableResult public func mul_(_ b: Tensor) -> Tensor { applyInPlace(b, *) }
    @discardableResult public func div_(_ b: Tensor) -> Tensor { applyInPlace(b, /) }

    @discardableResult public func add_(_ s: Float) -> Tensor { mapInPlace { $0 + s } }
    @discardableResult public func sub_(_ s: Float) -> Tensor { mapInPlace { $0 - s } }
    @discardableResult public func mul_(_ s: Float) -> Tensor { mapInPlace { $0 * s } }
    @discardableResult public func div_(_ s: Float) -> Tensor { mapInPlace { $0 / s } }

    /// `x.fill_(v)`.
    @discardableResult public func fill_(_ v: Float) -> Tensor { mapInPlace { _ in v } }

    /// `x.copy_(src)`: overwrites the elements with `src` broadcast to this shape.
    @discardableResult public func copy_(_ src: Tensor) -> Tensor { applyInPlace(src) { $1 } }

    /// Rewrites every element through one buffer, so the `scalars` count check runs once, not per element.
    @discardableResult
    func mapInPlace(_ f: (Float) -> Float) -> Tensor {
        scalars.withUnsafeMutableBufferPointer { b in
            for i in b.indices { b[i] = f(b[i]) }
        }
        return self
    }

    // MARK: Math

    /// `x.pow(e)`. Like torch, common exponents take exact shortcuts (`x*x`, `sqrt`, `1/x`) instead of `powf`.
    public func pow(_ e: Float) -> Tensor {
        switch e {
        case 1: clone()
        case 2: map { $0 * $0 }
        case 3: map { $0 * $0 * $0 }
        case 0.5: map { $0.squareRoot() }
        case -0.5: map { 1 / $0.squareRoot() }
        case -1: map { 1 / $0 }
        case -2: map { 1 / ($0 * $0) }
        default: map { powf($0, e) }
        }
    }

    public func sqrt() -> Tensor { map { $0.squareRoot() } }
    public func exp() -> Tensor { map { expf($0) } }
    public func log() -> Tensor { map { logf($0) } }
    public func abs() -> Tensor { map { Swift.abs($0) } }
    public func neg() -> Tensor { -self }

    /// `x.clamp(min, max)`; either bound may be nil. NaN stays NaN, as in torch.
    public func clamp(min lo: Float? = nil, max hi: Float? = nil) -> Tensor {
        map { Tensor.clampScalar($0, lo, hi) }
    }

    /// In-place `clamp_`.
    @discardableResult
    public func clamp_(min lo: Float? = nil, max hi: Float? = nil) -> Tensor {
        mapInPlace { Tensor.clampScalar($0, lo, hi) }
    }

    /// torch applies min then max, so `min > max` gives `max` everywhere.
    static func clampScalar(_ x: Float, _ lo: Float?, _ hi: Float?) -> Float {
        if x.isNaN { return x }
        var y = x
        if let lo, y < lo { y = lo }
        if let hi, y > hi { y = hi }
        return y
    }
}
