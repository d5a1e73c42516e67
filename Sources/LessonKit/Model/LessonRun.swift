// LessonRun: what running a lesson gave, per cell (its output as text and rich results, and how it
// ended) and per prose value. The Execute stage makes it; Verify checks it; the Site stage renders it.

import LessonRuntime

/// One piece of a cell's output, in the order it was produced.
public enum OutputSegment: Sendable, Equatable, Codable {
    case text(String)
    case rich(RichResult)
}

public struct CellResult: Sendable, Equatable, Codable {
    public enum Outcome: Sendable, Equatable, Codable {
        case completed
        /// The cell trapped unexpectedly (or a `traps` cell's child ended the whole program).
        case trapped(message: String)
        /// A `traps` cell trapped, as it should.
        case trappedAsExpected(message: String)
        /// A `traps` cell completed without trapping.
        case didNotTrap
        /// The lesson (or, with `cellLimit`, this cell) used more CPU time than its limit while this cell ran.
        case timedOut(seconds: Double, cellLimit: Bool)
        /// The lesson (or this cell) ran past the wall-clock backstop (`Subprocess.wallBackstop` of its
        /// limit) without using that much CPU time: it was waiting (sleep, I/O).
        case stalled(seconds: Double, cellLimit: Bool)
        /// The lesson printed more than the output cap (`limit` bytes) while this cell ran.
        case outputLimit(limit: Int)
        /// An earlier cell ended the program (or it did not compile).
        case notRun
    }
    public var index: Int
    public var segments: [OutputSegment]
    public var outcome: Outcome

    /// The text a cell's ```output block is compared with: printed text, with rich results as their text form.
    /// NUL reads as U+FFFD, as CommonMark reads it in the ```output block it is compared with.
    public var checkedText: String {
        let text = segments.map { if case .text(let t) = $0 { t } else if case .rich(let r) = $0 { r.text } else { "" } }.joined()
        return text.contains("\u{0}") ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
    }
}

/// What a `{swift}` value in the prose evaluated to.
public enum InlineOutcome: Sendable, Equatable, Codable {
    /// The value's description, as `print` would show it.
    case value(String)
    case trapped(String)
}

public struct LessonRun: Sendable {
    public var lesson: Lesson
    /// Inline values by their index in `lesson.inlineExpressions`; missing when not reached.
    public var inline: [Int: InlineOutcome] = [:]
    /// Compiler errors, placed at Markdown lines; when not empty, no cell ran.
    public var compileErrors: [Diagnostic]
    public var cells: [CellResult]
    public var seconds: Double
    /// Of `seconds`: inside swiftc and inside the lesson program (0 for a cached result).
    public var compileSeconds: Double = 0
    public var programSeconds: Double = 0
    /// The lessons folder's references.bib (nil when it has none), for the page's citations.
    public var bibliography: Bibliography? = nil
    /// What the lesson's Python cells did, when `verify --python` ran them.
    public var python: PythonRun? = nil
}
