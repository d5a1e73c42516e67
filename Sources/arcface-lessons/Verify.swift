// `arcface-lessons verify`: what CI runs.

import ArgumentParser
import Foundation
import LessonKit

extension ArcFaceLessons {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every lesson and check every expected output and prose value.",
            discussion: """
                Prints each failure as `file:line:col: error: ...` (or GitHub annotations with --format github) \
                and ends with `N passed, N failed`. Exit status: 0 all passed, 1 a check failed, 2 usage or environment error.
                """)

        @OptionGroup var common: Common

        @Option(name: .long, help: "Output format: text (file:line:col: error: ...) or github (workflow annotations; the default when GITHUB_ACTIONS=true).")
        var format: ReportFormat?

        @Option(name: .long, help: "Also write a JUnit XML report (one test case per check) to this file.")
        var junit: String?

        @Option(name: .long, help: "Run share K of N of the lessons (K/N, e.g. 2/4): lessons K, K+N, ... in course order, for a CI matrix; merge the shards' --junit files with `report merge`.")
        var shard: String?

        @Flag(name: .long, help: "Rewrite expected outputs and checked prose values from the actual results (keeping the written precision).")
        var accept = false

        @Flag(name: .long, help: "Also fail when the site folder differs from what `build` would write now.")
        var checkSite = false

        @Option(name: .long, help: "The site folder --check-site compares (default: course.yml's `output`, else site).")
        var out: String?

        @Flag(name: .long, help: "Also run the ```python cells (one Python process per lesson) and check their output blocks; needs an interpreter that imports torch, else they are counted as skipped.")
        var python = false

        @Option(name: .long, help: "The Python for --python (default: $ARCFACE_PYTHON, the active virtual environment, the course's .venv/, python3).")
        var pythonInterpreter: String?

        @Argument(help: "Lesson files to verify (default: all in --lessons).")
        var files: [String] = []

        /// `K/N` with 1 <= K <= N.
        var parsedShard: (index: Int, count: Int)? {
            guard let shard else { return nil }
            let parts = shard.split(separator: "/")
            guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, n <= 10_000, (1...n).contains(k) else { return nil }
            return (k, n)
        }

        func validate() throws {
            if shard != nil && parsedShard == nil { throw ValidationError("--shard must be K/N with 1 <= K <= N (e.g. 2/4), got '\(shard!)'") }
            if shard != nil && checkSite { throw ValidationError("--check-site compares the whole site: it cannot run on a shard") }
            if checkSite && !files.isEmpty { throw ValidationError("--check-site compares the whole site: do not name lesson files") }
            if pythonInterpreter != nil && !python { throw ValidationError("--python-interpreter needs --python") }
            if checkSite && accept { throw ValidationError("--check-site and --accept cannot be combined") }
        }

        func run() throws {
            ToolSignals.install()
            let config = common.config()
            var options = common.options(config)
            options.files = files
            options.shard = parsedShard
            if python {
                let root = config.file.map { ($0 as NSString).deletingLastPathComponent } ?? "."
                options.python = Python.interpreter(explicit: pythonInterpreter, courseRoot: root.isEmpty ? "." : root)
            }
            try finish(common, format: format ?? .default, junit: junit) { toolchain in
                var report = try Pipeline.verify(options, toolchain: toolchain, log: progressLog)
                if accept {
                    for a in try Accept.apply(report) {
                        progressLog("accepted \(a.file): \(a.blocks) output block(s), \(a.values) value(s)")
                    }
                    // Re-check the rewritten lessons, so that what remains reported is what accept cannot fix.
                    report = try Pipeline.verify(options, toolchain: toolchain, log: { _ in })
                }
                if checkSite { report.checks += Pipeline.checkSite(report, out: out ?? config.output, settings: options.site) }
                return report
            }
        }
    }
}
