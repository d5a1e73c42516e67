// Elementwise tensor arithmetic and math with numpy/torch broadcasting, out of place and in place.

// MARK: Broadcasting

/// The shape two shapes broadcast to (trailing dims aligned; each pair equal or one of them 1), or
/// a precondition failure worded like torch's error.
public func broadcastShapes(_ a: [Int], _ b: [Int]) -> [Int] {
    let n = max(a.count, b.count)
    return (0..<n).map { i in
        let x = i < n - a.count ? 1 : a[i - (n - a.count)]
        let y = i < n - b.count ? 1 : b[i - (n - b.count)]
        check(x == y || x == 1 || y == 1,
                     "The size of tensor a (\(x)) must match the size of tensor b (\(y)) at non-singleton dimension \(i)")
        return x == 1 ? y : x
    }
}

extension TensorOf {
    /// Strides for reading this tensor as if it had shape `target`: 0 along broadcast (size-1 or missing) dims.
    @_specialize(where Scalar == Float)
    func broadcastStrides(to target: [Int]) -> [Int] {
        let lead = target.count - dim
        let own = strides
        return target.indices.map { d in d < lead || shape[d - lead] == 1 ? 0 : own[d - lead] }
    }

    /// `f(a, b)` elementwise over the broadcast shape of `a` and `b`.
    @_specialize(where Scalar == Float)
    static func zipBroadcast(_ a: TensorOf, _ b: TensorOf, _ f: (Scalar, Scalar) -> Scalar) -> TensorOf {
        if a.shape == b.shape {
            return TensorOf(shape: a.shape, scalars: zip(a.scalars, b.scalars).map(f))
        }
        let shape = broadcastShapes(a.shape, b.shape)
        let (sa, sb) = (a.broadcastStrides(to: shape), b.broadcastStrides(to: shape))
        let n = shape.reduce(1, *)
        var out = [Scalar](repeating: 0, count: n)
        guard n > 0 else { return TensorOf(shape: shape, scalars: out) }
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
        return TensorOf(shape: shape, scalars: out)
    }

    /// `f` applied to every element (a new tensor). Not differentiable: autograd does not see
    /// through an arbitrary closure (use the named ops for that).
    @_specialize(where Scalar == Float)
    public func map(_ f: (Scalar) -> Scalar) -> TensorOf { TensorOf(shape: shape, scalars: scalars.map(f)) }

    /// The same op, with its gradient, used by the element-wise ops: `value` computes the output
    /// from the input, `derivative(x, y)` is dy/dx at each element (x input, y output).
    @_specialize(where Scalar == Float)
    func unary(_ name: String, _ value: (Scalar) -> Scalar, derivative: @escaping (Scalar, Scalar) -> Scalar) -> TensorOf {
        let x = self
        let y = map(value)
        return y.recorded(name, [x]) { g in
            // dL/dx = g * f'(x): one pass over (g, x, y)
            var out = [Scalar](repeating: 0, count: g.numel)
            let (gs, xs, ys) = (g.scalars, x.scalars, y.scalars)
            for k in out.indices { out[k] = gs[k] * derivative(xs[k], ys[k]) }
            return [TensorOf(shape: x.shape, scalars: out)]
        }
    }

    /// An element-wise op whose gradient is `g` where `passes(x, y)` and 0 elsewhere. A select, not a
    /// product, as torch's clamp and threshold backward: an infinite `g` outside becomes 0, not NaN.
    @_specialize(where Scalar == Float)
    func gated(_ name: String, _ value: (Scalar) -> Scalar, passes: @escaping (Scalar, Scalar) -> Bool) -> TensorOf {
        let x = self
        let y = map(value)
        return y.recorded(name, [x]) { g in
            var out = [Scalar](repeating: 0, count: g.numel)
            let (gs, xs, ys) = (g.scalars, x.scalars, y.scalars)
            for k in out.indices where passes(xs[k], ys[k]) { out[k] = gs[k] }
            return [TensorOf(shape: x.shape, scalars: out)]
        }
    }

    // MARK: Operators (forward and backward side by side)

    public static func + (a: TensorOf, b: TensorOf) -> TensorOf {
        zipBroadcast(a, b, +).recorded("AddBackward0", [a, b]) { g in
            [a.reduceBroadcast(g), b.reduceBroadcast(g)]  // d(a + b) = da + db
        }
    }
    public static func - (a: TensorOf, b: TensorOf) -> TensorOf {
        zipBroadcast(a, b, -).recorded("SubBackward0", [a, b]) { g in
            [a.reduceBroadcast(g), b.reduceBroadcast(-g)]
        }
    }
    public static func * (a: TensorOf, b: TensorOf) -> TensorOf {
        zipBroadcast(a, b, *).recorded("MulBackward0", [a, b]) { g in
            [a.requiresGrad ? a.reduceBroadcast(g * b) : nil, b.requiresGrad ? b.reduceBroadcast(g * a) : nil]
        }
    }
    public static func / (a: TensorOf, b: TensorOf) -> TensorOf {
        zipBroadcast(a, b, /).recorded("DivBackward0", [a, b]) { g in
            // d(a / b) = da / b - a db / b^2
            [a.requiresGrad ? a.reduceBroadcast(g / b) : nil, b.requiresGrad ? b.reduceBroadcast(-g * a / (b * b)) : nil]
        }
    }

    public static func + (a: TensorOf, s: Scalar) -> TensorOf { a.map { $0 + s }.recorded("AddBackward0", [a]) { [$0] } }
    public static func - (a: TensorOf, s: Scalar) -> TensorOf { a.map { $0 - s }.recorded("SubBackward0", [a]) { [$0] } }
    public static func * (a: TensorOf, s: Scalar) -> TensorOf { a.map { $0 * s }.recorded("MulBackward0", [a]) { [$0 * s] } }
    public static func / (a: TensorOf, s: Scalar) -> TensorOf { a.map { $0 / s }.recorded("DivBackward0", [a]) { [$0 / s] } }

    public static func + (s: Scalar, a: TensorOf) -> TensorOf { a + s }
    public static func - (s: Scalar, a: TensorOf) -> TensorOf { a.map { s - $0 }.recorded("RsubBackward1", [a]) { [-$0] } }
    public static func * (s: Scalar, a: TensorOf) -> TensorOf { a * s }
    public static func / (s: Scalar, a: TensorOf) -> TensorOf {
        a.map { s / $0 }.recorded("DivBackward0", [a]) { g in [-g * s / (a * a)] }  // d(s / a) = -s da / a^2
    }

    public static prefix func - (a: TensorOf) -> TensorOf { a.map { -$0 }.recorded("NegBackward0", [a]) { [a.requiresGrad ? $0.map { -$0 } : nil] } }

    // Compound assignment mutates the tensor in place (the reference is not replaced), as in torch,
    // so it also works on a `let` and is seen through every other reference to the tensor.
    public static func += (a: TensorOf, b: TensorOf) { a.add_(b) }
    public static func -= (a: TensorOf, b: TensorOf) { a.sub_(b) }
    public static func *= (a: TensorOf, b: TensorOf) { a.mul_(b) }
    public static func /= (a: TensorOf, b: TensorOf) { a.div_(b) }
    public static func += (a: TensorOf, s: Scalar) { a.add_(s) }
    public static func -= (a: TensorOf, s: Scalar) { a.sub_(s) }
    public static func *= (a: TensorOf, s: Scalar) { a.mul_(s) }
    public static func /= (a: TensorOf, s: Scalar) { a.div_(s) }

    // MARK: In place (return self for chaining, like torch; recorded for autograd when it is involved)

    @discardableResult public func add_(_ b: TensorOf) -> TensorOf { updateInPlace(others: [b], { $0 + b }, fast: { applyFast(b, +) }) }
    @discardableResult public func sub_(_ b: TensorOf) -> TensorOf { updateInPlace(others: [b], { $0 - b }, fast: { applyFast(b, -) }) }
    @discardableResult public func mul_(_ b: TensorOf) -> TensorOf { updateInPlace(others: [b], { $0 * b }, fast: { applyFast(b, *) }) }
    @discardableResult public func div_(_ b: TensorOf) -> TensorOf { updateInPlace(others: [b], { $0 / b }, fast: { applyFast(b, /) }) }

    @discardableResult public func add_(_ s: Scalar) -> TensorOf { updateInPlace({ $0 + s }, fast: { mapFast { $0 + s } }) }
    @discardableResult public func sub_(_ s: Scalar) -> TensorOf { updateInPlace({ $0 - s }, fast: { mapFast { $0 - s } }) }
    @discardableResult public func mul_(_ s: Scalar) -> TensorOf { updateInPlace({ $0 * s }, fast: { mapFast { $0 * s } }) }
    @discardableResult public func div_(_ s: Scalar) -> TensorOf { updateInPlace({ $0 / s }, fast: { mapFast { $0 / s } }) }

    /// `x.fill_(v)`.
    @discardableResult public func fill_(_ v: Scalar) -> TensorOf {
        updateInPlace({ old in
            TensorOf.full(old.shape, value: v).recorded("FillBackward2", [old]) { g in [TensorOf.zeros(g.shape)] }
        }, fast: { mapFast { _ in v } })
    }

    /// `x.copy_(src)`: overwrites the elements with `src` broadcast to this shape.
    @discardableResult public func copy_(_ src: TensorOf) -> TensorOf {
        updateInPlace(others: [src], { old in
            let value = withNoGrad { TensorOf.zeros(old.shape) + src }
            return value.recorded("CopyBackwards", [old, src]) { g in [TensorOf.zeros(g.shape), src.reduceBroadcast(g)] }
        }, fast: { applyFast(src) { $1 } })
    }

    /// Rewrites every element in the storage itself (no copy), for in-place ops outside autograd.
    @_specialize(where Scalar == Float)
    func mapFast(_ f: (Scalar) -> Scalar) {
        storage.values.withUnsafeMutableBufferPointer { b in
            for i in b.indices { b[i] = f(b[i]) }
        }
    }

    /// `self = f(self, other)` in the storage; `other` must broadcast to `self`'s shape (torch's in-place rule).
    @_specialize(where Scalar == Float)
    func applyFast(_ other: TensorOf, _ f: (Scalar, Scalar) -> Scalar) {
        check(broadcastShapes(shape, other.shape) == shape,
                     "output with shape \(shape) doesn't match the broadcast shape \(broadcastShapes(shape, other.shape))")
        storage.values = TensorOf.zipBroadcast(self, other, f).storage.values
    }

    // MARK: Math

    /// `x.pow(e)`: backward `g * e * x^(e-1)` (zero for e = 0, as torch). Like torch, common exponents
    /// take exact shortcuts (`x*x`, `sqrt`, `1/x`) instead of `pow`.
    @_specialize(where Scalar == Float)
    public func pow(_ e: Scalar) -> TensorOf {
        let value: (Scalar) -> Scalar
        switch e {
        case 1: value = { $0 }
        case 2: value = { $0 * $0 }
        case 3: value = { $0 * $0 * $0 }
        case 0.5: value = { $0.squareRoot() }
        case -0.5: value = { 1 / $0.squareRoot() }
        case -1: value = { 1 / $0 }
        case -2: value = { 1 / ($0 * $0) }
        default: value = { Scalar.pow($0, e) }
        }
        return unary("PowBackward0", value) { x, _ in
            e == 0 ? 0 : e == 2 ? 2 * x : e == 1 ? 1 : e * Scalar.pow(x, e - 1)
        }
    }

    /// `x.sqrt()`: backward `g / (2 * sqrt(x))`, infinite at 0 (and 0 * inf = nan), as torch.
    @_specialize(where Scalar == Float)
    public func sqrt() -> TensorOf { unary("SqrtBackward0", { $0.squareRoot() }) { _, y in 1 / (2 * y) } }
    @_specialize(where Scalar == Float)
    public func exp() -> TensorOf { unary("ExpBackward0", { Scalar.exp($0) }) { _, y in y } }
    @_specialize(where Scalar == Float)
    public func log() -> TensorOf { unary("LogBackward0", { Scalar.log($0) }) { x, _ in 1 / x } }
    /// `x.abs()`: backward `g * sign(x)`, zero at 0.
    @_specialize(where Scalar == Float)
    public func abs() -> TensorOf { unary("AbsBackward0", { Swift.abs($0) }) { x, _ in x > 0 ? 1 : x < 0 ? -1 : 0 } }
    @_specialize(where Scalar == Float)
    public func neg() -> TensorOf { -self }
    @_specialize(where Scalar == Float)
    public func cos() -> TensorOf { unary("CosBackward0", { Scalar.cos($0) }) { x, _ in -Scalar.sin(x) } }
    @_specialize(where Scalar == Float)
    public func sin() -> TensorOf { unary("SinBackward0", { Scalar.sin($0) }) { x, _ in Scalar.cos(x) } }
    /// `x.acos()`: backward `-g / sqrt(1 - x^2)`, -inf at +-1, as torch.
    @_specialize(where Scalar == Float)
    public func acos() -> TensorOf { unary("AcosBackward0", { Scalar.acos($0) }) { x, _ in -1 / (1 - x * x).squareRoot() } }
    @_specialize(where Scalar == Float)
    public func tanh() -> TensorOf { unary("TanhBackward0", { Scalar.tanh($0) }) { _, y in 1 - y * y } }
    /// `x.relu()`: backward passes `g` where the output is positive (zero at 0, as torch).
    @_specialize(where Scalar == Float)
    public func relu() -> TensorOf { gated("ReluBackward0", { $0 > 0 ? $0 : ($0.isNaN ? $0 : 0) }) { _, y in y > 0 } }

    /// `x.clamp(min, max)`; either bound may be nil. NaN stays NaN. The gradient passes only
    /// strictly inside the bounds: torch 2.15 gives 0 at exactly min or max (older versions passed it).
    @_specialize(where Scalar == Float)
    public func clamp(min lo: Scalar? = nil, max hi: Scalar? = nil) -> TensorOf {
        gated("ClampBackward1", { TensorOf.clampScalar($0, lo, hi) }) { x, _ in
            (lo.map { x > $0 } ?? true) && (hi.map { x < $0 } ?? true)
        }
    }

    /// In-place `clamp_`.
    @_specialize(where Scalar == Float)
    @discardableResult
    public func clamp_(min lo: Scalar? = nil, max hi: Scalar? = nil) -> TensorOf {
        updateInPlace({ $0.clamp(min: lo, max: hi) }, fast: { mapFast { TensorOf.clampScalar($0, lo, hi) } })
    }

    /// torch applies min then max, so `min > max` gives `max` everywhere.
    @_specialize(where Scalar == Float)
    static func clampScalar(_ x: Scalar, _ lo: Scalar?, _ hi: Scalar?) -> Scalar {
        if x.isNaN { return x }
        var y = x
        if let lo, y < lo { y = lo }
        if let hi, y > hi { y = hi }
        return y
    }
}
