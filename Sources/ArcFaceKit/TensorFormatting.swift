// Printing: `description` reproduces `repr(torch_tensor)` of torch/_tensor_str.py for float32 tensors.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// torch's default print options (`torch.set_printoptions(profile="default")`).
enum PrintOptions {
    static let precision = 4
    static let threshold = 1000
    static let edgeitems = 3
    static let linewidth = 80
}

extension TensorOf: CustomStringConvertible {
    /// Exactly what `print(x)` shows in PyTorch, e.g. `tensor([[1., 2.],\n        [3., 4.]])`.
    public var description: String {
        // torch adds the dtype when it is not the default, then the autograd state.
        var suffixes = Scalar.self == Float.self ? [] : ["dtype=\(Scalar.dtypeName)"]
        if let gradFn { suffixes.append("grad_fn=<\(gradFn.name)>") } else if requiresGrad { suffixes.append("requires_grad=True") }
        return torchRepr(suffixes: suffixes)
    }

    /// torch's `_str_intern` for a dense CPU float32 tensor; `suffixes` are extra `key=value` parts
    /// (autograd will add `requires_grad=True` / `grad_fn=<...>` here).
    func torchRepr(suffixes extra: [String] = []) -> String {
        let prefix = "tensor("
        let indent = prefix.count
        var suffixes: [String] = []
        var body: String
        if numel == 0 {
            // torch shows the shape of an empty tensor unless it is (0,), to match NumPy.
            if dim != 1 { suffixes.append("size=" + pythonTuple(shape)) }
            body = "[]"
        } else {
            body = tensorStr(indent: indent)
        }
        suffixes += extra
        // _add_suffixes: a suffix goes on a new line when it would pass the line width.
        body = prefix + body
        let bytes = Array(body.utf8)
        var lastLineLength = bytes.count - (bytes.lastIndex(of: UInt8(ascii: "\n")) ?? -1) + 1  // torch's own formula
        for s in suffixes {
            if lastLineLength + s.count + 2 > PrintOptions.linewidth {
                body += ",\n" + String(repeating: " ", count: indent) + s
                lastLineLength = indent + s.count
            } else {
                body += ", " + s
                lastLineLength += s.count + 2
            }
        }
        return body + ")"
    }

    /// torch's `_tensor_str` + `_tensor_str_with_formatter` + `_vector_str`.
    func tensorStr(indent: Int) -> String {
        let summarize = numel > PrintOptions.threshold
        // Indices shown along each dimension; nil marks the "..." of a summarised dimension.
        let shown: [[Int?]] = shape.map { n in
            let e = PrintOptions.edgeitems
            guard summarize && n > 2 * e else { return Array(0..<n) }
            return Array(0..<e) + [nil] + Array(n - e..<n)
        }
        let strides = self.strides
        // Like get_summarized_data, the formatter only sees the elements that are printed.
        var visible: [Scalar] = []
        func collect(_ d: Int, _ offset: Int) {
            if d == dim { visible.append(scalars[offset]); return }
            for case let i? in shown[d] { collect(d + 1, offset + i * strides[d]) }
        }
        collect(0, 0)
        let formatter = TorchFloatFormatter(visible)

        func str(_ d: Int, _ offset: Int, _ indent: Int) -> String {
            if d == dim { return formatter.format(scalars[offset]) }  // 0-d tensor
            if d == dim - 1 {
                // A vector: fixed-width elements, as many per line as fit in linewidth.
                let elementLength = formatter.width + 2
                let perLine = Swift.max(1, Int((Double(PrintOptions.linewidth - indent) / Double(elementLength)).rounded(.down)))
                let items = shown[d].map { i in i.map { formatter.format(scalars[offset + $0 * strides[d]]) } ?? " ..." }
                let lines = stride(from: 0, to: items.count, by: perLine).map {
                    items[$0..<Swift.min($0 + perLine, items.count)].joined(separator: ", ")
                }
                return "[" + lines.joined(separator: ",\n" + String(repeating: " ", count: indent + 1)) + "]"
            }
            let slices = shown[d].map { i in i.map { str(d + 1, offset + $0 * strides[d], indent + 1) } ?? "..." }
            // Rows of a matrix go on consecutive lines; matrices of a 3-d tensor get a blank line between.
            let separator = "," + String(repeating: "\n", count: dim - d - 1) + String(repeating: " ", count: indent + 1)
            return "[" + slices.joined(separator: separator) + "]"
        }
        return str(0, 0, indent)
    }
}

/// Python's `str(tuple(shape))`: `(0,)`, `(2, 0)`.
func pythonTuple(_ s: [Int]) -> String {
    s.count == 1 ? "(\(s[0]),)" : "(" + s.map(String.init).joined(separator: ", ") + ")"
}

/// torch's `_Formatter` for a floating tensor: chooses int / fixed / scientific mode and a common width
/// from the nonzero finite values, so that columns line up.
struct TorchFloatFormatter<Scalar: TensorScalar> {
    var intMode = true
    var sciMode = false
    var width = 1

    init(_ values: [Scalar]) {
        let nonzeroFinite = values.filter { $0.isFinite && $0 != 0 }
        guard !nonzeroFinite.isEmpty else { return }  // torch returns early: int mode, width 1
        // Magnitudes compared in Double, as torch converts with tensor_totype before dividing.
        let absValues = nonzeroFinite.map { Swift.abs(Double($0)) }
        let (lo, hi) = (absValues.min()!, absValues.max()!)
        intMode = nonzeroFinite.allSatisfy { $0 == $0.rounded(.up) }
        sciMode = hi / lo > 1000 || hi > 1e8 || lo < 1e-4
        for v in nonzeroFinite {
            let s: String
            if sciMode { s = Self.sci(v) }
            else if intMode { s = Self.cFormat("%.0f", Double(v)) + "." }  // len(f"{v:.0f}") + 1
            else { s = Self.fixed(v) }
            width = Swift.max(width, s.utf8.count)
        }
    }

    /// One element, right-aligned to the common width (a longer one, such as `-0.0000`, which the
    /// width ignores because it is zero, is not cut).
    func format(_ v: Scalar) -> String {
        let s: String
        if sciMode { s = Self.sci(v) }
        else if intMode { s = v.isFinite ? Self.cFormat("%.0f", Double(v)) + "." : Self.nonFinite(v) }
        else { s = Self.fixed(v) }
        return String(repeating: " ", count: Swift.max(0, width - s.utf8.count)) + s
    }

    static func fixed(_ v: Scalar) -> String {
        v.isFinite ? cFormat("%.\(PrintOptions.precision)f", Double(v)) : nonFinite(v)
    }

    static func sci(_ v: Scalar) -> String {
        v.isFinite ? cFormat("%.\(PrintOptions.precision)e", Double(v)) : nonFinite(v)
    }

    /// Python prints `nan` whatever the NaN's sign bit (C would print `-nan`).
    static func nonFinite(_ v: Scalar) -> String { v.isNaN ? "nan" : (v < 0 ? "-inf" : "inf") }

    /// C printf of one Double. glibc's `%f`/`%e` are exact and round half to even, like Python's `format`.
    static func cFormat(_ format: String, _ x: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let n = withVaList([x]) { vsnprintf(&buffer, buffer.count, format, $0) }
        check(n >= 0 && n < buffer.count, "formatting \(x) failed")
        return String(decoding: buffer[..<Int(n)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
