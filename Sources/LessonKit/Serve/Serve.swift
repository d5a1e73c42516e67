// Serve: `arcface-lessons serve`. Runs the pipeline as `build` does, keeps the rendered site in
// memory (ServedSite; site/ is never written), serves it on 127.0.0.1 (Server), and on every
// change the Watcher reports runs the pipeline again (the result cache makes an unchanged lesson
// free, the PageMemo its page) and tells the open pages to reload. Failing checks do not block a
// page: it is rendered as a draft (Draft.swift) with each failure drawn where it is. Ctrl-C and
// SIGTERM end it through ToolSignals (lesson processes killed, temporary folders removed, exit 130/143).

import Foundation

public enum Serve {
    public struct Options: Sendable {
        /// nil: the first free port from 3000 on; 0: any free port.
        public var port: UInt16?
        public var open = false
        public init(port: UInt16? = nil, open: Bool = false) { (self.port, self.open) = (port, open) }
    }

    /// Builds, serves and rebuilds on change until a signal ends the process. `runOptions` is asked
    /// again on each rebuild (course.yml may have changed; it throws a Diagnostic when it is wrong),
    /// `configFile` is the course.yml to watch (nil: none yet, watch for one in the working folder).
    public static func run(_ serve: Options, toolchain: Toolchain, configFile: String?,
                           runOptions: @escaping () throws -> RunOptions,
                           log: @escaping @Sendable (String) -> Void) throws -> Never {
        var options = try runOptions()
        let site = ServedSite()
        let memo = PageMemo()
        let watcher = try Watcher()

        // No lessons folder, no lessons in it, a lesson named that is none: exit 2 before listening.
        _ = try Pipeline.select(options.files, from: try Load.lessons(in: options.lessonsDirectory).sources.map(\.path),
                                directory: options.lessonsDirectory)
        // Listening first (a busy port is an error at once); until the first build is done every
        // page is a "building" page that reloads itself when the site is there.
        let server = try SiteServer.start(site, port: serve.port)
        // The one line a script (or the tests) reads: where the site is.
        FileHandle.standardOutput.write(Data("Serving \(options.lessonsDirectory) at \(server.url) (Ctrl-C stops)\n".utf8))
        if serve.open { openBrowser(server.url, log: log) }

        // The first build: an environment error (no compiler) ends serve (exit 2).
        watcher.watch(plan(options, nil, configFile: configFile))
        let first = try Pipeline.verify(options, toolchain: toolchain, log: log)
        site.publish(ServedSite.render(first, settings: options.site, memo: memo))
        log(summary(first, seconds: first.timings.wall, changed: []))
        watcher.watch(plan(options, first, configFile: configFile))

        options.progress = false
        while true {
            let (changed, seen) = watcher.next()
            let started = Date()
            do { options = try runOptions(); options.progress = false } catch {
                log("\(error)".visibleControls())
                continue
            }
            do {
                let report = try Pipeline.verify(options, toolchain: toolchain, log: log)
                site.publish(ServedSite.render(report, settings: options.site, memo: memo))
                log(summary(report, seconds: Date().timeIntervalSince(started), changed: changed)
                    + String(format: " (%.2f s after the change)", Date().timeIntervalSince(seen)))
                watcher.watch(plan(options, report, configFile: configFile))
            } catch {
                // The lessons folder vanished, the compiler went away: say so, keep the last site.
                log("arcface-lessons: \(error)".visibleControls())
                watcher.watch(plan(options, nil, configFile: configFile))
            }
        }
    }

    /// What the next build reads: the lessons folder's `*.md` and references.bib, each lesson's
    /// inputs, course.yml, the theme's files.
    static func plan(_ options: RunOptions, _ report: Report?, configFile: String?) -> Watcher.Plan {
        var plan = Watcher.Plan()
        plan.addFolder(options.lessonsDirectory, names: ["*.md", Bibliography.fileName])
        plan.add(configFile ?? CourseConfig.fileName)
        if let theme = options.site.theme {
            for path in theme.files.keys.sorted() { plan.add(theme.folder + "/" + path) }
        }
        for run in report?.runs ?? [] {
            for input in run.lesson.options.inputs { plan.add(input) }
        }
        return plan
    }

    static func summary(_ report: Report, seconds: Double, changed: [String]) -> String {
        var text = report.rendered(.text)
        if text.hasSuffix("\n") { text.removeLast() }
        let what = changed.isEmpty ? "built" : "rebuilt (\(changed.prefix(3).joined(separator: ", "))\(changed.count > 3 ? ", ..." : ""))"
        let cached = report.cached > 0 ? ", \(report.cached) of \(report.runs.count) lesson(s) cached" : ""
        return text + "\n" + what + String(format: " in %.2f s", seconds) + cached
            + (report.ok ? "" : "; failures are shown on the pages")
    }

    /// `--open`: the URL in the user's browser ($BROWSER, else xdg-open); a failure is only a note.
    static func openBrowser(_ url: String, log: @Sendable (String) -> Void) {
        let command = ProcessInfo.processInfo.environment["BROWSER"].flatMap { $0.isEmpty ? nil : $0 } ?? "xdg-open"
        // Its own job tag, live for good: the browser it may start is not taken for a lesson's
        // leftover when a rebuild's jobs end (it still goes when serve is stopped, as every child does).
        let tag = "serve-browser-\(getpid())"
        Reaper.shared.begin(tag: tag)
        var environment = ProcessInfo.processInfo.environment
        environment[Reaper.tagKey] = tag
        let env = environment.map { "\($0.key)=\($0.value)" }
        do {
            let pid = try Spawn.process(["/bin/sh", "-c", "exec \(command) \"$1\" >/dev/null 2>&1", "sh", url], environment: env)
            Thread.detachNewThread {
                var status: Int32 = 0
                _ = waitpid(pid, &status, 0)
            }
        } catch {
            log("arcface-lessons: note: could not open a browser (\(command)): \(error); open \(url)")
        }
    }
}
