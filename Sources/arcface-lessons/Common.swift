// Options every pipeline subcommand shares, and how their outcome becomes output and an exit code.

import ArgumentParser
import Foundation
import LessonKit

struct Common: ParsableArguments {
    @Option(name: .long, help: "Folder of the lessons (NN-name.md files; default: course.yml's `lessons`, else lessons).")
    var lessons: String?

    @Option(name: .long, help: "CPU-time limit of one lesson program in seconds, with a wall-clock backstop of 4x, at least +10 s (overrides each lesson's `timeout:`).")
    var timeout: Double?

    @Option(name: .long, help: "Default CPU-time limit of one cell in seconds (a cell's `timeout=` or a lesson's `cell_timeout:` wins).")
    var cellTimeout: Double?

    @Flag(name: .long, help: "Compile and run every lesson even when a cached result exists.")
    var noCache = false

    @Option(name: .long, help: "Folder of cached lesson results (default: course.yml's `cache`, else .lessons-cache).")
    var cacheDir: String?

    @Option(name: .long, help: "Folder with the built libArcFaceKit.so (default: next to this executable).")
    var kit: String?

    @Option(name: .long, help: "How many lessons run at once (default: the machine's cores).")
    var jobs: Int?

    @Flag(name: .long, help: "Also check that every http(s) link and image of the lessons answers (needs the network; off by default).")
    var checkExternal = false

    @Flag(name: .long, help: "Print where the time went (swiftc, lesson programs, the tool's own stages) to stderr.")
    var timings = false

    /// A time limit that is nan, infinite, not positive or absurd is a usage error, not a trap later.
    func validate() throws {
        if let jobs, !(1...256).contains(jobs) { throw ValidationError("--jobs must be a whole number from 1 to 256, got \(jobs)") }
        for (flag, value) in [("--timeout", timeout), ("--cell-timeout", cellTimeout)] {
            if let value, !Parse.validSeconds(value) {
                throw ValidationError("\(flag) must be a positive number of seconds up to \(Int(Parse.maxSeconds)), got \(value)")
            }
        }
    }

    /// The course's configuration (course.yml, found by walking up from the working folder); an
    /// error in it ends the run here with its file:line (exit 2).
    func config() -> CourseConfig {
        do { return try CourseConfig.discover() } catch {
            FileHandle.standardError.write(Data(("\(error)\n").visibleControls().utf8))
            Foundation.exit(2)
        }
    }

    /// Flags first, then course.yml, then the built-in defaults.
    func options(_ config: CourseConfig) -> RunOptions {
        var o = RunOptions()
        o.lessonsDirectory = lessons ?? config.lessons
        o.timeout = timeout
        o.cellTimeout = cellTimeout ?? config.cellTimeout
        o.defaultTimeout = config.timeout
        o.progress = isatty(2) != 0
        o.cacheDirectory = noCache ? nil : cacheDir ?? config.cache
        if let jobs = jobs ?? config.jobs { o.jobs = jobs }
        o.checkExternal = checkExternal
        do { o.site = try SiteSettings(config) } catch { environmentFailure(error) }
        return o
    }
}

/// Runs a pipeline call and turns its outcome into output and an exit code.
func finish(_ common: Common, format: ReportFormat = .default, junit: String? = nil,
            _ body: (Toolchain) throws -> Report) throws -> Never {
    do {
        let report = try body(try Toolchain.discover(kitDirectory: common.kit))
        print(report.rendered(format), terminator: "")
        fflush(nil)  // stdout, before anything goes to stderr
        if common.timings { FileHandle.standardError.write(Data(report.timings.rendered.utf8)) }
        if let junit { try report.writeJUnit(to: junit) }
        exit(report.ok ? 0 : 1)
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
        environmentFailure(error)
    }
}

/// A usage or environment error (no compiler, kit not built, unreadable file): one line, exit 2.
func environmentFailure(_ error: Error) -> Never {
    // A Diagnostic names its own file:line (course.yml:2:7: error: ...).
    let text = error is Diagnostic ? "\(error)" : error is EnvironmentError ? "arcface-lessons: \(error)" : "arcface-lessons: error: \(error)"
    FileHandle.standardError.write(Data((text + "\n").visibleControls().utf8))
    exit(2)
}

func progressLog(_ line: String) {
    FileHandle.standardError.write(Data((line.visibleControls() + "\n").utf8))
}
