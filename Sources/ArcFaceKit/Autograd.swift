// Autograd: reverse-mode differentiation over tensors. Each op records a GradFn holding its
// inputs and a closure mapping the output's gradient to the inputs' gradients; `backward()` walks
// the recorded graph in reverse topological order (micrograd's scheme, with tensors).

/// One recorded op: `output = op(inputs)`.
final class GradFn<Scalar: TensorScalar> {
    /// torch's name for the node, shown by `repr` (`grad_fn=<MulBackward0>`).
    let name: String
    let inputs: [TensorOf<Scalar>]
    /// The inputs' versions when the op ran: their values must not have changed since.
    let versions: [Int]
    /// Upstream gradient (shape of the output) -> gradient per input (nil: none flows there).
    let backward: (TensorOf<Scalar>) -> [TensorOf<Scalar>?]

    init(name: String, inputs: [TensorOf<Scalar>], backward: @escaping (TensorOf<Scalar>) -> [TensorOf<Scalar>?]) {
        self.name = name
        self.inputs = inputs
        self.versions = inputs.map(\.version)
        self.backward = backward
    }
}

/// Whether ops record the graph; `withNoGrad` turns it off, as `torch.no_grad()`. Task-local
/// (per thread outside Swift concurrency), as torch's grad mode is thread-local: a no-grad scope
/// on one thread must not stop another thread's recording.
public enum GradMode {
    @TaskLocal static var disabled = false

    public static var isEnabled: Bool { !disabled }
}

/// Runs `body` without recording ops for autograd (`with torch.no_grad():`).
@discardableResult
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.$disabled.withValue(true) { try body() }
}

extension TensorOf {
    /// True for a tensor no op produced (a parameter or an input), as `x.is_leaf`.
    public var isLeaf: Bool { gradFn == nil }

    /// torch's name of the op that produced this tensor, or nil for a leaf.
    public var gradFnName: String? { gradFn?.name }

    /// `x.requires_grad_()`: marks a leaf as a parameter to differentiate with respect to.
    @_specialize(where Scalar == Float)
    @discardableResult
    public func requiresGrad_(_ value: Bool = true) -> TensorOf {
        check(isLeaf || value, "you can only change requires_grad flags of leaf variables")
        requiresGrad = value
        return self
    }

    /// `x.detach()` / `x.data`: the same elements (shared storage), outside the graph.
    @_specialize(where Scalar == Float)
    public func detach() -> TensorOf { TensorOf(shape: shape, storage: storage) }
    public var data: TensorOf { detach() }

    /// `x.grad = None` (what `optimizer.zero_grad()` does by default since torch 2.0).
    @_specialize(where Scalar == Float)
    public func zeroGrad() { grad = nil }

    /// Records that this freshly computed tensor is `name(inputs)` when any input requires grad and
    /// grad mode is on; `backward` maps this tensor's gradient to one gradient per input. Every op
    /// calls this once, right after its forward computation.
    @_specialize(where Scalar == Float)
    @discardableResult
    func recorded(_ name: String, _ inputs: [TensorOf], _ backward: @escaping (TensorOf) -> [TensorOf?]) -> TensorOf {
        guard GradMode.isEnabled, inputs.contains(where: \.requiresGrad) else { return self }
        requiresGrad = true
        gradFn = GradFn(name: name, inputs: inputs, backward: backward)
        return self
    }

    /// `loss.backward()`: accumulates d(self)/d(leaf) into every leaf's `grad` that requires grad.
    /// `gradient` defaults to 1 for a one-element tensor (torch requires it otherwise).
    @_specialize(where Scalar == Float)
    public func backward(_ gradient: TensorOf? = nil) {
        check(requiresGrad, "element 0 of tensors does not require grad and does not have a grad_fn")
        let seed: TensorOf
        if let gradient {
            check(gradient.shape == shape, "backward: gradient shape \(gradient.shape) does not match \(shape)")
            seed = gradient
        } else {
            check(numel == 1, "grad can be implicitly created only for scalar outputs")
            seed = TensorOf.ones(shape)
        }
        // Reverse topological order: a node's gradient is complete before it is passed on.
        var order: [TensorOf] = []
        var seen: Set<ObjectIdentifier> = []
        func visit(_ t: TensorOf) {
            guard seen.insert(ObjectIdentifier(t)).inserted else { return }
            for input in t.gradFn?.inputs ?? [] where input.requiresGrad { visit(input) }
            order.append(t)
        }
        visit(self)
        var grads: [ObjectIdentifier: TensorOf] = [ObjectIdentifier(self): seed]
        withNoGrad {
            for t in order.reversed() {
                guard let g = grads.removeValue(forKey: ObjectIdentifier(t)) else { continue }
                guard let fn = t.gradFn else {
                    // A leaf: accumulate, as torch does across backward() calls.
                    t.grad = t.grad.map { $0 + g } ?? g.clone()
                    continue
                }
                for (input, v) in zip(fn.inputs, fn.versions) where input.version != v {
                    checkFailure("one of the variables needed for gradient computation has been modified by an inplace operation: [\(input.shape)] is at version \(input.version); expected version \(v) instead")
                }
                let inputGrads = fn.backward(g)
                check(inputGrads.count == fn.inputs.count, "\(fn.name) returned \(inputGrads.count) gradients for \(fn.inputs.count) inputs")
                for (input, ig) in zip(fn.inputs, inputGrads) {
                    guard input.requiresGrad, let ig else { continue }
                    check(ig.shape == input.shape, "\(fn.name): gradient shape \(ig.shape) for an input of shape \(input.shape)")
                    let key = ObjectIdentifier(input)
                    grads[key] = grads[key].map { $0 + ig } ?? ig
                }
            }
        }
    }

    /// An in-place op under autograd (`x *= s`, `x[mask] = v`): `op` computes the new value out of
    /// place from a snapshot of the old one, then the result's values and history move into this
    /// tensor, as torch rebases an in-place op's grad_fn. Without autograd involved, `fast` mutates
    /// the storage directly.
    @_specialize(where Scalar == Float)
    @discardableResult
    func updateInPlace(others: [TensorOf] = [], _ op: (TensorOf) -> TensorOf, fast: () -> Void) -> TensorOf {
        guard GradMode.isEnabled, requiresGrad || others.contains(where: \.requiresGrad) else {
            fast()
            version += 1
            return self
        }
        check(!(requiresGrad && isLeaf), "a leaf Variable that requires grad is being used in an in-place operation.")
        let old = TensorOf(shape: shape, scalars: storage.values)
        old.requiresGrad = requiresGrad
        old.gradFn = gradFn
        let new = op(old)
        check(new.shape == shape, "in-place result of shape \(new.shape) does not fit \(shape)")
        storage.values = new.storage.values
        version += 1
        requiresGrad = new.requiresGrad
        gradFn = new.gradFn
        return self
    }

    /// Sums a gradient of the broadcast shape back to this tensor's shape (the backward of broadcasting).
    @_specialize(where Scalar == Float)
    func reduceBroadcast(_ g: TensorOf) -> TensorOf {
        if g.shape == shape { return g }
        var r = g
        while r.dim > dim { r = r.sum(dim: 0) }
        for d in 0..<dim where shape[d] == 1 && r.shape[d] != 1 { r = r.sum(dim: d, keepdim: true) }
        return r
    }
}
