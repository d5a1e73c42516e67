// LessonRuntime: what a generated lesson program calls around its cells (`LessonRuntime.beginCell(i)`,
// `display`, `expectTrap`, ...): it writes the channel's records (Record.swift). Not meant for
// lesson code. Without a nonce (a lesson program run by hand) rich results print as their text form.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Called by generated lesson programs; not meant for lesson code.
public enum LessonRuntime {
    nonisolated(unsafe) static var nonce: String? = ProcessInfo.processInfo.environment[Record.nonceVariable]

    static func record(_ record: Record) {
        guard let nonce else { return }
        write(record.encoded(nonce: nonce))
    }

    static func write(_ s: String) {
        var s = s
        s.withUTF8 { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(1, buf.baseAddress! + off, buf.count - off)
                if n <= 0 { break }
                off += n
            }
        }
    }

    public static func beginCell(_ index: Int) { record(.cell(index)) }

    public static func finish() { record(.end) }

    /// A `{swift}` value in the prose is about to be evaluated (so a trap is placed at its line).
    public static func beginInline(_ index: Int) { record(.inlineBegin(index)) }

    /// The value of the `{swift}` expression `index`, as `print` shows it.
    public static func inlineValue<T>(_ index: Int, _ value: T) {
        let text = String(describing: value)
        guard nonce != nil else { write(text + "\n"); return }
        record(.inline(index, text))
    }

    static func emit(_ result: RichResult) {
        guard nonce != nil else { write(result.text); return }
        record(.rich(result))
    }

    /// Shows the value of a cell's final expression, as a notebook does.
    public static func display<T>(_ value: T) { print(value) }
    /// A final expression of type Void (`print(x)`, a call) shows nothing.
    public static func display(_ value: Void) {}

    /// Runs an exercise's `solution` cell in a forked child, so that it sees every cell before it and
    /// nothing it declares or changes reaches the cells after it. A trap (or a non-zero exit) in it
    /// is reported as `trapped`, which verify reports as a failure of the solution.
    public static func isolated(_ body: () throws -> Void) {
        let pid = fork()
        if pid == 0 {
            do { try body() } catch { fatalError("Error raised: \(error)") }
            _exit(0)
        }
        guard pid > 0 else {
            write("Fatal error: the solution's child process could not be started\n")
            record(.trapped(0))
            return
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        if signal != 0 || (status >> 8) & 0xff != 0 { record(.trapped(signal)) }
    }

    /// Runs a cell marked `traps` in a forked child so that the trap ends only the child and the
    /// lesson goes on; the child sees all state of the cells before it.
    public static func expectTrap(_ body: () throws -> Void) {
        let pid = fork()
        if pid == 0 {
            do { try body() } catch { fatalError("Error raised: \(error)") }
            record(.notrap)
            _exit(0)
        }
        guard pid > 0 else { record(.notrap); return }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        if signal != 0 {
            record(.trapped(signal))
        } else if (status >> 8) & 0xff != 0 {
            // exit(n) with n != 0 counts as a trap too: the cell did not complete.
            record(.trapped(0))
        }
    }
}
