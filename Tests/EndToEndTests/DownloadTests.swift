// The site's downloads: every shipped lesson's `downloads/NN-slug.swift` compiles with the command its
// page shows and prints what the page shows under the lesson's cells.

import Foundation
import LessonRuntime
import Testing
@testable import LessonKit
@testable import TestSupport

@Suite struct DownloadTests {
    @Test func everyLessonsProgramCompilesWithThePagesCommandAndPrintsWhatThePageShows() throws {
        let toolchain = try Support.toolchain()
        let dir = try Support.copyOfShippedLessons()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = RunOptions()
        options.lessonsDirectory = dir + "/lessons"
        ShippedLessonsTests.reuseTheColdBuild(&options, fallback: Support.repositoryRoot.path + "/.build/download-tests-cache")
        let report = try Pipeline.verify(options, toolchain: toolchain)
        guard report.ok else {
            Issue.record("the shipped lessons do not verify now: \(Support.errors(report).prefix(3))")
            return
        }
        let files = Render.site(report.runs)
        for run in report.runs {
            let slug = run.lesson.slug
            let source = try #require(files["downloads/\(slug).swift"], "no downloads/\(slug).swift")
            let page = String(decoding: try #require(files["\(slug).html"]), as: UTF8.self)
            #expect(page.contains("href=\"downloads/\(slug).swift\"") && page.contains("href=\"downloads/\(slug).md\""))
            #expect(files["downloads/\(slug).md"] == Data(run.lesson.source.utf8))
            try source.write(to: URL(fileURLWithPath: dir + "/\(slug).swift"))

            // The page's command, with R and K filled in and the compiler found where the tests find it.
            let command = Program.compileCommand(slug: slug)
            #expect(page.contains(Render.escape(command)), "\(slug).html does not show the command")
            let script = "set -e\ncd '\(dir)'\n"
                + command.replacingOccurrences(of: "R=path/to/arcface-lessons K=$R/.build/debug",
                                               with: "R='\(Support.repositoryRoot.path)' K='\(toolchain.kitDirectory)'")
                    .replacingOccurrences(of: "\nswiftc ", with: "\n'\(toolchain.swiftc)' -module-cache-path '\(dir)/module-cache' ")
            var env = ProcessInfo.processInfo.environment
            env[Record.nonceVariable] = nil
            let r = try Subprocess.run(["/bin/sh", "-c", script], environment: env, timeout: 600)
            // A `traps` cell's report names where it trapped (`ArcFaceKit/Autograd.swift:102: Fatal error: ...`)
            // and may add a stack trace; the page shows it as verify records it: the runtime's message only.
            let printed = String(decoding: r.output, as: UTF8.self)
            let output = Execute.trapMessage([.text(printed)]).0.map { if case .text(let t) = $0 { t } else { "" } }.joined()
            guard case .exited(0) = r.termination else {
                Issue.record("\(slug).swift did not compile or run: \(r.termination)\n\(output.suffix(2000))")
                continue
            }
            // What the page shows under the cells: each cell's text, rich results as their text form.
            let expected = run.cells.map(\.checkedText).joined()
            #expect(output == expected, "\(slug): the program printed something else than the page shows\n\(firstDifference(output, expected))")
        }
    }

    func firstDifference(_ a: String, _ b: String) -> String {
        let la = a.split(separator: "\n", omittingEmptySubsequences: false), lb = b.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(la.count, lb.count) where (i < la.count ? la[i] : nil) != (i < lb.count ? lb[i] : nil) {
            return "line \(i + 1): program '\(i < la.count ? String(la[i]) : "<end>")', page '\(i < lb.count ? String(lb[i]) : "<end>")'"
        }
        return "same lines"
    }
}
