// ReplProcess: the persistent lesson process behind `arcface-lessons repl`. It runs the lesson program
// compiled for the REPL (see LessonRuntime/ReplRuntime.swift), sends it commands on fd 3 and reads its
// output and records from one pipe (stdout and stderr), as Execute does for a whole run.

import LessonKit
import LessonRuntime
import Foundation
#if canImport(Glibc)
import Glibc
#endif

final class ReplProcess {
    /// What the lesson process said while a command ran.
    enum Event: Equatable {
        case text(String)
        case rich(RichResult)
        case cell(Int)
        /// A `traps` cell trapped (as it should) / did not trap.
        case trapped
        case notrap
        /// The step trapped or was interrupted; a snapshot from before it took over.
        case restored
        case loadError(String)
    }

    struct Ready: Equatable {
        var pid: pid_t
        var cell: Int
    }

    /// The first process; its process group holds every lesson process of this session.
    let group: pid_t
    /// The process that runs the steps now (a snapshot takes over when a step traps).
    private(set) var live: pid_t
    private let output: Int32
    private let commands: Int32
    private var reader: RecordReader
    private var running = true
    private var stopped = false
    /// The Reaper's job tag: what the lesson process starts (also outside its group) dies with the session.
    private let tag = String(UInt64.random(in: 1...UInt64.max), radix: 16)

    init(binary: String, environment extra: [String: String]) throws {
        let nonce = Record.makeNonce()
        reader = RecordReader(nonce: nonce)
        // Both pipes close-on-exec at creation (the child gets its ends by mapping): no other child
        // of the tool inherits an end, and the lesson process does not inherit the REPL's ends.
        let out = try Spawn.pipe()
        let command: (read: Int32, write: Int32)
        do { command = try Spawn.pipe() } catch {
            close(out.read); close(out.write)
            throw error
        }

        var env = Execute.programEnvironment(nonce: nonce)
        env["ARCFACE_REPL_FD"] = "3"
        for (k, v) in extra { env[k] = v }
        env[Reaper.tagKey] = tag
        Reaper.shared.begin(tag: tag)
        // Its own process group: Ctrl-C on the terminal reaches the REPL only, which decides what to stop.
        let pid: pid_t
        do {
            pid = try Reaper.shared.spawn([binary], environment: env.map { "\($0.key)=\($0.value)" },
                                          actions: [.map(out.write, to: 1), .map(out.write, to: 2), .map(command.read, to: 3)])
        } catch {
            close(out.write); close(command.read)
            close(out.read); close(command.write)
            Reaper.shared.end(tag: tag)
            throw error
        }
        close(out.write)
        close(command.read)
        group = pid
        live = pid
        output = out.read
        commands = command.write
    }

    deinit { stop() }

    /// Sends one command line; false when the process is gone.
    @discardableResult
    func send(_ command: String) -> Bool {
        guard running else { return false }
        var bytes = Array((command + "\n").utf8)
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(commands, $0.baseAddress! + off, $0.count - off) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            off += n
        }
        return true
    }

    /// Reads until the process waits for its next command, passing on what it prints as it comes.
    /// `interrupted` is polled: when it says so, the running step is killed (a snapshot takes over).
    /// Nil: the process ended.
    func waitReady(_ onEvent: (Event) -> Void, interrupted: () -> Bool = { false }) -> Ready? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var killed = false
        while true {
            if let ready = parse(onEvent) { return ready }
            if !killed && interrupted() {
                kill(live, SIGKILL)
                killed = true
            }
            var pfd = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
            let r = poll(&pfd, 1, 100)
            if r < 0 && errno == EINTR { continue }
            if r == 0 {
                flushText(onEvent)
                reap()
                continue
            }
            let n = read(output, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                flushText(onEvent, all: true)
                running = false
                reap()
                return nil
            }
            reader.append(buffer[0..<n])
        }
    }

    /// Passes on the text and records read so far. Returns the ready record if one was reached
    /// (what follows it stays in the reader).
    private func parse(_ onEvent: (Event) -> Void) -> Ready? {
        while let piece = reader.next() {
            switch piece {
            case .text(let t): if !t.isEmpty { onEvent(.text(t)) }
            case .record(.ready(let pid, let cell)):
                live = pid
                reap()
                return Ready(pid: pid, cell: cell)
            case .record(.cell(let i)): onEvent(.cell(i))
            case .record(.rich(let rich)): onEvent(.rich(rich))
            case .record(.trapped): onEvent(.trapped)
            case .record(.notrap): onEvent(.notrap)
            case .record(.restored): onEvent(.restored)
            case .record(.loadError(let message)): onEvent(.loadError(message))
            case .record: break   // verify's records (prose values, end)
            }
        }
        return nil
    }

    /// Text that cannot be part of a record yet goes out; a possible record start stays pending.
    private func flushText(_ onEvent: (Event) -> Void, all: Bool = false) {
        if let t = reader.flush(final: all), !t.isEmpty { onEvent(.text(t)) }
    }

    /// Collects lesson processes that ended (the first is our child; with the REPL as subreaper,
    /// so is a snapshot whose parent died). Only this session's: another child of the tool (a
    /// compile, a test's process) is its own caller's to wait for.
    private func reap() {
        for child in ProcFS.children(of: getpid()) {
            guard let s = ProcFS.stat(child), s.pgrp == group, s.state == UInt8(ascii: "Z") else { continue }
            var status: Int32 = 0
            _ = waitpid(child, &status, WNOHANG)
        }
    }

    /// Ends the session's lesson processes (the group, snapshots included).
    func stop() {
        guard !stopped else { return }
        stopped = true
        if running {
            send("quit")
            running = false
        }
        close(commands)
        // The group (snapshots included), and what a cell started in a group or session of its own.
        kill(-group, SIGKILL)
        Reaper.shared.kill(group, tag: tag)
        var status: Int32 = 0
        while waitpid(group, &status, 0) < 0 && errno == EINTR {}
        reap()
        Reaper.shared.release(group, tag: tag)
        Reaper.shared.end(tag: tag)
        close(output)
    }
}
