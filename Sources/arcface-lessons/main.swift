// The arcface-lessons command: parses arguments and calls LessonKit.
//
// Exit codes: 0 every check passed; 1 a check failed (wrong number, compile error, trap, bad lesson);
// 2 usage or environment error (a bad flag, an --out that would replace work, no lessons directory,
// no compiler, ArcFaceKit not built, a site that cannot be written).

import ArgumentParser
import Foundation
import LessonKit
import Parity

@main
struct ArcFaceLessons: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arcface-lessons",
        abstract: "Turn literate Markdown lessons into a verified static HTML course.",
        discussion: "Exit status: 0 all checks passed, 1 a check failed, 2 usage or environment error.",
        version: "arcface-lessons 0.3.0 (lesson format v1, portable arithmetic)",
        subcommands: [Verify.self, Build.self, Parity.self, Repl.self]
    )

    /// ArgumentParser exits 64 on a usage error; ours is 2, as documented.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

struct Common: ParsableArguments {
    @Option(name: .long, help: "Folder of the lessons (NN-name.md files).")
    var lessons = "lessons"

    @Option(name: .long, help: "CPU-time limit of one lesson program in seconds, with a wall-clock backstop of 4x, at least +10 s (overrides each lesson's `timeout:`).")
    var timeout: Double?

    @Option(name: .long, help: "Default CPU-time limit of one cell in seconds (a cell's `timeout=` or a lesson's `cell_timeout:` wins).")
    var cellTimeout: Double?

    @Flag(name: .long, help: "Compile and run every lesson even when a cached result exists.")
    var noCache = false

    @Option(name: .long, help: "Folder of cached lesson results.")
    var cacheDir = ".lessons-cache"

    @Option(name: .long, help: "Folder with the built libArcFaceKit.so (default: next to this executable).")
    var kit: String?

    @Flag(name: .long, help: "Print where the time went (swiftc, lesson programs, the tool's own stages) to stderr.")
    var timings = false

    /// A time limit that is nan, infinite, not positive or absurd is a usage error, not a trap later.
    func validate() throws {
        for (flag, value) in [("--timeout", timeout), ("--cell-timeout", cellTimeout)] {
            if let value, !Parse.validSeconds(value) {
                throw ValidationError("\(flag) must be a positive number of seconds up to \(Int(Parse.maxSeconds)), got \(value)")
            }
        }
    }

    func options() -> RunOptions {
        var o = RunOptions()
        o.lessonsDirectory = lessons
        o.timeout = timeout
        o.cellTimeout = cellTimeout
        o.progress = isatty(2) != 0
        o.cacheDirectory = noCache ? nil : cacheDir
        if let kit { setenv("ARCFACE_KIT_DIR", kit, 1) }
        return o
    }
}

/// Runs a pipeline call and turns its outcome into output and an exit code.
func finish(format: ReportFormat = .text, junit: String? = nil, timings: Bool = false,
            _ body: (Toolchain) throws -> Report) throws -> Never {
    do {
        let report = try body(try Toolchain.discover(kitDirectory: nil))
        print(report.rendered(format), terminator: "")
        fflush(nil)  // stdout, before anything goes to stderr
        if timings { FileHandle.standardError.write(Data(report.timings.rendered.utf8)) }
        if let junit { try report.writeJUnit(to: junit) }
        exit(report.ok ? 0 : 1)
    } catch let e as EnvironmentError {
        FileHandle.standardError.write(Data(("arcface-lessons: \(e)\n").visibleControls().utf8))
        exit(2)
    } catch let w as SiteWriteError {
        // The checks ran: their tally first, then why the site is not there.
        print(w.report.rendered(format), terminator: "")
        fflush(nil)  // stdout, before anything goes to stderr
        FileHandle.standardError.write(Data(("arcface-lessons: error: cannot write the site: \(w.error)\n").visibleControls().utf8))
        exit(2)
    } catch let d as Diagnostic {
        FileHandle.standardError.write(Data(("\(d)\n").visibleControls().utf8))
        exit(1)
    } catch {
        FileHandle.standardError.write(Data(("arcface-lessons: error: \(error)\n").visibleControls().utf8))
        exit(2)
    }
}

func progressLog(_ line: String) {
    FileHandle.standardError.write(Data((line.visibleControls() + "\n").utf8))
}

extension ReportFormat: ExpressibleByArgument {}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every lesson and check every expected output and prose value.",
        discussion: """
            Prints each failure as `file:line:col: error: ...` (or GitHub annotations with --format github) \
            and ends with `N passed, N failed`. Exit status: 0 all passed, 1 a check failed, 2 usage or environment error.
            """)

    @OptionGroup var common: Common

    @Option(name: .long, help: "Output format: text (file:line:col: error: ...) or github (workflow annotations).")
    var format: ReportFormat = .text

    @Option(name: .long, help: "Also write a JUnit XML report (one test case per check) to this file.")
    var junit: String?

    @Flag(name: .long, help: "Rewrite expected outputs and checked prose values from the actual results (keeping the written precision).")
    var accept = false

    @Flag(name: .long, help: "Also fail when the site folder differs from what `build` would write now.")
    var checkSite = false

    @Option(name: .long, help: "The site folder --check-site compares.")
    var out = "site"

    @Argument(help: "Lesson files to verify (default: all in --lessons).")
    var files: [String] = []

    func validate() throws {
        if checkSite && !files.isEmpty { throw ValidationError("--check-site compares the whole site: do not name lesson files") }
        if checkSite && accept { throw ValidationError("--check-site and --accept cannot be combined") }
    }

    func run() throws {
        ToolSignals.install()
        var options = common.options()
        options.files = files
        try finish(format: format, junit: junit, timings: common.timings) { toolchain in
            var report = try Pipeline.verify(options, toolchain: toolchain, log: progressLog)
            if accept {
                for a in try Accept.apply(report) {
                    progressLog("accepted \(a.file): \(a.blocks) output block(s), \(a.values) value(s)")
                }
                // Re-check the rewritten lessons, so that what remains reported is what accept cannot fix.
                report = try Pipeline.verify(options, toolchain: toolchain, log: { _ in })
            }
            if checkSite { report.checks += Pipeline.checkSite(report, out: out) }
            return report
        }
    }
}

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run and check every lesson, then write the site; on any failure the old site stays untouched.")

    @OptionGroup var common: Common

    @Option(name: .long, help: "Folder to write the site into: new, empty, or a site build wrote (it carries .arcface-lessons-site); a symlink is followed.")
    var out = "site"

    func run() throws {
        ToolSignals.install()
        let options = common.options()
        try finish(timings: common.timings) { try Pipeline.build(options, out: out, toolchain: $0, log: progressLog) }
    }
}

struct Parity: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate every case of a PyTorch-written reference file with ArcFaceKit.",
        discussion: """
            Prints one line per case (max abs and max rel difference of each expected value), a detail \
            line per value outside its tolerance, and `N passed, N failed`. Exit status: 0 every case \
            passed, 1 a case failed or could not be evaluated, 2 the file is missing, unreadable or not \
            a reference file (tools/torch_reference.py writes one).
            """)

    @Argument(help: "The reference file (JSON, e.g. tools/parity-reference.json).")
    var file: String

    func run() throws {
        do {
            let report = try ParityRunner.run(path: file)
            print(report.text, terminator: "")
            Foundation.exit(report.ok ? 0 : 1)
        } catch {
            FileHandle.standardError.write(Data(("arcface-lessons: error: \(error)\n").visibleControls().utf8))
            Foundation.exit(2)
        }
    }
}

struct Repl: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Step through a lesson's cells and run Swift of your own in its state.",
        discussion: """
            Shows the next cell (Enter runs it); anything you type that is not a command is Swift, \
            compiled and run in the lesson's state at that cell: the value of a last expression is \
            shown, declarations stay available, assigning a lesson's variable changes what the next \
            cells see. An input or cell that traps leaves the state as it was before it. On a \
            terminal lines are edited with libedit, history is kept in ~/.arcface_lessons_history \
            (ARCFACE_LESSONS_HISTORY overrides; empty: none); piped input is read line by line.

            \(LessonRepl.commands)

            A session (cell 2's code and a long line cut):

              $ arcface-lessons repl 04-margin
              ── cell 1/18 · lessons/04-margin.md:48 ──
              let k = ArcFaceConstants<Double>(s: 64, m: 0.5)
              print(k.cos_m, k.sin_m, k.mm, k.threshold)
              [1/18]>
              0.8775825618903728 0.479425538604203 0.2397127693021015 -0.87758...
              ── cell 2/18 · lessons/04-margin.md:74 ──
              [2/18]> let k3 = ArcFaceConstants<Double>(s: 64, m: 0.3)
              [2/18]> k3.cosm
              <repl>:1:4: error: value of type 'ArcFaceConstants<Double>' has no
              member 'cosm'
              [2/18]> k3.cos_m
              0.955336489125606
              [2/18]> :quit

            Exit status: 0 after :quit or end of input, 1 the lesson does not parse or compile, \
            2 usage or environment error.
            """)

    @Option(name: .long, help: "Folder of the lessons (NN-name.md files).")
    var lessons = "lessons"

    @Option(name: .long, help: "Folder the compiled lesson programs are kept in.")
    var cacheDir = ".lessons-cache"

    @Option(name: .long, help: "Folder with the built libArcFaceKit.so (default: next to this executable).")
    var kit: String?

    @Flag(name: .long, help: "Print where the time went (swiftc, lesson programs, the tool's own stages) to stderr.")
    var timings = false

    @Flag(name: .long, help: "Show how long each cell and input took (compile and run).")
    var timing = false

    @Flag(name: .long, help: "No ANSI colours, even on a terminal.")
    var noColor = false

    @Argument(help: "The lesson: a file in --lessons by name, slug or number (01-renorm.md, 01-renorm, 01), or a path. Default: pick from a list.")
    var lesson: String?

    func run() throws {
        if let kit { setenv("ARCFACE_KIT_DIR", kit, 1) }
        ToolSignals.install(interrupt: false)
        var options = ReplOptions()
        options.lessonsDirectory = lessons
        options.lesson = lesson
        options.cacheDirectory = cacheDir
        options.timing = timing
        if noColor { options.color = false }
        do {
            let status = try LessonRepl.run(options, toolchain: try Toolchain.discover(kitDirectory: nil))
            Foundation.exit(status)
        } catch let e as EnvironmentError {
            FileHandle.standardError.write(Data(("arcface-lessons: \(e)\n").visibleControls().utf8))
            Foundation.exit(2)
        } catch {
            FileHandle.standardError.write(Data(("arcface-lessons: error: \(error)\n").visibleControls().utf8))
            Foundation.exit(2)
        }
    }
}
