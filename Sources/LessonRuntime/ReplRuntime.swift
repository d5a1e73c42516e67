// ReplRuntime: what a lesson program compiled for `arcface-lessons repl` does between its cells.
//
// The REPL compiles the lesson once, with `ReplRuntime.checkpoint(i)` before each cell i and
// `ReplRuntime.end(n)` after the last one. At a checkpoint the program reads commands, one per line,
// from the file descriptor named by ARCFACE_REPL_FD (without it, checkpoints do nothing and the
// program runs straight through):
//
//   step          run the next cell (return from the checkpoint)
//   load <path>   dlopen a compiled input and call its `repl_entry`
//   preload <path> dlopen a compiled input without calling it (its declarations become available)
//   quit          exit
//
// and answers on stdout with records (Record.swift): `ready:<pid>:<cell>` when it waits for the
// next command, `restored` when a step failed and a snapshot took over, `loaderror:<json>`.
//
// Steps are guarded by a snapshot: before a cell or an input runs, the process forks a copy that
// waits. When the step completes, the copy is told to exit; when the step traps (or is killed by
// Ctrl-C in the REPL), the copy sees its pipe close, takes over as the lesson process and reports
// `restored`. So a trapping input costs nothing but the input: the state before it is kept.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Called by lesson programs generated for the REPL; not meant for lesson code.
public enum ReplRuntime {
    nonisolated(unsafe) static var commandFD: Int32 = Int32(ProcessInfo.processInfo.environment["ARCFACE_REPL_FD"] ?? "") ?? -1
    /// The snapshot guarding the step in progress: its pid and the write end of its pipe.
    nonisolated(unsafe) static var snapshot: (pid: pid_t, fd: Int32)?

    private typealias Entry = @convention(c) () -> Void

    /// Serves commands before cell `cell` (or after the last one) until told to run the next cell.
    public static func checkpoint(_ cell: Int) {
        guard commandFD >= 0 else { return }
        release()  // the cell that just ended completed
        while true {
            LessonRuntime.record(.ready(pid: getpid(), cell: cell))
            guard let line = readCommand() else { exit(0) }
            let verb = line.prefix(while: { $0 != " " })
            let argument = String(line.dropFirst(verb.count + 1))
            switch verb {
            case "step":
                if guardStep() { return }
            case "load":
                if guardStep() {
                    load(argument, call: true)
                    release()
                }
            case "preload":
                load(argument, call: false)
            case "quit":
                exit(0)
            default:
                LessonRuntime.record(.loadError("unknown command: \(line)"))
            }
        }
    }

    /// After the last cell: serves commands until `quit` (run by hand, without a command descriptor: returns).
    public static func end(_ cells: Int) {
        while commandFD >= 0 { checkpoint(cells) }
    }

    private static func load(_ path: String, call: Bool) {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_GLOBAL) else {
            LessonRuntime.record(.loadError(dlerror().map { String(cString: $0) } ?? "dlopen failed"))
            return
        }
        guard call else { return }
        guard let symbol = dlsym(handle, "repl_entry") else {
            LessonRuntime.record(.loadError("\(path) has no repl_entry"))
            return
        }
        unsafeBitCast(symbol, to: Entry.self)()
    }

    /// Forks the snapshot that guards the next step. Returns true in the process that runs the
    /// step; false in the snapshot after it took over from a process that died during the step.
    private static func guardStep() -> Bool {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return true }  // no snapshot: the step runs unguarded
        // Not inherited by what a cell starts: a background child holding the write end would keep
        // the snapshot from seeing the step die. (Lesson programs start children from one thread.)
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let pid = fork()
        if pid < 0 {
            close(fds[0]); close(fds[1])
            return true
        }
        if pid == 0 {
            close(fds[1])
            var byte: UInt8 = 0
            var n: Int
            repeat { n = read(fds[0], &byte, 1) } while n < 0 && errno == EINTR
            if n == 1 { _exit(0) }  // the step completed; this copy is no longer needed
            close(fds[0])
            snapshot = nil
            LessonRuntime.record(.restored)
            return false
        }
        close(fds[0])
        snapshot = (pid, fds[1])
        return true
    }

    /// The step completed: the snapshot exits.
    private static func release() {
        guard let s = snapshot else { return }
        snapshot = nil
        var byte: UInt8 = 1
        _ = write(s.fd, &byte, 1)
        close(s.fd)
        var status: Int32 = 0
        while waitpid(s.pid, &status, 0) < 0 && errno == EINTR {}
    }

    /// One line from the command descriptor, read byte by byte (a snapshot shares the descriptor,
    /// so nothing may be read ahead); nil at end of input (the REPL went away).
    private static func readCommand() -> String? {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let n = read(commandFD, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            if byte == 10 { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
    }
}
