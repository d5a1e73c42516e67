// Spawn: the one way the tool starts a process and makes a pipe. Lesson runs and compiles
// (Subprocess.run), the REPL's lesson process (ReplProcess) and the browser tests' Chromium all
// start here, so that every child gets the same set-up: its own process group, default signal
// handling, an empty signal mask, stdin from /dev/null, and exactly the descriptors it is given.
//
// Lessons run in parallel on threads, so a descriptor that is inheritable for a moment leaks into
// whatever another thread spawns in that moment, and a pipe whose write end a stranger holds does
// not reach its end when its own child exits. Hence: every pipe is made close-on-exec at creation
// (pipe2 with O_CLOEXEC: both ends, atomically), and the child closes every descriptor above 2 it
// was not given (one left inheritable by someone else, say Foundation's Pipe, stays out too).

import Foundation
#if canImport(Glibc)
import Glibc
#endif

package enum Spawn {
    /// What one or more of the child's descriptors are.
    package enum Action: Sendable, Equatable {
        /// The child's descriptor `target` is our descriptor `source` (dup2 in the child, which
        /// clears close-on-exec on the target: a pipe of `Spawn.pipe` reaches the child this way).
        /// `source` is always ours: a source that another mapping targets is not clobbered.
        case map(Int32, to: Int32)
        /// `path` opened in the child with `flags` and `mode` on the first of `on`, and duplicated
        /// to the rest (one open file: stdout and stderr into one log share its offset).
        case open(String, on: [Int32], flags: Int32 = O_WRONLY | O_CREAT | O_TRUNC, mode: mode_t = 0o644)

        var targets: [Int32] {
            switch self {
            case .map(_, let target): [target]
            case .open(_, let on, _, _): on
            }
        }
    }

    /// A pipe with both ends close-on-exec from the start, so that no child of another thread
    /// inherits an end; map an end to pass it to a child.
    package static func pipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        if let pipe2 = pipe2Function {
            guard pipe2(&fds, O_CLOEXEC) == 0 else { throw pipeError() }
        } else {
            // No pipe2 in the C library: the best plain pipe() can do.
            guard Glibc.pipe(&fds) == 0 else { throw pipeError() }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        }
        return (fds[0], fds[1])
    }

    private static func pipeError() -> EnvironmentError {
        EnvironmentError("cannot create a pipe: \(String(cString: strerror(errno)))")
    }

    /// Starts `arguments[0]` (an absolute path) with `environment` (`KEY=VALUE` strings).
    ///
    /// The child leads a new process group (so that everything it forks can be killed at once),
    /// has the default handling of SIGPIPE, SIGINT, SIGTERM and SIGQUIT and no signal blocked.
    /// Its descriptors: those `actions` set; 0 is /dev/null unless an action sets it; 1 and 2 are
    /// ours unless an action sets them; every other descriptor is closed. Returns its pid; the
    /// caller waits for it.
    package static func process(_ arguments: [String], environment: [String], actions: [Action] = []) throws -> pid_t {
        let targets = actions.flatMap(\.targets)
        precondition(Set(targets).count == targets.count, "a descriptor of the child is set twice: \(actions)")
        precondition(targets.allSatisfy { $0 >= 0 }, "a negative descriptor: \(actions)")

        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }

        // Mappings first, in order. A source that an earlier mapping would overwrite in the child
        // (our pipe happens to be fd 3 and something else goes to 3) is mapped from a copy above
        // every target instead; the copies are close-on-exec and closed here after the spawn.
        // (A source equal to its own target is copied too: dup2 onto itself would leave it close-on-exec
        // where the C library predates Austin Group issue 411.)
        let sources = actions.compactMap { action -> Int32? in if case .map(let s, _) = action { s } else { nil } }
        let floor = max(3, ((targets + sources).max() ?? 0) + 1)
        var copies: [Int32] = []
        defer { copies.forEach { Glibc.close($0) } }
        var written = Set<Int32>()
        for case .map(var source, let target) in actions {
            if written.contains(source) || source == target {
                let copy = fcntl(source, F_DUPFD_CLOEXEC, floor)
                guard copy >= 0 else { throw EnvironmentError("cannot duplicate descriptor \(source): \(String(cString: strerror(errno)))") }
                copies.append(copy)
                source = copy
            }
            posix_spawn_file_actions_adddup2(&fileActions, source, target)
            written.insert(target)
        }
        // Then files (after the mappings, so that none of their targets clobbers a source).
        var opens = actions.compactMap { action -> (String, [Int32], Int32, mode_t)? in
            if case .open(let path, let on, let flags, let mode) = action, !on.isEmpty { (path, on, flags, mode) } else { nil }
        }
        if !targets.contains(0) { opens.insert(("/dev/null", [0], O_RDONLY, 0), at: 0) }
        for (path, on, flags, mode) in opens {
            posix_spawn_file_actions_addopen(&fileActions, on[0], path, flags, mode)
            for extra in on.dropFirst() { posix_spawn_file_actions_adddup2(&fileActions, on[0], extra) }
        }
        // Last, everything else above 2: the gaps below the highest target, then the rest.
        let highest = max(2, targets.max() ?? 2)
        for fd in 3..<(highest + 1) where !targets.contains(fd) {
            posix_spawn_file_actions_addclose(&fileActions, fd)
        }
        if let closeFrom = closeFromFunction {
            _ = closeFrom(&fileActions, highest + 1)
        } else {
            // No close-from action (glibc before 2.34): what is open now. A descriptor another
            // thread opens meanwhile is close-on-exec if it is ours (Spawn.pipe, O_CLOEXEC).
            for fd in ProcFS.entries("/proc/self/fd").compactMap({ Int32($0) }) where fd > highest {
                posix_spawn_file_actions_addclose(&fileActions, fd)
            }
        }

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
        let rc = posix_spawn(&pid, arguments[0], &fileActions, &attributes, argv, envp)
        guard rc == 0 else { throw EnvironmentError("cannot run \(arguments[0]): \(String(cString: strerror(rc)))") }
        return pid
    }

    // pipe2 and posix_spawn_file_actions_addclosefrom_np are GNU extensions the Glibc module does
    // not import (it is built without _GNU_SOURCE): looked up once in the C library.
    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let pipe2Function: Pipe2? = symbol("pipe2").map { unsafeBitCast($0, to: Pipe2.self) }
    private static let closeFromFunction: AddCloseFrom? =
        symbol("posix_spawn_file_actions_addclosefrom_np").map { unsafeBitCast($0, to: AddCloseFrom.self) }

    private static func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        guard let handle = dlopen(nil, RTLD_NOW) else { return nil }
        return dlsym(handle, name)
    }
}
