// The Tensor type: a Float32 n-d array with PyTorch's reference semantics, constructors and shape accessors.

/// A dense Float32 tensor stored contiguously in row-major order, modelled on `torch.Tensor`.
///
/// Like torch, `Tensor` is a reference type: `let y = x; y.mul_(2)` changes `x` too, and in-place
/// methods end in `_` and return `self`. Unlike torch, shape methods (`select`, `row`, `t`,
/// `reshape`, ...) return copies, not views sharing storage.
public final class Tensor {
    /// Sizes of the dimensions, outermost first; `[]` for a scalar (0-d) tensor.
    public private(set) var shape: [Int]

    /// The elements in row-major (C) order; `scalars.count == numel` always.
    public var scalars: [Float] {
        didSet { precondition(scalars.count == numel, "scalars has \(scalars.count) elements, shape \(shape) needs \(numel)") }
    }

    /// `torch.tensor` from a flat buffer; the designated initializer every other one goes through.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative size in shape \(shape)")
        let n = shape.reduce(1, *)
        precondition(scalars.count == n, "shape \(shape) needs \(n) scalars, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A 0-d tensor, as `torch.tensor(0.5)`.
    public convenience init(_ value: Float) { self.init(shape: [], scalars: [value]) }

    /// `torch.tensor([1, 2, 3])`; integer literals work because `Float` is integer-literal convertible.
    public convenience init(_ values: [Float]) { self.init(shape: [values.count], scalars: values) }

    /// `torch.tensor([[1, 2], [3, 4]])`. An empty outer array gives shape `[0]`, as torch does for `[]`.
    public convenience init(_ rows: [[Float]]) {
        guard let first = rows.first else { self.init(shape: [0], scalars: []); return }
        for (i, r) in rows.enumerated() {
            precondition(r.count == first.count, "ragged nested array: row \(i) has \(r.count) elements, row 0 has \(first.count)")
        }
        self.init(shape: [rows.count, first.count], scalars: rows.flatMap { $0 })
    }

    /// `torch.tensor([[[...]]])`.
    public convenience init(_ planes: [[[Float]]]) {
        guard let first = planes.first else { self.init(shape: [0], scalars: []); return }
        let inner = Tensor(first).shape
        var flat: [Float] = []
        flat.reserveCapacity(planes.count * inner.reduce(1, *))
        for (i, p) in planes.enumerated() {
            let t = Tensor(p)
            precondition(t.shape == inner, "ragged nested array: element \(i) has shape \(t.shape), element 0 has \(inner)")
            flat += t.scalars
        }
        self.init(shape: [planes.count] + inner, scalars: flat)
    }

    // Generic overloads for arrays held in variables of other numeric types ([Int], [Double], ...).
    // Literals still pick the non-generic Float overloads above.
    public convenience init<T: BinaryFloatingPoint>(_ values: [T]) { self.init(values.map { Float($0) }) }
    public convenience init<T: BinaryFloatingPoint>(_ rows: [[T]]) { self.init(rows.map { $0.map { Float($0) } }) }
    public convenience init<T: BinaryFloatingPoint>(_ planes: [[[T]]]) { self.init(planes.map { $0.map { $0.map { Float($0) } } }) }
    public convenience init<T: BinaryInteger>(_ values: [T]) { self.init(values.map { Float($0) }) }
    public convenience init<T: BinaryInteger>(_ rows: [[T]]) { self.init(rows.map { $0.map { Float($0) } }) }
    public convenience init<T: BinaryInteger>(_ planes: [[[T]]]) { self.init(planes.map { $0.map { $0.map { Float($0) } } }) }

    // MARK: Factories

    /// `torch.full(shape, value)`.
    public static func full(_ shape: [Int], value: Float) -> Tensor {
        Tensor(shape: shape, scalars: [Float](repeating: value, count: shape.reduce(1, *)))
    }
    public static func zeros(_ shape: [Int]) -> Tensor { full(shape, value: 0) }
    public static func zeros(_ shape: Int...) -> Tensor { full(shape, value: 0) }
    public static func ones(_ shape: [Int]) -> Tensor { full(shape, value: 1) }
    public static func ones(_ shape: Int...) -> Tensor { full(shape, value: 1) }

    /// `torch.arange(n)`: 0, 1, ..., n-1.
    public static func arange(_ n: Int) -> Tensor { arange(0, Double(n), 1) }

    /// `torch.arange(start, end, step)`: count `ceil((end - start) / step)` in Double as torch does;
    /// values `start + i * step` in Double, rounded once (torch's vectorised float kernel can be an
    /// ulp off that). Arguments are Double, like Python floats, so `arange(0, 1, 0.3)` ends at
    /// Float(0.9), not at 3 * Float(0.3).
    public static func arange(_ start: Double, _ end: Double, _ step: Double = 1) -> Tensor {
        precondition(step != 0, "arange: step must be nonzero")
        let count = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor(shape: [count], scalars: (0..<count).map { Float(start + Double($0) * step) })
    }

    // MARK: Accessors

    /// Rank, `x.dim()` in torch.
    public var dim: Int { shape.count }
    /// Number of elements, `x.numel()`.
    public var numel: Int { shape.reduce(1, *) }

    /// `x.size(d)`; negative `d` counts from the end.
    public func size(_ dim: Int) -> Int { shape[wrapDim(dim)] }

    /// Row-major strides of a contiguous tensor with this shape.
    var strides: [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        for d in shape.indices.dropLast().reversed() { s[d] = s[d + 1] * shape[d + 1] }
        return s
    }

    /// Maps a possibly negative dim to `0..<rank` (torch's `maybe_wrap_dim`; a 0-d tensor accepts 0 and -1).
    func wrapDim(_ d: Int) -> Int {
        let r = Swift.max(dim, 1)
        precondition(d >= -r && d < r, "Dimension out of range (expected to be in range of [\(-r), \(r - 1)], but got \(d))")
        return d < 0 ? d + r : d
    }

    /// Flat offset of a full index, negative indices counting from the end as in torch.
    func offset(_ index: [Int]) -> Int {
        precondition(index.count == dim, "expected \(dim) indices for shape \(shape), got \(index.count)")
        var off = 0
        for (d, i) in index.enumerated() {
            precondition(i >= -shape[d] && i < shape[d], "index \(i) is out of bounds for dimension \(d) with size \(shape[d])")
            off = off * shape[d] + (i < 0 ? i + shape[d] : i)
        }
        return off
    }

    /// One element, `x[i, j]`; needs exactly `dim` indices (zero for a 0-d tensor).
    public subscript(i: Int...) -> Float {
        get { scalars[offset(i)] }
        set { scalars[offset(i)] = newValue }
    }

    /// The value of a one-element tensor, `x.item()`.
    public func item() -> Float {
        precondition(numel == 1, "a Tensor with \(numel) elements cannot be converted to Scalar")
        return scalars[0]
    }

    /// A copy with its own storage, `x.clone()`.
    public func clone() -> Tensor { Tensor(shape: shape, scalars: scalars) }

    // MARK: Shape

    /// `x.reshape(shape)`; one entry may be -1 and is inferred.
    public func reshape(_ newShape: [Int]) -> Tensor {
        var s = newShape
        if let k = s.firstIndex(of: -1) {
            let known = s.enumerated().filter { $0.offset != k }.reduce(1) { $0 * $1.element }
            precondition(known > 0 && numel % known == 0, "shape \(newShape) is invalid for input of size \(numel)")
            s[k] = numel / known
        }
        precondition(s.reduce(1, *) == numel, "shape \(newShape) is invalid for input of size \(numel)")
        return Tensor(shape: s, scalars: scalars)
    }
    public func reshape(_ newShape: Int...) -> Tensor { reshape(newShape) }

    /// `x.flatten()`: a 1-d copy.
    public func flatten() -> Tensor { reshape([numel]) }

    /// `x.unsqueeze(d)`: inserts a size-1 dimension at `d` (`-1` appends).
    public func unsqueeze(_ d: Int) -> Tensor {
        precondition(d >= -(dim + 1) && d <= dim, "Dimension out of range for unsqueeze: \(d)")
        var s = shape
        s.insert(1, at: d < 0 ? d + dim + 1 : d)
        return Tensor(shape: s, scalars: scalars)
    }

    /// `x.squeeze(d)`: removes dimension `d` if it has size 1, else returns an unchanged copy (as torch).
    public func squeeze(_ d: Int) -> Tensor {
        guard dim > 0 else { return clone() }
        let k = wrapDim(d)
        guard shape[k] == 1 else { return clone() }
        var s = shape
        s.remove(at: k)
        return Tensor(shape: s, scalars: scalars)
    }

    /// `x.permute(dims)`: reorders dimensions (a copy).
    public func permute(_ dims: [Int]) -> Tensor {
        let p = dims.map(wrapDim)
        precondition(p.count == dim && Set(p).count == dim, "permute: dims \(dims) do not match rank \(dim)")
        let newShape = p.map { shape[$0] }
        let srcStrides = p.map { strides[$0] }
        var out = [Float](repeating: 0, count: numel)
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
        return Tensor(shape: newShape, scalars: out)
    }

    /// `x.transpose(d0, d1)`.
    public func transpose(_ d0: Int, _ d1: Int) -> Tensor {
        var p = Array(0..<dim)
        p.swapAt(wrapDim(d0), wrapDim(d1))
        return permute(p)
    }

    /// `x.t()`: transpose of a 2-d tensor (0-d and 1-d are returned as copies, as in torch).
    public func t() -> Tensor {
        precondition(dim <= 2, "t() expects a tensor with <= 2 dimensions, but self is \(dim)D")
        return dim < 2 ? clone() : transpose(0, 1)
    }

    /// `x.select(dim, index)`: the slice at `index` along `dim`, with that dimension removed (a copy).
    public func select(dim d: Int, index: Int) -> Tensor {
        precondition(dim > 0, "select() cannot be applied to a 0-dim tensor.")
        let k = wrapDim(d)
        let n = shape[k]
        precondition(index >= -n && index < n, "select(): index \(index) out of range for tensor of size \(shape) at dimension \(k)")
        let i = index < 0 ? index + n : index
        let (outer, inner) = (shape[..<k].reduce(1, *), shape[(k + 1)...].reduce(1, *))
        var out: [Float] = []
        out.reserveCapacity(outer * inner)
        for o in 0..<outer {
            let base = (o * n + i) * inner
            out += scalars[base..<base + inner]
        }
        var s = shape
        s.remove(at: k)
        return Tensor(shape: s, scalars: out)
    }

    /// `x[i]` for the first dimension: row `i` of a matrix (a copy).
    public func row(_ i: Int) -> Tensor { select(dim: 0, index: i) }
}
