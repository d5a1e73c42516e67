// The built `arcface-lessons` command: exit codes, output format, and the site left alone on failure.

import Foundation
import Testing
@testable import LessonKit
@testable import TestSupport

@Suite(.serialized) struct CommandLineTests {
    static let good = "# Good\n\n```swift\nprint(1.0 / 3.0)\n```\n\n```output\n0.3333\n```\n"
    static let bad = "# Bad\n\n```swift\nprint(1.0 / 3.0)\n```\n\n```output\n0.3334\n```\n"

    @Test func versionPrintsTheToolsVersionAndExitsZero() throws {
        let (status, output) = try Support.run([Support.tool, "--version"], in: NSTemporaryDirectory())
        #expect(status == 0)
        #expect(output.hasPrefix("arcface-lessons 0."), "\(output)")
    }

    @Test func verifyExitsZeroWhenEveryCheckPasses() throws {
        let dir = try Support.project(["01-good.md": Self.good])
        let (status, output) = try Support.run([Support.tool, "verify"], in: dir)
        #expect(status == 0)
        #expect(output == "1 passed, 0 failed\n")
    }

    @Test func verifyExitsOneAndNamesFileAndLineWhenACheckFails() throws {
        let dir = try Support.project(["01-good.md": Self.good, "02-bad.md": Self.bad])
        let (status, output) = try Support.run([Support.tool, "verify"], in: dir)
        #expect(status == 1)
        #expect(output == "lessons/02-bad.md:8:1: error: expected 0.3334, got 0.3333333333333333 (tolerance 5e-05)\n1 passed, 1 failed\n")
    }

    @Test func verifyOfNamedFilesRunsOnlyThose() throws {
        let dir = try Support.project(["01-good.md": Self.good, "02-bad.md": Self.bad])
        let (status, output) = try Support.run([Support.tool, "verify", "lessons/01-good.md"], in: dir)
        #expect(status == 0)
        #expect(output == "1 passed, 0 failed\n")
    }

    @Test(arguments: ["02-bad.md", "02-bad", "2", "02", "lessons/02-bad.md"])
    func verifyNamesALessonByFileSlugNumberOrPath(_ name: String) throws {
        let dir = try Support.project(["01-good.md": Self.good, "02-bad.md": Self.bad])
        let (status, output) = try Support.run([Support.tool, "verify", name], in: dir)
        #expect(status == 1, "\(output)")
        #expect(output.hasSuffix("0 passed, 1 failed\n"), "\(output)")
    }

    @Test func aNameThatIsNoLessonIsAnErrorWithTheFormsItTakes() throws {
        let dir = try Support.project(["01-good.md": Self.good])
        let (status, output) = try Support.run([Support.tool, "verify", "7"], in: dir)
        #expect(status == 2)
        #expect(output.contains("'7' is not a lesson in 'lessons'") && output.contains("file, slug or number"), "\(output)")
    }

    @Test func jobsIsValidatedAndRunsTheLessons() throws {
        let dir = try Support.project(["01-good.md": Self.good, "02-good.md": Self.good, "03-good.md": Self.good])
        let one = try Support.run([Support.tool, "verify", "--jobs", "1", "--timings"], in: dir)
        #expect(one.status == 0 && one.output.contains("3 passed, 0 failed"), "\(one.output)")
        #expect(one.output.contains("1 at a time"), "\(one.output)")
        let three = try Support.run([Support.tool, "verify", "--jobs", "3", "--no-cache", "--timings"], in: dir)
        #expect(three.status == 0 && three.output.contains("3 at a time"), "\(three.output)")
        let zero = try Support.run([Support.tool, "verify", "--jobs", "0"], in: dir)
        #expect(zero.status == 2 && zero.output.contains("--jobs must be a whole number from 1 to 256"), "\(zero.output)")
    }

    @Test func insideGitHubActionsFailuresAreAnnotationsWithoutAFlag() throws {
        let dir = try Support.project(["01-bad.md": Self.bad])
        let (status, output) = try Support.run([Support.tool, "verify"], in: dir, environment: ["GITHUB_ACTIONS": "true"])
        #expect(status == 1)
        #expect(output.hasPrefix("::error file=lessons/01-bad.md,line=8"), "\(output)")
        let text = try Support.run([Support.tool, "verify", "--format", "text"], in: dir, environment: ["GITHUB_ACTIONS": "true"])
        #expect(text.output.hasPrefix("lessons/01-bad.md:8:1: error:"), "\(text.output)")
    }

    @Test func courseYmlIsFoundFromASubfolderAndItsFoldersAreItsOwn() throws {
        let dir = try Support.project([:])
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir + "/chapters/notes", withIntermediateDirectories: true)
        try Self.bad.write(toFile: dir + "/chapters/01-bad.md", atomically: true, encoding: .utf8)
        try "title: My course\nlessons: chapters\noutput: public\njobs: 1\n".write(toFile: dir + "/course.yml", atomically: true, encoding: .utf8)
        let (status, output) = try Support.run([Support.tool, "verify"], in: dir + "/chapters/notes")
        #expect(status == 1, "\(output)")
        #expect(output.hasPrefix("../01-bad.md:8:1: error: expected 0.3334"), "\(output)")
        try Self.good.write(toFile: dir + "/chapters/01-bad.md", atomically: true, encoding: .utf8)
        let build = try Support.run([Support.tool, "build"], in: dir + "/chapters")
        #expect(build.status == 0, "\(build.output)")
        #expect(fm.fileExists(atPath: dir + "/public/01-bad.html"), "the site goes to course.yml's output, beside the file")
    }

    @Test func aMistakeInCourseYmlIsAnErrorAtItsLineWithExitTwo() throws {
        let dir = try Support.project(["01-good.md": Self.good])
        try "title: T\njobs: many\n".write(toFile: dir + "/course.yml", atomically: true, encoding: .utf8)
        let (status, output) = try Support.run([Support.tool, "verify"], in: dir)
        #expect(status == 2)
        #expect(output.contains("course.yml:2:7: error: 'jobs' must be a whole number from 1 to 256"), "\(output)")
    }

    @Test func shardsAreDisjointCoverTheCourseAndMergeIntoOneReport() throws {
        var lessons: [String: String] = [:]
        for k in 1...5 { lessons[String(format: "%02d-l.md", k)] = k == 4 ? Self.bad : Self.good }
        let dir = try Support.project(lessons)
        var ran: [[String]] = []
        for k in 1...3 {
            let r = try Support.run([Support.tool, "verify", "--shard", "\(k)/3", "--junit", "shard-\(k).xml"], in: dir)
            #expect(r.status == (k == 1 ? 1 : 0), "\(r.output)")
            let xml = try String(contentsOfFile: dir + "/shard-\(k).xml", encoding: .utf8)
            ran.append(lessons.keys.sorted().filter { xml.contains("name=\"lessons/\($0)\"") })
        }
        #expect(ran == [["01-l.md", "04-l.md"], ["02-l.md", "05-l.md"], ["03-l.md"]])
        let merged = try Support.run([Support.tool, "report", "merge", "-o", "all.xml", "shard-1.xml", "shard-2.xml", "shard-3.xml"], in: dir)
        #expect(merged.status == 1 && merged.output.contains("4 passed, 1 failed (3 shards)"), "\(merged.output)")
        let all = try String(contentsOfFile: dir + "/all.xml", encoding: .utf8)
        #expect(all.contains("<testsuites name=\"arcface-lessons verify\" tests=\"5\" failures=\"1\" skipped=\"0\">"), "\(all)")
        #expect(all.components(separatedBy: "<testsuite ").count - 1 == 5)
        let bad = try Support.run([Support.tool, "verify", "--shard", "4/3"], in: dir)
        #expect(bad.status == 2 && bad.output.contains("--shard must be K/N"), "\(bad.output)")
        try "not xml".write(toFile: dir + "/junk.xml", atomically: true, encoding: .utf8)
        let junk = try Support.run([Support.tool, "report", "merge", "-o", "x.xml", "junk.xml"], in: dir)
        #expect(junk.status == 2 && junk.output.contains("'junk.xml' is not a JUnit report of verify"), "\(junk.output)")
    }

    @Test func buildOfNamedLessonsRefreshesTheirPagesAndKeepsTheRestOfTheSite() throws {
        let dir = try Support.project(["01-good.md": Self.good, "02-more.md": "# More\n\nText.\n", "03-last.md": "# Last\n\nEnd.\n"])
        #expect(try Support.run([Support.tool, "build"], in: dir).status == 0)
        let fm = FileManager.default
        let before = (fm.contents(atPath: dir + "/site/01-good.html"), fm.contents(atPath: dir + "/site/index.html"))
        try "# More\n\nNew text.\n".write(toFile: dir + "/lessons/02-more.md", atomically: true, encoding: .utf8)
        try Self.bad.write(toFile: dir + "/lessons/01-good.md", atomically: true, encoding: .utf8)   // not named: not run
        let partial = try Support.run([Support.tool, "build", "02"], in: dir)
        #expect(partial.status == 0 && partial.output.hasSuffix("0 passed, 0 failed\n"), "\(partial.output)")
        let page = try String(contentsOfFile: dir + "/site/02-more.html", encoding: .utf8)
        #expect(page.contains("New text."))
        #expect(page.contains("href=\"03-last.html\"") && page.contains("href=\"01-good.html\""), "the sidebar and pager still list the course")
        #expect(fm.contents(atPath: dir + "/site/01-good.html") == before.0 && fm.contents(atPath: dir + "/site/index.html") == before.1)
        #expect(fm.fileExists(atPath: dir + "/site/03-last.html") && fm.fileExists(atPath: dir + "/site/" + Site.stamp))
        // A named lesson that fails leaves the site as it was.
        let failing = try Support.run([Support.tool, "build", "1"], in: dir)
        #expect(failing.status == 1 && fm.contents(atPath: dir + "/site/01-good.html") == before.0, "\(failing.output)")
    }

    @Test func aMissingLessonsDirectoryIsAnEnvironmentErrorWithExitTwo() throws {
        let dir = try Support.project([:])
        let (status, output) = try Support.run([Support.tool, "verify", "--lessons", "nowhere"], in: dir)
        #expect(status == 2)
        #expect(output.contains("lessons directory 'nowhere' does not exist"))
    }

    @Test func anUnbuiltArcFaceKitIsAnEnvironmentErrorWithExitTwo() throws {
        let dir = try Support.project(["01-good.md": Self.good])
        let (status, output) = try Support.run([Support.tool, "verify"], in: dir, environment: ["ARCFACE_KIT_DIR": dir])
        #expect(status == 2)
        #expect(output.contains("ArcFaceKit is not built"))
    }

    @Test func aMissingCompilerIsAnEnvironmentErrorWithExitTwo() throws {
        let dir = try Support.project(["01-good.md": Self.good])
        let (status, output) = try Support.run([Support.tool, "verify"], in: dir, environment: ["SWIFTC": "/nonexistent/swiftc"])
        #expect(status == 2)
        #expect(output.contains("no Swift compiler found"))
    }

    @Test func aBadOptionIsAUsageErrorWithExitTwo() throws {
        let (status, _) = try Support.run([Support.tool, "verify", "--no-such-option"], in: "/tmp")
        #expect(status == 2)
    }

    @Test func buildWritesTheSiteAndAFailingBuildLeavesItUntouched() throws {
        let dir = try Support.project(["01-good.md": Self.good])
        let first = try Support.run([Support.tool, "build"], in: dir)
        #expect(first.status == 0)
        let page = try String(contentsOfFile: dir + "/site/01-good.html", encoding: .utf8)
        #expect(page.contains("<pre class=\"output\">0.3333333333333333</pre>"))
        #expect(FileManager.default.fileExists(atPath: dir + "/site/index.html"))

        try Self.bad.write(toFile: dir + "/lessons/01-good.md", atomically: true, encoding: .utf8)
        try "# Two\n".write(toFile: dir + "/lessons/02-two.md", atomically: true, encoding: .utf8)
        let second = try Support.run([Support.tool, "build"], in: dir)
        #expect(second.status == 1)
        #expect(try String(contentsOfFile: dir + "/site/01-good.html", encoding: .utf8) == page)
        #expect(!FileManager.default.fileExists(atPath: dir + "/site/02-two.html"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".site") && $0 != ".site.lock" }
        #expect(leftovers == [])
    }

    /// `--timings` says where a build's time went: swiftc and the programs on a cold build, the
    /// tool's own stages only on a warm one; the normal output is unchanged.
    @Test func buildTimingsSplitTheCompilerTheProgramsAndTheToolsOwnWork() throws {
        let dir = try Support.project(["01-good.md": Self.good, "02-more.md": "# More\n\nText.\n"])
        func numbers(_ output: String) -> [String: Double] {
            var out: [String: Double] = [:]
            for line in output.split(separator: "\n") where line.hasPrefix("  ") {
                let words = line.split(separator: " ")
                guard let s = words.firstIndex(of: "s"), s > 0, let v = Double(words[s - 1]) else { continue }
                out[words[..<(s - 1)].joined(separator: " ")] = v
            }
            return out
        }
        let cold = try Support.run([Support.tool, "build", "--timings"], in: dir)
        #expect(cold.status == 0)
        #expect(cold.output.contains("timings (2 lesson(s), 0 from the cache):"), "\(cold.output)")
        #expect(cold.output.contains("1 passed, 0 failed"))
        let c = numbers(cold.output)
        #expect(c["swiftc"].map { $0 > 0.05 } == true, "\(c)")  // both lessons compiled
        #expect(c["lesson programs"].map { $0 > 0 } == true, "\(c)")
        #expect(c["render"].map { $0 > 0 } == true && c["wall"].map { $0 > 0 } == true, "\(c)")
        let own = (c["load + parse"] ?? 0) + (c["per-lesson overhead"] ?? 0) + (c["render"] ?? 0) + (c["write site"] ?? 0)
        #expect(abs((c["tool's own"] ?? -1) - own) < 0.005, "tool's own is the sum of its stages: \(c)")

        let warm = try Support.run([Support.tool, "build", "--timings"], in: dir)
        #expect(warm.output.contains("timings (2 lesson(s), 2 from the cache):"), "\(warm.output)")
        let w = numbers(warm.output)
        #expect(w["swiftc"] == 0 && w["lesson programs"] == 0, "\(w)")

        let plain = try Support.run([Support.tool, "build"], in: dir)
        #expect(!plain.output.contains("timings"))

        let verify = try Support.run([Support.tool, "verify", "--timings"], in: dir)
        #expect(verify.output.contains("timings (2 lesson(s), 2 from the cache):"), "\(verify.output)")
        #expect(numbers(verify.output)["wall"].map { $0 > 0 } == true, "verify reports its wall time: \(verify.output)")
    }

    @Test func buildTwiceGivesAByteIdenticalSite() throws {
        let dir = try Support.project(["01-good.md": Self.good, "02-more.md": "# More\n\nText.\n"])
        #expect(try Support.run([Support.tool, "build", "--out", "a"], in: dir).status == 0)
        #expect(try Support.run([Support.tool, "build", "--out", "b"], in: dir).status == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/a").sorted()
        #expect(names == [Site.stamp, "01-good.html", "02-more.html", "downloads", "fonts", "index.html", "search-index.js", "site.js", "style.css"])
        for name in names {
            #expect(FileManager.default.contentsEqual(atPath: "\(dir)/a/\(name)", andPath: "\(dir)/b/\(name)"))
        }
    }
}

@Suite(.serialized) struct FaultTests {
    func snapshot(_ dir: String) -> [String: Data] {
        var files: [String: Data] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir + "/site")) ?? [] {
            files[name] = FileManager.default.contents(atPath: dir + "/site/" + name)
        }
        return files
    }

    /// Kills `build` at different moments (compiling, running, rendering, swapping): the site is
    /// always either the whole old one or the whole new one.
    @Test func aBuildKilledAtAnyMomentLeavesACompleteSite() throws {
        let dir = try Support.project(["01-a.md": "# A\n\nOld.\n", "02-b.md": "# B\n\n```swift\nprint(2)\n```\n\n```output\n2\n```\n"])
        #expect(try Support.run([Support.tool, "build", "--no-cache"], in: dir).status == 0)
        let old = snapshot(dir)
        try "# A\n\nNew.\n\n```swift\nprint(1)\n```\n\n```output\n1\n```\n".write(toFile: dir + "/lessons/01-a.md", atomically: true, encoding: .utf8)
        var sawNew = false
        for delay in stride(from: 0.05, through: 1.6, by: 0.15) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Support.tool)
            p.arguments = ["build", "--no-cache"]
            p.currentDirectoryURL = URL(fileURLWithPath: dir)
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            Thread.sleep(forTimeInterval: delay)
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            let now = snapshot(dir)
            #expect(now.keys.sorted() == [Site.stamp, "01-a.html", "02-b.html", "index.html", "search-index.js", "site.js", "style.css"])
            let isOld = now == old
            if !isOld { sawNew = true; #expect(String(decoding: now["01-a.html"]!, as: UTF8.self).contains("New.")) }
            if sawNew { #expect(!isOld, "the site went back to the old version") }
        }
        #expect(try Support.run([Support.tool, "build"], in: dir).status == 0)
        #expect(String(decoding: snapshot(dir)["01-a.html"]!, as: UTF8.self).contains("New."))
    }

    @Test func twoBuildsAtOnceBothSucceedAndLeaveOneCompleteSite() throws {
        let dir = try Support.project(["01-a.md": "# A\n\n```swift\nprint(1)\n```\n\n```output\n1\n```\n"])
        let statuses = try [0, 1].map { _ in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Support.tool)
            p.arguments = ["build"]
            p.currentDirectoryURL = URL(fileURLWithPath: dir)
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }.map { p in p.waitUntilExit(); return p.terminationStatus }
        #expect(statuses == [0, 0])
        #expect(snapshot(dir).keys.sorted() == [Site.stamp, "01-a.html", "index.html", "search-index.js", "site.js", "style.css"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".site") && $0 != ".site.lock" }
        #expect(leftovers == [])
    }
}

@Suite(.serialized) struct ProgressTests {
    @Test func progressLinesAppearOnATerminalOnly() throws {
        let dir = try Support.project(["01-a.md": "# A\n\n```swift\nprint(1)\n```\n\n```output\n1\n```\n"])
        // `script` gives the tool a pseudo-terminal.
        let tty = try Support.run(["/usr/bin/script", "-qec", "\(Support.tool) verify --no-cache", "/dev/null"], in: dir)
        #expect(tty.output.contains("[1/1] lessons/01-a.md ... ok "))
        let piped = try Support.run([Support.tool, "verify", "--no-cache"], in: dir)
        #expect(piped.output == "1 passed, 0 failed\n")
    }
}
