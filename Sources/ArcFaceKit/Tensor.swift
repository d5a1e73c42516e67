// The TensorOf type: a Float32 n-d array with PyTorch's reference semantics, constructors and shape accessors.

/// A dense Float32 tensor stored contiguously in row-major order, modelled on `torch.TensorOf`.
///
/// Like torch, `TensorOf` is a reference type: `let y = x; y.mul_(2)` changes `x` too, and in-place
/// methods end in `_` and return `self`. Unlike torch, shape methods (`select`, `row`, `t`,
/// `reshape`, ...) return copies, not views sharing storage.
public final class TensorOf<Scalar: TensorScalar> {
    /// Sizes of the dimensions, outermost first; `[]` for a scalar (0-d) tensor.
    public private(set) var shape: [Int]

    /// Shared by a tensor and its `data` / `detach()` aliases, as torch's storage is.
    let storage: Storage

    final class Storage {
        var values: [Scalar]
        init(_ values: [Scalar]) { self.values = values }
    }

    /// The elements in row-major (C) order; `scalars.count == numel` always. Assigning counts as
    /// an in-place change (autograd's version counter).
    public var scalars: [Scalar] {
        get { storage.values }
        set {
            check(newValue.count == numel, "scalars has \(newValue.count) elements, shape \(shape) needs \(numel)")
            storage.values = newValue
            version += 1
        }
    }

    /// Bumped by every in-place change; autograd refuses a backward through values changed since
    /// they were recorded (torch's "modified by an inplace operation").
    public internal(set) var version = 0

    /// Autograd: whether gradients flow to (a leaf) or through (an op result) this tensor.
    public var requiresGrad = false
    /// The accumulated gradient of a leaf after `backward()`, as `x.grad`.
    public var grad: TensorOf?
    /// The op that produced this tensor, when it was recorded for autograd (`grad_fn`).
    var gradFn: GradFn<Scalar>?

    /// `torch.tensor` from a flat buffer; the designated initializer every other one goes through.
    public init(shape: [Int], scalars: [Scalar]) {
        check(shape.allSatisfy { $0 >= 0 }, "negative size in shape \(shape)")
        let n = shape.reduce(1, *)
        check(scalars.count == n, "shape \(shape) needs \(n) scalars, got \(scalars.count)")
        self.shape = shape
        self.storage = Storage(scalars)
    }

    /// A tensor sharing `storage` (for `data` and `detach()`).
    init(shape: [Int], storage: Storage) {
        self.shape = shape
        self.storage = storage
    }

    /// A 0-d tensor, as `torch.tensor(0.5)`.
    public convenience init(_ value: Scalar) { self.init(shape: [], scalars: [value]) }

    /// `torch.tensor([1, 2, 3])`; integer literals work because `Scalar` is integer-literal convertible.
    public convenience init(_ values: [Scalar]) { self.init(shape: [values.count], scalars: values) }

    /// `torch.tensor([[1, 2], [3, 4]])`. An empty outer array gives shape `[0]`, as torch does for `[]`.
    public convenience init(_ rows: [[Scalar]]) {
        guard let first = rows.first else { self.init(shape: [0], scalars: []); return }
        for (i, r) in rows.enumerated() {
            check(r.count == first.count, "ragged nested array: row \(i) has \(r.count) elements, row 0 has \(first.count)")
        }
        self.init(shape: [rows.count, first.count], scalars: rows.flatMap { $0 })
    }

    /// `torch.tensor([[[...]]])`.
    public convenience init(_ planes: [[[Scalar]]]) {
        guard let first = planes.first else { self.init(shape: [0], scalars: []); return }
        let inner = TensorOf(first).shape
        var flat: [Scalar] = []
        flat.reserveCapacity(planes.count * inner.reduce(1, *))
        for (i, p) in planes.enumerated() {
            let t = TensorOf(p)
            check(t.shape == inner, "ragged nested array: element \(i) has shape \(t.shape), element 0 has \(inner)")
            flat += t.scalars
        }
        self.init(shape: [planes.count] + inner, scalars: flat)
    }

    // Generic overloads for arrays held in variables of other numeric types ([Int], [Double], ...).
    // Literals still pick the non-generic Scalar overloads above.
    public convenience init<T: BinaryFloatingPoint>(_ values: [T]) { self.init(values.map { Scalar($0) }) }
    public convenience init<T: BinaryFloatingPoint>(_ rows: [[T]]) { self.init(rows.map { $0.map { Scalar($0) } }) }
    public convenience init<T: BinaryFloatingPoint>(_ planes: [[[T]]]) { self.init(planes.map { $0.map { $0.map { Scalar($0) } } }) }
    public convenience init<T: BinaryInteger>(_ values: [T]) { self.init(values.map { Scalar($0) }) }
    public convenience init<T: BinaryInteger>(_ rows: [[T]]) { self.init(rows.map { $0.map { Scalar($0) } }) }
    public convenience init<T: BinaryInteger>(_ planes: [[[T]]]) { self.init(planes.map { $0.map { $0.map { Scalar($0) } } }) }

    // MARK: Factories

    /// `torch.full(shape, value)`.
    @_specialize(where Scalar == Float)
    public static func full(_ shape: [Int], value: Scalar) -> TensorOf {
        TensorOf(shape: shape, scalars: [Scalar](repeating: value, count: shape.reduce(1, *)))
    }
    @_specialize(where Scalar == Float)
    public static func zeros(_ shape: [Int]) -> TensorOf { full(shape, value: 0) }
    @_specialize(where Scalar == Float)
    public static func zeros(_ shape: Int...) -> TensorOf { full(shape, value: 0) }
    @_specialize(where Scalar == Float)
    public static func ones(_ shape: [Int]) -> TensorOf { full(shape, value: 1) }
    @_specialize(where Scalar == Float)
    public static func ones(_ shape: Int...) -> TensorOf { full(shape, value: 1) }

    /// `torch.arange(n)`: 0, 1, ..., n-1.
    @_specialize(where Scalar == Float)
    public static func arange(_ n: Int) -> TensorOf { arange(0, Double(n), 1) }

    /// `torch.arange(start, end, step)`: count `ceil((end - start) / step)` in Double as torch does;
    /// values `start + i * step` in Double, rounded once (torch's vectorised float kernel can be an
    /// ulp off that). Arguments are Double, like Python floats, so `arange(0, 1, 0.3)` ends at
    /// Scalar(0.9), not at 3 * Scalar(0.3).
    @_specialize(where Scalar == Float)
    public static func arange(_ start: Double, _ end: Double, _ step: Double = 1) -> TensorOf {
        check(step != 0, "arange: step must be nonzero")
        let count = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return TensorOf(shape: [count], scalars: (0..<count).map { Scalar(start + Double($0) * step) })
    }

    // MARK: Accessors

    /// Rank, `x.dim()` in torch.
    public var dim: Int { shape.count }
    /// Number of elements, `x.numel()`.
    public var numel: Int { shape.reduce(1, *) }

    /// `x.size(d)`; negative `d` counts from the end.
    @_specialize(where Scalar == Float)
    public func size(_ dim: Int) -> Int { shape[wrapDim(dim)] }

    /// Row-major strides of a contiguous tensor with this shape.
    var strides: [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        for d in shape.indices.dropLast().reversed() { s[d] = s[d + 1] * shape[d + 1] }
        return s
    }

    /// Maps a possibly negative dim to `0..<rank` (torch's `maybe_wrap_dim`; a 0-d tensor accepts 0 and -1).
    @_specialize(where Scalar == Float)
    func wrapDim(_ d: Int) -> Int {
        let r = Swift.max(dim, 1)
        check(d >= -r && d < r, "Dimension out of range (expected to be in range of [\(-r), \(r - 1)], but got \(d))")
        return d < 0 ? d + r : d
    }

    /// Flat offset of a full index, negative indices counting from the end as in torch.
    @_specialize(where Scalar == Float)
    func offset(_ index: [Int]) -> Int {
        check(index.count == dim, "expected \(dim) indices for shape \(shape), got \(index.count)")
        var off = 0
        for (d, i) in index.enumerated() {
            check(i >= -shape[d] && i < shape[d], "index \(i) is out of bounds for dimension \(d) with size \(shape[d])")
            off = off * shape[d] + (i < 0 ? i + shape[d] : i)
        }
        return off
    }

    /// One element, `x[i, j]`; needs exactly `dim` indices (zero for a 0-d tensor).
    public subscript(i: Int...) -> Scalar {
        get { storage.values[offset(i)] }
        set {
            check(!(requiresGrad && isLeaf && GradMode.isEnabled), "a leaf Variable that requires grad is being used in an in-place operation.")
            storage.values[offset(i)] = newValue
            version += 1
        }
    }

    /// The value of a one-element tensor, `x.item()`.
    @_specialize(where Scalar == Float)
    public func item() -> Scalar {
        check(numel == 1, "a TensorOf with \(numel) elements cannot be converted to Scalar")
        return scalars[0]
    }

    /// A copy with its own storage, `x.clone()`.
    @_specialize(where Scalar == Float)
    public func clone() -> TensorOf { TensorOf(shape: shape, scalars: scalars).recorded("CloneBackward0", [self]) { [$0] } }

    // MARK: Shape

    /// `x.reshape(shape)`; one entry may be -1 and is inferred.
    @_specialize(where Scalar == Float)
    public func reshape(_ newShape: [Int]) -> TensorOf {
        var s = newShape
        if let k = s.firstIndex(of: -1) {
            let known = s.enumerated().filter { $0.offset != k }.reduce(1) { $0 * $1.element }
            check(known > 0 && numel % known == 0, "shape \(newShape) is invalid for input of size \(numel)")
            s[k] = numel / known
        }
        check(s.reduce(1, *) == numel, "shape \(newShape) is invalid for input of size \(numel)")
        return TensorOf(shape: s, scalars: scalars).recorded("ViewBackward0", [self]) { [shape] g in [g.reshape(shape)] }
    }
    @_specialize(where Scalar == Float)
    public func reshape(_ newShape: Int...) -> TensorOf { reshape(newShape) }

    /// `x.flatten()`: a 1-d copy.
    @_specialize(where Scalar == Float)
    public func flatten() -> TensorOf { reshape([numel]) }

    /// `x.unsqueeze(d)`: inserts a size-1 dimension at `d` (`-1` appends).
    @_specialize(where Scalar == Float)
    public func unsqueeze(_ d: Int) -> TensorOf {
        check(d >= -(dim + 1) && d <= dim, "Dimension out of range for unsqueeze: \(d)")
        var s = shape
        s.insert(1, at: d < 0 ? d + dim + 1 : d)
        return TensorOf(shape: s, scalars: scalars).recorded("UnsqueezeBackward0", [self]) { [shape] g in [g.reshape(shape)] }
    }

    /// `x.squeeze(d)`: removes dimension `d` if it has size 1, else returns an unchanged copy (as torch).
    @_specialize(where Scalar == Float)
    public func squeeze(_ d: Int) -> TensorOf {
        guard dim > 0 else { return clone() }
        let k = wrapDim(d)
        guard shape[k] == 1 else { return clone() }
        var s = shape
        s.remove(at: k)
        return TensorOf(shape: s, scalars: scalars).recorded("SqueezeBackward1", [self]) { [shape] g in [g.reshape(shape)] }
    }

    /// `x.permute(dims)`: reorders dimensions (a copy).
    @_specialize(where Scalar == Float)
    public func permute(_ dims: [Int]) -> TensorOf {
        let p = dims.map(wrapDim)
        check(p.count == dim && Set(p).count == dim, "permute: dims \(dims) do not match rank \(dim)")
        let newShape = p.map { shape[$0] }
        let srcStrides = p.map { strides[$0] }
        var out = [Scalar](repeating: 0, count: numel)
        var index = [Int](repeating: 0, count: dim)
        for k in 0..<numel {
            var src = 0
            for d in 0..<dim { src += index[d] * srcStrides[d] }
            out[k] = scalars[src]
            // Odometer increment over newShape.
            var d = dim - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < newShape[d] { break }
                index[d] = 0
                d -= 1
            }
        }
        // The inverse permutation routes the gradient back.
        var inverse = [Int](repeating: 0, count: p.count)
        for (i, d) in p.enumerated() { inverse[d] = i }
        return TensorOf(shape: newShape, scalars: out).recorded("PermuteBackward0", [self]) { g in [g.permute(inverse)] }
    }

    /// `x.transpose(d0, d1)`.
    @_specialize(where Scalar == Float)
    public func transpose(_ d0: Int, _ d1: Int) -> TensorOf {
        var p = Array(0..<dim)
        p.swapAt(wrapDim(d0), wrapDim(d1))
        return permute(p)
    }

    /// `x.t()`: transpose of a 2-d tensor (0-d and 1-d are returned as copies, as in torch).
    @_specialize(where Scalar == Float)
    public func t() -> TensorOf {
        check(dim <= 2, "t() expects a tensor with <= 2 dimensions, but self is \(dim)D")
        return dim < 2 ? clone() : transpose(0, 1)
    }

    /// `x.select(dim, index)`: the slice at `index` along `dim`, with that dimension removed (a copy).
    @_specialize(where Scalar == Float)
    public func select(dim d: Int, index: Int) -> TensorOf {
        check(dim > 0, "select() cannot be applied to a 0-dim tensor.")
        let k = wrapDim(d)
        let n = shape[k]
        check(index >= -n && index < n, "select(): index \(index) out of range for tensor of size \(shape) at dimension \(k)")
        let i = index < 0 ? index + n : index
        let (outer, inner) = (shape[..<k].reduce(1, *), shape[(k + 1)...].reduce(1, *))
        var out: [Scalar] = []
        out.reserveCapacity(outer * inner)
        for o in 0..<outer {
            let base = (o * n + i) * inner
            out += scalars[base..<base + inner]
        }
        var s = shape
        s.remove(at: k)
        return TensorOf(shape: s, scalars: out).recorded("SelectBackward0", [self]) { [shape] g in
            // Scatter the slice's gradient back into zeros at `index` along `k`.
            var full = [Scalar](repeating: 0, count: shape.reduce(1, *))
            for o in 0..<outer {
                let base = (o * n + i) * inner
                for j in 0..<inner { full[base + j] = g.scalars[o * inner + j] }
            }
            return [TensorOf(shape: shape, scalars: full)]
        }
    }

    /// `x[i]` for the first dimension: row `i` of a matrix (a copy).
    @_specialize(where Scalar == Float)
    public func row(_ i: Int) -> TensorOf { select(dim: 0, index: i) }
}
