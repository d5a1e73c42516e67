// Pipeline: the stages in one place. Load -> Parse -> Execute -> Verify -> Render -> Site.

import Foundation

public struct RunOptions: Sendable {
    public var lessonsDirectory = "lessons"
    /// Restrict `verify` to these lesson files (empty: all).
    public var files: [String] = []
    public var timeout: Double?
    /// Print `[i/n] lesson ... ok 0.8 s` lines (to stderr), normally only on a terminal.
    public var progress = false
    public init() {}
}

public struct Report: Sendable {
    public var tally = Tally()
    /// Every problem of the run, in lesson order.
    public var diagnostics: [Diagnostic] = []
    public var runs: [LessonRun] = []
    public var ok: Bool { tally.failed == 0 && !diagnostics.contains { $0.severity == .error } }
}

public enum Pipeline {
    /// Runs every lesson and checks every expectation. Throws EnvironmentError when it cannot start.
    public static func verify(_ options: RunOptions, toolchain: Toolchain, log: @escaping @Sendable (String) -> Void = { _ in })
        throws -> Report
    {
        var report = Report()
        let (sources, loadDiagnostics) = try Load.lessons(in: options.lessonsDirectory, only: options.files)
        report.diagnostics += loadDiagnostics
        report.tally.failed += loadDiagnostics.filter { $0.severity == .error }.count

        var lessons: [Lesson] = []
        for source in sources {
            let (lesson, diagnostics) = Parse.lesson(source)
            report.diagnostics += diagnostics
            report.tally.failed += diagnostics.filter { $0.severity == .error }.count
            if let lesson { lessons.append(lesson) }
        }

        let work = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: work) }
        var execute = ExecuteOptions(workDirectory: work)
        execute.timeoutOverride = options.timeout
        execute.moduleCache = toolchain.kitDirectory + "/lesson-module-cache"

        // Lessons are independent programs: run them two at a time (the machines have 2 cores).
        let results = ResultBox(count: lessons.count)
        let total = lessons.count
        let (lessonList, executeOptions) = (lessons, execute)
        DispatchQueue.concurrentPerform(iterations: min(2, max(1, total))) { worker in
            var i = worker
            while i < total {
                let lesson = lessonList[i]
                let outcome = Result { () throws -> Checked in
                    let run = try Execute.run(lesson, toolchain: toolchain, options: executeOptions)
                    let (tally, diagnostics) = Verify.check(run)
                    return Checked(run: run, tally: tally, diagnostics: diagnostics)
                }
                if options.progress {
                    let status: String
                    if case .success(let c) = outcome {
                        status = (c.tally.failed == 0 ? "ok" : "FAILED") + String(format: " %.1f s", c.run.seconds)
                    } else {
                        status = "error"
                    }
                    log("[\(results.finish())/\(total)] \(lesson.path) ... \(status)")
                }
                results.set(i, outcome)
                i += 2
            }
        }
        for i in 0..<total {
            let checked = try results.get(i)
            report.tally += checked.tally
            report.diagnostics += checked.diagnostics
            report.runs.append(checked.run)
        }
        // Report in lesson order (file names sort as the course does), each lesson's problems by stage.
        let order = Dictionary(uniqueKeysWithValues: sources.enumerated().map { ($1.path, $0) })
        report.diagnostics = report.diagnostics.enumerated().sorted {
            (order[$0.element.file ?? ""] ?? -1, $0.offset) < (order[$1.element.file ?? ""] ?? -1, $1.offset)
        }.map(\.element)
        return report
    }

    /// Verifies, and only when everything passed renders the site into `out` (swapped in whole).
    public static func build(_ options: RunOptions, out: String, toolchain: Toolchain,
                             log: @escaping @Sendable (String) -> Void = { _ in }) throws -> Report {
        var options = options
        options.files = []
        let report = try verify(options, toolchain: toolchain, log: log)
        guard report.ok else { return report }
        try Site.write(Render.site(report.runs), to: out)
        return report
    }

    static func temporaryDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/arcface-lessons-XXXXXX").utf8CString)
        guard let p = mkdtemp(&template) else { throw EnvironmentError("cannot create a temporary directory") }
        return String(cString: p)
    }
}

private struct Checked {
    var run: LessonRun
    var tally: Tally
    var diagnostics: [Diagnostic]
}

/// Results written by the worker threads, read after they finish.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<Checked, Error>?]
    private var finished = 0
    init(count: Int) { results = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<Checked, Error>) { lock.withLock { results[i] = r } }
    func get(_ i: Int) throws -> Checked { try lock.withLock { results[i]! }.get() }
    func finish() -> Int { lock.withLock { finished += 1; return finished } }
}
