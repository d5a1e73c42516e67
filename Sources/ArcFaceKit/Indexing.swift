// Indexing: boolean masks (`x <= 0`), masked select and assignment (`x[mask] = v[mask]`), where,
// picking and setting one element per row (`out[idx_, label] = v[idx_, label]`), gather and scatter.
// Forward and backward side by side; assignments are in place and rebase autograd as torch does.

/// A boolean tensor, what torch's comparison ops return (`cos_theta - threshold <= 0`).
public struct Mask: Equatable, Sendable, CustomStringConvertible {
    public let shape: [Int]
    public let values: [Bool]

    public init(shape: [Int], values: [Bool]) {
        check(values.count == shape.reduce(1, *), "mask of shape \(shape) needs \(shape.reduce(1, *)) values")
        self.shape = shape
        self.values = values
    }

    /// Number of true entries, `mask.sum()`.
    public var count: Int { values.lazy.filter { $0 }.count }

    public static prefix func ! (m: Mask) -> Mask { Mask(shape: m.shape, values: m.values.map { !$0 }) }
    public static func && (a: Mask, b: Mask) -> Mask {
        check(a.shape == b.shape, "mask shapes \(a.shape) and \(b.shape) differ")
        return Mask(shape: a.shape, values: zip(a.values, b.values).map { $0 && $1 })
    }
    public static func || (a: Mask, b: Mask) -> Mask {
        check(a.shape == b.shape, "mask shapes \(a.shape) and \(b.shape) differ")
        return Mask(shape: a.shape, values: zip(a.values, b.values).map { $0 || $1 })
    }

    /// Prints like a torch bool tensor: `tensor([[False,  True]])`.
    public var description: String {
        let words = values.map { $0 ? " True" : "False" }
        func nest(_ d: Int, _ offset: Int, _ indent: Int) -> String {
            if shape.isEmpty { return words.first.map { $0.trimmingCharacters() } ?? "" }
            let n = shape[d], inner = shape[(d + 1)...].reduce(1, *)
            if d == shape.count - 1 { return "[" + (0..<n).map { words[offset + $0] }.joined(separator: ", ") + "]" }
            let sep = ",\n" + String(repeating: "\n", count: shape.count - d - 2) + String(repeating: " ", count: indent + 1)
            return "[" + (0..<n).map { nest(d + 1, offset + $0 * inner, indent + 1) }.joined(separator: sep) + "]"
        }
        return "tensor(" + nest(0, 0, 7) + ")"
    }
}

private extension String {
    func trimmingCharacters() -> String { String(drop(while: { $0 == " " })) }
}

extension TensorOf {
    /// Element-wise comparison with a scalar or a broadcast tensor.
    @_specialize(where Scalar == Float)
    func compare(_ other: TensorOf, _ f: (Scalar, Scalar) -> Bool) -> Mask {
        let shape = broadcastShapes(self.shape, other.shape)
        let (a, b) = withNoGrad { (TensorOf.zeros(shape) + self, TensorOf.zeros(shape) + other) }
        return Mask(shape: shape, values: zip(a.scalars, b.scalars).map(f))
    }

    public static func <= (a: TensorOf, s: Scalar) -> Mask { Mask(shape: a.shape, values: a.scalars.map { $0 <= s }) }
    public static func < (a: TensorOf, s: Scalar) -> Mask { Mask(shape: a.shape, values: a.scalars.map { $0 < s }) }
    public static func >= (a: TensorOf, s: Scalar) -> Mask { Mask(shape: a.shape, values: a.scalars.map { $0 >= s }) }
    public static func > (a: TensorOf, s: Scalar) -> Mask { Mask(shape: a.shape, values: a.scalars.map { $0 > s }) }
    public static func <= (a: TensorOf, b: TensorOf) -> Mask { a.compare(b, <=) }
    public static func < (a: TensorOf, b: TensorOf) -> Mask { a.compare(b, <) }
    public static func >= (a: TensorOf, b: TensorOf) -> Mask { a.compare(b, >=) }
    public static func > (a: TensorOf, b: TensorOf) -> Mask { a.compare(b, >) }

    /// `x.eq(s)` (Swift's `==` is kept for identity-free equality of values elsewhere).
    @_specialize(where Scalar == Float)
    public func eq(_ s: Scalar) -> Mask { Mask(shape: shape, values: scalars.map { $0 == s }) }

    /// `x[mask]` (masked_select): the selected elements, in row-major order, as a 1-D tensor; and
    /// `x[mask] = values` (masked assignment, in place), values being 1-D with one element per
    /// true entry or a single element.
    public subscript(mask: Mask) -> TensorOf {
        get {
            check(mask.shape == shape, "mask of shape \(mask.shape) does not match the tensor's \(shape)")
            let x = self
            let picked = zip(scalars, mask.values).filter { $0.1 }.map { $0.0 }
            return TensorOf(shape: [picked.count], scalars: picked).recorded("MaskedSelectBackward0", [x]) { g in
                // Each selected element's gradient goes back to its position; the rest get 0.
                var out = [Scalar](repeating: 0, count: x.numel), k = 0
                for i in out.indices where mask.values[i] { out[i] = g.scalars[k]; k += 1 }
                return [TensorOf(shape: x.shape, scalars: out)]
            }
        }
        set {
            check(mask.shape == shape, "mask of shape \(mask.shape) does not match the tensor's \(shape)")
            let n = mask.count
            check(newValue.numel == n || newValue.numel == 1,
                         "shape mismatch: value tensor of shape \(newValue.shape) cannot be broadcast to indexing result of shape [\(n)]")
            let values = newValue
            updateInPlace(others: [values], { old in
                var out = old.scalars, k = 0
                for i in out.indices where mask.values[i] { out[i] = values.scalars[values.numel == 1 ? 0 : k]; k += 1 }
                return TensorOf(shape: old.shape, scalars: out).recorded("IndexPutBackward0", [old, values]) { g in
                    // Overwritten positions pass nothing to the old value; their gradient goes to `values`.
                    var gOld = g.scalars, gValues = [Scalar](repeating: 0, count: values.numel), k = 0
                    for i in gOld.indices where mask.values[i] {
                        gValues[values.numel == 1 ? 0 : k] += g.scalars[i]
                        gOld[i] = 0
                        k += 1
                    }
                    return [TensorOf(shape: old.shape, scalars: gOld), TensorOf(shape: values.shape, scalars: gValues)]
                }
            }, fast: {
                var k = 0
                storage.values.withUnsafeMutableBufferPointer { x in
                    for i in x.indices where mask.values[i] { x[i] = values.scalars[values.numel == 1 ? 0 : k]; k += 1 }
                }
            })
        }
    }

    /// `x[rows, cols]` with two index lists (advanced indexing, `output[idx_, label]`): element
    /// (rows[k], cols[k]) for each k, as a 1-D tensor; assignment writes them in place.
    public subscript(rows: [Int], cols: [Int]) -> TensorOf {
        get {
            let flat = flatIndices(rows, cols)
            let x = self
            return TensorOf(shape: [flat.count], scalars: flat.map { scalars[$0] }).recorded("IndexBackward0", [x]) { g in
                var out = [Scalar](repeating: 0, count: x.numel)
                for (k, i) in flat.enumerated() { out[i] += g.scalars[k] }  // repeated indices accumulate
                return [TensorOf(shape: x.shape, scalars: out)]
            }
        }
        set {
            let flat = flatIndices(rows, cols)
            check(newValue.numel == flat.count || newValue.numel == 1,
                         "shape mismatch: value tensor of shape \(newValue.shape) cannot be broadcast to indexing result of shape [\(flat.count)]")
            let values = newValue
            func value(_ k: Int) -> Scalar { values.scalars[values.numel == 1 ? 0 : k] }
            updateInPlace(others: [values], { old in
                var out = old.scalars
                for (k, i) in flat.enumerated() { out[i] = value(k) }
                return TensorOf(shape: old.shape, scalars: out).recorded("IndexPutBackward0", [old, values]) { g in
                    var gOld = g.scalars, gValues = [Scalar](repeating: 0, count: values.numel)
                    for (k, i) in flat.enumerated() {
                        gValues[values.numel == 1 ? 0 : k] += g.scalars[i]
                        gOld[i] = 0
                    }
                    return [TensorOf(shape: old.shape, scalars: gOld), TensorOf(shape: values.shape, scalars: gValues)]
                }
            }, fast: {
                for (k, i) in flat.enumerated() { storage.values[i] = value(k) }
            })
        }
    }

    private func flatIndices(_ rows: [Int], _ cols: [Int]) -> [Int] {
        check(dim == 2, "x[rows, cols] needs a 2-D tensor, got shape \(shape)")
        check(rows.count == cols.count, "shape mismatch: indexing tensors could not be broadcast together with shapes [\(rows.count)], [\(cols.count)]")
        return zip(rows, cols).map { r, c in
            check(r >= -shape[0] && r < shape[0], "index \(r) is out of bounds for dimension 0 with size \(shape[0])")
            check(c >= -shape[1] && c < shape[1], "index \(c) is out of bounds for dimension 1 with size \(shape[1])")
            return (r < 0 ? r + shape[0] : r) * shape[1] + (c < 0 ? c + shape[1] : c)
        }
    }

    /// `x.gather(1, index.view(-1, 1))` for a 2-D x: one element per row, column `index[r]`, shape (B, 1).
    @_specialize(where Scalar == Float)
    public func gather(dim: Int, index: [Int]) -> TensorOf {
        check(self.dim == 2 && wrapDim(dim) == 1 && index.count == shape[0], "gather: supports a (B, C) input, dim 1, one index per row")
        return self[Array(0..<shape[0]), index].unsqueeze(1)
    }

    /// `x.masked_fill(mask, value)`: a copy with `value` where the mask is true (no gradient there).
    @_specialize(where Scalar == Float)
    public func maskedFill(_ mask: Mask, _ value: Scalar) -> TensorOf {
        check(mask.shape == shape, "mask of shape \(mask.shape) does not match the tensor's \(shape)")
        let x = self
        return TensorOf(shape: shape, scalars: zip(scalars, mask.values).map { $1 ? value : $0 }).recorded("MaskedFillBackward0", [x]) { g in
            [TensorOf(shape: x.shape, scalars: zip(g.scalars, mask.values).map { $1 ? 0 : $0 })]
        }
    }

    /// `torch.zeros(B, C).scatter_(1, label.view(-1, 1), value)`: the one-hot matrix of `label`.
    @_specialize(where Scalar == Float)
    public static func oneHot(_ label: [Int], numClasses: Int, value: Scalar = 1) -> TensorOf {
        var out = [Scalar](repeating: 0, count: label.count * numClasses)
        for (r, c) in label.enumerated() {
            check(c >= 0 && c < numClasses, "index \(c) is out of bounds for dimension 1 with size \(numClasses)")
            out[r * numClasses + c] = value
        }
        return TensorOf(shape: [label.count, numClasses], scalars: out)
    }
}

/// `torch.where(condition, a, b)`: `a` where the mask is true, `b` elsewhere (same shapes); the
/// gradient goes to whichever side was taken.
@_specialize(where Scalar == Float)
public func `where`<Scalar>(_ condition: Mask, _ a: TensorOf<Scalar>, _ b: TensorOf<Scalar>) -> TensorOf<Scalar> {
    check(condition.shape == a.shape && a.shape == b.shape, "where: shapes \(condition.shape), \(a.shape), \(b.shape) must match")
    let out = zip(condition.values, zip(a.scalars, b.scalars)).map { $0 ? $1.0 : $1.1 }
    return TensorOf(shape: a.shape, scalars: out).recorded("WhereBackward0", [a, b]) { g in
        [TensorOf(shape: a.shape, scalars: zip(g.scalars, condition.values).map { $1 ? $0 : 0 }),
         TensorOf(shape: b.shape, scalars: zip(g.scalars, condition.values).map { $1 ? 0 : $0 })]
    }
}

/// `torch.arange(0, n)` as indices, for `idx_ = torch.arange(0, nB, dtype=torch.long)`.
public func arange(_ n: Int) -> [Int] { Array(0..<n) }
