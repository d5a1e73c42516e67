// Report formats: the text CI and editors read (`file:line:col: error: ...`), GitHub workflow
// annotations, and JUnit XML with one test case per check.

import Foundation

public struct Report: Sendable {
    /// Every check of the run, in lesson order, then line order.
    public var checks: [Check] = []
    /// Notes that explain checks (e.g. which cell stopped a lesson).
    public var notes: [Diagnostic] = []
    public var runs: [LessonRun] = []
    /// Every lesson of the course that parsed, selected or not (a partial build's sidebar and pager).
    public var course: [Lesson] = []
    /// How many lessons came from the cache.
    public var cached = 0
    /// Where the time went (`--timings`).
    public var timings = Timings()
    /// Python cells of the selected lessons that were not run, and why (no `--python`, no torch).
    public var pythonSkipped = 0
    public var pythonSkipReason: String?
    /// The torch version the Python cells ran with.
    public var torchVersion: String?
    public var tally: Tally { Tally(checks) }
    public var ok: Bool { !checks.contains { $0.status != .passed } }
    /// Errors of the failed checks and the notes, in lesson order.
    public var diagnostics: [Diagnostic] {
        var all: [(Int, Diagnostic)] = []
        for (i, c) in checks.enumerated() { if let d = c.diagnostic { all.append((i, d)) } }
        for n in notes {
            let at = checks.lastIndex { $0.file == n.file && $0.line <= n.line } ?? checks.firstIndex { $0.file == n.file } ?? checks.count
            all.append((at, n))
        }
        return all.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element.1)
    }
}

public enum ReportFormat: String, CaseIterable, Sendable {
    case text, github
}

extension Report {
    /// The lines verify prints: every problem, then `N passed, N failed`.
    public func rendered(_ format: ReportFormat) -> String {
        var out = ""
        for d in diagnostics {
            switch format {
            case .text:
                out += d.description.visibleControls() + "\n"
            case .github:
                // ::error file=F,line=L,col=C::message (newlines and % escaped as the runner requires)
                let kind = d.severity == .error ? "error" : d.severity == .warning ? "warning" : "notice"
                var props: [String] = []
                if let f = d.file { props += ["file=\(Self.githubProperty(f))", "line=\(d.line)", "col=\(d.column)"] }
                let message = d.message + (d.hint.map { "\nhint: \($0)" } ?? "")
                out += "::\(kind) \(props.joined(separator: ","))::\(Self.githubData(message))\n"
            }
        }
        return out + pythonLine + tally.summary + "\n"
    }

    /// `23 Python cells skipped (run them with verify --python)`: a count, not a failure.
    var pythonLine: String {
        if pythonSkipped > 0 {
            return "\(pythonSkipped) Python cell\(pythonSkipped == 1 ? "" : "s") skipped (\(pythonSkipReason ?? "not run"))\n"
        }
        if let torchVersion { return "Python cells ran with torch \(torchVersion)\n" }
        return ""
    }

    static func githubData(_ s: String) -> String {
        s.visibleControls(keeping: ["\n", "\r"]).replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    static func githubProperty(_ s: String) -> String {
        githubData(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }

    /// JUnit XML: a test suite per lesson file, a test case per check (failed, skipped when not run).
    public func junit() -> String {
        var files: [String] = []
        var byFile: [String: [Check]] = [:]
        for c in checks {
            if byFile[c.file] == nil { files.append(c.file) }
            byFile[c.file, default: []].append(c)
        }
        let t = tally
        // XML 1.0 cannot hold most control characters at all, not even as references.
        func esc(_ s: String) -> String { Render.escape(s.visibleControls()) }
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"arcface-lessons verify\" tests=\"\(checks.count)\" failures=\"\(t.failed)\" skipped=\"\(t.notRun)\">\n"
        for file in files {
            let cs = byFile[file]!
            let failed = cs.filter { $0.status == .failed }.count, skipped = cs.filter { $0.status == .notRun }.count
            xml += "  <testsuite name=\"\(esc(file))\" tests=\"\(cs.count)\" failures=\"\(failed)\" skipped=\"\(skipped)\">\n"
            for c in cs {
                let name = "\(c.name) (line \(c.line))"
                xml += "    <testcase classname=\"\(esc(file))\" name=\"\(esc(name))\" file=\"\(esc(file))\" line=\"\(c.line)\""
                switch c.status {
                case .passed:
                    xml += "/>\n"
                case .notRun:
                    xml += "><skipped message=\"not run: an earlier failure stopped the lesson\"/></testcase>\n"
                case .failed:
                    let d = c.diagnostic
                    xml += "><failure message=\"\(esc(d?.message ?? "failed"))\">\(esc(d?.description ?? ""))</failure></testcase>\n"
                }
            }
            xml += "  </testsuite>\n"
        }
        return xml + "</testsuites>\n"
    }
}

extension Report {
    /// Writes `junit()` to `path` (a temporary file renamed over it, so a reader never sees half a
    /// report); a failure is an environment error naming the file and the reason in words.
    public func writeJUnit(to path: String) throws {
        let bytes = Array(junit().utf8)
        let temp = "\(path).\(getpid()).tmp"
        func fail(_ code: Int32) -> EnvironmentError {
            EnvironmentError("cannot write the JUnit report '\(path)': \(String(cString: strerror(code)))",
                             hint: "give --junit a file path in a folder that exists and that you can write")
        }
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw fail(errno) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { let code = errno; close(fd); unlink(temp); throw fail(code) }
            offset += n
        }
        guard close(fd) == 0 else { let code = errno; unlink(temp); throw fail(code) }
        guard rename(temp, path) == 0 else { let code = errno; unlink(temp); throw fail(code) }
    }
}
