// Optimisation: torch.optim.SGD with parameter groups, MultiStepLR, and the seed Learner's
// schedule_lr and BatchNorm / weight-decay parameter split.

/// One entry of `optimizer.param_groups`: parameters plus optional per-group hyperparameters.
///
/// A nil field means "the optimizer's default", like a key missing from torch's param-group dict;
/// `SGD.init` fills every nil field in, so the groups read back from `SGD.paramGroups` have all
/// fields set (and `step()` would fall back to the defaults for any field set to nil later).
///
/// The hyperparameters are Doubles, as torch keeps them (Python floats): a schedule computes in
/// double precision, and a step converts each to the parameters' type where torch's kernel does
/// (`add_(grad, alpha=-lr)` takes `Float(-lr)` for float32). 0.1 * 0.1 in Float is not
/// Float(0.1 * 0.1).
public struct ParamGroupOf<Scalar: TensorScalar> {
    public var params: [TensorOf<Scalar>]
    public var lr: Double?
    public var momentum: Double?
    public var dampening: Double?
    public var weightDecay: Double?
    public var nesterov: Bool?

    public init(params: [TensorOf<Scalar>], lr: Double? = nil, momentum: Double? = nil, dampening: Double? = nil,
                weightDecay: Double? = nil, nesterov: Bool? = nil) {
        (self.params, self.lr, self.momentum, self.dampening, self.weightDecay, self.nesterov) =
            (params, lr, momentum, dampening, weightDecay, nesterov)
    }
}

/// `torch.optim.SGD(param_groups, lr, momentum, dampening, weight_decay, nesterov)` — the
/// single-tensor (CPU, non-foreach) algorithm, per parameter with a gradient:
///
///     g = p.grad
///     if weight_decay != 0: g = g + weight_decay * p
///     if momentum != 0:
///         buf = g                                            on the parameter's first step
///         buf = momentum * buf + (1 - dampening) * g         afterwards
///         g = g + momentum * buf if nesterov else buf
///     p = p - lr * g
///
/// in the parameters' precision (Float32 like torch's default, or Float64), the `a + alpha * b` updates as fused multiply-adds (torch's vectorised `add` with
/// alpha). Parameters whose `grad` is nil are skipped (their momentum buffer is kept). `step()`
/// writes `p.scalars` directly, outside autograd, as torch's `@torch.no_grad()` step.
public final class SGDOf<Scalar: TensorScalar> {
    /// `optimizer.param_groups`; mutate `paramGroups[i].lr` to change a learning rate.
    public var paramGroups: [ParamGroupOf<Scalar>]
    /// `optimizer.defaults`: the constructor's hyperparameters, used for fields a group leaves nil.
    public let defaults: ParamGroupOf<Scalar>
    /// `optimizer.state[p]["momentum_buffer"]`, keyed by parameter identity (the tensor is kept alive).
    private var momentumBuffers: [ObjectIdentifier: (param: TensorOf<Scalar>, buffer: [Scalar])] = [:]

    public init(_ groups: [ParamGroupOf<Scalar>], lr: Double, momentum: Double = 0, dampening: Double = 0,
                weightDecay: Double = 0, nesterov: Bool = false) {
        check(lr >= 0, "Invalid learning rate: \(lr)")
        check(momentum >= 0, "Invalid momentum value: \(momentum)")
        check(weightDecay >= 0, "Invalid weight_decay value: \(weightDecay)")
        check(!nesterov || (momentum > 0 && dampening == 0), "Nesterov momentum requires a momentum and zero dampening")
        check(!groups.isEmpty, "optimizer got an empty parameter list")
        defaults = ParamGroupOf<Scalar>(params: [], lr: lr, momentum: momentum, dampening: dampening,
                              weightDecay: weightDecay, nesterov: nesterov)
        paramGroups = []
        for g in groups { addParamGroup(g) }
    }

    /// `SGD(model.parameters(), lr=...)`: one group.
    public convenience init(_ params: [TensorOf<Scalar>], lr: Double, momentum: Double = 0, dampening: Double = 0,
                            weightDecay: Double = 0, nesterov: Bool = false) {
        self.init([ParamGroupOf<Scalar>(params: params)], lr: lr, momentum: momentum, dampening: dampening,
                  weightDecay: weightDecay, nesterov: nesterov)
    }

    /// `optimizer.add_param_group(group)`: nil fields take the defaults; a parameter may be in one group only.
    @_specialize(where Scalar == Float)
    public func addParamGroup(_ group: ParamGroupOf<Scalar>) {
        var g = group
        g.lr = g.lr ?? defaults.lr
        g.momentum = g.momentum ?? defaults.momentum
        g.dampening = g.dampening ?? defaults.dampening
        g.weightDecay = g.weightDecay ?? defaults.weightDecay
        g.nesterov = g.nesterov ?? defaults.nesterov
        let existing = Set(paramGroups.flatMap { $0.params.map(ObjectIdentifier.init) })
        var mine: Set<ObjectIdentifier> = []
        for p in g.params {
            let id = ObjectIdentifier(p)
            check(!existing.contains(id) && mine.insert(id).inserted, "some parameters appear in more than one parameter group")
        }
        paramGroups.append(g)
    }

    /// `optimizer.step()`.
    @_specialize(where Scalar == Float)
    public func step() {
        for group in paramGroups {
            // Each hyperparameter in the parameters' type, as torch's kernels convert their scalars.
            let lr = Scalar(group.lr ?? defaults.lr!)
            let mu = Scalar(group.momentum ?? defaults.momentum!)
            let keep = Scalar(1 - (group.dampening ?? defaults.dampening!))   // 1 - dampening in Python, then converted
            let wd = Scalar(group.weightDecay ?? defaults.weightDecay!)
            let nesterov = group.nesterov ?? defaults.nesterov!
            for p in group.params {
                guard let grad = p.grad else { continue }
                check(grad.shape == p.shape, "SGD: grad of shape \(grad.shape) for a parameter of shape \(p.shape)")
                var g = grad.scalars                                   // a copy: p.grad is not modified
                var x = p.scalars
                // g = g + weight_decay * p
                if wd != 0 { for k in g.indices { g[k] = g[k].addingProduct(wd, x[k]) } }
                if mu != 0 {
                    let id = ObjectIdentifier(p)
                    var buf: [Scalar]
                    if let old = momentumBuffers[id]?.buffer {
                        // buf = momentum * buf + (1 - dampening) * g
                        buf = old
                        for k in buf.indices { buf[k] = (buf[k] * mu).addingProduct(keep, g[k]) }
                    } else {
                        buf = g                                        // buf = clone(g) on the first step
                    }
                    momentumBuffers[id] = (p, buf)
                    if nesterov {
                        for k in g.indices { g[k] = g[k].addingProduct(mu, buf[k]) }  // g = g + momentum * buf
                    } else {
                        g = buf
                    }
                }
                // p = p - lr * g
                for k in x.indices { x[k] = x[k].addingProduct(-lr, g[k]) }
                p.scalars = x
            }
        }
    }

    /// `optimizer.zero_grad()`: sets every parameter's `grad` to nil (torch 2.x's default, set_to_none=True).
    @_specialize(where Scalar == Float)
    public func zeroGrad() {
        for group in paramGroups { for p in group.params { p.grad = nil } }
    }

    /// `optimizer.state[p]["momentum_buffer"]` as a new tensor, nil before p's first momentum step.
    @_specialize(where Scalar == Float)
    public func momentumBuffer(for p: TensorOf<Scalar>) -> TensorOf<Scalar>? {
        momentumBuffers[ObjectIdentifier(p)].map { TensorOf<Scalar>(shape: p.shape, scalars: $0.buffer) }
    }
}

/// Float32 parameter groups and optimizer, torch's default.
public typealias ParamGroup = ParamGroupOf<Float>
public typealias SGD = SGDOf<Float>

/// `torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones, gamma)`: multiplies every group's lr
/// by `gamma` when the epoch counter reaches a milestone (by `gamma^k` for a milestone listed k times).
///
/// Call `step()` once at the end of every epoch, as torch. The counter starts at 0 (torch's
/// construction-time step), so the lr used in epoch `e` (0-based) is `lr * gamma^(number of
/// milestones <= e)`: with milestones [12, 15, 18] and 20 epochs, epochs 0-11 use lr, 12-14 lr/10,
/// 15-17 lr/100, 18-19 lr/1000 — the same epochs at which the seed Learner calls `schedule_lr()`.
/// Like torch's chainable form, it scales the current lr, so manual changes to it are kept.
public final class MultiStepLR {
    public let optimizer: SGD
    public let milestones: [Int]
    public let gamma: Double
    /// `scheduler.last_epoch`: the number of `step()` calls so far.
    public private(set) var lastEpoch = 0
    /// Every group's lr when the scheduler was created (torch's `base_lrs` / `initial_lr`).
    public let baseLRs: [Double]
    /// `scheduler.get_last_lr()`: every group's lr after the latest `step()` (or creation).
    public private(set) var lastLR: [Double]

    public init(_ optimizer: SGD, milestones: [Int], gamma: Double = 0.1) {
        self.optimizer = optimizer
        self.milestones = milestones.sorted()
        self.gamma = gamma
        baseLRs = optimizer.paramGroups.map { $0.lr ?? optimizer.defaults.lr! }
        lastLR = baseLRs
    }

    /// `scheduler.step()`: advance one epoch.
    public func step() {
        lastEpoch += 1
        let hits = milestones.filter { $0 == lastEpoch }.count
        if hits > 0 {
            // torch: group['lr'] * gamma ** count, in Python floats.
            let factor = hits == 1 ? gamma : PortableMath.pow(gamma, Double(hits))
            for i in optimizer.paramGroups.indices {
                optimizer.paramGroups[i].lr = (optimizer.paramGroups[i].lr ?? optimizer.defaults.lr!) * factor
            }
        }
        lastLR = optimizer.paramGroups.map { $0.lr ?? optimizer.defaults.lr! }
    }
}

/// The seed Learner's `schedule_lr()`: `for params in optimizer.param_groups: params['lr'] /= 10`.
public func scheduleLR(_ optimizer: SGD) {
    for i in optimizer.paramGroups.indices {
        optimizer.paramGroups[i].lr = (optimizer.paramGroups[i].lr ?? optimizer.defaults.lr!) / 10
    }
}

/// The seed's `separate_bn_paras(model)`: walks `model.modules()` (depth-first pre-order) and puts
/// each module's own parameters into `bn` if it is a BatchNorm layer, else into `other`, keeping the
/// registration order. (The seed skips container classes; here they have no parameters of their own,
/// and a custom module's own parameters land in `other` rather than being dropped.)
public func separateBNParams(_ model: any Module) -> (bn: [Tensor], other: [Tensor]) {
    var bn: [Tensor] = [], other: [Tensor] = []
    for m in model.modules() {
        let own = m.directParameters.map(\.1)
        if m is BatchNorm1d { bn += own } else { other += own }
    }
    return (bn, other)
}

/// The seed Learner's optimizer groups (non-MobileFaceNet branch):
///
///     [{'params': paras_wo_bn + [self.head.kernel], 'weight_decay': 5e-4},
///      {'params': paras_only_bn}]
///
/// i.e. weight decay on every non-BatchNorm parameter and the head kernel, none on BatchNorm's
/// weight and bias (the second group takes the optimizer's default weight decay, 0 in the seed).
/// Pass the result to `SGD(_:lr:momentum:)`.
public func paramsWithWeightDecay(model: any Module, head kernel: Tensor, weightDecay: Double = 5e-4) -> [ParamGroup] {
    let (bn, other) = separateBNParams(model)
    return [ParamGroup(params: other + [kernel], weightDecay: weightDecay), ParamGroup(params: bn)]
}
