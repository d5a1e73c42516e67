// The one error type of the pipeline: where it happened (stage, file, line, column), what, and a hint.

/// A problem found by any stage, printed as `lessons/01-renorm.md:41:1: error: ...` so that editors
/// and CI can jump to it.
public struct Diagnostic: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning, note }
    public enum Stage: String, Sendable { case load, parse, compile, run, verify, render, write, environment }

    public var severity: Severity
    public var stage: Stage
    /// Path as the user gave it (relative to the working directory when possible); nil for environment errors.
    public var file: String?
    public var line: Int
    public var column: Int
    public var message: String
    public var hint: String?

    public init(_ severity: Severity = .error, stage: Stage, file: String?, line: Int = 1, column: Int = 1,
                _ message: String, hint: String? = nil) {
        self.severity = severity
        self.stage = stage
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.hint = hint
    }

    public var description: String {
        var s = ""
        if let file { s += "\(file):\(line):\(column): " }
        s += "\(severity.rawValue): \(message)"
        if let hint { s += "\n  hint: \(hint)" }
        return s
    }
}

/// Thrown when the run cannot start at all (no lessons directory, no compiler, ArcFaceKit not built): exit 2.
public struct EnvironmentError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var hint: String?
    public init(_ message: String, hint: String? = nil) { self.message = message; self.hint = hint }
    public var description: String { "error: \(message)" + (hint.map { "\n  hint: \($0)" } ?? "") }
}
