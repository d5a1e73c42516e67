// Reaper: nothing a lesson starts outlives it. The tool is a subreaper (PR_SET_CHILD_SUBREAPER), so
// a process whose parent exits is re-parented to the tool rather than to init, whatever process group
// or session it moved to. Every process the tool spawns carries a job tag in its environment, which
// its descendants inherit: a re-parented orphan is matched to its job by that tag (or because it was
// seen in the job's tree while its parent lived), and killed with the job. On SIGINT/SIGTERM the tool
// kills every job and its own children, removes its temporary folders and exits 130/143.

import CProcessControl
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads of /proc (Linux).
package enum ProcFS {
    package struct Stat {
        package var state: UInt8
        package var ppid: pid_t
        package var pgrp: pid_t
        /// utime + stime of all its threads, and cutime + cstime of the children it waited for, in ticks.
        var ticks: UInt64
        var childTicks: UInt64
    }

    static let ticksPerSecond = Double(max(1, sysconf(Int32(_SC_CLK_TCK))))

    /// A small /proc file, read with plain syscalls (no Foundation: also used while exiting on a signal).
    static func read(_ path: String, limit: Int = 1 << 16) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count < limit {
            let n = Glibc.read(fd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return bytes
    }

    package static func stat(_ pid: pid_t) -> Stat? {
        guard let bytes = read("/proc/\(pid)/stat"), let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        // After "pid (comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "))
        guard fields.count > 13, let state = fields[0].first else { return nil }
        func number(_ i: Int) -> UInt64 { UInt64(String(decoding: fields[i], as: UTF8.self)) ?? 0 }
        return Stat(state: state, ppid: pid_t(truncatingIfNeeded: number(1)), pgrp: pid_t(truncatingIfNeeded: number(2)),
                    ticks: number(11) + number(12), childTicks: number(13) + number(14))
    }

    /// CPU seconds of the process's live threads: nanoseconds from schedstat where the kernel has it
    /// (a limit of milliseconds must be measurable), else utime + stime in clock ticks.
    static func cpuSeconds(_ pid: pid_t, stat s: Stat) -> Double {
        var nanoseconds: UInt64 = 0
        for task in entries("/proc/\(pid)/task") {
            guard let bytes = read("/proc/\(pid)/task/\(task)/schedstat"),
                  let first = bytes.split(separator: UInt8(ascii: " ")).first,
                  let ns = UInt64(String(decoding: first, as: UTF8.self)) else {
                return Double(s.ticks) / ticksPerSecond
            }
            nanoseconds += ns
        }
        return max(Double(nanoseconds) / 1e9, Double(s.ticks) / ticksPerSecond)
    }

    static func entries(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let e = readdir(dir) {
            let name = withUnsafePointer(to: &e.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// /proc/<pid>/task/<tid>/children exists when the kernel has CONFIG_PROC_CHILDREN.
    static let hasChildrenFiles = access("/proc/self/task/\(getpid())/children", R_OK) == 0

    /// The processes whose parent is `pid` (the children of all its threads).
    package static func children(of pid: pid_t) -> [pid_t] {
        guard hasChildrenFiles else {
            return entries("/proc").compactMap { pid_t($0) }.filter { stat($0)?.ppid == pid }
        }
        var result: [pid_t] = []
        for task in entries("/proc/\(pid)/task") {
            guard let bytes = read("/proc/\(pid)/task/\(task)/children") else { continue }
            result += bytes.split(separator: UInt8(ascii: " ")).compactMap { pid_t(String(decoding: $0, as: UTF8.self)) }
        }
        return result
    }

    /// Every process below `root` (not `root` itself), parents before their children.
    static func descendants(of root: pid_t) -> [pid_t] {
        var result: [pid_t] = []
        var queue = children(of: root)
        var seen = Set<pid_t>()
        while let p = queue.popLast() {
            guard seen.insert(p).inserted else { continue }
            result.append(p)
            queue += children(of: p)
        }
        return result
    }

    /// The value of `key` in the environment the process was started with (nil for a zombie).
    static func environment(_ pid: pid_t, _ key: String) -> String? {
        guard let bytes = read("/proc/\(pid)/environ", limit: 1 << 20) else { return nil }
        let prefix = Array((key + "=").utf8)
        for entry in bytes.split(separator: 0) where entry.starts(with: prefix) {
            return String(decoding: entry.dropFirst(prefix.count), as: UTF8.self)
        }
        return nil
    }
}

/// Write end of the pipe the signal handler writes the signal number to.
nonisolated(unsafe) private var signalPipe: Int32 = -1

/// The registry of the tool's jobs (spawned processes being waited for), their trees, and its
/// temporary folders.
package final class Reaper: @unchecked Sendable {
    package static let shared = Reaper()
    /// Environment variable naming the job a process belongs to; inherited by what it starts.
    package static let tagKey = "ARCFACE_LESSONS_JOB"

    private let lock = NSLock()
    /// Direct children being waited for by a Subprocess call: never an orphan.
    private var roots: Set<pid_t> = []
    /// Processes seen in a job's tree, by job tag (an orphan that lost its tag, e.g. a zombie, is still known).
    private var seen: [String: Set<pid_t>] = [:]
    private var temporaryFolders: Set<String> = []
    private var exiting = false
    /// In the command line tool every child it did not spawn itself is some lesson's orphan; a
    /// library user (the tests) may have children of its own, so only tagged orphans are taken.
    private var ownsAllChildren = false

    private init() {}

    /// Makes this process the reaper of everything its children start (Linux); once. Only the tool
    /// and the REPL do: a library must not change how its host reaps (orphaned zombies would land
    /// on, say, a test runner whose own process monitor waits for any child).
    private lazy var subreaper: Bool = cpc_become_subreaper() == 0
    package func becomeSubreaper() { lock.withLock { _ = subreaper } }

    /// Spawns a job's root process; registered before anyone can mistake it for an orphan.
    /// The process is started by `Spawn.process` (see there for what it inherits).
    package func spawn(_ arguments: [String], environment: [String], actions: [Spawn.Action]) throws -> pid_t {
        try lock.withLock {
            guard !exiting else { throw EnvironmentError("the tool is exiting") }
            let pid = try Spawn.process(arguments, environment: environment, actions: actions)
            roots.insert(pid)
            return pid
        }
    }

    /// The root was reaped: its pid may be reused.
    package func release(_ root: pid_t, tag: String) {
        lock.withLock {
            roots.remove(root)
            seen[tag] = nil
        }
    }

    /// Remembers the job's current tree, so that its members are known after they are orphaned.
    func observe(_ root: pid_t, tag: String) -> [pid_t] {
        let tree = ProcFS.descendants(of: root)
        guard !tree.isEmpty else { return tree }
        lock.withLock { seen[tag, default: []].formUnion(tree) }
        return tree
    }

    /// Kills the job's whole tree: the root (unless `keepRoot`), its descendants, the process groups
    /// they lead, and the tool's orphans of this job (with theirs), until none is left; reaps the
    /// orphans. The root itself is left for its caller to reap.
    package func kill(_ root: pid_t, tag: String, keepRoot: Bool = false) {
        let me = getpid(), myGroup = getpgrp()
        var killed = Set<pid_t>()
        let started = DispatchTime.now().uptimeNanoseconds
        while true {
            // The root's own descendants (a dead root has none: they were re-parented to us).
            var victims = ProcFS.descendants(of: root)
            let (orphans, known, all, live) = lock.withLock {
                (Set(ProcFS.children(of: me)).subtracting(roots), seen[tag] ?? [], ownsAllChildren, liveTags)
            }
            for orphan in orphans where orphan != root {
                let owner = ProcFS.environment(orphan, Self.tagKey)
                // In the tool, an orphan of no running job (untagged, or a zombie whose tag is gone) is a leftover too.
                let ours = owner == tag || known.contains(orphan) || killed.contains(orphan)
                    || (root != me && ProcFS.stat(orphan)?.pgrp == root)
                    || (all && (owner.map { !live.contains($0) } ?? true))
                if ours { victims += [orphan] + ProcFS.descendants(of: orphan) }
            }
            if !keepRoot { Glibc.kill(root, SIGKILL) }
            if root != myGroup && root != me { Glibc.kill(-root, SIGKILL) }
            for v in victims where v != me && v != root {
                // A group a descendant leads (Foundation's Process, setsid) goes with it.
                if let s = ProcFS.stat(v), s.pgrp == v, v != myGroup { Glibc.kill(-v, SIGKILL) }
                Glibc.kill(v, SIGKILL)
                killed.insert(v)
            }
            for o in orphans where killed.contains(o) {
                var status: Int32 = 0
                _ = waitpid(o, &status, WNOHANG)
            }
            if victims.isEmpty { break }
            // Two seconds at most: SIGKILL cannot be refused, so this only waits for the kernel.
            if DispatchTime.now().uptimeNanoseconds - started > 2_000_000_000 { break }
            usleep(1000)
        }
    }

    private var liveTags: Set<String> = []
    /// A job's tag is live from before its root is spawned until its tree is killed.
    package func begin(tag: String) { lock.withLock { _ = liveTags.insert(tag) } }
    package func end(tag: String) { lock.withLock { _ = liveTags.remove(tag) } }

    // MARK: Temporary folders

    func register(temporaryFolder path: String) { lock.withLock { _ = temporaryFolders.insert(path) } }
    package func remove(temporaryFolder path: String) {
        try? FileManager.default.removeItem(atPath: path)
        lock.withLock { _ = temporaryFolders.remove(path) }
    }

    // MARK: Signals

    /// For the command line tool: every child is ours to reap, and the signals given stop every
    /// lesson process, remove the temporary folders and exit 128 + signal. The handler only writes
    /// the signal to a pipe (async-signal-safe); a thread of ours reads it and does the work.
    func installSignalHandlers(_ signals: [Int32] = [SIGINT, SIGTERM]) {
        lock.withLock { ownsAllChildren = true }
        becomeSubreaper()
        guard let (readEnd, writeEnd) = try? Spawn.pipe() else { return }
        signalPipe = writeEnd
        let thread = Thread { [readEnd, signals] in
            // Signals go to the main thread, whose syscalls restart (SA_RESTART); this one only reads.
            var set = sigset_t()
            sigemptyset(&set)
            for s in signals { sigaddset(&set, s) }
            pthread_sigmask(SIG_BLOCK, &set, nil)
            var byte: UInt8 = 0
            while true {
                let n = Glibc.read(readEnd, &byte, 1)
                if n == 1 { Reaper.shared.terminate(status: 128 + Int32(byte)) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
            }
        }
        thread.start()
        // A parent may have started us with these blocked (Foundation's Process does): unblock
        // them here, on the main thread, the one that receives them.
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        for s in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in
                var byte = UInt8(truncatingIfNeeded: signal)
                _ = write(signalPipe, &byte, 1)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(s, &action, nil)
        }
        // A thread that reaches exit() while we terminate waits here, so the exit status is 128 + signal.
        atexit { Reaper.shared.parkIfExiting() }
    }

    /// Blocks a thread for good when the tool is terminating (the terminating thread calls _exit).
    func parkIfExiting() {
        guard lock.withLock({ exiting }) else { return }
        while true { pause() }
    }

    /// Kills every job and every child, removes the temporary folders, exits.
    func terminate(status: Int32) -> Never {
        let folders = lock.withLock { () -> [String] in
            if exiting { while true { pause() } }  // a second signal: the first one is doing the work
            exiting = true  // no job starts after this
            ownsAllChildren = true
            roots.removeAll()  // every child is now a victim
            liveTags.removeAll()
            return Array(temporaryFolders)
        }
        kill(getpid(), tag: "", keepRoot: true)
        for f in folders { try? FileManager.default.removeItem(atPath: f) }
        let message = "arcface-lessons: \(status == 130 ? "interrupted" : "terminated"); lesson processes stopped, temporary files removed\n"
        _ = message.withCString { write(2, $0, strlen($0)) }
        _exit(status)
    }
}

/// The command line tool's signal handling (see `Reaper`).
public enum ToolSignals {
    /// `verify`, `build`: Ctrl-C, SIGTERM and SIGHUP stop every lesson process, remove the temporary
    /// folders and exit 128 + signal. The REPL keeps Ctrl-C for stopping a step (`interrupt: false`).
    public static func install(interrupt: Bool = true) {
        Reaper.shared.installSignalHandlers(interrupt ? [SIGINT, SIGTERM, SIGHUP] : [SIGTERM, SIGHUP])
    }
}
