// The fast ArcFace head: ArcFace + mean cross-entropy, Float32 only, on caller-owned pointers with
// buffers reused across steps. Same maths as `arcFaceCrossEntropy` (Heads.swift) and the composed
// `crossEntropy(arcFaceLogits(...), label)`; FastPathTests.swift checks the agreement.
//
// Per step, in three stages. A: for each block of columns (classes), the block's norms (which
// bring the kernel block into cache) and GEMM 1 on it (emb @ kernel[:, block], un-normalised).
// B: one fused pass per row (divide by the column norm, clamp, margin on the target, softmax,
// loss, dL/dcos / n written over the GEMM output, the column dot products for the norm's
// gradient). C: for each block, GEMM 2 (a partial d emb), the norm's term of d kernel (the block
// in cache again) and GEMM 3 adding onto it. A and C split the columns, B the rows, over
// `threads` threads (`parallelChunks`: CKernels' spinning fork-join pool); OpenBLAS runs
// single-threaded inside them, so that its own workers, which spin after each GEMM, never compete
// with the element-wise passes.

import ArcFaceKit
import CBLAS
import CKernels
import Dispatch

/// OpenBLAS's thread count (`openblas_set_num_threads`), process wide.
public enum FastBLAS {
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }
    public static var threads: Int { Int(openblas_get_num_threads()) }
    /// The kernel family OpenBLAS picked at load time (`openblas_get_corename`). Debian's OpenBLAS
    /// 0.3.21 does not know recent Xeons (family 6 model 207 here) and falls back to "Prescott"
    /// (SSE3, about 4x slower sgemm); `OPENBLAS_CORETYPE=SkylakeX` in the environment, set before
    /// the process starts, selects the AVX-512 kernels.
    public static var coreName: String { String(cString: openblas_get_corename()) }
    /// The instruction set of the fast paths' element-wise kernels (CKernels): "avx512", "avx2"
    /// or "baseline", the best this CPU has.
    public static var kernelISA: String { String(cString: afk_kernel_isa()) }
    /// Runs the element-wise kernels with another instruction set (tests); false if the CPU lacks it.
    @discardableResult
    public static func useKernelISA(_ name: String) -> Bool { afk_use_isa(name) != 0 }

    /// Row-major sgemm: C = alpha op(A) op(B) + beta C.
    @inline(__always)
    static func sgemm(_ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                      _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                      _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// sgemm with the rows of C split over `parts` threads (`parallelChunks`), each a single-threaded
    /// OpenBLAS call: for use inside `withSingleThreadedBLAS`.
    static func sgemm(parts: Int, _ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                      _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                      _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        // Below about 4 M multiply-adds a split costs more than it saves (measured on T1/T2's layers).
        let p = m >= 32 && m * n * k >= 1 << 22 ? parts : 1
        parallelChunks(m, parts: p) { _, rows in
            // Rows i.. of op(A): row i of A, or column i of A stored transposed.
            let ai = ta ? a + rows.lowerBound : a + rows.lowerBound * lda
            sgemm(ta, tb, rows.count, n, k, alpha, ai, lda, b, ldb, beta, c + rows.lowerBound * ldc, ldc)
        }
    }

    /// Runs body with OpenBLAS at one thread (restored after): the fast paths thread the work
    /// themselves, and OpenBLAS's workers, which spin (sched_yield) for a while after each
    /// multi-threaded call, would otherwise take the second core from them.
    static func withSingleThreadedBLAS<T>(_ body: () -> T) -> T {
        let saved = threads
        if saved != 1 { setThreads(1) }
        defer { if saved != 1 { setThreads(saved) } }
        return body()
    }
}

/// 8 lanes: two SSE registers per value at the baseline x86-64 target ArcFaceKit builds for (the
/// exp polynomial spills with 16 lanes). Min, max and masks go through comparisons and
/// `replacing(with:where:)`, which lower to vector selects (the generic `pointwiseMin` and
/// `clamped` run lane by lane).
typealias VF = SIMD8<Float>
let vfLanes = 8

@inline(__always) func vmin(_ a: VF, _ b: VF) -> VF { a.replacing(with: b, where: b .< a) }
@inline(__always) func vmax(_ a: VF, _ b: VF) -> VF { a.replacing(with: b, where: b .> a) }
@inline(__always) func load(_ p: UnsafePointer<Float>) -> VF { UnsafeRawPointer(p).loadUnaligned(as: VF.self) }
@inline(__always) func store(_ v: VF, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: VF.self) }

/// Runs body(chunk, range) over `0..<n` split into `parts` contiguous ranges, in parallel when
/// parts > 1 (on CKernels' `afk_parallel` pool: its helpers spin briefly between jobs, where
/// waking a Dispatch worker cost tens of microseconds per job).
@inline(__always)
func parallelChunks(_ n: Int, parts: Int, _ body: (Int, Range<Int>) -> Void) {
    let p = max(1, min(parts, n))
    if p == 1 { body(0, 0..<n); return }
    // The chunks touch disjoint rows/columns; the closure only runs inside this call (afk_parallel
    // returns when every part is done), so passing it by address is safe.
    withoutActuallyEscaping(body) { body in
        var job = ParallelJob(n: n, parts: p, body: body)
        withUnsafeMutablePointer(to: &job) { ptr in
            afk_parallel(Int32(p), { ctx, k in
                let job = ctx!.assumingMemoryBound(to: ParallelJob.self).pointee
                let k = Int(k)
                job.body(k, (job.n * k / job.parts)..<(job.n * (k + 1) / job.parts))
            }, ptr)
        }
    }
}

/// Adds up the seconds spent in named stages while `enabled`.
public final class StageClock {
    public var enabled = false
    public private(set) var seconds: [String: Double] = [:]
    public private(set) var order: [String] = []
    public func reset() { seconds = [:]; order = [] }

    @inline(__always)
    func run<T>(_ name: String, _ body: () -> T) -> T {
        guard enabled else { return body() }
        let t0 = DispatchTime.now().uptimeNanoseconds
        let r = body()
        if seconds[name] == nil { order.append(name) }
        seconds[name, default: 0] += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        return r
    }
}

struct ParallelJob {
    let n: Int, parts: Int
    let body: (Int, Range<Int>) -> Void
}

/// ArcFace head (the seed's, see `arcFaceLogits`) + mean cross-entropy for fixed sizes
/// (batch B, embedding E, classes C), owning every buffer it needs.
///
///     let head = FastArcFaceHead(batch: 128, embedding: 512, classes: 10000, s: 64, m: 0.5)
///     let loss = head.forwardBackward(embeddings: e, kernel: w, labels: y, dEmbeddings: de, dKernel: dw)
///
/// Embeddings are (B, E) row-major, the kernel (E, C) row-major (one class per column, normalised
/// here per column as the seed does), labels in 0..<C. Gradients are of the mean loss.
public final class FastArcFaceHead {
    public let batch, embedding, classes: Int
    public let constants: ArcFaceConstants<Float>
    public let easyMargin: Bool
    /// Threads for every stage (at most 2); OpenBLAS runs single-threaded inside them.
    public var threads: Int

    /// 1 / ||kernel[:, c]||: (C)
    let invNorm: UnsafeMutablePointer<Float>
    /// GEMM 1's output (B, C); after the fused pass, the cosines; after the backward pass, dL/dcos / n.
    let work: UnsafeMutablePointer<Float>
    /// Per thread: one row of exp values (C) and the column dot products sum_i g_ic cos_ic (C).
    let rowExp: UnsafeMutablePointer<Float>
    let colDot: UnsafeMutablePointer<Float>
    /// d emb partial sums of threads 1... (B, E) each.
    let dEmbPartial: UnsafeMutablePointer<Float>
    /// Columns per block in the column-split stages: a block of the kernel (E x blockColumns)
    /// stays in cache between the two passes that read it.
    public let blockColumns: Int
    let maxThreads = 2
    /// Per-row loss, so that threads never share an accumulator.
    var rowLoss: [Double]
    /// Seconds per stage, when enabled (`arcface-bench --stages`).
    public let stages = StageClock()
    @inline(__always) func stage<T>(_ name: String, _ body: () -> T) -> T { stages.run(name, body) }

    public init(batch: Int, embedding: Int, classes: Int, s: Float, m: Float, easyMargin: Bool = false, threads: Int = 1,
                blockColumns: Int? = nil) {
        precondition(batch > 0 && embedding > 0 && classes > 0, "FastArcFaceHead: sizes must be positive")
        (self.batch, self.embedding, self.classes, self.easyMargin, self.threads) = (batch, embedding, classes, easyMargin, threads)
        constants = ArcFaceConstants(s: s, m: m)
        invNorm = .allocate(capacity: classes)
        work = .allocate(capacity: batch * classes)
        work.initialize(repeating: 0, count: batch * classes)  // touch the pages once, here
        rowExp = .allocate(capacity: maxThreads * classes)
        colDot = .allocate(capacity: maxThreads * classes)
        rowExp.initialize(repeating: 0, count: maxThreads * classes)
        colDot.initialize(repeating: 0, count: maxThreads * classes)
        invNorm.initialize(repeating: 0, count: classes)
        rowLoss = [Double](repeating: 0, count: batch)
        dEmbPartial = .allocate(capacity: (maxThreads - 1) * batch * embedding)
        dEmbPartial.initialize(repeating: 0, count: (maxThreads - 1) * batch * embedding)
        // 512 Ki floats (2 MiB) of kernel per block, a multiple of the SIMD width: measured best
        // of 128-2048 columns at E = 512 (`arcface-bench --stages --block-columns N`).
        let cols = blockColumns ?? Swift.max(64, (1 << 19) / embedding)
        self.blockColumns = Swift.max(vfLanes, cols / vfLanes * vfLanes)
    }

    deinit {
        invNorm.deallocate(); work.deallocate(); rowExp.deallocate(); colDot.deallocate(); dEmbPartial.deallocate()
    }

    var parts: Int { max(1, min(threads, maxThreads)) }

    /// Mean loss only.
    public func forward(embeddings: UnsafePointer<Float>, kernel: UnsafePointer<Float>, labels: [Int]) -> Float {
        run(embeddings, kernel, labels, backward: false)
    }

    /// Mean loss, d loss / d embeddings (B, E) and d loss / d kernel (E, C), written into the given buffers.
    public func forwardBackward(embeddings: UnsafePointer<Float>, kernel: UnsafePointer<Float>, labels: [Int],
                                dEmbeddings: UnsafeMutablePointer<Float>, dKernel: UnsafeMutablePointer<Float>) -> Float {
        forwardBackward(embeddings: embeddings, kernel: kernel, labels: labels, dEmbeddings: dEmbeddings,
                        dKernel: dKernel, afterColumns: nil)
    }

    /// As above, calling `afterColumns(columns)` (on a worker thread) as soon as d kernel[:, columns]
    /// is final and the head has read kernel[:, columns] for the last time: an optimiser can update
    /// those columns of the kernel there, while they are in cache.
    public func forwardBackward(embeddings: UnsafePointer<Float>, kernel: UnsafePointer<Float>, labels: [Int],
                                dEmbeddings: UnsafeMutablePointer<Float>, dKernel: UnsafeMutablePointer<Float>,
                                afterColumns: ((Range<Int>) -> Void)?) -> Float {
        let loss = run(embeddings, kernel, labels, backward: true)
        backward(embeddings, kernel, dEmbeddings, dKernel, afterColumns)
        return loss
    }

    /// Array convenience (copies nothing big; the arrays must have the right sizes).
    public func forwardBackward(embeddings: [Float], kernel: [Float], labels: [Int],
                                dEmbeddings: inout [Float], dKernel: inout [Float]) -> Float {
        precondition(embeddings.count == batch * embedding && kernel.count == embedding * classes)
        precondition(dEmbeddings.count == batch * embedding && dKernel.count == embedding * classes)
        return embeddings.withUnsafeBufferPointer { e in
            kernel.withUnsafeBufferPointer { w in
                dEmbeddings.withUnsafeMutableBufferPointer { de in
                    dKernel.withUnsafeMutableBufferPointer { dw in
                        forwardBackward(embeddings: e.baseAddress!, kernel: w.baseAddress!, labels: labels,
                                        dEmbeddings: de.baseAddress!, dKernel: dw.baseAddress!)
                    }
                }
            }
        }
    }

    public func forward(embeddings: [Float], kernel: [Float], labels: [Int]) -> Float {
        precondition(embeddings.count == batch * embedding && kernel.count == embedding * classes)
        return embeddings.withUnsafeBufferPointer { e in
            kernel.withUnsafeBufferPointer { w in forward(embeddings: e.baseAddress!, kernel: w.baseAddress!, labels: labels) }
        }
    }

    /// The three GEMMs of a forward+backward alone, on this head's buffers (for benchmarks).
    public func gemmsOnly(embeddings: UnsafePointer<Float>, kernel: UnsafePointer<Float>,
                          dEmbeddings: UnsafeMutablePointer<Float>, dKernel: UnsafeMutablePointer<Float>) {
        let (B, E, C) = (batch, embedding, classes)
        FastBLAS.sgemm(false, false, B, C, E, 1, embeddings, E, kernel, C, 0, work, C)
        FastBLAS.sgemm(false, true, B, E, C, 1, work, C, kernel, C, 0, dEmbeddings, E)
        FastBLAS.sgemm(true, false, E, C, B, 1, embeddings, E, work, C, 0, dKernel, C)
    }

    // MARK: - Passes

    /// Runs `body(thread, columns)` on each thread's share of the classes, split at multiples of
    /// the SIMD width, with OpenBLAS single-threaded inside: the head does its own threading, so
    /// that OpenBLAS's workers, which spin after each GEMM, never compete with the element-wise
    /// passes.
    func columnShares(_ body: (Int, Range<Int>) -> Void) {
        let C = classes, p = columnParts
        parallelChunks(p, parts: p) { k, _ in
            let lo = k == 0 ? 0 : (C * k / p) / vfLanes * vfLanes
            let hi = k == p - 1 ? C : (C * (k + 1) / p) / vfLanes * vfLanes
            body(k, lo..<hi)
        }
    }

    /// Threads for the column-split stages: at most one per 64 columns.
    var columnParts: Int { max(1, min(parts, classes / 64)) }

    /// Calls body(lo, hi) for consecutive blocks of at most `blockColumns` columns of `range`.
    @inline(__always)
    func blocks(_ range: Range<Int>, _ body: (Int, Int) -> Void) {
        var lo = range.lowerBound
        while lo < range.upperBound {
            let hi = Swift.min(range.upperBound, lo + blockColumns)
            body(lo, hi)
            lo = hi
        }
    }


    func run(_ emb: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ labels: [Int], backward: Bool) -> Float {
        let (B, E, C) = (batch, embedding, classes)
        precondition(labels.count == B, "FastArcFaceHead: \(labels.count) labels for a batch of \(B)")
        precondition(labels.allSatisfy { $0 >= 0 && $0 < C }, "FastArcFaceHead: a label is out of range 0..<\(C)")
        // Stage A, per block of columns: the block's norms (which bring it into cache), then GEMM 1
        // on it: work[:, block] = emb @ kernel[:, block], un-normalised.
        let work = self.work
        stage("norms+gemm1") {
            FastBLAS.withSingleThreadedBLAS {
                columnShares { _, share in
                    blocks(share) { lo, hi in
                        columnNorms(w, lo, hi)
                        FastBLAS.sgemm(false, false, B, hi - lo, E, 1, emb, E, w + lo, C, 0, work + lo, C)
                    }
                }
            }
        }
        // Stage B, per row (rows split over threads): the fused pass.
        let parts = self.parts
        if backward {
            for k in 0..<parts { (colDot + k * C).update(repeating: 0, count: C) }
        }
        stage("fused") {
            rowLoss.withUnsafeMutableBufferPointer { lossPtr in
                let lp = lossPtr.baseAddress!
                labels.withUnsafeBufferPointer { lab in
                    parallelChunks(B, parts: parts) { k, rows in
                        for i in rows {
                            lp[i] = fusedRow(i, lab[i], rowExp + k * C, backward ? colDot + k * C : nil)
                        }
                    }
                }
            }
        }
        var total = 0.0
        for x in rowLoss { total += x }
        return Float(total / Double(B))
    }

    /// invNorm[c] = 1 / sqrt(sum_e w[e, c]^2) for c in lo..<hi, rows streamed in order.
    @inline(__always)
    func columnNorms(_ w: UnsafePointer<Float>, _ lo: Int, _ hi: Int) {
        let (E, C) = (embedding, classes)
        let inv = invNorm
        let vhi = lo + (hi - lo) / vfLanes * vfLanes
        inv.advanced(by: lo).update(repeating: 0, count: hi - lo)
        for e in 0..<E {
            let row = w + e * C
            var c = lo
            while c < vhi {
                let v = load(row + c)
                store(load(inv + c) + v * v, inv + c)
                c += vfLanes
            }
            while c < hi { inv[c] += row[c] * row[c]; c += 1 }
        }
        var c = lo
        while c < vhi { store(1 / load(inv + c).squareRoot(), inv + c); c += vfLanes }
        while c < hi { inv[c] = 1 / inv[c].squareRoot(); c += 1 }
    }

    /// One row: cosines = raw / n (stored), margin on the target, softmax, the row's loss, and
    /// (if colDot) g = dL/dcos / n written over the row and colDot[c] += g * cos.
    @inline(__always)
    func fusedRow(_ i: Int, _ y: Int, _ ex: UnsafeMutablePointer<Float>, _ colDot: UnsafeMutablePointer<Float>?) -> Double {
        let C = classes
        let k = constants
        let s = k.s
        let row = work + i * C
        let inv = invNorm
        // The target logit.
        let xy = row[y] * inv[y]
        row[y] = xy
        let t = Swift.min(Swift.max(xy, -1), 1)
        let sinT = (1 - t * t).squareRoot()
        let useMargin = easyMargin ? t > 0 : t - k.threshold > 0
        let fallback: Float = easyMargin ? t : t - k.mm
        let zt = s * (useMargin ? t * k.cos_m - sinT * k.sin_m : fallback)
        // Pass 1: cosines = raw / n and exp(z - shift) with their sum. No logit exceeds s (the
        // cosines are clamped, and so is the target's), so shift = s cannot overflow and saves the
        // pass that finds the row's maximum. exp flushes arguments below -87 to 0, which loses
        // nothing (under 1e-7 of the sum, even if all C terms were lost) as long as the largest
        // term exceeds C e^-87 1e7 = C 1.6e-31; a row whose largest term is smaller (all logits far
        // below s: a row pointing away from every class) has its exps redone from the row's
        // maximum, as torch's log_softmax does.
        var shift = s
        var ey = zt - shift < -87 ? 0 : Float.exp(zt - shift)
        var largest = ey
        var sum = afk_scale_exp_sum(row, inv, ex, y, s, shift, &largest)
            + afk_scale_exp_sum(row + y + 1, inv + y + 1, ex + y + 1, C - y - 1, s, shift, &largest) + ey
        if !(largest >= Float(C) * 2e-31) {
            var maxOther: Float = -1
            for c in 0..<C where c != y { maxOther = Swift.max(maxOther, Swift.min(row[c], 1)) }
            shift = C > 1 ? Swift.max(s * maxOther, zt) : zt
            ey = zt - shift < -87 ? 0 : Float.exp(zt - shift)
            sum = afk_exp_shift_sum(row, ex, y, s, shift, 1) + afk_exp_shift_sum(row + y + 1, ex + y + 1, C - y - 1, s, shift, 1) + ey
        }
        let loss = Double(shift + Float.log(sum) - zt)
        guard let colDot else { return loss }
        // Pass 3: g = s (p - onehot) / B, 0 outside the clamp, divided by n; colDot += g * cos.
        let scale = s / Float(batch) / sum
        afk_arcface_gradients(row, ex, inv, colDot, y, scale)
        afk_arcface_gradients(row + y + 1, ex + y + 1, inv + y + 1, colDot + y + 1, C - y - 1, scale)
        let dt: Float = useMargin ? k.cos_m + k.sin_m * t / sinT : 1
        let py = ey / sum
        let gy: Float = xy > -1 && xy < 1 ? s * (py - 1) / Float(batch) * dt * inv[y] : 0
        row[y] = gy
        colDot[y] += gy * xy
        return loss
    }

    /// Stage C, per block of columns (columns split over threads): d emb += G[:, block] @
    /// kernel[:, block]^T (each thread into its own partial sum), then d kernel[:, block] =
    /// kernel[:, block] * (-colDot / n) (the norm's gradient; the block is still in cache) and GEMM 3
    /// adds emb^T @ G[:, block] onto it. G is dL/dcos / n (in `work`).
    func backward(_ emb: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                  _ dEmb: UnsafeMutablePointer<Float>, _ dK: UnsafeMutablePointer<Float>,
                  _ afterColumns: ((Range<Int>) -> Void)?) {
        let (B, E, C) = (batch, embedding, classes)
        let (work, colDot, invNorm, rowParts) = (self.work, self.colDot, self.invNorm, self.parts)
        let partial = dEmbPartial
        stage("gemm2+dK") {
            FastBLAS.withSingleThreadedBLAS {
                columnShares { k, share in
                    let out = k == 0 ? dEmb : partial + (k - 1) * B * E
                    var first = true
                    blocks(share) { lo, hi in
                        FastBLAS.sgemm(false, true, B, E, hi - lo, 1, work + lo, C, w + lo, C, first ? 0 : 1, out, E)
                        first = false
                        // d[c] = -(sum of the threads' colDot[c]) / n_c, kept in thread 0's colDot.
                        for r in 1..<rowParts {
                            let src = colDot + r * C
                            for c in lo..<hi { colDot[c] += src[c] }
                        }
                        for c in lo..<hi { colDot[c] *= -invNorm[c] }
                        let d = colDot
                        let vhi = lo + (hi - lo) / vfLanes * vfLanes
                        for e in 0..<E {
                            let wr = w + e * C, dr = dK + e * C
                            var c = lo
                            while c < vhi { store(load(wr + c) * load(d + c), dr + c); c += vfLanes }
                            while c < hi { dr[c] = wr[c] * d[c]; c += 1 }
                        }
                        FastBLAS.sgemm(true, false, E, hi - lo, B, 1, emb, E, work + lo, C, 1, dK + lo, C)
                        afterColumns?(lo..<hi)
                    }
                }
            }
        }
        // Sum the other threads' partial d emb into thread 0's.
        let p = columnParts
        if p > 1 {
            let n = B * E
            for k in 1..<p {
                let src = partial + (k - 1) * n
                for j in 0..<n { dEmb[j] += src[j] }
            }
        }
    }
}
