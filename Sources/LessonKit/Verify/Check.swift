// Check: one verified claim of a lesson (an output block, a prose value, a link, a site file), and
// the tally of a run's checks.

public struct Check: Sendable, Equatable {
    public enum Status: String, Sendable { case passed, failed, notRun = "not run" }
    public var file: String
    public var line: Int
    /// What was checked: `output of cell 3`, `value at 12:5`, `lesson compiles`, ...
    public var name: String
    public var status: Status
    /// Why it failed (nil when it passed or did not run).
    public var diagnostic: Diagnostic?

    static func passed(_ file: String, _ line: Int, _ name: String) -> Check { Check(file: file, line: line, name: name, status: .passed) }
    static func notRun(_ file: String, _ line: Int, _ name: String) -> Check { Check(file: file, line: line, name: name, status: .notRun) }
    static func failed(_ d: Diagnostic, _ name: String) -> Check {
        Check(file: d.file ?? "", line: d.line, name: name, status: .failed, diagnostic: d)
    }
}

public struct Tally: Sendable, Equatable {
    public var passed = 0
    public var failed = 0
    public var notRun = 0
    public init() {}
    public init(_ checks: [Check]) {
        for c in checks {
            switch c.status {
            case .passed: passed += 1
            case .failed: failed += 1
            case .notRun: notRun += 1
            }
        }
    }
    /// The closing line of a run: `N passed, N failed` (plus `, N not run` when some could not run).
    public var summary: String {
        "\(passed) passed, \(failed) failed" + (notRun > 0 ? ", \(notRun) not run" : "")
    }
}
