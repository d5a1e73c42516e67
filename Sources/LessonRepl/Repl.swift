// Repl: `arcface-lessons repl`, stepping through a lesson's cells and evaluating Swift in its context.
//
// Design: the lesson is compiled once (cached) into a program that stops before each cell and waits
// for commands (LessonRuntime's ReplRuntime). Enter runs the next cell in that one process, so no cell
// ever runs twice for the learner's inputs. Each input is compiled into a small library that
// `@testable import`s the lesson program (its top-level variables are globals of module LessonProgram)
// and the earlier inputs that declared something, and the process `dlopen`s it and calls its
// `repl_entry`. Every step runs under a forked snapshot, so an input or cell that traps (or is stopped
// with Ctrl-C) leaves the state as it was before it.

import LessonKit
import LessonRuntime
import CEditLine
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct ReplOptions: Sendable {
    public var lessonsDirectory = "lessons"
    /// A lesson file name, slug, number or path; nil: list the lessons and ask.
    public var lesson: String?
    /// Where the compiled lesson programs are kept between sessions; nil: compile every time.
    public var cacheDirectory: String? = ".lessons-cache"
    /// History of inputs on a terminal; nil: none.
    public var historyFile: String? = ReplOptions.defaultHistoryFile
    /// nil: colours when stdout is a terminal.
    public var color: Bool?
    /// Print how long each input took (compile and run).
    public var timing = false
    /// Open the lesson at this cell (1-based, as the REPL shows "cell 3/18"), the cells before it run first.
    public var startCell: Int?
    public init() {}

    public static var defaultHistoryFile: String? {
        let env = ProcessInfo.processInfo.environment
        if let file = env["ARCFACE_LESSONS_HISTORY"] { return file.isEmpty ? nil : file }
        return env["HOME"].map { $0 + "/.arcface_lessons_history" }
    }
}

public enum Repl {
    public static let commands = """
        Enter, :next   run the cell shown, then show the next one
        :back          back one cell (restarts the lesson, runs the cells before it)
        :jump N        go to cell N (forward: runs the cells; back: restarts)
        :rerun         run the last cell again in the current state
        :list          list the cells           :show   show the next cell again
        :exercise      list the lesson's exercises
        :exercise N    open exercise N: go to its cell (the state its solution sees)
                       and show its prompt; type Swift that prints the answer
        :check [N]     compare what your inputs printed since the exercise opened
                       (or their last expression's value) with the solution's output,
                       numbers within verify's tolerance
        :help          this help                :quit   leave (Ctrl-D too)
        Anything else is Swift, run in the lesson's state at the cell shown: the
        value of a last expression is shown, declarations (let, var, func, struct)
        stay available, and assigning a lesson's variable (m = 0.3) changes what
        the next cells see. Ctrl-C stops a running cell or input; an input or
        cell that traps or is stopped leaves the state as it was before it.
        Commands may be shortened to their first letter: :n :b :j :r :l :s :e :c :h :q.
        """

    /// `04-margin:3` -> (`04-margin`, 3); a name without `:K` (or a file that exists under the whole
    /// name) -> (name, nil).
    public static func splitCell(_ name: String) -> (lesson: String, cell: Int?) {
        guard let colon = name.lastIndex(of: ":"), !FileManager.default.fileExists(atPath: name) else { return (name, nil) }
        let digits = name[name.index(after: colon)...]
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let k = Int(digits) else { return (name, nil) }
        return (String(name[..<colon]), k)
    }

    /// Runs a session; returns the exit status (0 quit, 1 the lesson does not parse or compile).
    public static func run(_ options: ReplOptions, toolchain: Toolchain) throws -> Int32 {
        let console = ReplConsole(color: options.color, historyFile: options.historyFile)
        guard let source = try pickLesson(options, console: console) else { return 0 }
        let (parsed, diagnostics) = Parse.lesson(source)
        for d in diagnostics where d.severity == .error { console.write("\(d)\n") }
        guard let lesson = parsed, !diagnostics.contains(where: { $0.severity == .error }) else { return 1 }
        if let k = options.startCell, !(1...max(1, lesson.cells.count)).contains(k) || lesson.cells.isEmpty {
            throw EnvironmentError("cell \(k) is out of range: \(lesson.path) has \(lesson.cells.count) cell\(lesson.cells.count == 1 ? "" : "s")",
                                   hint: lesson.cells.isEmpty ? nil : "give a cell from 1 to \(lesson.cells.count) (`\(lesson.slug):\(lesson.cells.count)` or --at \(lesson.cells.count))")
        }

        let work = try Pipeline.temporaryDirectory()
        defer { Reaper.shared.remove(temporaryFolder: work) }
        console.write(console.dim("compiling \(lesson.path) for the REPL ...") + " ")
        let started = Date()
        let program: ReplProgram
        // The compiled program is kept for the next session, unless the cache folder cannot be written.
        var cache = options.cacheDirectory ?? work + "/program"
        if (try? FileManager.default.createDirectory(atPath: cache + "/repl", withIntermediateDirectories: true)) == nil
            || !FileManager.default.isWritableFile(atPath: cache + "/repl") {
            cache = work + "/program"
        }
        switch try ReplProgram.compile(lesson, toolchain: toolchain, cacheDirectory: cache) {
        case .success(let p): program = p
        case .failure(let errors):
            console.write("\n")
            for e in errors.diagnostics { console.write("\(e)\n") }
            return 1
        }
        console.write(console.dim(String(format: "%.1f s", Date().timeIntervalSince(started)) + (program.cached ? " (cached)" : "")) + "\n")
        Reaper.shared.becomeSubreaper()
        installInterruptHandler()
        let session = ReplSession(lesson: lesson, program: program, toolchain: toolchain, console: console,
                                  work: work, timing: options.timing, start: (options.startCell ?? 1) - 1)
        defer { session.end() }
        session.loop()
        return 0
    }

    /// The lesson named on the command line, or one the learner picks from a numbered list.
    static func pickLesson(_ options: ReplOptions, console: ReplConsole) throws -> LessonSource? {
        if let name = options.lesson, FileManager.default.fileExists(atPath: name), name.hasSuffix(".md") {
            return try source(atPath: name)
        }
        let (sources, _) = try Load.lessons(in: options.lessonsDirectory)
        func find(_ name: String) -> LessonSource? {
            // Named as in every subcommand (Load.lesson): file, slug, number or path.
            let path = Load.lesson(named: name.trimmingCharacters(in: .whitespaces), among: sources.map(\.path))
            return sources.first { $0.path == path }
        }
        if let name = options.lesson {
            guard let s = find(name) else {
                throw EnvironmentError("no lesson '\(name)' in '\(options.lessonsDirectory)'",
                                       hint: "name a file there (01-renorm.md, 01-renorm or 01), or run `arcface-lessons repl` to pick one")
            }
            return s
        }
        console.write("Lessons in \(options.lessonsDirectory):\n")
        for (k, s) in sources.enumerated() {
            let title = Parse.lesson(s).lesson?.title ?? ""
            console.write(String(format: "%3d  ", k + 1) + s.slug + (title.isEmpty ? "" : console.dim("  " + title)) + "\n")
        }
        while true {
            guard let line = console.readLine(prompt: "lesson (number or name)> ") else { console.write("\n"); return nil }
            let answer = line.trimmingCharacters(in: .whitespaces)
            if answer.isEmpty { continue }
            if [":q", ":quit"].contains(answer) { return nil }
            if let k = Int(answer), (1...sources.count).contains(k) { return sources[k - 1] }
            if let s = find(answer) { return s }
            console.write("no lesson '\(answer)': give its number (1-\(sources.count)) or its name\n")
        }
    }

    static func source(atPath path: String) throws -> LessonSource {
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw EnvironmentError("cannot read '\(path)' as UTF-8 text")
        }
        return LessonSource(path: path, slug: name, number: Int(name.prefix(while: \.isNumber)) ?? 0, text: text)
    }
}

/// The lesson compiled for the REPL: the program, and the folder of its module (LessonProgram).
struct ReplProgram {
    var binary: String
    var modules: String
    var cached: Bool

    static let formatVersion = "arcface-lessons repl program v1"

    /// Compiles the lesson's REPL program, or reuses the one compiled from the same source with the
    /// same toolchain and ArcFaceKit build. `.failure`: compile errors at the Markdown lines.
    static func compile(_ lesson: Lesson, toolchain: Toolchain, cacheDirectory: String) throws -> Result<ReplProgram, ReplCompileErrors> {
        let source = ReplSource.program(for: lesson)
        let root = cacheDirectory + "/repl"
        let environment = try ResultCache(directory: root, toolchain: toolchain).environment
        let key = SHA256.hex([formatVersion, environment, source].joined(separator: "\n"))
        let dir = root + "/" + lesson.slug + "-" + key.prefix(16)
        let binary = dir + "/lesson", modules = dir + "/modules"
        if FileManager.default.isExecutableFile(atPath: binary), FileManager.default.fileExists(atPath: modules + "/LessonProgram.swiftmodule") {
            try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: dir)  // in use
            return .success(ReplProgram(binary: binary, modules: modules, cached: true))
        }
        let staging = dir + ".tmp-\(getpid())"
        try? FileManager.default.removeItem(atPath: staging)
        try FileManager.default.createDirectory(atPath: staging + "/modules", withIntermediateDirectories: true)
        try source.write(toFile: staging + "/main.swift", atomically: true, encoding: .utf8)
        let args = toolchain.compileArguments(source: staging + "/main.swift", output: staging + "/lesson", moduleCache: moduleCache(toolchain))
            + ["-emit-executable", "-module-name", "LessonProgram", "-enable-testing", "-Xlinker", "-export-dynamic",
               "-emit-module", "-emit-module-path", staging + "/modules/LessonProgram.swiftmodule"]
        let result = try Subprocess.run(args, timeout: 600)
        guard result.termination == .exited(0) else {
            try? FileManager.default.removeItem(atPath: staging)
            let text = String(decoding: result.output, as: UTF8.self)
            return .failure(ReplCompileErrors(Execute.compilerErrors(text, lesson: lesson, generated: staging + "/main.swift")))
        }
        if (try? FileManager.default.moveItem(atPath: staging, toPath: dir)) == nil {
            // Another session compiled the same program meanwhile: use that one.
            try? FileManager.default.removeItem(atPath: staging)
        }
        // Programs of earlier versions of this lesson (about 200 KB each) go after a day unused.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        where name.hasPrefix(lesson.slug + "-") && root + "/" + name != dir {
            let modified = (try? FileManager.default.attributesOfItem(atPath: root + "/" + name))?[.modificationDate] as? Date
            if let modified, Date().timeIntervalSince(modified) > 86400 { try? FileManager.default.removeItem(atPath: root + "/" + name) }
        }
        return .success(ReplProgram(binary: binary, modules: modules, cached: false))
    }

    static func moduleCache(_ toolchain: Toolchain) -> String { toolchain.kitDirectory + "/lesson-module-cache" }
}

struct ReplCompileErrors: Error {
    var diagnostics: [Diagnostic]
    init(_ d: [Diagnostic]) { diagnostics = d }
}

/// Set by Ctrl-C (SIGINT): a running step is stopped, a line being edited is dropped.
nonisolated(unsafe) var interruptRequested: sig_atomic_t = 0

/// Ctrl-C no longer ends the REPL: it sets `interruptRequested`. No SA_RESTART, so that a blocking
/// read returns and the flag is seen.
func installInterruptHandler() {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { _ in interruptRequested = 1 }
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0
    sigaction(SIGINT, &action, nil)
}

final class ReplSession {
    /// An input that declared something: later inputs import its module.
    struct Kept {
        var module: String
        var library: String
        /// The cell that was next when it was typed; going back before it forgets the input.
        var position: Int
        var declared: [ReplDeclaration]
        var imports: [String]
    }

    let lesson: Lesson
    let program: ReplProgram
    let toolchain: Toolchain
    let console: ReplConsole
    let work: String
    let timing: Bool
    private var process: ReplProcess?
    /// The next cell to run; cells before it have run.
    private(set) var cursor = 0
    private var kept: [Kept] = []
    private var counter = 0
    private let cellVariables: [[String]]
    private let cellImports: [String]
    private let lessonDeclarations: [ReplDeclaration]
    /// The cell the session opens at (0-based); the cells before it run first.
    private let start: Int
    /// The exercise open now (index in `lesson.exercises`): the cursor is at its solution's cell.
    var openExercise: Int?
    /// What each input typed since the exercise opened printed (the inputs that ran), in order.
    var answers: [String] = []

    init(lesson: Lesson, program: ReplProgram, toolchain: Toolchain, console: ReplConsole, work: String, timing: Bool, start: Int = 0) {
        self.lesson = lesson
        self.start = start
        self.program = program
        self.toolchain = toolchain
        self.console = console
        self.work = work
        self.timing = timing
        cellVariables = ReplSource.cellVariables(lesson)
        lessonDeclarations = ReplSource.lessonDeclarations(lesson)
        cellImports = lesson.cells.flatMap { ReplSource.statements($0.code).filter { $0.kind == .importDeclaration }.map(\.text) }
        try? FileManager.default.createDirectory(atPath: work + "/modules", withIntermediateDirectories: true)
    }

    var cells: [Cell] { lesson.cells }

    func end() {
        process?.stop()
        process = nil
    }

    // MARK: The loop

    func loop() {
        console.write("\(console.bold(lesson.title)): \(cells.count) cell\(cells.count == 1 ? "" : "s"). "
                      + "Enter runs the cell shown; Swift you type runs in the lesson's state; :help lists the commands.\n")
        if start > 0 {
            cursor = start
            console.write(console.dim("running cells 1-\(start) ...") + " ")
            let started = Date()
            guard startProcess(silently: true) else { return }
            console.write(console.dim(String(format: "%.1f s", Date().timeIntervalSince(started))) + "\n")
        } else {
            guard startProcess(silently: true) else { return }
        }
        showCell()
        while true {
            let prompt = cursor < cells.count ? "[\(cursor + 1)/\(cells.count)]> " : "[end]> "
            guard var line = console.readLine(prompt: prompt) else {
                console.write("\n")
                return
            }
            // An unclosed bracket or string continues on the next line.
            while !line.hasPrefix(":") && ReplSource.isUnfinished(line) {
                guard let more = console.readLine(prompt: String(repeating: " ", count: max(0, prompt.count - 5)) + "...> ") else { break }
                line += "\n" + more
            }
            console.remember(line)
            let command = line.trimmingCharacters(in: .whitespaces)
            if command.isEmpty || command == ":next" || command == ":n" {
                if cursor < cells.count { step() } else { console.write("This was the last cell. :jump N goes to cell N, :list lists them.\n") }
                continue
            }
            if command.hasPrefix(":") {
                let parts = command.split(separator: " ", omittingEmptySubsequences: true)
                switch parts[0] {
                case ":quit", ":q", ":exit": return
                case ":help", ":h", ":?": console.write(Repl.commands + "\n")
                case ":list", ":l": list()
                case ":show", ":s": showCell()
                case ":back", ":b":
                    if cursor == 0 { console.write("This is the first cell.\n") } else { jump(to: cursor - 1) }
                case ":jump", ":j":
                    if parts.count == 2, let n = Int(parts[1]), (1...cells.count + 1).contains(n) {
                        jump(to: n - 1)
                    } else {
                        console.write(":jump N goes to cell N (1-\(cells.count); \(cells.count + 1) is after the last)\n")
                    }
                case ":rerun", ":r": rerun()
                case ":exercise", ":e", ":exercises":
                    if parts.count == 1 { listExercises() }
                    else if parts.count == 2, let n = Int(parts[1]), lesson.exercises.indices.contains(n - 1) { openExercise(n - 1) }
                    else { console.write(exerciseUsage(":exercise N")) }
                case ":check", ":c":
                    if parts.count == 1 { check(nil) }
                    else if parts.count == 2, let n = Int(parts[1]), lesson.exercises.indices.contains(n - 1) { check(n - 1) }
                    else { console.write(exerciseUsage(":check N")) }
                default: console.write("Unknown command \(parts[0]); :help lists the commands.\n")
                }
                continue
            }
            evaluate(line)
        }
    }

    // MARK: The lesson process

    /// Starts the lesson process, loads the kept inputs' libraries and runs the cells before the cursor.
    @discardableResult
    private func startProcess(silently: Bool) -> Bool {
        process?.stop()
        process = nil
        do {
            process = try ReplProcess(binary: program.binary, environment: [:])
        } catch {
            console.write(console.red("error: ") + "\(error)\n")
            return false
        }
        guard wait(Printer(console: console, quiet: true)) != nil else {
            console.write(console.red("error: ") + "the lesson program ended before its first cell\n")
            return false
        }
        for k in kept {
            process!.send("preload " + k.library)
            let printer = Printer(console: console, quiet: false)
            _ = wait(printer)
            if let e = printer.loadError { console.write(console.red("error: ") + e + "\n") }
        }
        let target = cursor
        cursor = 0
        while cursor < target {
            let printer = Printer(console: console, quiet: silently)
            process!.send("step")
            guard let ready = wait(printer), !printer.restored, ready.cell == cursor + 1 else {
                if silently { printer.replay() }
                console.write(console.red("error: ") + "cell \(cursor + 1) did not complete this time; stopped before it\n")
                return process != nil
            }
            cursor += 1
        }
        return true
    }

    /// Waits for the process to be ready, with Ctrl-C stopping the step; nil when the process is gone.
    private func wait(_ printer: Printer) -> ReplProcess.Ready? {
        guard let process else { return nil }
        interruptRequested = 0
        let ready = process.waitReady({ printer.handle($0) }, interrupted: { interruptRequested != 0 })
        printer.finish()
        if interruptRequested != 0 { printer.interrupted = true }
        if ready == nil {
            self.process?.stop()
            self.process = nil
            console.write(console.red("error: ") + "the lesson process ended; it starts again at the next command\n")
        }
        return ready
    }

    private func ensureProcess() -> Bool {
        if process != nil { return true }
        let started = Date()
        console.write(console.dim("starting the lesson again" + (cursor > 0 ? ": running cells 1-\(cursor) ..." : " ...")) + " ")
        let ok = startProcess(silently: true)
        console.write(console.dim(String(format: "%.1f s", Date().timeIntervalSince(started))) + "\n")
        return ok && process != nil
    }

    // MARK: Cells

    private func location(_ cell: Cell) -> String { "\(lesson.path):\(cell.codeLine)" }

    func showCell() {
        guard cursor < cells.count else {
            console.write(console.dim("── end of the lesson ──") + "\n")
            return
        }
        let cell = cells[cursor]
        if let k = exerciseIndex(at: cursor) {
            showExercise(k)
            return
        }
        var attributes: [String] = []
        if cell.attributes.traps { attributes.append("traps") }
        if let t = cell.attributes.timeout { attributes.append("timeout=\(Compare.format(t))") }
        let note = attributes.isEmpty ? "" : " [\(attributes.joined(separator: " "))]"
        console.write(console.dim("── cell \(cursor + 1)/\(cells.count) · \(location(cell))\(note) ──") + "\n")
        var code = cell.code
        while code.hasSuffix("\n") { code.removeLast() }
        console.write(console.highlight(code) + "\n")
    }

    /// Runs the next cell in the lesson process and shows its output, then the cell after it.
    func step(show: Bool = true) {
        guard ensureProcess() else { return }
        let started = Date()
        // An exercise's solution runs apart (it changes nothing) and is not shown: it is the answer.
        let exercise = exerciseIndex(at: cursor)
        let printer = Printer(console: console, quiet: exercise != nil)
        process!.send("step")
        guard let ready = wait(printer) else { return }
        if printer.restored || ready.cell != cursor + 1 {
            if printer.interrupted && console.interactive { console.write("\n") }  // after the terminal's ^C
            console.write(console.red("Cell \(cursor + 1) \(printer.interrupted ? "was stopped" : "trapped")") + "; the state is as before it. Enter runs it again.\n")
            return
        }
        cursor += 1
        closeExercise()
        if let k = exercise, show { console.write(console.dim("(exercise \(k + 1) closed; its solution ran apart and changed nothing; :exercise \(k + 1) opens it again)") + "\n") }
        if timing { console.write(console.dim(String(format: "(cell %d: %.2f s)", cursor, Date().timeIntervalSince(started))) + "\n") }
        if show { showCell() }
    }

    func jump(to target: Int) {
        if target == cursor { showCell(); return }
        closeExercise()
        if target > cursor {
            while cursor < target {
                let before = cursor
                console.write(console.dim("── running cell \(cursor + 1)/\(cells.count) ──") + "\n")
                step(show: false)
                if cursor == before { return }
            }
            showCell()
            return
        }
        // Back: state cannot be rewound, so the lesson starts again and runs the cells before the target.
        let started = Date()
        let dropped = kept.filter { $0.position > target }.count
        kept.removeAll { $0.position > target }
        cursor = target
        console.write(console.dim("restarting the lesson" + (target > 0 ? ": running cells 1-\(target) ..." : " ...")) + " ")
        startProcess(silently: true)
        console.write(console.dim(String(format: "%.1f s", Date().timeIntervalSince(started))) + "\n")
        if dropped > 0 {
            console.write(console.dim("(\(dropped) input\(dropped == 1 ? "" : "s") typed at later cells forgotten)") + "\n")
        }
        showCell()
    }

    func list() {
        for (i, cell) in cells.enumerated() {
            let mark = i == cursor ? ">" : " "
            let state = i < cursor ? "ran " : "    "
            let first = exerciseIndex(at: i).map { lesson.exercises[$0].title }
                ?? cell.code.split(separator: "\n").first.map(String.init) ?? ""
            let short = first.count > 60 ? String(first.prefix(57)) + "..." : first
            console.write("\(mark) \(String(format: "%2d", i + 1)) \(state) \(console.dim(location(cell)))  \(short)\n")
        }
        if cursor == cells.count { console.write("> (end of the lesson)\n") }
    }

    /// Runs the last cell again in the current state, as a notebook re-runs a cell.
    func rerun() {
        guard cursor > 0 else { console.write("No cell has run yet; Enter runs the first.\n"); return }
        if let k = exerciseIndex(at: cursor - 1) {
            console.write("Cell \(cursor) is the solution of exercise \(k + 1); :exercise \(k + 1) opens the exercise, :check compares your answer with it.\n")
            return
        }
        let cell = cells[cursor - 1]
        counter += 1
        let module = "ReplRerun\(counter)"
        guard let source = ReplSource.rerun(cell, lessonPath: lesson.path, module: module, context: context(declaring: [], lessonOnly: true)) else {
            console.write("Cell \(cursor) declares its variables in a way :rerun cannot repeat; :back and Enter run it after a restart.\n")
            return
        }
        console.write(console.dim("── running cell \(cursor)/\(cells.count) again ──") + "\n")
        _ = compileAndLoad(source, module: module, keepAs: nil, codeLines: cell.code)
    }

    // MARK: Inputs

    /// The session as an input sees it: the lesson and the kept inputs (or, for a cell run again,
    /// the lesson alone), and the lesson variables whose cells have not run yet.
    private func context(declaring names: [String], lessonOnly: Bool = false) -> ReplSource.Context {
        let modules = lessonOnly ? [] : kept
        let mine = Set(names).union(modules.flatMap { $0.declared.map(\.name) })
        var notYet: [String: String] = [:]
        for i in cursor..<cells.count {
            for name in cellVariables[i] where !mine.contains(name) {
                notYet[name] = "declared in cell \(i + 1) (\(location(cells[i]))), which has not run yet"
            }
        }
        let imports = ReplSource.importLines([("LessonProgram", lessonDeclarations)] + modules.map { ($0.module, $0.declared) })
        return ReplSource.Context(modules: imports, imports: cellImports + modules.flatMap(\.imports), notYetRun: notYet)
    }

    func evaluate(_ code: String) {
        guard ensureProcess() else { return }
        counter += 1
        let module = "ReplInput\(counter)"
        guard !ReplSource.statements(code).isEmpty else { return }  // only a comment
        let declarations = ReplSource.statements(code).flatMap(\.declarations)
        let context = context(declaring: declarations.map(\.name))
        // A lesson variable whose cell has not run holds no value yet: say so before compiling (the
        // compiler would say it too, through the unavailable stub, but a type error can come first).
        if let (name, line, column) = ReplSource.firstUse(of: Set(context.notYetRun.keys), in: code) {
            console.write("<repl>:\(line):\(column): \(console.red("error:")) '\(name)' is \(context.notYetRun[name]!)\n")
            return
        }
        let input = ReplSource.input(code, module: module, context: context)
        // An input that declares something (an extension too) is imported by the inputs after it.
        let keep = !input.statements.contains(where: { $0.isDeclaration || $0.kind == .importDeclaration }) ? nil
            : Kept(module: module, library: "", position: cursor, declared: declarations, imports: input.imports)
        guard let printed = compileAndLoad(input.source, module: module, keepAs: keep, codeLines: code) else { return }
        if openExercise != nil { answers.append(printed) }
        let lessonNames = Set(cellVariables[0..<cursor].flatMap { $0 })
        for name in input.declaredNames where lessonNames.contains(name) {
            console.write(console.dim("note: this `\(name)` is new and belongs to your session; the lesson's cells keep their own `\(name)` (assign it, `\(name) = ...`, to change theirs)") + "\n")
        }
    }

    /// Compiles an input library, loads it in the lesson process and shows what it printed. What it
    /// printed (text, rich results as their text form) when it ran; nil when it did not.
    @discardableResult
    private func compileAndLoad(_ source: String, module: String, keepAs keep: Kept?, codeLines: String) -> String? {
        let file = work + "/\(module).swift", library = work + "/lib\(module).so"
        let compileStart = Date()
        do {
            try source.write(toFile: file, atomically: true, encoding: .utf8)
            // Only an input that declares something is imported later: the others need no module
            // (its emission was about 0.05 s of the 0.3-0.4 s an input took, measured at load 2.5).
            let emitModule = keep == nil ? [] : ["-enable-testing", "-emit-module", "-emit-module-path", work + "/modules/\(module).swiftmodule"]
            let args = toolchain.compileArguments(source: file, output: library, moduleCache: ReplProgram.moduleCache(toolchain))
                + ["-emit-library", "-parse-as-library", "-module-name", module] + emitModule
                + ["-I", program.modules, "-I", work + "/modules"]
            let result = try Subprocess.run(args, timeout: 600)
            guard result.termination == .exited(0) else {
                showCompileErrors(String(decoding: result.output, as: UTF8.self))
                return nil
            }
        } catch {
            console.write(console.red("error: ") + "\(error)\n")
            return nil
        }
        let compileSeconds = Date().timeIntervalSince(compileStart)
        let runStart = Date()
        let printer = Printer(console: console, quiet: false)
        process!.send("load " + library)
        guard wait(printer) != nil else { return nil }
        let runSeconds = Date().timeIntervalSince(runStart)
        if timing { console.write(console.dim(String(format: "(compile %.2f s, run %.2f s)", compileSeconds, runSeconds)) + "\n") }
        if let e = printer.loadError {
            console.write(console.red("error: ") + e + "\n")
            return nil
        }
        if printer.restored {
            if printer.interrupted && console.interactive { console.write("\n") }
            console.write(console.red("The input \(printer.interrupted ? "was stopped" : "trapped")") + "; the state is as before it.\n")
            return nil
        }
        if var k = keep {
            k.library = library
            kept.append(k)
        }
        return printer.captured
    }

    /// Compiler errors placed in the input (`<repl>:LINE:COL`) or the lesson, with their source lines;
    /// notes about the generated wrapper are left out.
    private func showCompileErrors(_ output: String) {
        var shown = 0
        var keepBlock = false
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            let parts = line.split(separator: ":", maxSplits: 4, omittingEmptySubsequences: false)
            if parts.count == 5, Int(parts[1]) != nil, Int(parts[2]) != nil,
               ["error", "warning", "note", "remark"].contains(parts[3].trimmingCharacters(in: .whitespaces)) {
                let file = String(parts[0]), severity = parts[3].trimmingCharacters(in: .whitespaces)
                let ours = file == "<repl>" || file == lesson.path
                keepBlock = severity == "error" || (severity == "note" && ours)
                guard keepBlock else { continue }
                // Input lines sit one line down in "<repl>" (see ReplSource.input).
                let lineNumber = file == "<repl>" ? max(1, Int(parts[1])! - 1) : Int(parts[1])!
                let place = ours ? "\(file):\(lineNumber):\(parts[2])" : "(generated code)"
                let label = severity == "error" ? console.red("error:") : console.dim("\(severity):")
                console.write("\(place): \(label)\(parts[4])\n")
                shown += 1
            } else if line.hasPrefix("error: ") {
                keepBlock = false
                console.write(console.red("error:") + line.dropFirst(6) + "\n")
                shown += 1
            } else if keepBlock && !line.isEmpty {
                console.write(line + "\n")
            }
        }
        if shown == 0 {
            console.write(console.red("error: ") + "the input did not compile:\n" + output.split(separator: "\n").suffix(8).joined(separator: "\n") + "\n")
        }
    }
}

/// Shows what the lesson process prints during one step: text line by line (the runtime's stack
/// trace left out, a trap's location dropped), tables and plots as text; remembers what happened.
final class Printer {
    let console: ReplConsole
    /// Keep the output instead of showing it (cells run again after a restart).
    let quiet: Bool
    private var partial = ""
    private var inTrace = false
    private var held: [String] = []
    private(set) var restored = false
    private(set) var loadError: String?
    private(set) var trapMessage: String?
    /// Everything printed, as verify sees a cell's output (rich results as their text form).
    private(set) var captured = ""
    var interrupted = false

    static let trapPrefixes = ["Fatal error", "Precondition failed", "Assertion failed", "Unexpectedly found nil",
                               "Illegal instruction", "Segmentation fault"]

    init(console: ReplConsole, quiet: Bool) {
        self.console = console
        self.quiet = quiet
    }

    func handle(_ event: ReplProcess.Event) {
        switch event {
        case .text(let t):
            captured += t
            partial += t
            while let nl = partial.firstIndex(of: "\n") {
                line(String(partial[..<nl]))
                partial = String(partial[partial.index(after: nl)...])
            }
        case .rich(let r):
            captured += r.text
            flushPartial()
            out(ReplText.render(r))
        case .trapped:
            flushPartial()
            out(console.dim("(the cell trapped, as it is marked to)") + "\n")
        case .notrap:
            out(console.dim("note: the cell is marked `traps` but did not trap") + "\n")
        case .restored: restored = true
        case .loadError(let e): loadError = e
        case .cell: break
        }
    }

    private func line(_ l: String) {
        if l.hasPrefix("Current stack trace:") { inTrace = true; return }
        if inTrace, let f = l.first, f.isNumber, l.contains(" 0x") { return }
        inTrace = false
        if let p = Self.trapPrefixes.lazy.compactMap({ l.range(of: $0) }).first {
            let message = String(l[p.lowerBound...])
            trapMessage = message
            out(console.red(message) + "\n")
            return
        }
        out(l + "\n")
    }

    private func flushPartial() {
        if !partial.isEmpty { line(partial); partial = "" }
    }

    func finish() { flushPartial() }

    private func out(_ s: String) {
        if quiet { held.append(s) } else { console.write(s) }
    }

    /// Shows what a quiet step printed (when it failed, its output explains why).
    func replay() { held.forEach(console.write); held.removeAll() }
}
