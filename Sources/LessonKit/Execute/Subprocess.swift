// Runs a child process in its own process group, with stdout+stderr in one pipe, a time limit (CPU or
// wall-clock) and an output cap; the Reaper makes sure nothing it started outlives it.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

package struct ProcessResult: Sendable {
    package enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)
        /// Killed because it passed its limit (CPU time when it had one, else wall-clock time).
        case timedOut
        /// Killed by the wall-clock backstop of a CPU-time limit: it waited rather than computed.
        case stalled
        /// Killed because it wrote more than the cap.
        case outputLimit
    }
    package var termination: Termination
    /// stdout and stderr interleaved in the order written (one pipe).
    package var output: Data
    var seconds: Double
    /// CPU time of the program and its descendants, as last sampled.
    var cpuSeconds: Double = 0
}

package enum Subprocess {
    /// Wall-clock backstop of a CPU-time limit, so that a program blocked on I/O or sleeping still
    /// stops: 4 times the limit (a 4x slower machine still passes), and at least 10 s more than it
    /// (a short limit on a loaded machine would be all backstop).
    static func wallBackstop(_ limit: Double) -> Double { max(limit * 4, limit + 10) }

    /// Runs `arguments[0]` (an absolute path) and collects its output. The child gets its own
    /// process group; it and everything it starts (also in other groups or sessions, also after
    /// being orphaned) is killed when it ends, at its limit, or when the tool is signalled (Reaper).
    ///
    /// `timeout` is wall-clock seconds; with `cpuTimeout` the program is stopped when its CPU time
    /// passes that, and `timeout` is only the backstop. `watchdog` is called with each chunk of
    /// output (an empty one on a quiet tick) and the CPU seconds used so far; true: stop now.
    package static func run(_ arguments: [String], environment: [String: String]? = nil,
                    timeout: Double, cpuTimeout: Double? = nil, outputLimit: Int = 16 << 20,
                    watchdog: ((Data, Double) -> Bool)? = nil) throws -> ProcessResult {
        // Close-on-exec at creation: a child another thread spawns meanwhile must not hold the write
        // end (this call would wait for that child's exit as well as for its own child's).
        let (readEnd, writeEnd) = try Spawn.pipe()

        let tag = String(UInt64.random(in: 1...UInt64.max), radix: 16)
        var environment = environment ?? ProcessInfo.processInfo.environment
        environment[Reaper.tagKey] = tag
        let env = environment.map { "\($0.key)=\($0.value)" }.sorted()
        let start = DispatchTime.now().uptimeNanoseconds
        let pid: pid_t
        Reaper.shared.begin(tag: tag)
        defer { Reaper.shared.end(tag: tag) }
        do {
            pid = try Reaper.shared.spawn(arguments, environment: env, actions: [.map(writeEnd, to: 1), .map(writeEnd, to: 2)])
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
        func nanoseconds(_ s: Double) -> UInt64 { UInt64(s.isNaN || s <= 0 ? 0 : min(s, 1e7) * 1e9) }
        let deadline = start + nanoseconds(timeout)
        // Sample the child (has it exited? its CPU time) this often: a tenth of the limit, 1-100 ms
        // (a limit of a few ms must be seen before a quick program's first cell, not after its end).
        let tick = max(1_000_000, min(100_000_000, nanoseconds(min(timeout, cpuTimeout ?? timeout) / 10)))
        let measureCPU = cpuTimeout != nil || watchdog != nil
        var lastSample: UInt64 = 0
        var cpu = 0.0
        var pipeOpen = true, childExited = false
        while true {
            let now = DispatchTime.now().uptimeNanoseconds
            if now >= deadline { killedFor = cpuTimeout == nil ? .timedOut : .stalled; break }
            if now - lastSample >= tick || !pipeOpen {
                lastSample = now
                guard let s = ProcFS.stat(pid) else {
                    // Gone from /proc only once reaped; a failed read alone is not an exit.
                    if access("/proc/\(pid)", F_OK) != 0 { childExited = true; break }
                    continue
                }
                if s.state == UInt8(ascii: "Z") || s.state == UInt8(ascii: "X") { childExited = true; break }
                if measureCPU {
                    // The program's threads, the children it waited for, and its live descendants.
                    let tree = Reaper.shared.observe(pid, tag: tag)
                    let children = Double(s.childTicks) / ProcFS.ticksPerSecond
                    let total = ProcFS.cpuSeconds(pid, stat: s) + children
                        + tree.reduce(0) { sum, p in sum + (ProcFS.stat(p).map { ProcFS.cpuSeconds(p, stat: $0) } ?? 0) }
                    cpu = max(cpu, total)
                    if let cpuTimeout, cpu > cpuTimeout { killedFor = .timedOut; break }
                }
                if watchdog?(Data(), cpu) == true { killedFor = .timedOut; break }
            }
            let wait = Int32(min(tick, deadline - now) / 1_000_000 + 1)
            guard pipeOpen else {
                // Output closed but the program runs on: keep enforcing its limits until it exits.
                usleep(UInt32(wait) * 1000)
                continue
            }
            var pfd = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, wait)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { continue }
            let n = read(readEnd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { pipeOpen = false; continue }
            let chunk = Data(buffer[0..<n])
            output.append(chunk)
            if output.count > outputLimit { killedFor = .outputLimit; break }
            if watchdog?(chunk, cpu) == true { killedFor = .timedOut; break }
        }
        // The tool is being terminated (and kills this child): its result must not be reported.
        Reaper.shared.parkIfExiting()
        // Whatever ended the loop, nothing the program started outlives it: kill the tree (and the
        // program, when a limit stopped it), then read what is left. Once every writer is dead the
        // pipe reaches its end, so a grandchild holding it cannot make this wait.
        Reaper.shared.kill(pid, tag: tag, keepRoot: killedFor == nil && childExited)
        if pipeOpen && killedFor != .outputLimit {
            let drainUntil = DispatchTime.now().uptimeNanoseconds + 2_000_000_000
            while output.count <= outputLimit, DispatchTime.now().uptimeNanoseconds < drainUntil {
                var pfd = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&pfd, 1, 100)
                if ready < 0 && errno == EINTR { continue }
                if ready == 0 { continue }
                let n = read(readEnd, &buffer, buffer.count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                output.append(contentsOf: buffer[0..<n])
            }
        }
        close(readEnd)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        Reaper.shared.parkIfExiting()
        Reaper.shared.release(pid, tag: tag)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let termination: ProcessResult.Termination
        if let killedFor {
            termination = killedFor
        } else if status & 0x7f != 0 {
            termination = .signalled(status & 0x7f)
        } else {
            termination = .exited((status >> 8) & 0xff)
        }
        return ProcessResult(termination: termination, output: output, seconds: seconds, cpuSeconds: cpu)
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
