// The one spawner and the one way to make a pipe (Spawn.swift): a child holds exactly the
// descriptors it is given, whatever other threads have open at the time (issue 12: a child spawned
// by one lesson's worker held another worker's pipe, which then waited for the wrong process).

import Foundation
import Testing
@testable import LessonKit
#if canImport(Glibc)
import Glibc
#endif

@Suite struct SpawnTests {
    /// Prints the child's descriptors, one `N -> what` a line.
    static let listing = ["/bin/sh", "-c", "exec ls -l /proc/self/fd"]

    /// The descriptors in `ls -l /proc/self/fd` output, without the one ls reads that folder through.
    static func descriptors(_ output: Data) -> [Int32: String] {
        var result: [Int32: String] = [:]
        for line in String(decoding: output, as: UTF8.self).split(separator: "\n") {
            guard let arrow = line.range(of: " -> "), let fd = line[..<arrow.lowerBound].split(separator: " ").last.flatMap({ Int32($0) })
            else { continue }
            let target = String(line[arrow.upperBound...])
            if target.hasPrefix("/proc/") && target.hasSuffix("/fd") { continue }
            result[fd] = target
        }
        return result
    }

    /// What /proc shows a descriptor of ours as (`pipe:[inode]` for a pipe).
    static func link(_ fd: Int32, of pid: pid_t = getpid()) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/\(pid)/fd/\(fd)", &buffer, buffer.count - 1)
        return n < 0 ? "" : String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Everything until the pipe's last writer is gone.
    static func readToEnd(_ fd: Int32) -> Data {
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            output.append(contentsOf: buffer[0..<n])
        }
        return output
    }

    static func waitFor(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status
    }

    @Test func bothEndsOfAPipeAreCloseOnExecFromTheStart() throws {
        let p = try Spawn.pipe()
        defer { close(p.read); close(p.write) }
        #expect(fcntl(p.read, F_GETFD) & FD_CLOEXEC != 0)
        #expect(fcntl(p.write, F_GETFD) & FD_CLOEXEC != 0)
    }

    /// A process another part of the program starts its own way (no file actions at all) does not
    /// get our pipes either.
    @Test func aChildSpawnedWithoutOurSpawnerDoesNotInheritOurPipes() throws {
        let p = try Spawn.pipe()
        defer { close(p.read); close(p.write) }
        let ours = Set([Self.link(p.read), Self.link(p.write)])
        let words: [String] = ["/bin/sleep", "30"]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        try #require(posix_spawn(&pid, "/bin/sleep", nil, nil, argv, environ) == 0)
        defer { kill(pid, SIGKILL); _ = Self.waitFor(pid) }
        // posix_spawn returns once the child has exec'd: its descriptors are final.
        let held = ProcFS.entries("/proc/\(pid)/fd").compactMap { Int32($0) }.map { Self.link($0, of: pid) }
        #expect(!held.isEmpty)
        #expect(Set(held).isDisjoint(with: ours), "\(held)")
    }

    /// Before: a descriptor left inheritable (by plain pipe(), as Foundation's Pipe does) reached
    /// every lesson process started while it was open.
    @Test func aChildOfSubprocessRunHoldsOnlyItsStandardDescriptors() throws {
        var leaky: [Int32] = [-1, -1]
        try #require(pipe(&leaky) == 0)
        defer { close(leaky[0]); close(leaky[1]) }
        let ours = try Spawn.pipe()
        defer { close(ours.read); close(ours.write) }
        let r = try Subprocess.run(Self.listing, timeout: 60)
        #expect(r.termination == .exited(0), "\(String(decoding: r.output, as: UTF8.self))")
        let fds = Self.descriptors(r.output)
        #expect(fds.keys.sorted() == [0, 1, 2], "\(fds)")
        #expect(fds[0] == "/dev/null")
    }

    /// Lessons run on threads at once: no run's child may hold another run's pipe (before: 4 of
    /// 323 short parallel runs waited for the other worker's child).
    @Test func parallelRunsDoNotLeakTheirPipesIntoEachOthersChildren() throws {
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var problems: [String] = []
            var longest = 0.0
        }
        let runsPerThread = 150
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            for i in 0..<runsPerThread {
                do {
                    let r = try Subprocess.run(Self.listing, timeout: 60)
                    let fds = Self.descriptors(r.output)
                    results.lock.withLock {
                        results.longest = max(results.longest, r.seconds)
                        if r.termination != .exited(0) || fds.keys.sorted() != [0, 1, 2] {
                            results.problems.append("worker \(worker) run \(i): \(r.termination) \(fds)")
                        }
                    }
                } catch {
                    results.lock.withLock { results.problems.append("worker \(worker) run \(i): \(error)") }
                }
            }
        }
        let problems = results.problems
        #expect(problems.isEmpty, "\(problems.count) of \(2 * runsPerThread) runs: \(problems.prefix(5))")
        #expect(results.longest < 30, "a run took \(results.longest) s")
    }

    /// Chromium's set-up (Browser.swift): fds 3 and 4 mapped, stdout and stderr to one log file.
    @Test func mappedDescriptorsAndAnOpenedFileReachTheChildAndNothingElse() throws {
        let commands = try Spawn.pipe(), answers = try Spawn.pipe()
        defer { [commands.read, commands.write, answers.read, answers.write].forEach { close($0) } }
        var leaky: [Int32] = [-1, -1]
        try #require(pipe(&leaky) == 0)
        defer { close(leaky[0]); close(leaky[1]) }
        let dir = try Pipeline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/child.log"
        let pid = try Spawn.process(Self.listing, environment: [], actions: [
            .open(log, on: [1, 2]), .map(commands.read, to: 3), .map(answers.write, to: 4),
        ])
        #expect(Self.waitFor(pid) == 0)
        let fds = Self.descriptors(try Data(contentsOf: URL(fileURLWithPath: log)))
        #expect(fds.keys.sorted() == [0, 1, 2, 3, 4], "\(fds)")
        #expect(fds[0] == "/dev/null")
        #expect(fds[1]?.hasSuffix("/child.log") == true && fds[2] == fds[1], "\(fds)")
        #expect(fds[3] == Self.link(commands.read), "\(fds)")
        #expect(fds[4] == Self.link(answers.write), "\(fds)")
    }

    /// A source that another mapping targets is not clobbered: two descriptors swap places.
    @Test func mappingsThatSwapTwoDescriptorsDoNotClobberEachOther() throws {
        let a = try Spawn.pipe(), b = try Spawn.pipe()
        defer { [a.read, a.write, b.read, b.write].forEach { close($0) } }
        let out = try Spawn.pipe()
        defer { close(out.read) }
        let pid = try Spawn.process(Self.listing, environment: [], actions: [
            .map(out.write, to: 1), .map(a.read, to: b.read), .map(b.read, to: a.read),
        ])
        close(out.write)
        let output = Self.readToEnd(out.read)
        #expect(Self.waitFor(pid) == 0)
        let fds = Self.descriptors(output)
        #expect(fds[b.read] == Self.link(a.read), "\(fds)")
        #expect(fds[a.read] == Self.link(b.read), "\(fds)")
        #expect(fds.keys.sorted() == [0, 1, 2, a.read, b.read].sorted(), "\(fds)")
    }

    /// Its own process group, no signal blocked, SIGPIPE not ignored (the tests ignore it).
    @Test func theChildLeadsItsOwnGroupWithDefaultSignals() throws {
        signal(SIGPIPE, SIG_IGN)
        let out = try Spawn.pipe()
        defer { close(out.read) }
        let pid = try Spawn.process(["/bin/sh", "-c", "cat /proc/self/stat; grep -E '^Sig(Blk|Ign)' /proc/self/status"],
                                    environment: [], actions: [.map(out.write, to: 1), .map(out.write, to: 2)])
        close(out.write)
        let output = Self.readToEnd(out.read)
        #expect(Self.waitFor(pid) == 0)
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n")
        let stat = try #require(lines.first?.split(separator: ")").last?.split(separator: " "))
        #expect(stat.count > 3 && stat[2] == "\(pid)", "pgrp of \(lines.first ?? "")")  // state ppid pgrp
        func mask(_ key: String) -> UInt64? {
            lines.first { $0.hasPrefix(key + ":") }.flatMap { UInt64($0.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces), radix: 16) }
        }
        #expect(mask("SigBlk") == 0, "\(lines)")
        let ignored = try #require(mask("SigIgn"))
        #expect(ignored & (1 << (UInt64(SIGPIPE) - 1)) == 0, "\(lines)")
    }

    @Test func aMissingProgramIsAnErrorNamingIt() {
        #expect(throws: EnvironmentError.self) { _ = try Spawn.process(["/nonexistent/program"], environment: []) }
    }
}
