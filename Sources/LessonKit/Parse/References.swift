// References: cross-references (`@tab-norms`, `@fig-margin`, `@eq-margin`) and citations
// (`[@deng2019arcface]`, `[@a; @b]`) in the prose. Parse finds them (in MathSpans' one scan, so
// code is skipped and every line and column is the file's) and stands a placeholder in for each;
// labels of tables and plots are only known once the lesson ran, so they are numbered and checked
// after Execute (`Numbering`, `References.check`) and rendered by the Site stage.

import LessonRuntime

/// `@tab-norms` or `[@deng2019arcface; @wang2018cosface]` in the prose.
public struct ProseReference: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// `@tab-x`, `@fig-x`, `@eq-x`: a numbered table, figure or equation of the same page.
        case label(String)
        /// `[@a; @b]`: works of references.bib, with the column of each key.
        case citation(keys: [String], columns: [Int])
    }
    public var kind: Kind
    public var line: Int
    public var column: Int
    /// As written (titles and headings keep it).
    public var source: String
}

public enum References {
    /// What a label's prefix says it names.
    public enum TargetKind: String, Sendable, CaseIterable {
        case table = "tab", figure = "fig", equation = "eq"
        var name: String {
            switch self {
            case .table: "Table"
            case .figure: "Figure"
            case .equation: "Equation"
            }
        }
    }

    /// Plain letters and digits, which cmark passes through as text (like `MathSpans.placeholder`).
    static func placeholder(_ k: Int) -> String { "AFLREF\(k)X" }

    /// A label's kind from its prefix (`tab-`, `fig-`, `eq-`), nil when it has none of them.
    public static func kind(of label: String) -> TargetKind? {
        guard let dash = label.firstIndex(of: "-") else { return nil }
        return TargetKind(rawValue: String(label[..<dash]))
    }

    /// A well-formed label: `tab-`, `fig-` or `eq-`, then letters, digits, `-` and `_`.
    public static func isValidLabel(_ label: String) -> Bool {
        guard let kind = kind(of: label) else { return false }
        let rest = label.dropFirst(kind.rawValue.count + 1)
        return !rest.isEmpty && rest.allSatisfy { isLabelCharacter($0) }
    }

    static func isLabelCharacter(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "_") }
    static func isKeyCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "_" || c == ":" || c == "." || c == "+" || c == "/")
    }

    /// A reference starting at `line[j]` (an `@` or a `[`), and how many characters it spans.
    /// `@tab-x` must not follow a letter, digit, `.`, `/` or `:` (an e-mail address or a URL is not one); `[@a; @b]`
    /// must not be followed by `(`, `[` or `:` (a link with `@` in its text).
    static func scan(_ text: [Character], at j: Int, line: Int) -> (ProseReference, Int)? {
        func source(_ n: Int) -> String { String(text[j..<(j + n)]) }
        if text[j] == "@" {
            if j > 0, text[j - 1].isLetter || text[j - 1].isNumber || "._@-+/:=".contains(text[j - 1]) { return nil }
            var k = j + 1
            while k < text.count, isLabelCharacter(text[k]) { k += 1 }
            while k > j + 1, text[k - 1] == "-" || text[k - 1] == "_" { k -= 1 }  // `@fig-x-` ends at x
            let label = String(text[(j + 1)..<k])
            guard kind(of: label) != nil, isValidLabel(label) else { return nil }
            return (ProseReference(kind: .label(label), line: line, column: j + 1, source: source(k - j)), k - j)
        }
        guard text[j] == "[", j + 1 < text.count, text[j + 1] == "@" else { return nil }
        var keys: [String] = [], columns: [Int] = []
        var k = j + 1
        while true {
            guard k < text.count, text[k] == "@" else { return nil }
            let start = k + 1
            k = start
            while k < text.count, isKeyCharacter(text[k]) { k += 1 }
            guard k > start else { return nil }
            keys.append(String(text[start..<k]))
            columns.append(start)  // 1-based column of the key's `@`
            while k < text.count, text[k] == " " { k += 1 }
            guard k < text.count else { return nil }
            if text[k] == "]" { break }
            guard text[k] == ";" else { return nil }
            k += 1
            while k < text.count, text[k] == " " { k += 1 }
        }
        k += 1
        if k < text.count, "([:".contains(text[k]) { return nil }
        return (ProseReference(kind: .citation(keys: keys, columns: columns), line: line, column: j + 1, source: source(k - j)), k - j)
    }

    /// Text with reference placeholders put back as written (titles).
    static func restore(_ text: String, _ references: [ProseReference]) -> String {
        replacing(text) { k in k < references.count ? references[k].source : nil }
    }

    /// Text with each reference placeholder replaced by `replacement(k)` (left as is when nil).
    static func replacing(_ text: String, _ replacement: (Int) -> String?) -> String {
        guard text.contains("AFLREF") else { return text }
        var out = "", rest = Substring(text)
        while let r = rest.range(of: "AFLREF") {
            let digits = rest[r.upperBound...].prefix { $0.isASCII && $0.isNumber }
            let end = rest.index(r.upperBound, offsetBy: digits.count)
            if !digits.isEmpty, end < rest.endIndex, rest[end] == "X", let k = Int(digits), let s = replacement(k) {
                out += rest[..<r.lowerBound]
                out += s
                rest = rest[rest.index(after: end)...]
            } else {
                out += rest[..<r.upperBound]
                rest = rest[r.upperBound...]
            }
        }
        return out + rest
    }

    // MARK: After Execute

    /// The checks of a run's references: every table and plot label well-formed and used once,
    /// every `@label` naming one of the page, every cited key in references.bib.
    static func check(_ run: LessonRun) -> [Check] {
        let lesson = run.lesson
        let numbering = Numbering(run)
        var checks: [Check] = []
        func fail(_ line: Int, _ column: Int, _ name: String, _ message: String, hint: String? = nil) {
            checks.append(.failed(Diagnostic(stage: .verify, file: lesson.path, line: line, column: column, message, hint: hint), name))
        }
        for p in numbering.problems { fail(p.line, 1, "label \(p.label)", p.message, hint: p.hint) }
        // A lesson that stopped early did not show every table: its unknown labels are not run.
        let complete = run.compileErrors.isEmpty && run.cells.allSatisfy {
            switch $0.outcome {
            case .completed, .trappedAsExpected, .didNotTrap: true
            default: false
            }
        }
        let known = numbering.targets.keys.sorted()
        for r in lesson.references {
            switch r.kind {
            case .label(let label):
                let name = "reference @\(label)"
                if numbering.targets[label] != nil {
                    checks.append(.passed(lesson.path, r.line, name))
                } else if !complete && kind(of: label) != .equation {
                    checks.append(.notRun(lesson.path, r.line, name))
                } else {
                    let what = kind(of: label).map { $0.name.lowercased() } ?? "target"
                    fail(r.line, r.column, name, "unknown label '@\(label)': no \(what) of this page has it",
                         hint: known.isEmpty ? "label a table or plot (`Table(label: \"tab-x\", ...)`, `Plot(label: \"fig-x\", ...)`) or an equation (`$$ ... $$ {#eq-x}`)"
                                             : "labels on this page: \(known.joined(separator: ", "))")
                }
            case .citation(let keys, let columns):
                for (key, column) in zip(keys, columns) {
                    let name = "citation @\(key)"
                    if run.bibliography?.entries[key] != nil {
                        checks.append(.passed(lesson.path, r.line, name))
                    } else if run.bibliography == nil {
                        fail(r.line, column, name, "citation '@\(key)' but the lessons folder has no \(Bibliography.fileName)",
                             hint: "add the work to \(Bibliography.fileName) next to the lessons")
                    } else {
                        fail(r.line, column, name, "unknown citation key '@\(key)': \(Bibliography.fileName) has no entry '\(key)'",
                             hint: "add an entry @article{\(key), ...} to \(Bibliography.fileName), or correct the key")
                    }
                }
            }
        }
        return checks
    }
}

/// The numbered targets of one page: tables and figures (labelled rich results, in the order the
/// cells showed them) and equations (labelled display formulas, in document order), each counted
/// on its own; and the works cited, numbered in the order first cited.
struct Numbering {
    struct Target: Equatable {
        var kind: References.TargetKind
        var number: Int
        /// "Table 2", "Figure 1", "(3)".
        var text: String {
            kind == .equation ? "(\(number))" : "\(kind.name) \(number)"
        }
    }
    var targets: [String: Target] = [:]
    /// Label problems found in the rich results (malformed, wrong prefix, used twice), at the cell.
    var problems: [(line: Int, label: String, message: String, hint: String?)] = []
    /// Cited keys in the order first cited.
    var cited: [String] = []

    init(_ run: LessonRun) {
        var counts: [References.TargetKind: Int] = [:]
        func add(_ label: String, _ kind: References.TargetKind) {
            counts[kind, default: 0] += 1
            targets[label] = Target(kind: kind, number: counts[kind]!)
        }
        for (cell, result) in zip(run.lesson.cells, run.cells) {
            for segment in result.segments {
                guard case .rich(let rich) = segment else { continue }
                let (label, kind, what): (String?, References.TargetKind, String) = switch rich {
                case .table(let t): (t.label, .table, "table")
                case .plot(let p): (p.label, .figure, "plot")
                case .slider(let s): (s.label, .figure, "plot slider")
                }
                guard let label else { continue }
                if References.kind(of: label) != kind || !References.isValidLabel(label) {
                    problems.append((cell.fenceLine, label, "a \(what)'s label must be '\(kind.rawValue)-' and letters, digits, '-' or '_', got '\(label)'",
                                     "write label: \"\(kind.rawValue)-name\""))
                } else if targets[label] != nil {
                    problems.append((cell.fenceLine, label, "label '\(label)' is used twice on this page",
                                     "give each table and plot its own label"))
                } else {
                    add(label, kind)
                }
            }
        }
        // Equation labels are checked (well-formed, unique) when the lesson is parsed.
        for span in run.lesson.math {
            if let label = span.label, targets[label] == nil { add(label, .equation) }
        }
        for r in run.lesson.references {
            if case .citation(let keys, _) = r.kind {
                for k in keys where !cited.contains(k) { cited.append(k) }
            }
        }
    }

    /// The number of a cited work on this page, from 1.
    func citation(_ key: String) -> Int? { cited.firstIndex(of: key).map { $0 + 1 } }
}
