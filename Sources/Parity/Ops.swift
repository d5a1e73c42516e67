// The ops a reference case can name, with their args and expected values, and how ArcFaceKit evaluates
// each one. Every argument is validated here before ArcFaceKit sees it: ArcFaceKit checks its inputs
// with preconditions (a trap), while a bad case must only fail, by name.

import ArcFaceKit

/// What an op takes and gives: its args (in torch.nn.functional's names), its expected values and the
/// tensor args that `expect.grad` may hold gradients for.
struct OpSpec {
    let args: [String]
    /// Keys of "expect" other than "grad", in report order.
    let outputs: [String]
    /// Gradients are of the loss for arcface_head / combined_margin, of `output` (summed unless 0-d) otherwise.
    let gradArgs: [String]

    static let all: [String: OpSpec] = [
        "renorm": OpSpec(args: ["input", "p", "dim", "maxnorm"], outputs: ["output"], gradArgs: ["input"]),
        "normalize": OpSpec(args: ["input", "p", "dim", "eps"], outputs: ["output"], gradArgs: ["input"]),
        "l2_norm": OpSpec(args: ["input", "axis"], outputs: ["output"], gradArgs: ["input"]),
        "softmax": OpSpec(args: ["input", "dim"], outputs: ["output"], gradArgs: ["input"]),
        "log_softmax": OpSpec(args: ["input", "dim"], outputs: ["output"], gradArgs: ["input"]),
        "nll_loss": OpSpec(args: ["input", "target", "weight", "ignore_index", "reduction"],
                           outputs: ["output"], gradArgs: ["input"]),
        "cross_entropy": OpSpec(args: ["input", "target", "weight", "ignore_index", "reduction", "label_smoothing"],
                                outputs: ["output"], gradArgs: ["input"]),
        "arcface_head": OpSpec(args: ["embeddings", "kernel", "label", "s", "m", "easy_margin"],
                               outputs: ["logits", "loss"], gradArgs: ["embeddings", "kernel"]),
        "combined_margin": OpSpec(args: ["cos_theta", "label", "s", "m1", "m2", "m3"],
                                  outputs: ["logits", "loss"], gradArgs: ["cos_theta"]),
        "sgd": OpSpec(args: ["params", "grads", "lr", "momentum", "dampening", "nesterov", "weight_decay"],
                      outputs: ["params"], gradArgs: []),
        "multistep_lr": OpSpec(args: ["base_lr", "milestones", "gamma", "epochs"], outputs: ["lr"], gradArgs: []),
    ]

    /// Every op name, sorted (for messages and coverage checks).
    static var names: [String] { all.keys.sorted() }
}

/// One expected value of a case, flattened: `output`, `grad.input`, `params[1][0]`, `lr`, ...
struct Expected {
    let label: String
    let group: String
    let value: NDArray
}

/// Evaluates cases with ArcFaceKit.
enum Evaluator {
    /// Validates `c`, evaluates it in its dtype and compares every expected value.
    static func checks(for c: ParityCase) throws -> [Check] {
        guard let spec = OpSpec.all[c.op] else {
            throw CaseError("unknown op '\(c.op)' (known: \(OpSpec.names.joined(separator: ", ")))")
        }
        let args = Args(values: c.args)
        try args.allowOnly(spec.args, op: c.op)
        let expected = try expectations(c.expect, spec: spec, op: c.op)
        let wanted = Set(expected.map(\.label))
        let actual: [String: NDArray]
        switch c.dtype {
        case .float32: actual = try evaluate(c.op, args, wanted: wanted, as: Float.self)
        case .float64: actual = try evaluate(c.op, args, wanted: wanted, as: Double.self)
        }
        let tolerance = Tolerance(rtol: c.rtol, atol: c.atol)
        var checks: [Check] = []
        for e in expected {
            guard let a = actual[e.label] else {
                // Only a tensor beyond a list whose structure already failed to match has no counterpart.
                if checks.contains(where: { !$0.shapeMatches }) { continue }
                throw CaseError("internal: no value computed for \(e.label)")
            }
            checks.append(Check.compare(label: e.label, group: e.group, expected: e.value, actual: a, tolerance: tolerance))
        }
        return checks
    }

    /// The expected values of a case, checked against the op's spec and flattened in report order.
    static func expectations(_ expect: [String: JSONValue], spec: OpSpec, op: String) throws -> [Expected] {
        let known = spec.outputs + (spec.gradArgs.isEmpty ? [] : ["grad"])
        for key in expect.keys.sorted() where !known.contains(key) {
            throw CaseError("unknown expect key '\(key)' for op '\(op)' (known: \(known.joined(separator: ", ")))")
        }
        var out: [Expected] = []
        for key in spec.outputs {
            guard let v = expect[key], v != .null else { continue }
            if op == "sgd" {
                // params: one list of tensors per step
                guard case .array(let steps) = v else { throw CaseError("expect.params is \(v.kind), expected an array of steps") }
                let start = out.count
                for (s, step) in steps.enumerated() {
                    guard case .array(let tensors) = step else {
                        throw CaseError("expect.params[\(s)] is \(step.kind), expected an array of tensors")
                    }
                    for (i, t) in tensors.enumerated() {
                        let label = "params[\(s)][\(i)]"
                        out.append(Expected(label: label, group: "params", value: try NDArray.parse(t, at: "expect." + label)))
                    }
                }
                // The list structure (steps x params) as the shape of an all-zero array, so that a different
                // number of steps or params is reported as a shape mismatch of `params`.
                let counts = Set(steps.map { step -> Int in if case .array(let a) = step { a.count } else { 0 } })
                guard counts.count <= 1 else { throw CaseError("ragged array: the steps of expect.params hold different numbers of tensors") }
                let n = counts.first ?? 0
                out.insert(Expected(label: "params", group: "params",
                                    value: NDArray(shape: [steps.count, n], values: [Double](repeating: 0, count: steps.count * n))),
                           at: start)
            } else {
                out.append(Expected(label: key, group: key, value: try NDArray.parse(v, at: "expect." + key)))
            }
        }
        if let g = expect["grad"], g != .null {
            guard case .object(let grads) = g else { throw CaseError("expect.grad is \(g.kind), expected an object of tensors") }
            for key in grads.keys.sorted() where !spec.gradArgs.contains(key) {
                throw CaseError("expect.grad has '\(key)', which is not a tensor arg of '\(op)' (gradients exist for: \(spec.gradArgs.joined(separator: ", ")))")
            }
            for key in spec.gradArgs {
                guard let v = grads[key], v != .null else { continue }
                out.append(Expected(label: "grad." + key, group: "grad." + key, value: try NDArray.parse(v, at: "expect.grad." + key)))
            }
        }
        guard !out.isEmpty else {
            throw CaseError("expect holds nothing to compare (expected \(known.joined(separator: " and/or ")))")
        }
        return out
    }

    // MARK: Evaluation in one dtype

    static func evaluate<S: TensorScalar>(_ op: String, _ args: Args, wanted: Set<String>, as _: S.Type) throws -> [String: NDArray] {
        let needsGrad = wanted.contains { $0.hasPrefix("grad.") }
        switch op {
        case "renorm", "normalize", "l2_norm", "softmax", "log_softmax":
            let x = try args.tensor("input")
            let f: (TensorOf<S>) -> TensorOf<S>
            switch op {
            case "renorm":
                let p = try args.number("p"), dim = try args.int("dim"), maxnorm = try args.number("maxnorm")
                guard x.shape.count >= 2 else { throw CaseError("renorm: input needs at least 2 dimensions, got shape \(x.shape)") }
                try checkDim(dim, rank: x.shape.count, "dim")
                // Checked as the dtype sees it: 1e-50 is > 0 as a Double but 0 as a Float32.
                guard p > 0, S(p) > 0 else { throw CaseError("renorm: p must be > 0 in \(S.self), got \(p)") }
                guard maxnorm >= 0 else { throw CaseError("renorm: maxnorm must be >= 0, got \(maxnorm)") }
                f = { $0.renorm(p: S(p), dim: dim, maxnorm: S(maxnorm)) }
            case "normalize":
                let p = try args.number("p", default: 2), dim = try args.int("dim", default: 1)
                let eps = try args.number("eps", default: 1e-12)
                guard !x.shape.isEmpty else { throw CaseError("normalize: input must have at least 1 dimension") }
                try checkDim(dim, rank: x.shape.count, "dim")
                guard !p.isNaN else { throw CaseError("normalize: p must not be nan") }
                f = { normalize($0, p: S(p), dim: dim, eps: S(eps)) }
            case "l2_norm":
                let axis = try args.int("axis", default: 1)
                guard !x.shape.isEmpty else { throw CaseError("l2_norm: input must have at least 1 dimension") }
                try checkDim(axis, rank: x.shape.count, "axis")
                f = { l2_norm($0, axis: axis) }
            case "softmax":
                let dim = try args.int("dim")
                try checkDim(dim, rank: Swift.max(x.shape.count, 1), "dim")
                f = { $0.softmax(dim: dim) }
            default:
                let dim = try args.int("dim")
                try checkDim(dim, rank: Swift.max(x.shape.count, 1), "dim")
                f = { $0.logSoftmax(dim: dim) }
            }
            let input: TensorOf<S> = tensor(x, grad: needsGrad)
            let output = f(input)
            var result = ["output": array(output)]
            if needsGrad { result.merge(try gradients(of: output, [("input", input)])) { $1 } }
            return result

        case "nll_loss", "cross_entropy":
            let x = try args.tensor("input")
            // A (C) input takes one target: a bare integer (torch's 0-d target) or a list of one.
            let target: [Int]
            if case .number? = args.optional("target") { target = [try args.int("target")] } else { target = try args.ints("target") }
            let weight = try args.optional("weight").map { try NDArray.parse($0, at: "weight") }
            let ignoreIndex = try args.int("ignore_index", default: -100)
            let reductionName = try args.string("reduction", default: "mean")
            let reduction: Reduction
            switch reductionName {
            case "none": reduction = .none
            case "mean": reduction = .mean
            case "sum": reduction = .sum
            default: throw CaseError("arg 'reduction' is '\(reductionName)', expected 'none', 'mean' or 'sum'")
            }
            let smoothing = op == "cross_entropy" ? try args.number("label_smoothing", default: 0) : 0
            guard x.shape.count == 1 || x.shape.count == 2 else {
                throw CaseError("\(op): input must be (N, C) or (C), got shape \(x.shape)")
            }
            let batch = x.shape.count == 2 ? x.shape[0] : 1
            let classes = x.shape[x.shape.count - 1]
            guard target.count == batch else {
                throw CaseError("\(op): \(target.count) targets for a batch of \(batch) (input shape \(x.shape))")
            }
            try checkLabels(target, classes: classes, ignoring: ignoreIndex, name: "target")
            if let weight, weight.shape != [classes] {
                throw CaseError("\(op): weight has shape \(weight.shape), expected [\(classes)] (one per class)")
            }
            guard !smoothing.isNaN, smoothing <= 1 else {
                throw CaseError("cross_entropy: label_smoothing must be between 0.0 and 1.0, got \(smoothing)")
            }
            let input: TensorOf<S> = tensor(x, grad: needsGrad)
            let w: TensorOf<S>? = weight.map { tensor($0, grad: false) }
            let output = op == "nll_loss"
                ? nllLoss(input, target, weight: w, ignoreIndex: ignoreIndex, reduction: reduction)
                : crossEntropy(input, target, weight: w, ignoreIndex: ignoreIndex, reduction: reduction,
                               labelSmoothing: S(smoothing))
            var result = ["output": array(output)]
            if needsGrad { result.merge(try gradients(of: output, [("input", input)])) { $1 } }
            return result

        case "arcface_head":
            let e = try args.tensor("embeddings"), k = try args.tensor("kernel")
            let label = try args.ints("label")
            let s = try args.number("s"), m = try args.number("m")
            let easy = try args.bool("easy_margin", default: false)
            guard e.shape.count == 2, k.shape.count == 2 else {
                throw CaseError("arcface_head: embeddings must be (B, E) and kernel (E, C), got \(e.shape) and \(k.shape)")
            }
            guard e.shape[1] == k.shape[0] else {
                throw CaseError("arcface_head: embeddings \(e.shape) and kernel \(k.shape) do not match (E)")
            }
            guard e.shape[0] >= 1, k.shape[1] >= 1 else { throw CaseError("arcface_head: needs at least one row and one class") }
            guard label.count == e.shape[0] else {
                throw CaseError("arcface_head: \(label.count) labels for \(e.shape[0]) embeddings")
            }
            try checkLabels(label, classes: k.shape[1], ignoring: nil, name: "label")
            let emb: TensorOf<S> = tensor(e, grad: needsGrad), kernel: TensorOf<S> = tensor(k, grad: needsGrad)
            let logits = arcFaceLogits(embeddings: emb, kernel: kernel, label: label, s: S(s), m: S(m), easyMargin: easy)
            let loss = crossEntropy(logits, label)
            var result = ["logits": array(logits), "loss": array(loss)]
            if needsGrad { result.merge(try gradients(of: loss, [("embeddings", emb), ("kernel", kernel)])) { $1 } }
            return result

        case "combined_margin":
            let c = try args.tensor("cos_theta")
            let label = try args.ints("label")
            let s = try args.number("s"), m1 = try args.number("m1"), m2 = try args.number("m2"), m3 = try args.number("m3")
            guard c.shape.count == 2 else { throw CaseError("combined_margin: cos_theta must be (B, C), got \(c.shape)") }
            guard c.shape[0] >= 1, c.shape[1] >= 1 else { throw CaseError("combined_margin: needs at least one row and one class") }
            guard label.count == c.shape[0] else {
                throw CaseError("combined_margin: \(label.count) labels for \(c.shape[0]) rows")
            }
            try checkLabels(label, classes: c.shape[1], ignoring: nil, name: "label")
            let cos: TensorOf<S> = tensor(c, grad: needsGrad)
            let logits = combinedMarginLogits(cosTheta: cos, label: label, s: S(s), m1: S(m1), m2: S(m2), m3: S(m3))
            let loss = crossEntropy(logits, label)
            var result = ["logits": array(logits), "loss": array(loss)]
            if needsGrad { result.merge(try gradients(of: loss, [("cos_theta", cos)])) { $1 } }
            return result

        case "sgd":
            return try OptimOps.sgd(args, as: S.self)

        case "multistep_lr":
            return try OptimOps.multiStepLR(args)

        default:
            throw CaseError("unknown op '\(op)'")
        }
    }

    // MARK: Helpers

    static func tensor<S: TensorScalar>(_ a: NDArray, grad: Bool) -> TensorOf<S> {
        let t = TensorOf<S>(shape: a.shape, scalars: a.values.map { S($0) })
        if grad { t.requiresGrad_() }
        return t
    }

    static func array<S: TensorScalar>(_ t: TensorOf<S>) -> NDArray {
        NDArray(shape: t.shape, values: t.scalars.map { Double($0) })
    }

    /// Backpropagates a scalar loss, or `output.sum()` for any other output, and reads each input's gradient
    /// (zeros where none reached it, as torch's `None` would be written out).
    static func gradients<S: TensorScalar>(of output: TensorOf<S>, _ inputs: [(String, TensorOf<S>)]) throws -> [String: NDArray] {
        let root = output.shape.isEmpty ? output : output.sum()
        guard root.requiresGrad else {
            throw CaseError("autograd recorded no graph for this op, so no gradient can be computed")
        }
        root.backward()
        var out: [String: NDArray] = [:]
        for (name, t) in inputs {
            out["grad." + name] = t.grad.map(array) ?? NDArray(shape: t.shape, values: [Double](repeating: 0, count: t.numel))
        }
        return out
    }

    /// A dim argument must be in torch's range [-rank, rank - 1].
    static func checkDim(_ d: Int, rank: Int, _ name: String) throws {
        guard d >= -rank && d < rank else {
            throw CaseError("arg '\(name)' is \(d), out of range for \(rank) dimensions (expected \(-rank)...\(rank - 1))")
        }
    }

    /// Every label must index a class (0..<classes), unless it is the ignored index.
    static func checkLabels(_ labels: [Int], classes: Int, ignoring: Int?, name: String) throws {
        for (i, t) in labels.enumerated() where t != ignoring {
            guard t >= 0 && t < classes else {
                throw CaseError("\(name)[\(i)] is \(t), out of range for \(classes) classes (0..<\(classes))"
                                + (ignoring.map { " and not ignore_index \($0)" } ?? ""))
            }
        }
    }
}
