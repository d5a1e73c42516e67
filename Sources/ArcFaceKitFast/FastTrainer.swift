// A fused trainer for the toy experiment's model: Linear(in, H) -> ReLU -> Linear(H, E) -> l2 norm
// -> ArcFace head (FastArcFaceHead) or the softmax classifier Linear(E, C), mean cross-entropy, and
// torch's SGD (momentum, weight decay, one parameter group) — forward and backward written by hand
// with BLAS into buffers allocated once. One step equals one step of the composed autograd path
// (Layers.swift + Heads.swift + Optim.swift) to float rounding: FastPathTests.swift checks it.

import ArcFaceKit
import CKernels
import Foundation

/// Accuracy and angle statistics of embeddings (degrees).
public struct EmbeddingStats: Sendable {
    /// Nearest class by cosine to the head's kernel columns (ArcFace) or largest logit (softmax).
    public var accuracy: Double
    /// Mean over samples of the angle between the embedding and its class centre (the normalised
    /// mean embedding of the class).
    public var meanIntraClassAngle: Double
    /// Smallest angle between two class centres.
    public var minInterCenterAngle: Double
}

public final class FastMLPTrainer {
    public enum Head: Sendable, Equatable { case arcFace(s: Float, m: Float), softmax }

    public let inputDim, hidden, embedding, classes, batch: Int
    public let head: Head
    public var lr, momentum, weightDecay: Float
    /// Threads for the GEMMs and the head (OpenBLAS runs single-threaded inside a step).
    public let threads: Int
    /// Seconds per stage of the steps, when enabled (`arcface-bench --stages`).
    public let stages = StageClock()
    /// The model's multiply-adds per step below which its jobs run on one thread (tests lower it).
    var minParallelWork = 1 << 22

    // Parameters, gradients and momentum buffers in one flat layout each:
    // w1 (H, In) | b1 (H) | w2 (E, H) | b2 (E) | kernel (E, C) | bias (C, softmax only)
    let oW1 = 0, oB1, oW2, oB2, oK, oBias, count: Int
    let theta, grad, mom: UnsafeMutablePointer<Float>
    var steps = 0
    // Activations: x (B, In), a = relu(h) (B, H), emb (B, E), 1 / ||y|| (B), d emb, d y (B, E), d a (B, H), logits (B, C)
    let x, a, emb, invNorm, dEmb, dY, dA, logits: UnsafeMutablePointer<Float>
    let arc: FastArcFaceHead?
    /// The fast ArcFace head (nil for the softmax head).
    public var arcFaceHead: FastArcFaceHead? { arc }

    /// A trainer starting from the given layers' and head's current weights (copied).
    public init(layer1: Linear, layer2: Linear, arcFace: ArcFace? = nil, softmax: SoftmaxHead? = nil, batch: Int,
                lr: Float, momentum: Float = 0.9, weightDecay: Float = 5e-4, threads: Int = 1) {
        precondition((arcFace == nil) != (softmax == nil), "FastMLPTrainer: give exactly one head")
        precondition(layer1.bias != nil && layer2.bias != nil && layer1.outFeatures == layer2.inFeatures)
        inputDim = layer1.inFeatures; hidden = layer1.outFeatures; embedding = layer2.outFeatures
        let kernel = arcFace?.kernel ?? softmax!.kernel
        precondition(kernel.shape[0] == embedding, "FastMLPTrainer: head of shape \(kernel.shape) for \(embedding)-D embeddings")
        classes = kernel.shape[1]
        self.batch = batch
        self.threads = max(1, threads)
        (self.lr, self.momentum, self.weightDecay) = (lr, momentum, weightDecay)
        head = arcFace.map { .arcFace(s: $0.s, m: $0.m) } ?? .softmax
        precondition(arcFace?.easyMargin != true, "FastMLPTrainer: easy margin is not supported")
        let (In, H, E, C) = (inputDim, hidden, embedding, classes)
        oB1 = H * In; oW2 = oB1 + H; oB2 = oW2 + E * H; oK = oB2 + E; oBias = oK + E * C
        count = oBias + (softmax == nil ? 0 : C)
        theta = .allocate(capacity: count); grad = .allocate(capacity: count); mom = .allocate(capacity: count)
        grad.initialize(repeating: 0, count: count); mom.initialize(repeating: 0, count: count)
        var initial = layer1.weight.scalars + layer1.bias!.scalars + layer2.weight.scalars + layer2.bias!.scalars + kernel.scalars
        if let softmax { initial += softmax.bias.scalars }
        theta.initialize(from: initial, count: count)
        func buffer(_ n: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(n, 1)); p.initialize(repeating: 0, count: max(n, 1)); return p
        }
        x = buffer(batch * In); a = buffer(batch * H); emb = buffer(batch * E); invNorm = buffer(batch)
        dEmb = buffer(batch * E); dY = buffer(batch * E); dA = buffer(batch * H)
        logits = buffer(softmax == nil ? 0 : batch * C)
        if let arcFace {
            arc = FastArcFaceHead(batch: batch, embedding: E, classes: C, s: arcFace.s, m: arcFace.m, threads: threads)
        } else {
            arc = nil
        }
    }

    deinit {
        for p in [theta, grad, mom, x, a, emb, invNorm, dEmb, dY, dA, logits] { p.deallocate() }
    }

    func slice(_ o: Int, _ n: Int) -> [Float] { Array(UnsafeBufferPointer(start: theta + o, count: n)) }
    public var w1: [Float] { slice(oW1, hidden * inputDim) }
    public var b1: [Float] { slice(oB1, hidden) }
    public var w2: [Float] { slice(oW2, embedding * hidden) }
    public var b2: [Float] { slice(oB2, embedding) }
    public var kernel: [Float] { slice(oK, embedding * classes) }
    public var bias: [Float] { head == .softmax ? slice(oBias, classes) : [] }

    /// One SGD step on a batch: rows of `inputs` (B, In) with their labels. Returns the mean loss.
    @discardableResult
    public func step(inputs: UnsafePointer<Float>, labels: [Int]) -> Float {
        x.update(from: inputs, count: batch * inputDim)
        return stepOnLoadedBatch(labels)
    }

    @discardableResult
    public func step(inputs: [Float], labels: [Int]) -> Float {
        precondition(inputs.count == batch * inputDim && labels.count == batch)
        return inputs.withUnsafeBufferPointer { step(inputs: $0.baseAddress!, labels: labels) }
    }

    func stepOnLoadedBatch(_ labels: [Int]) -> Float {
        FastBLAS.withSingleThreadedBLAS { stepSingleThreadedBLAS(labels) }
    }

    /// The step, with every GEMM split over `threads` by rows (FastBLAS.sgemm(parts:)).
    func stepSingleThreadedBLAS(_ labels: [Int]) -> Float {
        let (B, In, H, E) = (batch, inputDim, hidden, embedding)
        let p = threads
        let w1 = theta + oW1, b1 = theta + oB1, w2 = theta + oW2, b2 = theta + oB2, k = theta + oK
        let clock = stages
        let (x, a, emb, invNorm, dEmb, dY, dA) = (x, a, emb, invNorm, dEmb, dY, dA)
        // The model's jobs are split only when there is enough work (T2's model, not T1's: splitting
        // T1's 1 M multiply-adds a step made it slower on two threads).
        let mp = B * H * (In + E) >= minParallelWork ? p : 1
        clock.run("mlp forward") {
            // One job per block of rows (rows are independent here):
            // h = x W1^T + b1; a = relu(h) (a > 0 exactly where h > 0, so a is also the ReLU mask);
            // y = a W2^T + b2 (into emb), then emb = y / ||y||.
            parallelChunks(B, parts: mp) { _, rows in
                let lo = rows.lowerBound, n = rows.count
                for i in rows { (a + i * H).update(from: b1, count: H) }
                FastBLAS.sgemm(false, true, n, H, In, 1, x + lo * In, In, w1, In, 1, a + lo * H, H)
                Self.relu(a + lo * H, n * H)
                for i in rows { (emb + i * E).update(from: b2, count: E) }
                FastBLAS.sgemm(false, true, n, E, H, 1, a + lo * H, H, w2, H, 1, emb + lo * E, E)
                for i in rows {
                    let r = emb + i * E
                    var ss: Float = 0
                    for e in 0..<E { ss += r[e] * r[e] }
                    let norm = ss.squareRoot()
                    invNorm[i] = 1 / norm
                    for e in 0..<E { r[e] /= norm }
                }
            }
        }
        // Head: loss, d emb, d kernel (and d bias)
        let loss: Float = clock.run("head") {
            if let arc {
                // The kernel's SGD update runs inside the head, block by block, while each block is in cache.
                let (theta, grad, mom, lr, momentum, weightDecay, C, oK) = (theta, grad, mom, lr, momentum, weightDecay, classes, oK)
                let first: Int32 = steps == 0 ? 1 : 0
                return arc.forwardBackward(embeddings: emb, kernel: k, labels: labels, dEmbeddings: dEmb, dKernel: grad + oK) { cols in
                    for e in 0..<E {
                        let o = oK + e * C + cols.lowerBound
                        afk_sgd(theta + o, grad + o, mom + o, cols.count, lr, momentum, weightDecay, first)
                    }
                }
            } else {
                return softmaxHead(labels)
            }
        }
        clock.run("mlp backward") {
            // Per block of rows: d y = (d emb - emb (d emb . emb)) / ||y||; d a = d y W2, masked by the ReLU.
            parallelChunks(B, parts: mp) { _, rows in
                let lo = rows.lowerBound, n = rows.count
                for i in rows {
                    let r = emb + i * E, g = dEmb + i * E, o = dY + i * E
                    var dot: Float = 0
                    for e in 0..<E { dot += g[e] * r[e] }
                    for e in 0..<E { o[e] = (g[e] - r[e] * dot) * invNorm[i] }
                }
                FastBLAS.sgemm(false, false, n, H, E, 1, dY + lo * E, E, w2, H, 0, dA + lo * H, H)
                Self.reluBackward(dA + lo * H, a + lo * H, n * H)
            }
            // Per share of the layers' output rows: d W2 = dY^T a, d b2 = sum_i dY; d W1 = dA^T x, d b1 = sum_i dA.
            let grad = self.grad
            let (oW1, oB1, oW2, oB2) = (oW1, oB1, oW2, oB2)
            parallelChunks(mp, parts: mp) { part, _ in
                let parts = mp
                func share(_ n: Int) -> Range<Int> { (n * part / parts)..<(n * (part + 1) / parts) }
                let er = share(E), hr = share(H)
                if !er.isEmpty {
                    FastBLAS.sgemm(true, false, er.count, H, B, 1, dY + er.lowerBound, E, a, H, 0, grad + oW2 + er.lowerBound * H, H)
                    Self.columnSums(dY, B, E, er, into: grad + oB2)
                }
                if !hr.isEmpty {
                    FastBLAS.sgemm(true, false, hr.count, In, B, 1, dA + hr.lowerBound, H, x, In, 0, grad + oW1 + hr.lowerBound * In, In)
                    Self.columnSums(dA, B, H, hr, into: grad + oB1)
                }
            }
        }
        clock.run("sgd") { arc == nil ? sgd(0..<count) : sgd(0..<oK) }
        steps += 1
        return loss
    }

    /// The step's GEMMs alone (the model's five, the head's three), unsplit, on OpenBLAS's own
    /// threads and this trainer's buffers: the arithmetic floor of a step, for benchmarks.
    public func gemmsOnly() {
        let (B, In, H, E, C) = (batch, inputDim, hidden, embedding, classes)
        let w1 = theta + oW1, w2 = theta + oW2, k = theta + oK
        let out = arc?.work ?? logits  // (B, C) either way
        // The model's forward GEMMs write into backward scratch (dA, dY), leaving the step's state intact.
        FastBLAS.sgemm(false, true, B, H, In, 1, x, In, w1, In, 0, dA, H)
        FastBLAS.sgemm(false, true, B, E, H, 1, a, H, w2, H, 0, dY, E)
        FastBLAS.sgemm(false, false, B, C, E, 1, emb, E, k, C, 0, out, C)
        FastBLAS.sgemm(true, false, E, C, B, 1, emb, E, out, C, 0, grad + oK, C)
        FastBLAS.sgemm(false, true, B, E, C, 1, out, C, k, C, 0, dEmb, E)
        FastBLAS.sgemm(true, false, E, H, B, 1, dY, E, a, H, 0, grad + oW2, H)
        FastBLAS.sgemm(false, false, B, H, E, 1, dY, E, w2, H, 0, dA, H)
        FastBLAS.sgemm(true, false, H, In, B, 1, dA, H, x, In, 0, grad + oW1, In)
    }

    /// x = max(x, 0) in place (NaN stays NaN), 8 lanes at a time (a plain loop with a branch
    /// vectorises into masked stores that cost more than the GEMMs at these sizes).
    static func relu(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
        let zero = VF()
        var j = 0
        while j + vfLanes <= n { let v = load(x + j); store(v.replacing(with: zero, where: zero .> v), x + j); j += vfLanes }
        while j < n { if x[j] < 0 { x[j] = 0 }; j += 1 }
    }

    /// g = 0 where the ReLU output a is not positive (torch's threshold_backward).
    static func reluBackward(_ g: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ n: Int) {
        let zero = VF()
        var j = 0
        while j + vfLanes <= n { store(zero.replacing(with: load(g + j), where: load(a + j) .> zero), g + j); j += vfLanes }
        while j < n { if !(a[j] > 0) { g[j] = 0 }; j += 1 }
    }

    /// out[j] = sum_i m[i, j] for j in `columns`.
    static func columnSums(_ m: UnsafePointer<Float>, _ rows: Int, _ cols: Int, _ columns: Range<Int>,
                           into out: UnsafeMutablePointer<Float>) {
        (out + columns.lowerBound).update(repeating: 0, count: columns.count)
        for i in 0..<rows {
            let r = m + i * cols
            for j in columns { out[j] += r[j] }
        }
    }

    func columnSums(_ m: UnsafePointer<Float>, _ rows: Int, _ cols: Int, into out: UnsafeMutablePointer<Float>) {
        Self.columnSums(m, rows, cols, 0..<cols, into: out)
    }

    /// logits = emb K + bias; mean cross-entropy; d logits = (softmax - onehot) / B.
    func softmaxHead(_ labels: [Int]) -> Float {
        let (B, E, C) = (batch, embedding, classes)
        let p = threads
        let k = theta + oK, bias = theta + oBias
        for i in 0..<B { (logits + i * C).update(from: bias, count: C) }
        FastBLAS.sgemm(parts: p, false, false, B, C, E, 1, emb, E, k, C, 1, logits, C)
        precondition(labels.allSatisfy { $0 >= 0 && $0 < C }, "FastMLPTrainer: a label is out of range 0..<\(C)")
        // Per row (rows split over the threads): softmax, the row's loss, d logits = (p - onehot) / B.
        var rowLoss = [Double](repeating: 0, count: B)
        let logits = self.logits
        rowLoss.withUnsafeMutableBufferPointer { lossPtr in
            let lp = lossPtr.baseAddress!
            labels.withUnsafeBufferPointer { lab in
                parallelChunks(B, parts: p) { _, rows in
                    for i in rows {
                        let r = logits + i * C, y = lab[i]
                        let zy = r[y]
                        var vm = VF(repeating: -.infinity)
                        var zmax = -Float.infinity
                        var c = 0
                        while c + vfLanes <= C { vm = vmax(vm, load(r + c)); c += vfLanes }
                        while c < C { zmax = Swift.max(zmax, r[c]); c += 1 }
                        zmax = Swift.max(zmax, vm.max())
                        let sum = afk_exp_shift_sum(r, r, C, 1, zmax, 0)
                        lp[i] = Double(zmax + Float.log(sum) - zy)
                        let inv = 1 / (sum * Float(B))
                        let vinv = VF(repeating: inv)
                        c = 0
                        while c + vfLanes <= C { store(load(r + c) * vinv, r + c); c += vfLanes }
                        while c < C { r[c] *= inv; c += 1 }
                        r[y] -= 1 / Float(B)
                    }
                }
            }
        }
        var total = 0.0
        for x in rowLoss { total += x }
        FastBLAS.sgemm(parts: p, true, false, E, C, B, 1, emb, E, logits, C, 0, grad + oK, C)
        columnSums(logits, B, C, into: grad + oBias)
        FastBLAS.sgemm(parts: p, false, true, B, E, C, 1, logits, C, k, C, 0, dEmb, E)
        return Float(total / Double(B))
    }

    /// torch.optim.SGD (dampening 0, no nesterov), as SGDOf.step: g += wd p; buf = g on the first
    /// step, else buf = mu buf + g; p -= lr buf.
    /// (The ArcFace kernel's part runs inside the head: see stepSingleThreadedBLAS.)
    func sgd(_ range: Range<Int>) {
        let (theta, grad, mom, lr, momentum, weightDecay) = (theta, grad, mom, lr, momentum, weightDecay)
        let first: Int32 = steps == 0 ? 1 : 0
        // Chunks of whole 64-byte lines, so that two threads never write the same line.
        let n = range.count, base = range.lowerBound
        let lines = (n + 15) / 16
        parallelChunks(lines, parts: n >= 1 << 15 ? threads : 1) { _, r in
            let lo = base + r.lowerBound * 16, hi = Swift.min(range.upperBound, base + r.upperBound * 16)
            afk_sgd(theta + lo, grad + lo, mom + lo, hi - lo, lr, momentum, weightDecay, first)
        }
    }

    // MARK: - Training loop and evaluation

    public struct Run: Sendable {
        public var steps: Int
        public var seconds: Double
        public var epochLosses: [Float]
        public var stepsPerSecond: Double { Double(steps) / seconds }
    }

    /// `epochs` epochs over `data` with shuffled drop-last batches drawn exactly as `DataLoader`
    /// (same generator, same order), MultiStepLR(milestones, gamma) stepped after every epoch.
    public func train(_ data: ToyClusters, epochs: Int, milestones: [Int] = [], gamma: Float = 0.1,
                      generator: Generator) -> Run {
        precondition(data.dim == inputDim, "FastMLPTrainer: data of dimension \(data.dim) for a \(inputDim)-input model")
        let loader = DataLoader(data, batchSize: batch, shuffle: true, dropLast: true, generator: generator)
        let src = data.inputs.scalars
        var losses: [Float] = []
        var steps = 0
        var labels = [Int](repeating: 0, count: batch)
        let start = DispatchTime.now().uptimeNanoseconds
        src.withUnsafeBufferPointer { s in
            for epoch in 0..<epochs {
                let order = loader.epochOrder()
                var total: Float = 0, batches: Float = 0
                var b = 0
                while (b + 1) * batch <= order.count {
                    for r in 0..<batch {
                        let i = order[b * batch + r]
                        (x + r * inputDim).update(from: s.baseAddress! + i * inputDim, count: inputDim)
                        labels[r] = data.labels[i]
                    }
                    total += stepOnLoadedBatch(labels)
                    batches += 1
                    steps += 1
                    b += 1
                }
                losses.append(total / batches)
                let hits = milestones.filter { $0 == epoch + 1 }.count
                for _ in 0..<hits { lr *= gamma }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Run(steps: steps, seconds: seconds, epochLosses: losses)
    }

    /// The model's embeddings of `inputs` (N, In): (N, E), unit rows.
    public func embeddings(_ inputs: Tensor) -> [Float] {
        let (N, In, H, E) = (inputs.shape[0], inputDim, hidden, embedding)
        var h = [Float](repeating: 0, count: N * H), y = [Float](repeating: 0, count: N * E)
        let xs = inputs.scalars
        for i in 0..<N { for j in 0..<H { h[i * H + j] = theta[oB1 + j] } }
        Float.gemm(transA: false, transB: true, m: N, n: H, k: In, alpha: 1, a: xs, lda: In, b: theta + oW1, ldb: In, beta: 1, c: &h, ldc: H)
        for j in h.indices where !(h[j] > 0) { h[j] = 0 }
        for i in 0..<N { for e in 0..<E { y[i * E + e] = theta[oB2 + e] } }
        Float.gemm(transA: false, transB: true, m: N, n: E, k: H, alpha: 1, a: h, lda: H, b: theta + oW2, ldb: H, beta: 1, c: &y, ldc: E)
        for i in 0..<N {
            var ss: Float = 0
            for e in 0..<E { ss += y[i * E + e] * y[i * E + e] }
            let n = ss.squareRoot()
            for e in 0..<E { y[i * E + e] /= n }
        }
        return y
    }

    /// Accuracy and angles on `inputs` with `labels` (the training set in the benchmarks).
    public func evaluate(_ inputs: Tensor, labels: [Int]) -> EmbeddingStats {
        let (N, E, C) = (inputs.shape[0], embedding, classes)
        let y = embeddings(inputs)
        var kern = kernel
        if head != .softmax {  // cosine to the unit columns
            for c in 0..<C {
                var ss: Float = 0
                for e in 0..<E { ss += kern[e * C + c] * kern[e * C + c] }
                for e in 0..<E { kern[e * C + c] /= ss.squareRoot() }
            }
        }
        // scores = y K (+ bias), (N, C), by GEMM
        var scores = [Float](repeating: 0, count: N * C)
        let b = bias
        if !b.isEmpty { for i in 0..<N { for c in 0..<C { scores[i * C + c] = b[c] } } }
        Float.gemm(transA: false, transB: false, m: N, n: C, k: E, alpha: 1, a: y, lda: E, b: kern, ldb: C,
                   beta: b.isEmpty ? 0 : 1, c: &scores, ldc: C)
        var correct = 0
        for i in 0..<N {
            var best = 0, bestScore = -Float.infinity
            for c in 0..<C where scores[i * C + c] > bestScore { bestScore = scores[i * C + c]; best = c }
            if best == labels[i] { correct += 1 }
        }
        return Self.angleStats(y, labels: labels, dim: E, classes: C, correct: correct)
    }

    static func angleStats(_ y: [Float], labels: [Int], dim E: Int, classes C: Int, correct: Int) -> EmbeddingStats {
        let N = labels.count
        var centres = [Double](repeating: 0, count: C * E)
        for i in 0..<N { for e in 0..<E { centres[labels[i] * E + e] += Double(y[i * E + e]) } }
        for c in 0..<C {
            let n = (0..<E).reduce(0.0) { $0 + centres[c * E + $1] * centres[c * E + $1] }.squareRoot()
            if n > 0 { for e in 0..<E { centres[c * E + e] /= n } }
        }
        func angle(_ cosine: Double) -> Double { acos(Swift.min(Swift.max(cosine, -1), 1)) * 180 / .pi }
        var intra = 0.0
        for i in 0..<N {
            var d = 0.0
            for e in 0..<E { d += Double(y[i * E + e]) * centres[labels[i] * E + e] }
            intra += angle(d)
        }
        var minInter = Double.infinity
        for a in 0..<C {
            for b in (a + 1)..<max(C, a + 1) {
                var d = 0.0
                for e in 0..<E { d += centres[a * E + e] * centres[b * E + e] }
                minInter = Swift.min(minInter, angle(d))
            }
        }
        return EmbeddingStats(accuracy: Double(correct) / Double(N), meanIntraClassAngle: intra / Double(N),
                              minInterCenterAngle: minInter)
    }
}
