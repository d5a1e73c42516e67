// Layers: the functional `linear` with its backward written out beside its forward (llm.c style),
// and the torch.nn-like modules built on it: the `Module` protocol, Linear, ReLU, L2Norm, Sequential.
// BatchNorm1d and the functional batchNorm live in BatchNorm.swift.

// MARK: - Functional linear

/// `torch.nn.functional.linear(x, weight, bias)`: `y = x @ weight^T + bias`.
///
/// - `x`: `(*, in)`, typically `(B, in)`; leading dimensions are flattened for the GEMM and restored.
/// - `weight`: `(out, in)`, as `nn.Linear.weight`.
/// - `bias`: `(out)` or nil.
/// - returns `(*, out)`.
///
/// Backward (recorded once, as torch's `AddmmBackward0` / `MmBackward0`):
/// `dx = g @ weight`, `dweight = g^T @ x`, `dbias = sum of g over the rows`.
@_specialize(where Scalar == Float)
public func linear<Scalar>(_ x: TensorOf<Scalar>, weight: TensorOf<Scalar>, bias: TensorOf<Scalar>? = nil) -> TensorOf<Scalar> {
    check(weight.dim == 2, "linear: weight must be 2-D (out, in), got \(weight.shape)")
    let nOut = weight.shape[0], nIn = weight.shape[1]
    check(x.dim >= 1 && x.shape[x.dim - 1] == nIn,
                 "linear: mat1 and mat2 shapes cannot be multiplied (input \(x.shape), weight \(weight.shape))")
    if let bias { check(bias.shape == [nOut], "linear: bias must have shape [\(nOut)], got \(bias.shape)") }
    let lead = Array(x.shape.dropLast())
    let m = lead.reduce(1, *)
    let x2 = TensorOf(shape: [m, nIn], scalars: x.scalars)                 // (M, in)

    // forward: out = x @ weight^T + bias
    let out = gemm(x2, transposed: false, weight, transposed: true)        // (M, out)
    var ys = out.scalars
    if let bias {
        let b = bias.scalars
        ys.withUnsafeMutableBufferPointer { y in
            for r in 0..<m { for o in 0..<nOut { y[r * nOut + o] += b[o] } }
        }
    }
    let y = TensorOf(shape: lead + [nOut], scalars: ys)                    // (*, out)

    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    return y.recorded(bias == nil ? "MmBackward0" : "AddmmBackward0", inputs) { g in
        let g2 = TensorOf(shape: [m, nOut], scalars: g.scalars)            // (M, out)
        // backward of: out = x @ weight^T + bias
        //   dx      = g @ weight          (M, out) x (out, in) -> (M, in)
        //   dweight = g^T @ x             (out, M) x (M, in)   -> (out, in)
        //   dbias   = sum_rows g          (out)
        let dx = x.requiresGrad
            ? TensorOf(shape: x.shape, scalars: gemm(g2, transposed: false, weight, transposed: false).scalars) : nil
        let dw = weight.requiresGrad ? gemm(g2, transposed: true, x2, transposed: false) : nil
        var grads: [TensorOf<Scalar>?] = [dx, dw]
        if let bias {
            var db: TensorOf<Scalar>? = nil
            if bias.requiresGrad {
                var acc = [Double](repeating: 0, count: nOut)
                let gs = g2.scalars
                for r in 0..<m { for o in 0..<nOut { acc[o] += Double(gs[r * nOut + o]) } }
                db = TensorOf(shape: [nOut], scalars: acc.map { Scalar($0) })
            }
            grads.append(db)
        }
        return grads
    }
}

// MARK: - Module

/// A layer or a network of layers, as `torch.nn.Module` (Float32, like torch's default dtype).
///
/// A conforming class declares its own parameters, buffers and child modules; the protocol
/// extension derives torch's recursive API from them: `namedParameters()` (`"0.weight"`,
/// `"0.bias"`, ...; buffers such as `"1.running_mean"` are in `namedBuffers()`, not here),
/// `parameters()`, `namedModules()`, `train()` / `eval()` (which set `training` on every
/// submodule) and `zeroGrad()`.
public protocol Module: AnyObject {
    /// `module(x)`: the forward pass.
    func callAsFunction(_ x: Tensor) -> Tensor
    /// `module.training`: true after `train()` (the default), false after `eval()`.
    var training: Bool { get set }
    /// This module's own parameters (torch's `_parameters`) in registration order, unprefixed names.
    var directParameters: [(String, Tensor)] { get }
    /// This module's own buffers (torch's `_buffers`), such as BatchNorm's running statistics.
    var directBuffers: [(String, Tensor)] { get }
    /// Direct submodules with their attribute names (`"0"`, `"1"`, ... for Sequential).
    var namedChildren: [(String, any Module)] { get }
}

extension Module {
    public var directParameters: [(String, Tensor)] { [] }
    public var directBuffers: [(String, Tensor)] { [] }
    public var namedChildren: [(String, any Module)] { [] }

    /// `model.named_modules()`: this module (name `""`) and all descendants, depth-first pre-order,
    /// names joined by dots. A module reachable twice is listed once, as torch does.
    public func namedModules(prefix: String = "") -> [(String, any Module)] {
        var seen: Set<ObjectIdentifier> = []
        var out: [(String, any Module)] = []
        func visit(_ m: any Module, _ name: String) {
            guard seen.insert(ObjectIdentifier(m)).inserted else { return }
            out.append((name, m))
            for (child, sub) in m.namedChildren { visit(sub, name.isEmpty ? child : "\(name).\(child)") }
        }
        visit(self, prefix)
        return out
    }

    /// `model.modules()`.
    public func modules() -> [any Module] { namedModules().map(\.1) }

    /// `model.named_parameters()`: every parameter of this module and its descendants, prefixed by
    /// the path of the module that owns it (`"0.weight"`); a tensor shared by two modules is listed once.
    public func namedParameters(prefix: String = "") -> [(String, Tensor)] {
        collect(prefix: prefix) { $0.directParameters }
    }

    /// `model.parameters()`, in `namedParameters()` order.
    public func parameters() -> [Tensor] { namedParameters().map(\.1) }

    /// `model.named_buffers()`: running statistics and the like (not trained, not in `parameters()`).
    public func namedBuffers(prefix: String = "") -> [(String, Tensor)] {
        collect(prefix: prefix) { $0.directBuffers }
    }

    private func collect(prefix: String, _ own: (any Module) -> [(String, Tensor)]) -> [(String, Tensor)] {
        var seen: Set<ObjectIdentifier> = []
        var out: [(String, Tensor)] = []
        for (path, m) in namedModules(prefix: prefix) {
            for (name, t) in own(m) where seen.insert(ObjectIdentifier(t)).inserted {
                out.append((path.isEmpty ? name : "\(path).\(name)", t))
            }
        }
        return out
    }

    /// `model.train(mode)`: sets `training` on this module and every submodule; returns self.
    @discardableResult
    public func train(_ mode: Bool = true) -> Self {
        for m in modules() { m.training = mode }
        return self
    }

    /// `model.eval()`, i.e. `train(false)`.
    @discardableResult
    public func eval() -> Self { train(false) }

    /// `model.zero_grad()`: sets every parameter's `grad` to nil (torch 2.x's `set_to_none=True`).
    public func zeroGrad() {
        for p in parameters() { p.grad = nil }
    }
}

// MARK: - Linear

/// `nn.Linear(inFeatures, outFeatures, bias)`: `y = x @ weight^T + bias`.
///
/// Initialisation as torch's `reset_parameters`, drawn from `generator` weight first, then bias:
/// `kaiming_uniform_(weight, a: sqrt(5))`, i.e. `weight ~ U(-1/sqrt(in), 1/sqrt(in))` (the bound
/// computed as torch does, `sqrt(3) * sqrt(2 / (1 + 5)) / sqrt(in)` in Double), then
/// `bias ~ U(-1/sqrt(in), 1/sqrt(in))`. The values differ from torch's (different RNG), the law does not.
public final class Linear: Module {
    public let inFeatures: Int
    public let outFeatures: Int
    /// `(out, in)`, requires grad.
    public var weight: Tensor
    /// `(out)`, requires grad; nil for `bias: false`.
    public var bias: Tensor?
    public var training = true

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, generator: Generator = .default) {
        check(inFeatures >= 0 && outFeatures >= 0, "Linear: negative size")
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = Tensor.zeros(outFeatures, inFeatures)
        self.bias = bias ? Tensor.zeros(outFeatures) : nil
        if inFeatures > 0 {
            let fanIn = Double(inFeatures)
            let gain = (2.0 / (1.0 + 5.0)).squareRoot()               // calculate_gain("leaky_relu", sqrt(5))
            let wBound = Float(3.0.squareRoot() * (gain / fanIn.squareRoot()))
            weight.uniform_(-wBound, wBound, generator: generator)
            let bBound = Float(1 / fanIn.squareRoot())
            self.bias?.uniform_(-bBound, bBound, generator: generator)
        }
        weight.requiresGrad_()
        self.bias?.requiresGrad_()
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { linear(x, weight: weight, bias: bias) }

    public var directParameters: [(String, Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }
}

// MARK: - Activations and normalisation

/// `nn.ReLU()`: `x.relu()` (the element-wise op of OpsElementwise.swift, with its autograd).
public final class ReLU: Module {
    public var training = true
    public init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.relu() }
}

/// The seed's `l2_norm(input, axis)` as a layer: `input / torch.norm(input, 2, axis, True)`, no
/// epsilon (a zero row gives NaN, as in the seed). Autograd comes from the composed norm and division.
public final class L2Norm: Module {
    public let axis: Int
    public var training = true
    public init(axis: Int = 1) { self.axis = axis }
    public func callAsFunction(_ x: Tensor) -> Tensor { l2_norm(x, axis: axis) }
}

// MARK: - Sequential

/// `nn.Sequential(m0, m1, ...)`: applies the modules in order. Children are named `"0"`, `"1"`, ...,
/// so parameters are `"0.weight"`, `"0.bias"`, ... as in torch (a parameter-free layer such as ReLU
/// still takes its index).
public final class Sequential: Module {
    public private(set) var layers: [any Module]
    public var training = true

    public init(_ layers: [any Module]) { self.layers = layers }
    public convenience init(_ layers: any Module...) { self.init(layers) }

    public func callAsFunction(_ x: Tensor) -> Tensor { layers.reduce(x) { h, m in m(h) } }

    public var namedChildren: [(String, any Module)] { layers.enumerated().map { (String($0.offset), $0.element) } }

    /// `seq[i]`.
    public subscript(i: Int) -> any Module { layers[i] }
    /// `len(seq)`.
    public var count: Int { layers.count }
    /// `seq.append(m)`.
    public func append(_ m: any Module) { layers.append(m) }
}
