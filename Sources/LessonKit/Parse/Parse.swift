// Parse: Markdown text -> Lesson (front matter, prose, cells, expected outputs), with line numbers.

import Foundation
import TeXMathML
import Yams

public enum Parse {
    /// Parses one lesson; all problems found are returned together (the lesson is nil if any is an error).
    public static func lesson(_ source: LessonSource) -> (lesson: Lesson?, diagnostics: [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        func error(_ line: Int, _ message: String, column: Int = 1, hint: String? = nil) {
            diagnostics.append(Diagnostic(stage: .parse, file: source.path, line: line, column: column, message, hint: hint))
        }

        let (withMath, frontMatter) = splitFrontMatter(source.text, error: { error($0, $2, column: $1, hint: $3) })
        // Formulas come out before cmark parses (TeX's `_` and `*` are not emphasis), rendered now
        // so that bad TeX is an error at its line and column.
        let (markdown, spans, references) = MathSpans.extractAll(withMath)
        var math: [MathSpan] = []
        var equationLabels: [String: (line: Int, column: Int)] = [:]
        for s in spans {
            if let label = s.label {
                // The label's line: that of the closing $$ (the formula's line plus its newlines).
                let line = s.line + s.tex.filter { $0 == "\n" }.count
                if References.kind(of: label.text) != .equation || !References.isValidLabel(label.text) {
                    error(line, "malformed equation label '{#\(label.text)}'", column: label.column,
                          hint: "write {#eq-name}: 'eq-' and letters, digits, '-' or '_'")
                } else if let first = equationLabels[label.text] {
                    error(line, "label '\(label.text)' is used twice on this page (first at line \(first.line))", column: label.column,
                          hint: "give each equation its own label")
                } else {
                    equationLabels[label.text] = (line, label.column)
                }
            }
            do {
                math.append(MathSpan(tex: s.tex, display: s.display, line: s.line, column: s.column,
                                     mathML: try TeX.mathML(s.tex, display: s.display), label: s.label?.text))
            } catch let e as TeXError {
                // The offset counts from the formula's first character, after the opening $ or $$.
                let before = s.tex.prefix(e.offset)
                let line = s.line + before.filter { $0 == "\n" }.count
                let column = before.contains("\n") ? before.split(separator: "\n", omittingEmptySubsequences: false).last!.count + 1
                                                    : s.column + (s.display ? 2 : 1) + e.offset
                error(line, "bad TeX: \(e.message)", column: column, hint: "see docs/lesson-format.md for the TeX supported")
                math.append(MathSpan(tex: s.tex, display: s.display, line: s.line, column: s.column, mathML: "", label: s.label?.text))
            } catch let other {
                error(s.line, "bad TeX: \(other)", column: s.column)
            }
        }
        var options = LessonOptions()
        // Front matter values are YAML: text, numbers, booleans and lists, each checked for its type.
        func text(_ key: String) -> String? {
            guard let f = frontMatter[key] else { return nil }
            guard case .scalar = f.node, let t = f.node.string else { error(f.line, "\(key) must be text", column: f.column); return nil }
            return t
        }
        func limit(_ key: String) -> Double? {
            guard let f = frontMatter[key] else { return nil }
            guard case .scalar = f.node, let v = f.node.float ?? f.node.int.map(Double.init), validSeconds(v) else {
                error(f.line, "\(key) must be a positive number of seconds up to \(Int(maxSeconds)), got '\(f.node.string ?? "a list")'", column: f.column)
                return nil
            }
            return v
        }
        var title = text("title")
        options.timeout = limit("timeout")
        options.summary = text("summary")
        options.cellTimeout = limit("cell_timeout")
        if let r = frontMatter["raw_html"] {
            if case .scalar = r.node, let b = r.node.bool { options.rawHTML = b } else {
                error(r.line, "raw_html must be true or false, got '\(r.node.string ?? "a list")'", column: r.column)
            }
        }
        if let i = frontMatter["inputs"] {
            // A YAML list (`inputs: [data.csv, more/]` or one item a line), or one comma-separated text.
            let entries: [String]
            switch i.node {
            case .sequence(let items): entries = items.compactMap(\.string)
            default: entries = (i.node.string ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            }
            // Checked now (a FIFO or device would hang the cache key's hash), relative to the lesson's folder.
            switch Inputs.resolve(entries, lessonPath: source.path) {
            case .success(let files): options.inputs = files
            case .failure(let e): error(i.line, e.description, hint: "list regular files or folders of them, relative to the lesson's folder")
            }
        }

        var blocks: [Block] = []
        var cellCount = 0
        var previous: MarkdownBlock?, beforePrevious: MarkdownBlock?
        var python: [PythonCell] = []
        /// The ```python block just seen, while an ```output block may still make it a cell.
        var pendingPython: PythonCell?
        var exercises = ExerciseScanner(source: withMath)
        for mb in Markdown.blocks(markdown) {
            defer { (beforePrevious, previous) = (previous, mb) }
            // A python block is a cell once the block after it is an ```output block (or it is marked to run).
            if let p = pendingPython {
                var isOutput = false
                if case .fencedCode(let info, _, _) = mb.kind, info.split(whereSeparator: \.isWhitespace).first == "output" { isOutput = true }
                if !isOutput, p.attributes.makesACell {
                    python.append(p)
                }
                if !isOutput { pendingPython = nil }
            }
            if case .heading(1, let text) = mb.kind, title == nil { title = References.restore(MathSpans.restore(text, math), references) }
            if let e = exercises.scan(mb, math: math, cellIndex: cellCount) { error(e.line, e.message, hint: e.hint) }
            guard case .fencedCode(let info, let literal, let closed) = mb.kind else {
                appendProse(mb, to: &blocks)
                continue
            }
            if !closed {
                error(mb.startLine, "code fence is never closed", hint: "add a closing ``` line after the code")
            }
            let words = info.split(whereSeparator: \.isWhitespace).map(String.init)
            switch words.first {
            case "swift":
                var attributes = CellAttributes()
                for word in words.dropFirst() {
                    switch word {
                    case "hide": attributes.hide = true
                    case "traps": attributes.traps = true
                    case "nocheck": attributes.nocheck = true
                    case "hide-output": attributes.hideOutput = true
                    case "pair": attributes.pair = true
                    case "solution": attributes.solution = true
                    case "fold": attributes.fold = true
                    case _ where word.hasPrefix("timeout="):
                        if let v = seconds(String(word.dropFirst("timeout=".count))) { attributes.timeout = v } else {
                            error(mb.startLine, "malformed cell timeout '\(word)'", hint: "write seconds up to \(Int(maxSeconds)), e.g. timeout=10")
                        }
                    default:
                        error(mb.startLine, "unknown cell attribute '\(word)'",
                              hint: "known attributes: \(CellAttributes.known.joined(separator: ", "))")
                    }
                }
                var listing: Listing?
                if attributes.pair {
                    func language(_ b: MarkdownBlock?) -> String? {
                        guard let b, case .fencedCode(let info, _, _) = b.kind else { return nil }
                        return info.split(whereSeparator: \.isWhitespace).first.map(String.init) ?? ""
                    }
                    if let p = previous, case .fencedCode(_, let code, _) = p.kind, let l = language(p), l != "swift", l != "output" {
                        listing = Listing(line: p.startLine, language: l, code: code)
                    } else if language(previous) == "output", let p = beforePrevious, case .fencedCode(_, let code, _) = p.kind,
                              language(p) == "python", let checked = python.last, checked.fenceLine == p.startLine {
                        // A checked Python cell and its output, then the Swift that mirrors it.
                        listing = Listing(line: p.startLine, language: "python", code: code, expected: checked.expected)
                    } else {
                        error(mb.startLine, "a `pair` cell needs a listing right before it",
                              hint: "put the ```python block it mirrors directly above the cell")
                    }
                }
                blocks.append(.cell(Cell(index: cellCount, fenceLine: mb.startLine, endLine: mb.endLine, code: literal,
                                         attributes: attributes, expected: nil, pairedListing: listing)))
                cellCount += 1
            case "output":
                var tolerance = Tolerance()
                for word in words.dropFirst() {
                    let kv = word.split(separator: "=", maxSplits: 1).map(String.init)
                    guard kv.count == 2, kv[0] == "tol" || kv[0] == "rtol" else {
                        error(mb.startLine, "unknown output attribute '\(word)'", hint: "use tol=1e-4 or rtol=1e-3")
                        continue
                    }
                    guard let v = Double(kv[1]), v >= 0, v.isFinite else {
                        error(mb.startLine, "malformed tolerance '\(word)'", hint: "write a non-negative number, e.g. \(kv[0])=1e-4")
                        continue
                    }
                    if kv[0] == "tol" { tolerance.abs = v } else { tolerance.rel = v }
                }
                let expectation = Expectation(fenceLine: mb.startLine, text: literal, tolerance: tolerance)
                if var p = pendingPython {
                    p.expected = expectation
                    python.append(p)
                    pendingPython = nil
                    appendProse(mb, to: &blocks)
                    continue
                }
                if let last = python.last, last.expected != nil, let p = previous, case .fencedCode(let info, _, _) = p.kind,
                   info.split(whereSeparator: \.isWhitespace).first == "output", beforePrevious?.startLine == last.fenceLine {
                    error(mb.startLine, "second output block for the python cell at line \(last.fenceLine) (the first is at line \(last.expected!.fenceLine))",
                          hint: "merge them into one block")
                    appendProse(mb, to: &blocks)
                    continue
                }
                guard case .cell(var cell) = blocks.last else {
                    error(mb.startLine, "output block has no swift cell right before it",
                          hint: "an ```output block must directly follow the ```swift or ```python cell it checks")
                    continue
                }
                if let first = cell.expected {
                    error(mb.startLine, "second output block for the cell at line \(cell.fenceLine) (the first is at line \(first.fenceLine))",
                          hint: "merge them into one block")
                    continue
                }
                cell.expected = expectation
                blocks[blocks.count - 1] = .cell(cell)
            case "python":
                var attributes = PythonAttributes()
                for word in words.dropFirst() {
                    switch word {
                    case "run": attributes.run = true
                    case "hide": attributes.hide = true
                    case "fold": attributes.fold = true
                    case "raises": attributes.raises = true
                    default:
                        error(mb.startLine, "unknown python cell attribute '\(word)'",
                              hint: "known attributes: \(PythonAttributes.known.joined(separator: ", ")); a python block with an ```output block after it is checked by verify --python")
                    }
                }
                pendingPython = PythonCell(index: python.count, fenceLine: mb.startLine, endLine: mb.endLine, code: literal,
                                           attributes: attributes, expected: nil)
                appendProse(mb, to: &blocks)
            default:
                appendProse(mb, to: &blocks)
            }
        }
        if let p = pendingPython, p.attributes.makesACell { python.append(p) }

        if let e = exercises.finish() { error(e.line, e.message, hint: e.hint) }
        let cells = blocks.compactMap { if case .cell(let c) = $0 { c } else { nil } }
        // A solution without an ```output block fails verify (Verify.swift), so that --accept can write it.
        for cell in cells where cell.attributes.solution {
            for (on, word) in [(cell.attributes.traps, "traps"), (cell.attributes.nocheck, "nocheck")] where on {
                error(cell.fenceLine, "a `solution` cell cannot be `\(word)`", hint: "a solution runs and its output is checked")
            }
        }

        if title == nil {
            error(1, "lesson has no title", hint: "start it with a '# Title' heading or 'title:' front matter")
        }
        guard !diagnostics.contains(where: { $0.severity == .error }) else { return (nil, diagnostics) }
        let lesson = Lesson(path: source.path, slug: source.slug, number: source.number, title: title ?? source.slug,
                            options: options, markdown: markdown, math: math, references: references, blocks: blocks,
                            exercises: exercises.found, source: source.text, pythonCells: python)
        return (lesson, diagnostics)
    }

    private static func appendProse(_ mb: MarkdownBlock, to blocks: inout [Block]) {
        let inline = mb.swiftCodeSpans.map { span -> InlineExpression in
            var code = String(span.code.dropFirst("{swift}".count)).trimmingCharacters(in: .whitespaces)
            var expected: String?
            if let r = code.range(of: " ~ ", options: .backwards) {
                expected = code[r.upperBound...].trimmingCharacters(in: .whitespaces)
                code = String(code[..<r.lowerBound])
            }
            return InlineExpression(line: span.line, column: span.column, code: code, expected: expected)
        }
        if case .prose(var p) = blocks.last {
            p.lines = p.lines.lowerBound...max(p.lines.upperBound, mb.endLine)
            p.inlineExpressions += inline
            blocks[blocks.count - 1] = .prose(p)
        } else {
            blocks.append(.prose(Prose(lines: mb.startLine...max(mb.startLine, mb.endLine), inlineExpressions: inline)))
        }
    }

    /// The longest time limit a lesson, a cell or the command line may set (11.6 days): far beyond
    /// any lesson, and far inside what the deadline arithmetic (nanoseconds in a UInt64) holds.
    public static let maxSeconds = 1e6

    /// A time limit in seconds: finite, positive, at most `maxSeconds`; nil otherwise.
    public static func seconds(_ text: String) -> Double? {
        guard let v = Double(text), validSeconds(v) else { return nil }
        return v
    }

    public static func validSeconds(_ v: Double) -> Bool { v.isFinite && v > 0 && v <= maxSeconds }

    static let knownKeys = ["title", "summary", "timeout", "cell_timeout", "raw_html", "inputs"]

    /// Splits `---` front matter (simple `key: value` lines) from the body. The front matter lines
    /// are blanked, not removed, so that every line number stays that of the file.
    static func splitFrontMatter(_ text: String, error: (Int, Int, String, String?) -> Void)
        -> (markdown: String, fields: [String: (node: Node, line: Int, column: Int)])
    {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.first?.trimmingCharacters(in: .whitespaces) == "---" else { return (text, [:]) }
        guard let end = lines.dropFirst().firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" }) else {
            error(1, 1, "front matter is never closed", "end it with a '---' line")
            return (text, [:])
        }
        // The block between the fences is YAML; its line 1 is the file's line 2.
        let yaml = lines[1..<end].joined(separator: "\n")
        for i in 0...end { lines[i] = "" }
        let markdown = lines.joined(separator: "\n")
        let report = error
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let YamlError.scanner(context, problem, mark, _), let YamlError.parser(context, problem, mark, _) {
            error(mark.line + 1, mark.column, "front matter is not valid YAML: \(problem)" + (context.map { " (\($0.text))" } ?? ""),
                  "quote a value that holds ': ' or starts with a special character, e.g. title: \"A: B\"")
            return (markdown, [:])
        } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
            // The last value silently winning would hide a `raw_html: true` among many lines.
            let key = duplicates.first ?? "?"
            let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
            let at = lines.indices.filter { lines[$0].hasPrefix(key + ":") || lines[$0].hasPrefix(key + " :") }
            let (first, second) = at.count >= 2 ? (at[0] + 2, at[1] + 2) : (context.mark.line + 1, context.mark.line + 1)
            error(second, 1, "front matter key '\(key)' is given twice (first at line \(first))", "keep one of them")
            return (markdown, [:])
        } catch {
            report(2, 1, "front matter is not valid YAML: \(error)", nil)
            return (markdown, [:])
        }
        guard let root else { return (markdown, [:]) }
        guard case .mapping(let mapping) = root else {
            error((root.mark?.line ?? 1) + 1, root.mark?.column ?? 1, "front matter must be 'key: value' lines", nil)
            return (markdown, [:])
        }
        var fields: [String: (node: Node, line: Int, column: Int)] = [:]
        for (keyNode, value) in mapping {
            let line = (keyNode.mark?.line ?? 1) + 1
            guard let key = keyNode.string, knownKeys.contains(key) else {
                error(line, keyNode.mark?.column ?? 1, "unknown front matter key '\(keyNode.string ?? "?")'", "known keys: \(knownKeys.joined(separator: ", "))")
                continue
            }
            if let first = fields[key] {
                error(line, keyNode.mark?.column ?? 1, "front matter key '\(key)' is given twice (first at line \(first.line))", "keep one of them")
                continue
            }
            fields[key] = (value, line, value.mark?.column ?? 1)
        }
        return (markdown, fields)
    }
}

/// Finds the exercises while Parse walks the blocks: a heading whose text starts with the word
/// `Exercise` opens one, prose (and cells, if the exercise needs some set-up) follows as its prompt,
/// and the next `swift solution` cell closes it. Another heading, or the end of the file, before the
/// solution is an error at the exercise's heading; a solution outside an exercise is an error at its fence.
struct ExerciseScanner {
    struct Problem { var line: Int; var message: String; var hint: String }
    private struct Open { var title: String; var headingLine: Int; var promptStart: Int; var hasProse = false }

    let sourceLines: [Substring]
    private var open: Open?
    private(set) var found: [Exercise] = []

    /// `source`: the lesson with front matter blanked and formulas still as TeX (the prompt keeps them).
    init(source: String) { sourceLines = source.split(separator: "\n", omittingEmptySubsequences: false) }

    /// `Exercise`, `Exercise: ...`, `Exercise 2 - ...` (but not `Exercises` or `Exercised`).
    static func isExerciseHeading(_ text: String) -> Bool {
        guard text.hasPrefix("Exercise") else { return false }
        guard let next = text.dropFirst("Exercise".count).first else { return true }
        return !next.isLetter
    }

    mutating func scan(_ block: MarkdownBlock, math: [MathSpan], cellIndex: Int) -> Problem? {
        switch block.kind {
        case .heading(_, let text):
            let problem = unsolved()
            open = nil
            if Self.isExerciseHeading(text) {
                open = Open(title: MathSpans.restore(text, math), headingLine: block.startLine, promptStart: block.endLine + 1)
            }
            return problem
        case .fencedCode(let info, _, _):
            let words = info.split(whereSeparator: \.isWhitespace)
            guard words.first == "swift", words.dropFirst().contains("solution") else { return nil }
            guard let o = open else {
                return Problem(line: block.startLine, message: "a `swift solution` cell must end an exercise, and no exercise is open here",
                               hint: "put a heading that starts with 'Exercise' (### Exercise: ...) and the prompt before it")
            }
            open = nil
            guard o.hasProse else {
                return Problem(line: o.headingLine, message: "exercise '\(o.title)' has no prompt",
                               hint: "write what to do in prose between the heading and the `swift solution` cell")
            }
            let lines = o.promptStart <= block.startLine - 1 ? sourceLines[(o.promptStart - 1)..<min(block.startLine - 1, sourceLines.count)] : []
            let prompt = lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            found.append(Exercise(number: found.count + 1, title: o.title, headingLine: o.headingLine, prompt: prompt,
                                  solutionIndex: cellIndex))
            return nil
        case .other:
            open?.hasProse = true
            return nil
        }
    }

    /// The end of the file.
    mutating func finish() -> Problem? {
        defer { open = nil }
        return unsolved()
    }

    private func unsolved() -> Problem? {
        guard let o = open else { return nil }
        return Problem(line: o.headingLine, message: "exercise '\(o.title)' has no `swift solution` cell",
                       hint: "end the exercise with a ```swift solution cell and its ```output block, before the next heading")
    }
}
