// Execute: Lesson -> LessonRun. Compiles the lesson's program against ArcFaceKit, runs it once,
// and splits what it printed into per-cell results.

import ArcFaceKit
import Foundation

/// One piece of a cell's output, in the order it was produced.
public enum OutputSegment: Sendable, Equatable {
    case text(String)
    case rich(RichResult)
}

public struct CellResult: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case completed
        /// The cell trapped unexpectedly (or a `traps` cell's child ended the whole program).
        case trapped(message: String)
        /// A `traps` cell trapped, as it should.
        case trappedAsExpected(message: String)
        /// A `traps` cell completed without trapping.
        case didNotTrap
        /// The lesson passed its time limit while this cell ran.
        case timedOut(seconds: Double)
        /// The lesson printed more than the output cap (`limit` bytes) while this cell ran.
        case outputLimit(limit: Int)
        /// An earlier cell ended the program (or it did not compile).
        case notRun
    }
    public var index: Int
    public var segments: [OutputSegment]
    public var outcome: Outcome

    /// The text a cell's ```output block is compared with: printed text, with rich results as their text form.
    public var checkedText: String {
        segments.map { if case .text(let t) = $0 { t } else if case .rich(let r) = $0 { r.text } else { "" } }.joined()
    }
}

public struct LessonRun: Sendable {
    public var lesson: Lesson
    /// Compiler errors, placed at Markdown lines; when not empty, no cell ran.
    public var compileErrors: [Diagnostic]
    public var cells: [CellResult]
    public var seconds: Double
}

public struct ExecuteOptions: Sendable {
    /// Default time limit of one lesson program, in seconds (front matter `timeout:` overrides).
    public var timeout: Double = 120
    /// Overrides every lesson's own limit when set (command line `--timeout`).
    public var timeoutOverride: Double?
    public var outputLimit: Int = 8 << 20
    public var workDirectory: String
    /// Clang/Swift module cache shared by runs (a cold cache costs about a second per compile).
    public var moduleCache: String?
    public init(workDirectory: String) { self.workDirectory = workDirectory }
}

public enum Execute {
    public static func run(_ lesson: Lesson, toolchain: Toolchain, options: ExecuteOptions) throws -> LessonRun {
        let start = Date()
        let dir = options.workDirectory + "/" + lesson.slug
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let source = dir + "/main.swift", binary = dir + "/lesson"
        try Program.source(for: lesson).write(toFile: source, atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(atPath: binary)

        let compile = try Subprocess.run(
            toolchain.compileArguments(source: source, output: binary, moduleCache: options.moduleCache ?? options.workDirectory + "/module-cache"),
            timeout: 600)
        guard compile.termination == .exited(0) else {
            let text = String(decoding: compile.output, as: UTF8.self)
            let errors = compilerErrors(text, lesson: lesson, generated: source)
            return LessonRun(lesson: lesson, compileErrors: errors,
                             cells: lesson.cells.map { CellResult(index: $0.index, segments: [], outcome: .notRun) },
                             seconds: Date().timeIntervalSince(start))
        }

        let nonce = String(UInt64.random(in: 1...UInt64.max), radix: 16)
        var env = ProcessInfo.processInfo.environment
        env["ARCFACE_LESSON_NONCE"] = nonce
        env["SWIFT_BACKTRACE"] = "enable=no"  // keep a trapping child's report to its one message line
        let limit = options.timeoutOverride ?? lesson.options.timeout ?? options.timeout
        let result = try Subprocess.run([binary], environment: env, timeout: limit, outputLimit: options.outputLimit)
        let cells = split(result, nonce: nonce, lesson: lesson, timeout: limit, outputLimit: options.outputLimit)
        return LessonRun(lesson: lesson, compileErrors: [], cells: cells, seconds: Date().timeIntervalSince(start))
    }

    /// Compiler errors from `-diagnostic-style llvm` output. Errors under `#sourceLocation` already
    /// name the Markdown file; anything else is placed at the lesson's first cell.
    static func compilerErrors(_ output: String, lesson: Lesson, generated: String) -> [Diagnostic] {
        var errors: [Diagnostic] = []
        let fallbackLine = lesson.cells.first?.codeLine ?? 1
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 4, omittingEmptySubsequences: false)
            if parts.count == 5, let l = Int(parts[1]), let c = Int(parts[2]), parts[3] == " error" {
                let message = parts[4].trimmingCharacters(in: .whitespaces)
                if String(parts[0]) == lesson.path {
                    errors.append(Diagnostic(stage: .compile, file: lesson.path, line: l, column: c, message))
                } else {
                    errors.append(Diagnostic(stage: .compile, file: lesson.path, line: fallbackLine,
                                             "\(message) (in \(parts[0] == generated ? "generated code" : String(parts[0])):\(l))"))
                }
            } else if line.hasPrefix("error: ") {
                errors.append(Diagnostic(stage: .compile, file: lesson.path, line: fallbackLine, String(line.dropFirst(7))))
            }
        }
        if errors.isEmpty {
            let tail = output.split(separator: "\n").suffix(5).joined(separator: "\n")
            errors.append(Diagnostic(stage: .compile, file: lesson.path, line: fallbackLine,
                                     "the lesson program did not compile:\n\(tail)"))
        }
        return errors
    }

    /// Splits the program's output at its records into per-cell segments and outcomes.
    static func split(_ result: ProcessResult, nonce: String, lesson: Lesson, timeout: Double, outputLimit: Int) -> [CellResult] {
        var cells = lesson.cells.map { CellResult(index: $0.index, segments: [], outcome: .notRun) }
        var current: Int?
        var finished = false
        var trapSignal: [Int: Int32] = [:]
        let text = String(decoding: result.output, as: UTF8.self)
        let marker = "\u{1E}AFL:\(nonce):"
        var rest = Substring(text)
        func appendText(_ s: Substring) {
            guard let i = current, !s.isEmpty else { return }
            if case .text(let t)? = cells[i].segments.last {
                cells[i].segments[cells[i].segments.count - 1] = .text(t + s)
            } else {
                cells[i].segments.append(.text(String(s)))
            }
        }
        while let r = rest.range(of: marker) {
            appendText(rest[..<r.lowerBound])
            guard let close = rest[r.upperBound...].firstIndex(of: "\u{1E}") else { rest = rest[r.upperBound...]; break }
            let record = rest[r.upperBound..<close]
            rest = rest[rest.index(after: close)...]
            if rest.first == "\n" { rest = rest.dropFirst() }
            let kind = record.prefix(while: { $0 != ":" })
            let payload = record.dropFirst(kind.count + 1)
            switch kind {
            case "cell":
                if let i = Int(payload), cells.indices.contains(i) {
                    if let prev = current, cells[prev].outcome == .notRun { cells[prev].outcome = .completed }
                    current = i
                }
            case "rich":
                if let i = current, let rich = try? JSONDecoder().decode(RichResult.self, from: Data(payload.utf8)) {
                    cells[i].segments.append(.rich(rich))
                }
            case "trapped":
                if let i = current { trapSignal[i] = Int32(payload) ?? 0 }
            case "notrap":
                if let i = current { cells[i].outcome = .didNotTrap }
            case "end":
                finished = true
            default:
                break
            }
        }
        appendText(rest)
        if let last = current, cells[last].outcome == .notRun, finished { cells[last].outcome = .completed }

        for i in cells.indices {
            if trapSignal[i] != nil {
                let (cleaned, message) = trapMessage(cells[i].segments)
                cells[i].segments = cleaned
                cells[i].outcome = .trappedAsExpected(message: message)
            }
        }
        guard !finished, let i = current else { return cells }
        // The program ended inside cell i.
        switch result.termination {
        case .timedOut: cells[i].outcome = .timedOut(seconds: timeout)
        case .outputLimit: cells[i].outcome = .outputLimit(limit: outputLimit)
        case .signalled(let s):
            let (cleaned, message) = trapMessage(cells[i].segments)
            cells[i].segments = cleaned
            cells[i].outcome = .trapped(message: message.isEmpty ? "terminated by signal \(s)" : message)
        case .exited(let code):
            cells[i].outcome = .trapped(message: "the program exited with status \(code) before the lesson finished")
        }
        return cells
    }

    private static let trapPrefixes = ["Fatal error", "Precondition failed", "Assertion failed", "Unexpectedly found nil",
                                       "Illegal instruction", "Segmentation fault"]

    /// Finds the runtime's trap report (`<file>:<line>: Fatal error: <message>`) in a cell's text,
    /// drops its location prefix (so the shown output does not depend on paths) and the stack
    /// trace the runtime prints even with SWIFT_BACKTRACE=enable=no (addresses differ every run).
    static func trapMessage(_ segments: [OutputSegment]) -> ([OutputSegment], String) {
        var message = ""
        let cleaned = segments.map { segment -> OutputSegment in
            guard case .text(let t) = segment else { return segment }
            var kept: [Substring] = []
            var inTrace = false
            for line in t.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("Current stack trace:") { inTrace = true; continue }
                if inTrace, let first = line.first, first.isNumber, line.contains(" 0x") { continue }
                inTrace = false
                if let p = trapPrefixes.lazy.compactMap({ line.range(of: $0) }).first {
                    message = String(line)
                    kept.append(line[p.lowerBound...])
                } else {
                    kept.append(line)
                }
            }
            return .text(kept.joined(separator: "\n"))
        }
        return (cleaned, message)
    }
}
