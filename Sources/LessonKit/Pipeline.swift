// Pipeline: the stages in one place. Load -> Parse -> Execute -> Verify -> Render -> Site.

import Foundation

public enum Pipeline {
    /// Runs every lesson and checks every expectation. Throws EnvironmentError when it cannot start.
    public static func verify(_ options: RunOptions, toolchain: Toolchain, log: @escaping @Sendable (String) -> Void = { _ in })
        throws -> Report
    {
        var report = Report()
        let started = Date()
        // All lessons are loaded and parsed (links may point at any of them); `files` selects which run.
        let (sources, loadDiagnostics) = try Load.lessons(in: options.lessonsDirectory)
        var selected = try select(options.files, from: sources.map(\.path) + loadDiagnostics.compactMap(\.file),
                                  directory: options.lessonsDirectory)
        if let shard = options.shard {
            let all = (sources.map(\.path) + loadDiagnostics.compactMap(\.file)).sorted()
            let share = Set(all.enumerated().filter { $0.offset % shard.count == shard.index - 1 }.map(\.element))
            selected = (selected ?? Set(all)).intersection(share)
        }
        var checksByFile: [String: [Check]] = [:]
        for d in loadDiagnostics where d.severity == .error && (selected == nil || selected!.contains(d.file ?? "")) {
            checksByFile[d.file ?? "", default: []].append(.failed(d, "lesson loads"))
        }

        var lessons: [Lesson] = [], all: [Lesson] = []
        for source in sources {
            let (lesson, diagnostics) = Parse.lesson(source)
            let wanted = selected == nil || selected!.contains(source.path)
            if wanted {
                for d in diagnostics where d.severity == .error { checksByFile[source.path, default: []].append(.failed(d, "lesson parses")) }
            }
            if let lesson {
                all.append(lesson)
                if wanted { lessons.append(lesson) }
            }
        }
        // The works the prose cites (`[@key]`); its own errors are at references.bib:line.
        let (bibliography, bibDiagnostics) = Bibliography.load(lessonsDirectory: options.lessonsDirectory)
        for d in bibDiagnostics { checksByFile[d.file ?? "", default: []].append(.failed(d, "references.bib parses")) }
        report.course = all
        let pages = Dictionary(uniqueKeysWithValues: all.map { ($0.slug, Links.anchors(of: $0)) })
        for c in Links.check(lessons, pages: pages, lessonsDirectory: options.lessonsDirectory) {
            checksByFile[c.file, default: []].append(c)
        }
        if options.checkExternal {
            for c in ExternalLinks.check(lessons, log: log) { checksByFile[c.file, default: []].append(c) }
        }
        report.timings.loadAndParse = Date().timeIntervalSince(started)

        let work = try temporaryDirectory()
        defer { Reaper.shared.remove(temporaryFolder: work) }
        var execute = ExecuteOptions(workDirectory: work)
        execute.timeoutOverride = options.timeout
        if let t = options.defaultTimeout { execute.timeout = t }
        execute.cellTimeout = options.cellTimeout
        execute.moduleCache = toolchain.kitDirectory + "/lesson-module-cache"
        let cache = try options.cacheDirectory.map { try ResultCache(directory: $0, toolchain: toolchain) }
        // Python cells run when asked for and the interpreter imports torch; else they are counted.
        var pythonFound: (interpreter: String, torch: String)?
        let pythonCells = lessons.reduce(0) { $0 + $1.pythonCells.count }
        if let interpreter = options.python, pythonCells > 0 {
            switch Python.probe(interpreter) {
            case .success(let version): pythonFound = (interpreter, version); report.torchVersion = version
            case .failure(let e): report.pythonSkipReason = e.message
            }
        } else {
            report.pythonSkipReason = "run them with verify --python"
        }
        if pythonFound == nil { report.pythonSkipped = pythonCells }
        let python = pythonFound
        let pythonCache = options.cacheDirectory.map { $0 + "/python" }

        // Lessons are independent programs: `jobs` of them at a time (default: one per core).
        let results = ResultBox(count: lessons.count)
        let total = lessons.count
        let (lessonList, executeOptions) = (lessons, execute)
        let workers = min(max(1, options.jobs), max(1, total))
        report.timings.jobs = workers
        // Longest first, from a queue: the lesson that trains for seconds starts at once instead of
        // after the quick ones its worker drew (the course's wall time is then about its longest
        // lesson's). Lengths are those of earlier runs with this kit; unknown lessons go first.
        let durations = LessonDurations(kitDirectory: toolchain.kitDirectory)
        let known = durations.load()
        let queue = ResultBox.Queue(lessonList.indices.sorted { a, b in
            let (x, y) = (known[lessonList[a].slug] ?? .infinity, known[lessonList[b].slug] ?? .infinity)
            return x != y ? x > y : a < b
        })
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let i = queue.next() {
                let lesson = lessonList[i]
                let outcome = Result { () throws -> Checked in
                    let started = Date()
                    var fromCache = false
                    var run: LessonRun
                    if let cache, let hit = cache.lookup(lesson, options: executeOptions) {
                        (run, fromCache) = (hit, true)
                    } else {
                        run = try Execute.run(lesson, toolchain: toolchain, options: executeOptions)
                        cache?.store(run, options: executeOptions)
                    }
                    run.bibliography = bibliography
                    // Labels of tables and plots come from the run: references are checked now.
                    var (checks, notes) = Verify.check(run)
                    checks += References.check(run)
                    if let python, !lesson.pythonCells.isEmpty {
                        let p = try Python.cachedRun(lesson, interpreter: python.interpreter, torch: python.torch,
                                                     limit: executeOptions.lessonLimit(lesson), workDirectory: executeOptions.workDirectory,
                                                     cacheDirectory: pythonCache)
                        run.python = p
                        checks += Verify.checkPython(lesson, p)
                    }
                    return Checked(run: run, checks: checks, notes: notes, cached: fromCache, seconds: Date().timeIntervalSince(started))
                }
                if options.progress {
                    let status: String
                    if case .success(let c) = outcome {
                        let failed = c.checks.contains { $0.status == .failed }
                        status = (failed ? "FAILED" : "ok") + String(format: " %.1f s", c.seconds) + (c.cached ? " (cached)" : "")
                    } else {
                        status = "error"
                    }
                    log("[\(results.finish())/\(total)] \(lesson.path) ... \(status)")
                }
                results.set(i, outcome)
            }
        }
        var measured: [String: Double] = [:]
        for i in 0..<total {
            if let checked = try? results.get(i), !checked.cached { measured[checked.run.lesson.slug] = checked.seconds }
        }
        durations.record(measured)
        for i in 0..<total {
            let checked = try results.get(i)
            checksByFile[checked.run.lesson.path, default: []] += checked.checks
            report.notes += checked.notes
            report.runs.append(checked.run)
            if checked.cached { report.cached += 1 }
            report.timings.compile += checked.run.compileSeconds
            report.timings.programs += checked.run.programSeconds
            report.timings.lessonOverhead += checked.seconds - checked.run.compileSeconds - checked.run.programSeconds
        }
        report.timings.lessons = total
        report.timings.cached = report.cached
        // Lesson order (file names sort as the course does; unreadable files first), then line order.
        let order = Dictionary(uniqueKeysWithValues: sources.enumerated().map { ($1.path, $0) })
        for file in checksByFile.keys.sorted(by: { (order[$0] ?? -1, $0) < (order[$1] ?? -1, $1) }) {
            report.checks += checksByFile[file]!.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element)
        }
        report.timings.wall = Date().timeIntervalSince(started)
        return report
    }

    /// Verifies, and only when everything passed renders the site into `out` (swapped in whole).
    public static func build(_ options: RunOptions, out: String, toolchain: Toolchain,
                             log: @escaping @Sendable (String) -> Void = { _ in }) throws -> Report {
        // Before any work: a wrong --out must not cost a run, nor replace a folder with work in it.
        let out = try Site.checkedOut(out, lessonsDirectory: options.lessonsDirectory)
        let started = Date()
        var report = try verify(options, toolchain: toolchain, log: log)
        guard report.ok else { return report }
        let renderStart = Date()
        var files = Render.site(report.runs, settings: options.site, course: report.course)
        if !options.files.isEmpty {
            // A partial preview (`build 04`): the named lessons' pages replace theirs in the site
            // that is there; every other page stays as the last full build wrote it.
            let existing = Site.files(in: out)
            let partial = Set(report.runs.flatMap { run in [run.lesson.slug + ".html"] + Render.downloads(run.lesson).map(\.path) })
            if !existing.isEmpty {
                files = existing.merging(files.filter { partial.contains($0.key) || !existing.keys.contains($0.key) || Render.sharedFiles.contains($0.key) },
                                         uniquingKeysWith: { $1 })
            }
        }
        let writeStart = Date()
        do {
            try Site.write(files, to: out)
        } catch {
            throw SiteWriteError(report: report, error: error)
        }
        report.timings.render = writeStart.timeIntervalSince(renderStart)
        report.timings.writeSite = Date().timeIntervalSince(writeStart)
        report.timings.wall = Date().timeIntervalSince(started)
        return report
    }

    /// `verify --check-site`: one check per site file, failing where the folder differs from what
    /// `build` would write now (a changed, missing or extra file).
    public static func checkSite(_ report: Report, out: String, settings: SiteSettings = .default) -> [Check] {
        let expected = Render.site(report.runs, settings: settings)
        let fm = FileManager.default
        var present = Set((fm.enumerator(atPath: out)?.allObjects as? [String] ?? []).filter {
            var isDir: ObjCBool = false
            return fm.fileExists(atPath: out + "/" + $0, isDirectory: &isDir) && !isDir.boolValue
        })
        var checks: [Check] = []
        let hint = "run `arcface-lessons build` (make site) and commit the result"
        for (name, content) in expected.sorted(by: { $0.key < $1.key }) {
            let path = out + "/" + name
            present.remove(name)
            if fm.contents(atPath: path) == content {
                checks.append(.passed(path, 1, "site file is current"))
            } else {
                let what = fm.fileExists(atPath: path) ? "is stale: it differs from what build would write now" : "is missing"
                checks.append(.failed(Diagnostic(stage: .write, file: path, "\(name) \(what)", hint: hint), "site file is current"))
            }
        }
        for name in present.sorted() {
            checks.append(.failed(Diagnostic(stage: .write, file: out + "/" + name, "\(name) is not written by build any more", hint: hint),
                                  "site file is current"))
        }
        return checks
    }

    /// The paths of the lessons named on the command line (`Load.lesson(named:among:)`), nil for all.
    static func select(_ files: [String], from sources: [String], directory: String) throws -> Set<String>? {
        guard !files.isEmpty else { return nil }
        var paths: Set<String> = []
        for f in files {
            guard let s = Load.lesson(named: f, among: sources) else {
                throw EnvironmentError("'\(f)' is not a lesson in '\(directory)'",
                                       hint: "name a lesson of that folder by file, slug or number (04-margin.md, 04-margin, 4), or pass --lessons DIR")
            }
            paths.insert(s)
        }
        return paths
    }

    package static func temporaryDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/arcface-lessons-XXXXXX").utf8CString)
        guard let p = mkdtemp(&template) else { throw EnvironmentError("cannot create a temporary directory") }
        // Removed also when the tool is interrupted (Reaper.terminate).
        Reaper.shared.register(temporaryFolder: String(cString: p))
        return String(cString: p)
    }
}

/// Every check passed but the site could not be written (disk full, no permission): the caller
/// still prints the run's tally, then this error.
public struct SiteWriteError: Error, CustomStringConvertible {
    public var report: Report
    public var error: Error
    public var description: String { (error as? Diagnostic)?.message ?? Load.reason(error) }
}

private struct Checked {
    var run: LessonRun
    var checks: [Check]
    var notes: [Diagnostic]
    var cached: Bool
    var seconds: Double
}

/// Results written by the worker threads, read after they finish.
private final class ResultBox: @unchecked Sendable {
    /// Indices handed out in a fixed order to whichever worker asks next.
    final class Queue: @unchecked Sendable {
        private let lock = NSLock()
        private var order: [Int]
        private var position = 0
        init(_ order: [Int]) { self.order = order }
        func next() -> Int? {
            lock.withLock {
                guard position < order.count else { return nil }
                defer { position += 1 }
                return order[position]
            }
        }
    }

    private let lock = NSLock()
    private var results: [Result<Checked, Error>?]
    private var finished = 0
    init(count: Int) { results = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<Checked, Error>) { lock.withLock { results[i] = r } }
    func get(_ i: Int) throws -> Checked { try lock.withLock { results[i]! }.get() }
    func finish() -> Int { lock.withLock { finished += 1; return finished } }
}

/// How long each lesson took to compile and run the last time it ran with this kit (the tool's
/// scheduling hint, nothing else): `<kit>/lesson-durations.json`, slug -> seconds. Unreadable or
/// unwritable (an installed kit) is the same as empty.
struct LessonDurations {
    let path: String
    init(kitDirectory: String) { path = kitDirectory + "/lesson-durations.json" }

    func load() -> [String: Double] {
        guard let data = FileManager.default.contents(atPath: path),
              let table = try? JSONDecoder().decode([String: Double].self, from: data) else { return [:] }
        return table
    }

    /// Merges `measured` into the file (a concurrent run's entries may be lost: they are hints).
    func record(_ measured: [String: Double]) {
        guard !measured.isEmpty else { return }
        var table = load()
        for (slug, seconds) in measured { table[slug] = seconds }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        guard let data = try? encoder.encode(table) else { return }
        try? data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
