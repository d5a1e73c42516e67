// Runs a child process in its own process group, with stdout+stderr in one pipe, a deadline and an output cap.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct ProcessResult: Sendable {
    enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)
        /// Killed because it passed its deadline.
        case timedOut
        /// Killed because it wrote more than the cap.
        case outputLimit
    }
    var termination: Termination
    /// stdout and stderr interleaved in the order written (one pipe).
    var output: Data
    var seconds: Double
}

enum Subprocess {
    /// Runs `arguments[0]` (an absolute path) and collects its output. The child gets its own
    /// process group so that a timeout kills everything it forked, too.
    static func run(_ arguments: [String], environment: [String: String]? = nil,
                    timeout: Double, outputLimit: Int = 16 << 20,
                    watchdog: ((Data) -> Bool)? = nil) throws -> ProcessResult {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw EnvironmentError("cannot create a pipe: \(String(cString: strerror(errno)))") }
        let (readEnd, writeEnd) = (fds[0], fds[1])

        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }.sorted()
        let start = DispatchTime.now().uptimeNanoseconds
        let pid: pid_t
        do {
            pid = try spawn(arguments, environment: env, stdinNull: true, dup: [(writeEnd, 1), (writeEnd, 2)], close: [readEnd, writeEnd])
        } catch {
            close(readEnd)
            close(writeEnd)
            throw error
        }
        close(writeEnd)

        var output = Data()
        var killedFor: ProcessResult.Termination?
        var buffer = [UInt8](repeating: 0, count: 65536)
        // Callers validate limits; clamping here keeps the conversion from trapping whatever comes in
        // (nan or a negative limit: no time at all; beyond 1e7 s: 1e7 s).
        let deadline = start + UInt64(timeout.isNaN || timeout <= 0 ? 0 : min(timeout, 1e7) * 1e9)
        while true {
            let now = DispatchTime.now().uptimeNanoseconds
            if now >= deadline { killedFor = .timedOut; break }
            var pfd = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
            // With a watchdog (per-cell limits) wake up often enough to enforce it.
            let waitMs = Int32(min(watchdog == nil ? 1000 : 50, (deadline - now) / 1_000_000 + 1))
            let ready = poll(&pfd, 1, waitMs)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 {
                if watchdog?(Data()) == true { killedFor = .timedOut; break }
                continue
            }
            let n = read(readEnd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            let chunk = Data(buffer[0..<n])
            output.append(chunk)
            if output.count > outputLimit { killedFor = .outputLimit; break }
            if watchdog?(chunk) == true { killedFor = .timedOut; break }
        }
        if killedFor != nil { kill(-pid, SIGKILL) }
        close(readEnd)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // Grandchildren (forked `traps` cells) share the group; make sure none outlives the run.
        kill(-pid, SIGKILL)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let termination: ProcessResult.Termination
        if let killedFor {
            termination = killedFor
        } else if status & 0x7f != 0 {
            termination = .signalled(status & 0x7f)
        } else {
            termination = .exited((status >> 8) & 0xff)
        }
        return ProcessResult(termination: termination, output: output, seconds: seconds)
    }

    /// posix_spawn in a new process group (so that everything the child forks can be killed at
    /// once) with default signal handling, stdin from /dev/null, `dup` mapping (source, target)
    /// descriptors and `close` closed in the child. `environment` holds `KEY=VALUE` strings.
    static func spawn(_ arguments: [String], environment: [String], stdinNull: Bool = true,
                      dup: [(Int32, Int32)], close: [Int32]) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if stdinNull { posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) }
        for (source, target) in dup { posix_spawn_file_actions_adddup2(&actions, source, target) }
        for fd in Set(close) { posix_spawn_file_actions_addclose(&actions, fd) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t(); sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t(); sigemptyset(&defaults)
        for s in [SIGPIPE, SIGINT, SIGTERM, SIGQUIT] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard rc == 0 else { throw EnvironmentError("cannot run \(arguments[0]): \(String(cString: strerror(rc)))") }
        return pid
    }

    /// Finds an executable on PATH.
    static func which(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
