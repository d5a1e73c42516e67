// sgd and multistep_lr: torch.optim.SGD steps with given gradients, and MultiStepLR's schedule.
// sgd runs in the case's dtype (SGDOf<Float> or SGDOf<Double>); multistep_lr has no dtype (torch's lr
// is a Python float) and runs on a Float32 optimizer.

import ArcFaceKit

enum OptimOps {
    /// `params` (list of tensors) stepped once per entry of `grads` (one list of tensors per step; a
    /// null gradient skips that parameter in that step, as torch skips `p.grad is None`). Gives
    /// `params[s][i]`: parameter i after step s, and `params`, the (steps, params) structure.
    static func sgd<S: TensorScalar>(_ args: Args, as _: S.Type) throws -> [String: NDArray] {
        let params = try args.tensors("params")
        guard !params.isEmpty else { throw CaseError("sgd: params is empty (torch: optimizer got an empty parameter list)") }
        let steps = try gradSteps(args, params: params)
        let lr = try args.number("lr")
        let momentum = try args.number("momentum", default: 0), dampening = try args.number("dampening", default: 0)
        let weightDecay = try args.number("weight_decay", default: 0)
        let nesterov = try args.bool("nesterov", default: false)
        guard lr >= 0 else { throw CaseError("sgd: invalid learning rate \(lr)") }
        guard momentum >= 0 else { throw CaseError("sgd: invalid momentum value \(momentum)") }
        guard weightDecay >= 0 else { throw CaseError("sgd: invalid weight_decay value \(weightDecay)") }
        guard !dampening.isNaN else { throw CaseError("sgd: dampening is nan") }
        // As torch checks it, on the Python float (SGD keeps hyperparameters as Doubles, as torch does).
        guard !nesterov || (momentum > 0 && dampening == 0) else {
            throw CaseError("sgd: Nesterov momentum requires a momentum and zero dampening")
        }
        let tensors: [TensorOf<S>] = params.map { Evaluator.tensor($0, grad: false) }
        let optimizer = SGDOf<S>(tensors, lr: lr, momentum: momentum, dampening: dampening,
                                 weightDecay: weightDecay, nesterov: nesterov)
        var out: [String: NDArray] = [
            "params": NDArray(shape: [steps.count, params.count], values: [Double](repeating: 0, count: steps.count * params.count)),
        ]
        for (s, grads) in steps.enumerated() {
            for (p, g) in zip(tensors, grads) { p.grad = g.map { Evaluator.tensor($0, grad: false) } }
            optimizer.step()
            for (i, p) in tensors.enumerated() { out["params[\(s)][\(i)]"] = Evaluator.array(p) }
        }
        return out
    }

    /// The gradients of every step, checked against the parameters' count and shapes.
    static func gradSteps(_ args: Args, params: [NDArray]) throws -> [[NDArray?]] {
        let v = try args.required("grads")
        guard case .array(let steps) = v else { throw CaseError("arg 'grads' is \(v.kind), expected an array of steps") }
        return try steps.enumerated().map { s, step in
            guard case .array(let items) = step else {
                throw CaseError("arg 'grads[\(s)]' is \(step.kind), expected an array of tensors (one per param)")
            }
            guard items.count == params.count else {
                throw CaseError("grads[\(s)] has \(items.count) tensors for \(params.count) params")
            }
            return try items.enumerated().map { i, item in
                if item == .null { return nil }
                let g = try NDArray.parse(item, at: "grads[\(s)][\(i)]")
                guard g.shape == params[i].shape else {
                    throw CaseError("grads[\(s)][\(i)] has shape \(g.shape), params[\(i)] has shape \(params[i].shape)")
                }
                return g
            }
        }
    }

    /// `lr[e]`: the learning rate in effect during epoch e (read before `scheduler.step()` ends the epoch).
    static func multiStepLR(_ args: Args) throws -> [String: NDArray] {
        let baseLR = try args.number("base_lr"), gamma = try args.number("gamma", default: 0.1)
        let milestones = try args.ints("milestones"), epochs = try args.int("epochs")
        guard baseLR >= 0 else { throw CaseError("multistep_lr: invalid learning rate \(baseLR)") }
        guard (0...1_000_000).contains(epochs) else { throw CaseError("multistep_lr: epochs is \(epochs), expected 0...1000000") }
        let optimizer = SGD([Tensor.zeros(1)], lr: baseLR)
        let scheduler = MultiStepLR(optimizer, milestones: milestones, gamma: gamma)
        var lrs: [Double] = []
        for _ in 0..<epochs {
            lrs.append(optimizer.paramGroups[0].lr ?? optimizer.defaults.lr!)
            optimizer.step()
            scheduler.step()
        }
        return ["lr": NDArray(shape: [epochs], values: lrs)]
    }
}
