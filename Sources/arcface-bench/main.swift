// arcface-bench: times the fused ArcFace head (H1) and the fused toy trainers (T1, T2) and prints a
// table, or JSON rows for tools/bench_torch.py, which runs the same workloads in PyTorch interleaved
// with this program and prints both side by side.
//
//   arcface-bench [--only H1,H1L,T1,T2] [--threads 1,2] [--repeat N] [--train-repeat N] [--json] [--no-composed]
//                 [--seed N] [--head-threads N] [--stages] [--block-columns N]
//   (--seed: the toy runs' data and initial weights, 0 by default; --head-threads: the head's
//   threads, default the --threads value; --stages: milliseconds per stage of the head and the
//   trainer step; --block-columns: the head's columns per block)
//
// H1:  ArcFace head (s=64, m=0.5) + mean cross-entropy, B=128, E=512, C=10000, float32:
//      forward, forward+backward (d embeddings, d kernel), the three GEMMs alone (same OpenBLAS,
//      same buffers), and the composed autograd ops once for reference. Median of --repeat runs
//      after 3 warm-up runs.
// H1L: the same with C=51332 (forward+backward and the GEMMs).
// T1:  ToyClusters(8 x 512, 32-D); Linear(32,128)-ReLU-Linear(128,2)-l2 norm-ArcFace(E=2, C=8,
//      s=16, m=0.5) or Linear(2,8); SGD lr 0.1, momentum 0.9, wd 5e-4, batch 256 drop-last,
//      shuffled, 30 epochs, MultiStepLR [12, 20, 26] x0.1. Median of --train-repeat runs.
// T2:  ToyClusters(1000 x 32, 32-D); Linear(32,128)-ReLU-Linear(128,128)-l2 norm-ArcFace(E=128,
//      C=1000, s=64, m=0.5) or Linear(128,1000); same SGD, batch 256, 3 epochs, no milestones.
// T rows: one untimed training run, then the median of --train-repeat runs; plus the step's eight
//      GEMMs alone on OpenBLAS's own threads (the floor: steps/s with zero overhead).

import ArcFaceKit
import ArcFaceKitFast
import Foundation

struct Options {
    var only: Set<String> = ["H1", "H1L", "T1", "T2"]
    var threads: [Int] = [1, 2]
    var repeats = 25
    var trainRepeats = 3
    var json = false
    var composed = true
    var seed = 0
    var headThreads: Int? = nil
    var stages = false
    var blockColumns: Int? = nil
}

func parseOptions() -> Options {
    var o = Options()
    var args = CommandLine.arguments.dropFirst().makeIterator()
    func value(_ flag: String) -> String {
        guard let v = args.next() else { fail("\(flag) needs a value") }
        return v
    }
    while let a = args.next() {
        switch a {
        case "--only": o.only = Set(value(a).split(separator: ",").map { String($0).uppercased() })
        case "--threads": o.threads = value(a).split(separator: ",").compactMap { Int($0) }
        case "--repeat": o.repeats = max(1, Int(value(a)) ?? 25)
        case "--train-repeat": o.trainRepeats = max(1, Int(value(a)) ?? 3)
        case "--json": o.json = true
        case "--no-composed": o.composed = false
        case "--seed": o.seed = Int(value(a)) ?? 0
        case "--head-threads": o.headThreads = Int(value(a))
        case "--stages": o.stages = true
        case "--block-columns": o.blockColumns = Int(value(a))
        case "-h", "--help":
            print("usage: arcface-bench [--only H1,H1L,T1,T2] [--threads 1,2] [--repeat N] [--train-repeat N] [--json] [--no-composed] [--seed N] [--head-threads N] [--stages] [--block-columns N]")
            exit(0)
        default: fail("unknown argument \(a)")
        }
    }
    return o
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("arcface-bench: \(message)\n".utf8))
    exit(2)
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// Median seconds of `repeats` runs after `warmup` runs.
func time(repeats: Int, warmup: Int = 3, _ body: () -> Void) -> Double {
    for _ in 0..<warmup { body() }
    var ts: [Double] = []
    for _ in 0..<repeats {
        let t0 = now()
        body()
        ts.append(now() - t0)
    }
    return median(ts)
}

struct Row {
    var id: String          // workload/variant/threads, the key tools/bench_torch.py matches on
    var label: String
    var threads: Int
    var ms: Double? = nil
    var stepsPerSecond: Double? = nil
    var wallSeconds: Double? = nil
    var accuracy: Double? = nil
    var intraAngle: Double? = nil
    var interAngle: Double? = nil
    var note = ""

    var json: String {
        var f: [String] = ["\"id\": \"\(id)\"", "\"label\": \"\(label)\"", "\"threads\": \(threads)"]
        func add(_ k: String, _ v: Double?) { if let v { f.append("\"\(k)\": \(v)") } }
        add("ms", ms); add("steps_per_s", stepsPerSecond); add("wall_s", wallSeconds)
        add("accuracy", accuracy); add("intra_angle", intraAngle); add("inter_angle", interAngle)
        if !note.isEmpty { f.append("\"note\": \"\(note)\"") }
        return "{" + f.joined(separator: ", ") + "}"
    }
}

// MARK: - H1

func headRows(classes C: Int, name: String, threads: Int, options o: Options, forwardOnly: Bool) -> [Row] {
    let (B, E) = (128, 512)
    let gen = Generator(seed: 1)
    let kernel = ArcFace(embeddingSize: E, classnum: C, s: 64, m: 0.5, generator: gen).kernel.scalars
    let emb = l2_norm(Tensor.randn([B, E], generator: gen), axis: 1).scalars
    let labels = (0..<B).map { _ in Int(gen.nextUInt64() % UInt64(C)) }
    FastBLAS.setThreads(threads)
    let head = FastArcFaceHead(batch: B, embedding: E, classes: C, s: 64, m: 0.5, threads: o.headThreads ?? threads,
                               blockColumns: o.blockColumns)
    var dE = [Float](repeating: 0, count: B * E), dK = [Float](repeating: 0, count: E * C)
    var rows: [Row] = []
    let shape = "B=\(B) E=\(E) C=\(C)"
    emb.withUnsafeBufferPointer { e in
        kernel.withUnsafeBufferPointer { w in
            dE.withUnsafeMutableBufferPointer { de in
                dK.withUnsafeMutableBufferPointer { dk in
                    let (ep, wp, dep, dkp) = (e.baseAddress!, w.baseAddress!, de.baseAddress!, dk.baseAddress!)
                    if forwardOnly {
                        let t = time(repeats: o.repeats) { _ = head.forward(embeddings: ep, kernel: wp, labels: labels) }
                        rows.append(Row(id: "\(name)/fwd/t\(threads)", label: "\(name) forward, \(shape)", threads: threads, ms: t * 1e3))
                    }
                    let t = time(repeats: o.repeats) {
                        _ = head.forwardBackward(embeddings: ep, kernel: wp, labels: labels, dEmbeddings: dep, dKernel: dkp)
                    }
                    rows.append(Row(id: "\(name)/fwdbwd/t\(threads)", label: "\(name) forward+backward, \(shape)", threads: threads, ms: t * 1e3))
                    if o.stages {
                        head.stages.enabled = true
                        let n = 10
                        for _ in 0..<n { _ = head.forwardBackward(embeddings: ep, kernel: wp, labels: labels, dEmbeddings: dep, dKernel: dkp) }
                        head.stages.enabled = false
                        rows.append(Row(id: "\(name)/stages/t\(threads)", label: "\(name) forward+backward stages (ms)", threads: threads,
                                        note: stageNote(head.stages, per: n)))
                        head.stages.reset()
                    }
                    let g = time(repeats: o.repeats) { head.gemmsOnly(embeddings: ep, kernel: wp, dEmbeddings: dep, dKernel: dkp) }
                    let gflops = 3 * 2 * Double(B * E * C) / g / 1e9
                    rows.append(Row(id: "\(name)/gemm3/t\(threads)", label: "\(name) the 3 GEMMs alone (OpenBLAS)", threads: threads,
                                    ms: g * 1e3, note: String(format: "%.0f GFLOP/s; fused/GEMMs %.2fx", gflops, t / g)))
                }
            }
        }
    }
    if o.composed && name == "H1" {
        // The composed autograd ops (arcFaceLogits + crossEntropy + backward), for reference: 3 runs.
        let et = Tensor(shape: [B, E], scalars: emb), kt = Tensor(shape: [E, C], scalars: kernel)
        let t = time(repeats: 3, warmup: 1) {
            let (e1, k1) = (et.detach().requiresGrad_(), kt.detach().requiresGrad_())
            crossEntropy(arcFaceLogits(embeddings: e1, kernel: k1, label: labels, s: 64, m: 0.5), labels).backward()
        }
        rows.append(Row(id: "\(name)/composed/t\(threads)", label: "\(name) fwd+bwd, composed autograd ops", threads: threads, ms: t * 1e3))
    }
    return rows
}

// MARK: - T1, T2

struct TrainSpec {
    var name: String, identities: Int, samples: Int, embedding: Int, epochs: Int, milestones: [Int], s: Float
}

func trainRows(_ spec: TrainSpec, threads: Int, options o: Options) -> [Row] {
    FastBLAS.setThreads(threads)
    var rows: [Row] = []
    for arcFace in [true, false] {
        var lastTrainer: FastMLPTrainer? = nil
        var gemmRow: Row? = nil
        var runs: [(FastMLPTrainer.Run, EmbeddingStats)] = []
        // One untimed run first: steady-state speed, not first-touch page faults and thread starts
        // (tools/bench_torch.py's PyTorch side runs warm in its long-lived process).
        for repeatIndex in 0...o.trainRepeats {
            let gen = Generator(seed: o.seed)
            let data = ToyClusters(identities: spec.identities, samplesPerIdentity: spec.samples, dim: 32, centerScale: 2, generator: gen)
            let l1 = Linear(32, 128, generator: gen), l2 = Linear(128, spec.embedding, generator: gen)
            let arc = ArcFace(embeddingSize: spec.embedding, classnum: spec.identities, s: spec.s, m: 0.5, generator: gen)
            let soft = SoftmaxHead(embeddingSize: spec.embedding, classnum: spec.identities, generator: gen)
            let trainer = arcFace
                ? FastMLPTrainer(layer1: l1, layer2: l2, arcFace: arc, batch: 256, lr: 0.1, threads: threads)
                : FastMLPTrainer(layer1: l1, layer2: l2, softmax: soft, batch: 256, lr: 0.1, threads: threads)
            trainer.stages.enabled = o.stages
            trainer.arcFaceHead?.stages.enabled = o.stages
            let run = trainer.train(data, epochs: spec.epochs, milestones: spec.milestones, generator: gen)
            lastTrainer = trainer
            if repeatIndex == 0 { continue }
            if o.stages {
                rows.append(Row(id: "\(spec.name)/stages/t\(threads)", label: "\(spec.name) \(arcFace ? "arcface" : "softmax") step stages (ms)",
                                threads: threads, note: stageNote(trainer.stages, per: run.steps)))
                if let head = trainer.arcFaceHead {
                    rows.append(Row(id: "\(spec.name)/head-stages/t\(threads)", label: "\(spec.name) arcface head stages (ms)",
                                    threads: threads, note: stageNote(head.stages, per: run.steps)))
                }
            }
            runs.append((run, trainer.evaluate(data.inputs, labels: data.labels)))
        }
        let med = runs.sorted { $0.0.seconds < $1.0.seconds }[runs.count / 2]
        if let trainer = lastTrainer {
            // The arithmetic floor: one step's eight GEMMs alone, on OpenBLAS's own threads.
            let t = time(repeats: 200, warmup: 20) { trainer.gemmsOnly() }
            gemmRow = Row(id: "\(spec.name)-\(arcFace ? "arcface" : "softmax")/gemms/t\(threads)",
                          label: "\(spec.name) \(arcFace ? "arcface" : "softmax") step's 8 GEMMs alone", threads: threads,
                          ms: t * 1e3, stepsPerSecond: 1 / t,
                          note: String(format: "the most steps/s with zero overhead; fused step / GEMMs %.2fx", (med.0.seconds / Double(med.0.steps)) / t))
        }
        let head = arcFace ? "arcface" : "softmax"
        rows.append(Row(id: "\(spec.name)-\(head)/train/t\(threads)",
                        label: "\(spec.name) \(head) training, \(med.0.steps) steps", threads: threads,
                        stepsPerSecond: med.0.stepsPerSecond, wallSeconds: med.0.seconds, accuracy: med.1.accuracy,
                        intraAngle: med.1.meanIntraClassAngle, interAngle: med.1.minInterCenterAngle,
                        note: String(format: "final loss %.4f", med.0.epochLosses.last ?? .nan)))
        if let gemmRow { rows.append(gemmRow) }
    }
    return rows
}

// MARK: - Main

/// Debian's OpenBLAS 0.3.21 falls back to its Prescott (SSE3) kernels on CPUs it does not know, such
/// as this machine's Xeon (family 6 model 207), and reads OPENBLAS_CORETYPE only at load time: so if
/// the CPU has AVX-512 and OpenBLAS chose Prescott, run this program again with
/// OPENBLAS_CORETYPE=SkylakeX (unless the variable is already set, which the user may do to choose).
func reexecWithAVX512KernelsIfNeeded() {
    guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
          FastBLAS.coreName.lowercased() == "prescott",
          let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          cpuinfo.contains(" avx512f ") else { return }
    setenv("OPENBLAS_CORETYPE", "SkylakeX", 1)
    let args = CommandLine.arguments.map { strdup($0) } + [nil]
    execv("/proc/self/exe", args)
    fail("could not re-execute with OPENBLAS_CORETYPE=SkylakeX")
}

let options = parseOptions()
reexecWithAVX512KernelsIfNeeded()
var rows: [Row] = []
for t in options.threads {
    if options.only.contains("H1") { rows += headRows(classes: 10000, name: "H1", threads: t, options: options, forwardOnly: true) }
    if options.only.contains("H1L") { rows += headRows(classes: 51332, name: "H1L", threads: t, options: options, forwardOnly: false) }
    if options.only.contains("T1") {
        rows += trainRows(TrainSpec(name: "T1", identities: 8, samples: 512, embedding: 2, epochs: 30, milestones: [12, 20, 26], s: 16),
                          threads: t, options: options)
    }
    if options.only.contains("T2") {
        rows += trainRows(TrainSpec(name: "T2", identities: 1000, samples: 32, embedding: 128, epochs: 3, milestones: [], s: 64),
                          threads: t, options: options)
    }
    if !options.json {
        for r in rows { printRow(r) }
        rows = []
    }
}
if options.json {
    print("[\n  " + rows.map(\.json).joined(separator: ",\n  ") + "\n]")
}

func printRow(_ r: Row) {
    func f(_ v: Double?, _ fmt: String) -> String { v.map { String(format: fmt, $0) } ?? "" }
    if headerPrinted == false {
        print("ArcFaceKit, OpenBLAS core \(FastBLAS.coreName), \(ProcessInfo.processInfo.activeProcessorCount) cores, load average \(loadAverage())")
        print("workload".padding(toLength: 52, withPad: " ", startingAt: 0) + " thr" + "ms".leftPad(11) + "steps/s".leftPad(11)
              + "wall s".leftPad(9) + "acc".leftPad(8) + "intra°".leftPad(8) + "inter°".leftPad(8) + "  note")
        headerPrinted = true
    }
    let line = r.label.padding(toLength: 52, withPad: " ", startingAt: 0) + " "
        + String(r.threads).leftPad(3) + " " + f(r.ms, "%.2f").leftPad(10) + " " + f(r.stepsPerSecond, "%.0f").leftPad(10) + " "
        + f(r.wallSeconds, "%.3f").leftPad(8) + " " + f(r.accuracy, "%.4f").leftPad(7) + " " + f(r.intraAngle, "%.2f").leftPad(7) + " "
        + f(r.interAngle, "%.2f").leftPad(7) + "  " + r.note
    print(line)
}

nonisolated(unsafe) var headerPrinted = false

/// "name ms, ..." per call, from a stage clock that ran `per` times.
func stageNote(_ clock: StageClock, per n: Int) -> String {
    clock.order.map { String(format: "%@ %.3f", $0, clock.seconds[$0]! / Double(n) * 1e3) }.joined(separator: ", ")
}

func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
