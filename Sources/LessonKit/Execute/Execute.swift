// Execute: Lesson -> LessonRun. Compiles the lesson's program against ArcFaceKit, runs it once,
// and splits what it printed into per-cell results.

import LessonRuntime
import Foundation

public struct ExecuteOptions: Sendable {
    /// Default time limit of one lesson program, in seconds (front matter `timeout:` overrides).
    public var timeout: Double = 120
    /// Overrides every lesson's own limit when set (command line `--timeout`).
    public var timeoutOverride: Double?
    /// Limit for each cell when neither the cell (`timeout=`) nor the lesson (`cell_timeout:`) sets one
    /// (command line `--cell-timeout`); nil: only the lesson's limit applies.
    public var cellTimeout: Double?
    public var outputLimit: Int = 8 << 20
    public var workDirectory: String
    /// Clang/Swift module cache shared by runs (a cold cache costs about a second per compile).
    public var moduleCache: String?
    public init(workDirectory: String) { self.workDirectory = workDirectory }

    func lessonLimit(_ lesson: Lesson) -> Double { timeoutOverride ?? lesson.options.timeout ?? timeout }
    func cellLimits(_ lesson: Lesson) -> [Double?] {
        lesson.cells.map { $0.attributes.timeout ?? lesson.options.cellTimeout ?? cellTimeout }
    }
}

public enum Execute {
    /// Compiles the lesson's program (a cached binary when the source is unchanged) and runs it.
    public static func run(_ lesson: Lesson, toolchain: Toolchain, options: ExecuteOptions) throws -> LessonRun {
        let start = Date()
        let dir = options.workDirectory + "/" + lesson.slug
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let source = dir + "/main.swift", binary = dir + "/lesson"
        try Program.source(for: lesson).write(toFile: source, atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(atPath: binary)

        let compileStart = Date()
        let moduleCache = options.moduleCache ?? options.workDirectory + "/module-cache"
        let compile = try Subprocess.run(
            toolchain.compileArguments(source: source, output: binary, moduleCache: moduleCache),
            timeout: 600)
        let compileSeconds = Date().timeIntervalSince(compileStart)
        guard compile.termination == .exited(0) else {
            let text = String(decoding: compile.output, as: UTF8.self)
            if let e = moduleCacheError(text, moduleCache: moduleCache) { throw e }
            let errors = compilerErrors(text, lesson: lesson, generated: source)
            return LessonRun(lesson: lesson, compileErrors: errors,
                             cells: lesson.cells.map { CellResult(index: $0.index, segments: [], outcome: .notRun) },
                             seconds: Date().timeIntervalSince(start), compileSeconds: compileSeconds)
        }
        let programStart = Date()
        var run = try execute(binary: binary, lesson: lesson, options: options)
        run.programSeconds = Date().timeIntervalSince(programStart)
        run.compileSeconds = compileSeconds
        run.seconds = Date().timeIntervalSince(start)
        return run
    }

    /// The environment of every lesson program, verify's and the REPL's: the tool's own, plus the
    /// run's nonce (Record), a trap report cut to its one message line, and deterministic hashing
    /// (a Set or Dictionary iterates in hash order, seeded per process unless this is set: with it,
    /// a cell that prints one prints the same order on every run and machine).
    package static func programEnvironment(nonce: String) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env[Record.nonceVariable] = nonce
        env["SWIFT_BACKTRACE"] = "enable=no"
        env["SWIFT_DETERMINISTIC_HASHING"] = "1"
        return env
    }

    /// Runs a compiled lesson program, enforcing the lesson's and each cell's time limit.
    static func execute(binary: String, lesson: Lesson, options: ExecuteOptions) throws -> LessonRun {
        let nonce = Record.makeNonce()
        var env = programEnvironment(nonce: nonce)
        // Inputs are relative to the lesson's folder; cells run in the working folder and find it here.
        let folder = (lesson.path as NSString).deletingLastPathComponent
        env["ARCFACE_LESSON_DIR"] = URL(fileURLWithPath: folder.isEmpty ? "." : folder).standardizedFileURL.path
        let limit = options.lessonLimit(lesson)
        let clock = CellClock(nonce: nonce, limits: options.cellLimits(lesson))
        let watchdog: ((Data, Double) -> Bool)? = clock.hasLimits ? { clock.check($0, cpu: $1) } : nil
        // Limits are CPU time, so that a busy machine does not fail a lesson; the wall-clock
        // backstop stops a program that waits instead (docs/lesson-format.md, "Time limits").
        let result = try Subprocess.run([binary], environment: env, timeout: Subprocess.wallBackstop(limit), cpuTimeout: limit,
                                        outputLimit: options.outputLimit, watchdog: watchdog)
        var run = split(result, nonce: nonce, lesson: lesson, timeout: limit, outputLimit: options.outputLimit)
        if let e = clock.expired, run.cells.indices.contains(e.cell) {
            switch run.cells[e.cell].outcome {
            case .timedOut, .stalled:
                run.cells[e.cell].outcome = e.stalled ? .stalled(seconds: e.seconds, cellLimit: true) : .timedOut(seconds: e.seconds, cellLimit: true)
            default: break
            }
        }
        return run
    }

    /// Compiler errors from `-diagnostic-style llvm` output. Errors under `#sourceLocation` already
    /// name the Markdown file; anything else is placed at the lesson's first cell. The known paths
    /// are matched as prefixes, so a path with `:` in it does not break the split.
    package static func compilerErrors(_ output: String, lesson: Lesson, generated: String) -> [Diagnostic] {
        var errors: [Diagnostic] = []
        let fallbackLine = lesson.cells.first?.codeLine ?? 1
        /// `L:C: error: message` after `path:`.
        func located(_ rest: Substring) -> (line: Int, column: Int, message: String)? {
            let parts = rest.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
            guard parts.count == 4, let l = Int(parts[0]), let c = Int(parts[1]), parts[2] == " error" else { return nil }
            return (l, c, parts[3].trimmingCharacters(in: .whitespaces))
        }
        for line in output.split(separator: "\n") {
            if line.hasPrefix(lesson.path + ":"), let e = located(line.dropFirst(lesson.path.count + 1)) {
                errors.append(Diagnostic(stage: .compile, file: lesson.path, line: e.line, column: e.column, e.message))
            } else if line.hasPrefix(generated + ":"), let e = located(line.dropFirst(generated.count + 1)) {
                errors.append(Diagnostic(stage: .compile, file: lesson.path, line: fallbackLine, "\(e.message) (in generated code:\(e.line))"))
            } else if let colon = line.firstIndex(of: ":"), !line.hasPrefix("error: "),
                      let e = located(line[line.index(after: colon)...]) {
                errors.append(Diagnostic(stage: .compile, file: lesson.path, line: fallbackLine,
                                         "\(e.message) (in \(line[..<colon]):\(e.line))"))
            } else if line.hasPrefix("error: ") {
                errors.append(Diagnostic(stage: .compile, file: lesson.path, line: fallbackLine, String(line.dropFirst(7))))
            }
        }
        if errors.isEmpty {
            let tail = output.split(separator: "\n").suffix(5).joined(separator: "\n")
            errors.append(Diagnostic(stage: .compile, file: lesson.path, line: fallbackLine,
                                     "the lesson program did not compile:\n\(tail)"))
        }
        return errors
    }

    /// swiftc failed because the module cache cannot be written (another user's cache, a read-only
    /// folder): the machine's problem, not the lesson's.
    static func moduleCacheError(_ output: String, moduleCache: String) -> EnvironmentError? {
        let lines = output.split(separator: "\n").filter { $0.contains(moduleCache) || $0.contains("module cache") || $0.contains("-module-cache-path") }
        let unwritable = ["Permission denied", "Read-only file system", "Operation not permitted"]
        guard let line = lines.first(where: { l in unwritable.contains { l.contains($0) } }) else { return nil }
        return EnvironmentError("swiftc cannot write its module cache '\(moduleCache)': \(line.trimmingCharacters(in: .whitespaces))",
                                hint: "make the folder writable for your user, or remove it (another user's build created it); it is rebuilt on the next run")
    }

    /// Splits the program's output at its records into per-cell segments, outcomes and inline values.
    static func split(_ result: ProcessResult, nonce: String, lesson: Lesson, timeout: Double, outputLimit: Int) -> LessonRun {
        var cells = lesson.cells.map { CellResult(index: $0.index, segments: [], outcome: .notRun) }
        var inline: [Int: InlineOutcome] = [:]
        var current: Int?
        var currentInline: Int?
        var finished = false
        var trapSignal: [Int: Int32] = [:]
        var inlineText = ""
        func appendText(_ s: String) {
            // Text printed while a prose value is evaluated (e.g. its trap report) is not the cell's.
            if currentInline != nil { inlineText += s; return }
            guard let i = current, !s.isEmpty else { return }
            if case .text(let t)? = cells[i].segments.last {
                cells[i].segments[cells[i].segments.count - 1] = .text(t + s)
            } else {
                cells[i].segments.append(.text(s))
            }
        }
        func completeCurrent() {
            if let prev = current, cells[prev].outcome == .notRun { cells[prev].outcome = .completed }
        }
        var reader = RecordReader(nonce: nonce)
        reader.append(result.output)
        while let piece = reader.next() {
            switch piece {
            case .text(let t): appendText(t)
            case .record(.cell(let i)):
                if cells.indices.contains(i) {
                    completeCurrent()
                    current = i
                }
            case .record(.rich(let rich)):
                if let i = current { cells[i].segments.append(.rich(wellFormed(rich))) }
            case .record(.trapped(let signal)):
                if let i = current { trapSignal[i] = signal }
            case .record(.notrap):
                if let i = current { cells[i].outcome = .didNotTrap }
            case .record(.inlineBegin(let k)):
                completeCurrent()
                currentInline = k
                inlineText = ""
            case .record(.inline(let k, let value)):
                inline[k] = .value(value)
                currentInline = nil
            case .record(.end):
                finished = true
            case .record:
                break   // the REPL's records
            }
        }
        if let t = reader.flush(final: true) { appendText(t) }
        if finished { completeCurrent() }

        for i in cells.indices where trapSignal[i] != nil {
            let (cleaned, message) = trapMessage(cells[i].segments)
            cells[i].segments = cleaned
            if lesson.cells[i].attributes.solution {
                // A solution runs in a child so that its state stays its own; its trap is a failure.
                let signal = trapSignal[i]!
                cells[i].outcome = .trapped(message: !message.isEmpty ? message
                    : signal == 0 ? "the solution exited with a non-zero status" : "the solution was terminated by signal \(signal)")
            } else {
                cells[i].outcome = .trappedAsExpected(message: message)
            }
        }
        var run = LessonRun(lesson: lesson, inline: inline, compileErrors: [], cells: cells, seconds: 0)
        guard !finished else { return run }
        // The program ended early: inside a {swift} value, or inside cell `current`.
        let how: CellResult.Outcome
        switch result.termination {
        case .timedOut: how = .timedOut(seconds: timeout, cellLimit: false)
        case .stalled: how = .stalled(seconds: timeout, cellLimit: false)
        case .outputLimit: how = .outputLimit(limit: outputLimit)
        case .signalled(let s):
            var message = ""
            if currentInline != nil {
                message = trapMessage([.text(inlineText)]).1
            } else if let i = current {
                (run.cells[i].segments, message) = trapMessage(run.cells[i].segments)
            }
            how = .trapped(message: message.isEmpty ? "terminated by signal \(s)" : message)
        case .exited(let code):
            how = .trapped(message: "the program exited with status \(code) before the lesson finished")
        }
        // Stopped before the first cell started (a limit shorter than the program's start-up): the
        // first cell carries it, else nothing would fail and the lesson would look merely not run.
        if current == nil && currentInline == nil && !run.cells.isEmpty { current = 0 }
        if let k = currentInline {
            switch how {
            case .trapped(let message): run.inline[k] = .trapped(message)
            case .timedOut(let seconds, _): run.inline[k] = .trapped("did not finish within \(Compare.format(seconds)) s of CPU time")
            case .stalled(let seconds, _):
                run.inline[k] = .trapped("did not finish within \(Compare.format(Subprocess.wallBackstop(seconds))) s of wall-clock time")
            default: run.inline[k] = .trapped("the lesson was stopped (output limit)")
            }
        } else if let i = current {
            run.cells[i].outcome = how
        }
        return run
    }

    /// Decoding skips the initialisers' preconditions: a table's rows are fitted to its columns
    /// here, so that its text form (which indexes every row by column) cannot trap in the tool.
    static func wellFormed(_ rich: RichResult) -> RichResult {
        guard case .table(var t) = rich, !t.rows.allSatisfy({ $0.count == t.columns.count }) else { return rich }
        t.rows = t.rows.map { Array(($0 + Array(repeating: "", count: max(0, t.columns.count - $0.count))).prefix(t.columns.count)) }
        return .table(t)
    }

    package static let trapPrefixes = ["Fatal error", "Precondition failed", "Assertion failed", "Unexpectedly found nil",
                                       "Illegal instruction", "Segmentation fault"]

    /// Finds the runtime's trap report (`<file>:<line>: Fatal error: <message>`) in a cell's text,
    /// drops its location prefix (so the shown output does not depend on paths) and the stack
    /// trace the runtime prints even with SWIFT_BACKTRACE=enable=no (addresses differ every run).
    static func trapMessage(_ segments: [OutputSegment]) -> ([OutputSegment], String) {
        var message = ""
        let cleaned = segments.map { segment -> OutputSegment in
            guard case .text(let t) = segment else { return segment }
            var kept: [Substring] = []
            var inTrace = false
            for line in t.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("Current stack trace:") { inTrace = true; continue }
                if inTrace, let first = line.first, first.isNumber, line.contains(" 0x") { continue }
                inTrace = false
                if let p = trapPrefixes.lazy.compactMap({ line.range(of: $0) }).first {
                    message = String(line)
                    kept.append(line[p.lowerBound...])
                } else {
                    kept.append(line)
                }
            }
            return .text(kept.joined(separator: "\n"))
        }
        return (cleaned, message)
    }
}
