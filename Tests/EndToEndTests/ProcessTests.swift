// Processes and time: nothing a lesson starts outlives it (its end, its limit, a signal to the tool),
// and limits are CPU time with a wall-clock backstop, so a busy machine does not fail a lesson.

import Foundation
import Testing
@testable import LessonKit
@testable import LessonRepl
@testable import TestSupport

/// Processes whose command line contains `marker` (zombies excluded: they hold no resources).
func processes(containing marker: String) -> [pid_t] {
    ProcFS.entries("/proc").compactMap { pid_t($0) }.filter { pid in
        guard let cmdline = ProcFS.read("/proc/\(pid)/cmdline"), let s = ProcFS.stat(pid), s.state != UInt8(ascii: "Z") else { return false }
        return String(decoding: cmdline.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).contains(marker)
    }
}

/// A `sleep` no other test runs: its argument is a unique fraction of 1000 s.
func uniqueSleep() -> String { "1000.\(UInt32.random(in: 100_000...999_999))" }

@Suite(.serialized) struct NoSurvivingProcessTests {
    static func lesson(cell: String, sleep: String) -> String {
        "# Spawn\n\n```swift\nimport Foundation\n\(cell.replacingOccurrences(of: "SLEEP", with: sleep))\nprint(\"started\")\n```\n\n```output\nstarted\n```\n"
    }

    static let foundationProcess = """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sleep")
        p.arguments = ["SLEEP"]
        try! p.run()
        """

    /// posix_spawn in a new session of a shell that backgrounds `sleep` and exits: the sleep is an
    /// orphan in another session, holding the lesson's stdout.
    static let newSession = """
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        posix_spawnattr_setflags(&attributes, 0x80)  // POSIX_SPAWN_SETSID (a macro Swift does not import)
        var pid: pid_t = 0
        let words: [String] = ["/bin/sh", "-c", "/bin/sleep SLEEP &"]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        precondition(posix_spawn(&pid, "/bin/sh", nil, &attributes, argv, environ) == 0)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        """

    @Test(arguments: ["foundationProcess", "newSession"])
    func aCellsBackgroundProcessEndsWithTheLessonAndVerifyReturnsPromptly(_ how: String) throws {
        let sleep = uniqueSleep()
        let dir = try Support.project(["01-spawn.md": Self.lesson(cell: how == "newSession" ? Self.newSession : Self.foundationProcess, sleep: sleep)])
        let started = Date()
        // Before: the sleep held stdout, so verify waited out the whole 60 s limit, and it ran on.
        let r = try Support.run([Support.tool, "verify", "--no-cache", "--timeout", "60"], in: dir)
        let seconds = Date().timeIntervalSince(started)
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output == "1 passed, 0 failed\n", "\(r.output)")
        #expect(seconds < 45, "verify took \(seconds) s")
        #expect(processes(containing: "sleep \(sleep)").isEmpty)
    }

    @Test func aBackgroundProcessOfAREPLSessionEndsWithTheSession() throws {
        let sleep = uniqueSleep()
        let lesson = "# R\n\n```swift\nimport Foundation\n\(Self.foundationProcess.replacingOccurrences(of: "SLEEP", with: sleep))\nprint(\"started\")\n```\n"
        let (status, output, _) = try ReplSessionTests.session("\n:quit\n", arguments: "01-r", lessons: ["01-r.md": lesson])
        #expect(status == 0, "\(output)")
        #expect(output.contains("started"), "\(output)")
        #expect(processes(containing: "sleep \(sleep)").isEmpty)
    }

    @Test func sigtermToTheREPLStopsItsLessonProcessesAndRemovesItsTemporaryFolder() throws {
        let sleep = uniqueSleep()
        let dir = try Support.project([:])
        let cell = Self.foundationProcess.replacingOccurrences(of: "SLEEP", with: sleep)
            + "\ntry! \"\\(getpid())\".write(toFile: \"\(dir)/running\", atomically: true, encoding: .utf8)"
        try Self.lesson(cell: cell, sleep: sleep).write(toFile: dir + "/lessons/01-spawn.md", atomically: true, encoding: .utf8)
        let tmp = dir + "/tmp"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        let repl = Process()
        repl.executableURL = URL(fileURLWithPath: Support.tool)
        repl.arguments = ["repl", "01-spawn", "--no-color"]
        repl.currentDirectoryURL = URL(fileURLWithPath: dir)
        var env = ProcessInfo.processInfo.environment
        env["TMPDIR"] = tmp
        env["ARCFACE_LESSONS_HISTORY"] = dir + "/history"
        repl.environment = env
        let input = Pipe(), output = Pipe()
        repl.standardInput = input
        repl.standardOutput = output
        repl.standardError = output
        try repl.run()
        input.fileHandleForWriting.write(Data("\n".utf8))  // run the cell; stdin stays open
        let deadline = Date().addingTimeInterval(240)
        while !FileManager.default.fileExists(atPath: dir + "/running") && repl.isRunning && Date() < deadline { usleep(50_000) }
        #expect(processes(containing: "sleep \(sleep)").count == 1)
        let signalled = Date()
        kill(repl.processIdentifier, SIGTERM)
        while repl.isRunning && Date().timeIntervalSince(signalled) < 30 { usleep(20_000) }
        #expect(!repl.isRunning, "the REPL did not end on SIGTERM")
        if repl.isRunning { kill(repl.processIdentifier, SIGKILL) }
        repl.waitUntilExit()
        try? input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(repl.terminationReason == .exit && repl.terminationStatus == 143, "\(repl.terminationStatus) \(text)")
        #expect(text.contains("started") && text.contains("terminated; lesson processes stopped"), "\(text)")
        #expect(processes(containing: "sleep \(sleep)").isEmpty)
        let left = try FileManager.default.subpathsOfDirectory(atPath: tmp)
        #expect(left.isEmpty, "\(left)")
    }

    @Test func aCellsBackgroundProcessEndsAtTheLessonsTimeLimit() throws {
        let sleep = uniqueSleep()
        let cell = Self.foundationProcess + "\nvar x = 0.0\nwhile true { x += 1 }"
        let dir = try Support.project(["01-spawn.md": Self.lesson(cell: cell, sleep: sleep)])
        let r = try Support.run([Support.tool, "verify", "--no-cache", "--timeout", "1"], in: dir)
        #expect(r.status == 1, "\(r.output)")
        // CPU time or, on a very busy machine, the wall-clock backstop: either way at the cell, and the sleep is gone.
        #expect(r.output.contains("lessons/01-spawn.md:4:1: error: lesson did not finish within 1 s"), "\(r.output)")
        #expect(processes(containing: "sleep \(sleep)").isEmpty)
    }

    @Test(arguments: [(SIGTERM, Int32(143)), (SIGINT, Int32(130))])
    func aSignalToVerifyStopsTheLessonAndRemovesTheTemporaryFolders(_ signal: Int32, _ expected: Int32) throws {
        let sleep = uniqueSleep()
        let dir = try Support.project([:])
        let cell = Self.foundationProcess.replacingOccurrences(of: "SLEEP", with: sleep) + """

            try! "\\(getpid())".write(toFile: "\(dir)/running", atomically: true, encoding: .utf8)
            while true { usleep(1000) }
            """
        try Self.lesson(cell: cell, sleep: sleep).write(toFile: dir + "/lessons/01-spawn.md", atomically: true, encoding: .utf8)
        let tmp = dir + "/tmp"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)

        let tool = Process()
        tool.executableURL = URL(fileURLWithPath: Support.tool)
        tool.arguments = ["verify", "--no-cache"]
        tool.currentDirectoryURL = URL(fileURLWithPath: dir)
        var env = ProcessInfo.processInfo.environment
        env["TMPDIR"] = tmp
        tool.environment = env
        let output = Pipe()
        tool.standardOutput = output
        tool.standardError = output
        try tool.run()
        // Wait until the lesson program runs (it compiles first).
        let deadline = Date().addingTimeInterval(240)
        while !FileManager.default.fileExists(atPath: dir + "/running") && tool.isRunning && Date() < deadline { usleep(50_000) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).count == 1, "the tool's work folder")
        let lessonPID = pid_t(try String(contentsOfFile: dir + "/running", encoding: .utf8)) ?? 0
        #expect(processes(containing: "sleep \(sleep)").count == 1)

        let signalled = Date()
        kill(tool.processIdentifier, signal)
        while tool.isRunning && Date().timeIntervalSince(signalled) < 30 { usleep(20_000) }
        #expect(!tool.isRunning, "the tool did not end on the signal")
        if tool.isRunning { kill(tool.processIdentifier, SIGKILL) }
        tool.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(Date().timeIntervalSince(signalled) < 10)
        #expect(tool.terminationReason == .exit && tool.terminationStatus == expected, "\(tool.terminationStatus) \(text)")
        #expect(text.contains("lesson processes stopped, temporary files removed"), "\(text)")
        #expect(lessonPID > 0 && ProcFS.stat(lessonPID).map { $0.state == UInt8(ascii: "Z") } ?? true)
        #expect(processes(containing: "sleep \(sleep)").isEmpty)
        let left = try FileManager.default.subpathsOfDirectory(atPath: tmp)
        #expect(left.isEmpty, "\(left)")
    }
}

@Suite(.serialized) struct CPUTimeLimitTests {
    @Test func aCPUBoundRunawayCellIsStoppedAtItsCellWithItsLimit() throws {
        let dir = try Support.project(["01-spin.md": "# Spin\n\n```swift\nprint(1)\n```\n\n```output\n1\n```\n\n```swift timeout=1\nvar x = 0.0\nwhile true { x += 1 }\n```\n"])
        let started = Date()
        let r = try Support.run([Support.tool, "verify", "--no-cache"], in: dir)
        #expect(r.status == 1)
        #expect(r.output.contains("lessons/01-spin.md:12:1: error: cell did not finish within its limit of 1 s of CPU time"), "\(r.output)")
        #expect(r.output.contains("hint: raise it with `swift timeout=SECONDS`"), "\(r.output)")
        #expect(Date().timeIntervalSince(started) < 60)
    }

    @Test func aSleepingCellIsStoppedByTheWallClockBackstop() async throws {
        let dir = try Support.project(["01-nap.md": "# Nap\n\n```swift timeout=0.5\nimport Foundation\nsleep(1000)\n```\n"])
        let r = try await Support.runWaiting([Support.tool, "verify", "--no-cache"], in: dir)
        #expect(r.status == 1)
        #expect(r.output.contains("lessons/01-nap.md:4:1: error: cell did not finish within its limit of 0.5 s (it waited 10.5 s of wall-clock time without computing that much)"), "\(r.output)")
    }

    @Test func aSleepingLessonIsStoppedByTheWallClockBackstopOfTheLessonLimit() async throws {
        let dir = try Support.project(["01-nap.md": "---\ntimeout: 1\n---\n# Nap\n\n```swift\nimport Foundation\nsleep(1000)\n```\n"])
        let started = Date()
        let r = try await Support.runWaiting([Support.tool, "verify", "--no-cache"], in: dir)
        #expect(r.status == 1)
        #expect(r.output.contains("lessons/01-nap.md:7:1: error: lesson did not finish within 1 s (it waited 11 s of wall-clock time without computing that much)"), "\(r.output)")
        #expect(Date().timeIntervalSince(started) < 60)
    }

    /// A slow machine stretches wall-clock time, not CPU time: waiting 1.5 s within a 1 s limit passes.
    /// (Before, limits were wall-clock time and this failed.)
    @Test func waitingLongerThanTheLimitButUnderTheBackstopPasses() async throws {
        let dir = try Support.project(["01-wait.md": "---\ntimeout: 1\n---\n# Wait\n\n```swift\nimport Foundation\nusleep(1_500_000)\nprint(\"done\")\n```\n\n```output\ndone\n```\n"])
        let r = try await Support.runWaiting([Support.tool, "verify", "--no-cache"], in: dir)
        #expect(r.output == "1 passed, 0 failed\n", "\(r.output)")
    }
}

@Suite(.serialized) struct InputsTests {
    /// A lesson `lessons/01-in.md` of a fresh project listing `inputs`; returns the project folder and the parse.
    static func parse(_ inputs: String, setUp: (String) throws -> Void = { _ in }) throws -> (String, Lesson?, [Diagnostic]) {
        let text = "---\ntitle: In\ninputs: \(inputs)\n---\n# In\n"
        let dir = try Support.project(["01-in.md": text])
        try setUp(dir + "/lessons")
        let (lesson, diagnostics) = Parse.lesson(LessonSource(path: dir + "/lessons/01-in.md", slug: "01-in", number: 1, text: text))
        return (dir, lesson, diagnostics)
    }

    static func expectError(_ inputs: String, _ message: String, setUp: (String) throws -> Void = { _ in }) throws {
        let (_, lesson, diagnostics) = try parse(inputs, setUp: setUp)
        #expect(lesson == nil)
        #expect(diagnostics.map(\.line) == [3], "\(diagnostics)")
        #expect(diagnostics.first?.message.contains(message) == true, "\(diagnostics)")
    }

    @Test func inputsResolveAgainstTheLessonsFolderAndFoldersExpandToTheirFiles() throws {
        let (dir, lesson, diagnostics) = try Self.parse("data.txt, tables") {
            try "a".write(toFile: $0 + "/data.txt", atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(atPath: $0 + "/tables/deep", withIntermediateDirectories: true)
            try "1".write(toFile: $0 + "/tables/b.csv", atomically: true, encoding: .utf8)
            try "2".write(toFile: $0 + "/tables/deep/a.csv", atomically: true, encoding: .utf8)
        }
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let folder = dir.replacingOccurrences(of: "//", with: "/") + "/lessons/"
        #expect(lesson?.options.inputs == ["data.txt", "tables/b.csv", "tables/deep/a.csv"].map { folder + $0 })
    }

    @Test func aMissingInputIsAnErrorAtItsLine() throws {
        try Self.expectError("data.txt", "input 'data.txt' does not exist")
    }

    @Test func aDeviceInputIsAnErrorAtItsLine() throws {
        try Self.expectError("/dev/zero", "input '/dev/zero' is a device")
        try Self.expectError("zero", "input 'zero' is a device") {
            try FileManager.default.createSymbolicLink(atPath: $0 + "/zero", withDestinationPath: "/dev/zero")
        }
    }

    @Test func aFIFOInputIsAnErrorAtItsLineAlsoInsideAFolder() throws {
        try Self.expectError("pipe", "input 'pipe' is a FIFO") { #expect(mkfifo($0 + "/pipe", 0o600) == 0) }
        try Self.expectError("data", "data/pipe' is a FIFO") {
            try FileManager.default.createDirectory(atPath: $0 + "/data", withIntermediateDirectories: true)
            #expect(mkfifo($0 + "/data/pipe", 0o600) == 0)
        }
    }

    @Test func aSocketInputIsAnErrorAtItsLine() throws {
        try Self.expectError("sock", "input 'sock' is a socket") { folder in
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let path = Array((folder + "/sock").utf8CString)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path.map { UInt8(bitPattern: $0) }.prefix($0.count)) }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            #expect(bound == 0, "\(folder.utf8.count) bytes of path")
        }
    }

    @Test func anInputOutsideTheLessonsFolderIsAnErrorAtItsLine() throws {
        try Self.expectError("../notes.txt", "input '../notes.txt' is outside the lesson's folder") {
            try "n".write(toFile: $0 + "/../notes.txt", atomically: true, encoding: .utf8)
        }
    }

    @Test func aLinkInAnInputFolderThatLeadsOutIsAnErrorAtItsLine() throws {
        try Self.expectError("data", "data/root' leads outside the lesson's folder") {
            try FileManager.default.createDirectory(atPath: $0 + "/data", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: $0 + "/data/root", withDestinationPath: "/")
        }
    }

    @Test func inputsLargerThanTheCapAreAnErrorAtTheirLine() throws {
        try Self.expectError("big.bin", "inputs are larger than 64 MiB") {
            #expect(FileManager.default.createFile(atPath: $0 + "/big.bin", contents: nil))
            #expect(truncate($0 + "/big.bin", off_t(Inputs.sizeLimit + 1)) == 0)  // sparse: no disk used
        }
    }

    /// Before: hashing /dev/zero for the cache key never ended, whatever the limits.
    @Test func verifyOfALessonListingDevZeroFailsPromptly() throws {
        let dir = try Support.project(["01-z.md": "---\ninputs: /dev/zero\n---\n# Z\n\n```swift\nprint(1)\n```\n\n```output\n1\n```\n"])
        let r = try Support.run([Support.tool, "verify"], in: dir, timeout: 60)
        #expect(r.status == 1, "\(r.output)")
        #expect(r.output.contains("lessons/01-z.md:2:1: error: input '/dev/zero' is a device"), "\(r.output)")
    }
}

@Suite(.serialized) struct CompileReportTests {
    @Test func aProseValuesCompileErrorIsAtItsColumnInTheMarkdownLine() throws {
        let line = "The values are `{swift} nosuchName + 1` and ``{swift}   alsoMissing ~ 2``."
        let dir = try Support.project(["01-v.md": "# V\n\n\(line)\n"])
        func column(_ name: String) -> Int { line.distance(from: line.startIndex, to: line.range(of: name)!.lowerBound) + 1 }
        let errors = Support.errors(try Support.verify(dir))
        #expect(errors.contains { $0.hasPrefix("\(dir)/lessons/01-v.md:3:\(column("nosuchName")): error: cannot find 'nosuchName' in scope") }, "\(errors)")
        #expect(errors.contains { $0.hasPrefix("\(dir)/lessons/01-v.md:3:\(column("alsoMissing")): error: cannot find 'alsoMissing' in scope") }, "\(errors)")
    }

    @Test func aProseValueOnTheFirstLineIsAtItsColumnToo() throws {
        let line = "# Value `{swift} missingName`"
        let dir = try Support.project(["01-v.md": "\(line)\n"])
        let errors = Support.errors(try Support.verify(dir))
        #expect(errors.contains { $0.hasPrefix("\(dir)/lessons/01-v.md:1:18: error: cannot find 'missingName' in scope") }, "\(errors)")
    }

    /// The value's code is padded to its Markdown column; the cache key ignores the padding.
    @Test(arguments: [("# V\n\nShort `{swift} 1 + 1`.\n", "# V\n\nA much longer sentence before `{swift} 1 + 1`.\n"),
                      ("# V `{swift} 1 + 1`\n", "# A much longer title before the value `{swift} 1 + 1`\n")])
    func aProseEditBeforeAValueOnItsLineKeepsTheCacheKey(_ before: String, _ after: String) throws {
        let a = try #require(Support.parse(before).lesson), b = try #require(Support.parse(after).lesson)
        #expect(Program.source(for: a) != Program.source(for: b))
        #expect(ResultCache.withoutPlaces(Program.source(for: a)) == ResultCache.withoutPlaces(Program.source(for: b)))
    }

    /// The key leaves out where the lesson is: a copy of the course in another folder reuses the
    /// results (a CI checkout, the tests' copies), unless a cell prints its own file.
    @Test func aCopyOfTheCourseElsewhereReusesTheResultsUnlessACellPrintsItsFile() throws {
        let cache = try Support.project([:]) + "/cache"
        func verify(_ lessons: [String: String], input: String) throws -> Report {
            let dir = try Support.project(lessons)
            try input.write(toFile: dir + "/lessons/data.txt", atomically: true, encoding: .utf8)
            var options = RunOptions()
            options.lessonsDirectory = dir + "/lessons"
            options.cacheDirectory = cache
            return try Pipeline.verify(options, toolchain: Support.toolchain())
        }
        let plain = "---\ninputs: [data.txt]\n---\n# P\n\n```swift\nprint(6 * 7)\n```\n\n```output\n42\n```\n"
        let ownFile = "# F\n\n```swift\nimport Foundation\nprint((#filePath as NSString).lastPathComponent, #fileID.count > 0)\n```\n\n```output\n02-f.md true\n```\n"
        let lessons = ["01-p.md": plain, "02-f.md": ownFile]
        let first = try verify(lessons, input: "a")
        #expect(first.ok && first.cached == 0, "\(Support.errors(first))")
        let copy = try verify(lessons, input: "a")
        #expect(copy.ok && copy.cached == 1, "the copy reused \(copy.cached) run(s); expected only 01-p's")
        // The input's contents are part of the key, wherever the course is.
        let edited = try verify(lessons, input: "b")
        #expect(edited.ok && edited.cached == 0)
    }

    @Test func aLessonsPathWithAColonKeepsItsErrorsAtTheirLines() throws {
        let dir = try Support.project([:]) + "/x:1"
        try FileManager.default.createDirectory(atPath: dir + "/lessons", withIntermediateDirectories: true)
        try "# C\n\n```swift\nlet x: Int = \"s\"\n```\n".write(toFile: dir + "/lessons/01-c.md", atomically: true, encoding: .utf8)
        let errors = Support.errors(try Support.verify(dir))
        #expect(errors.first?.hasPrefix("\(dir)/lessons/01-c.md:4:14: error: cannot convert value of type 'String' to specified type 'Int'") == true, "\(errors)")
    }

    /// As root the folder is writable whatever its mode, so the tool runs as nobody (setpriv).
    @Test func anUnwritableModuleCacheIsAnEnvironmentErrorWithAHint() throws {
        let real = try Support.toolchain().kitDirectory
        // A kit folder inside the package (so the C module maps are found) whose module cache is empty and not ours.
        let kit = (real as NSString).deletingLastPathComponent + "/nobody-kit-\(UInt32.random(in: 0...UInt32.max))"
        let fm = FileManager.default
        try fm.createDirectory(atPath: kit + "/lesson-module-cache", withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: kit) }
        for item in ["libArcFaceKit.so", "libLessonRuntime.so", "Modules"] { try fm.createSymbolicLink(atPath: kit + "/" + item, withDestinationPath: real + "/" + item) }
        let dir = try Support.project(["01-good.md": OutFolderTests.good])
        try fm.setAttributes([.posixPermissions: 0o777], ofItemAtPath: dir)
        var command = [Support.tool, "verify", "--no-cache", "--kit", kit]
        if getuid() == 0 {
            // nobody must reach the tool and the kit: a checkout under a 0700 folder (mktemp -d)
            // cannot be tested this way, and root ignores modes.
            let asNobody = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
            let probe = try Support.run(asNobody + ["/usr/bin/test", "-x", Support.tool, "-a", "-r", real + "/libArcFaceKit.so"], in: "/")
            guard probe.status == 0 else {
                print("skipped: user nobody cannot reach \(Support.tool) (a parent folder is private), so an unwritable cache cannot be shown as root")
                return
            }
            try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: kit + "/lesson-module-cache")
            command = asNobody + command
        } else {
            try fm.setAttributes([.posixPermissions: 0o555], ofItemAtPath: kit + "/lesson-module-cache")
        }
        let r = try Support.run(command, in: dir, environment: ["HOME": dir, "TMPDIR": dir])
        #expect(r.status == 2, "\(r.output)")
        #expect(r.output.contains("error: swiftc cannot write its module cache '\(kit)/lesson-module-cache'"), "\(r.output)")
        #expect(r.output.contains("Permission denied"), "\(r.output)")
        #expect(r.output.contains("hint: make the folder writable for your user"), "\(r.output)")
    }

    @Test(arguments: ["missing/report.xml", "folder"])
    func aJUnitReportThatCannotBeWrittenIsACleanEnvironmentError(_ path: String) throws {
        let dir = try Support.project(["01-good.md": OutFolderTests.good])
        try FileManager.default.createDirectory(atPath: dir + "/folder", withIntermediateDirectories: true)
        let r = try Support.run([Support.tool, "verify", "--junit", path], in: dir)
        #expect(r.status == 2, "\(r.output)")
        let reason = path == "folder" ? "Is a directory" : "No such file or directory"
        #expect(r.output.contains("arcface-lessons: error: cannot write the JUnit report '\(path)': \(reason)"), "\(r.output)")
        #expect(r.output.contains("1 passed, 0 failed"), "the tally comes first: \(r.output)")
        #expect(!r.output.contains("NSCocoaErrorDomain") && !r.output.contains("Error Domain"), "\(r.output)")
    }
}
