// Parse: Markdown text -> Lesson (front matter, prose, cells, expected outputs), with line numbers.

import Foundation
import TeXMathML

public enum Parse {
    /// Parses one lesson; all problems found are returned together (the lesson is nil if any is an error).
    public static func lesson(_ source: LessonSource) -> (lesson: Lesson?, diagnostics: [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        func error(_ line: Int, _ message: String, column: Int = 1, hint: String? = nil) {
            diagnostics.append(Diagnostic(stage: .parse, file: source.path, line: line, column: column, message, hint: hint))
        }

        let (withMath, frontMatter) = splitFrontMatter(source.text, error: { error($0, $1, hint: $2) })
        // Formulas come out before cmark parses (TeX's `_` and `*` are not emphasis), rendered now
        // so that bad TeX is an error at its line and column.
        let (markdown, spans) = MathSpans.extract(withMath)
        var math: [MathSpan] = []
        for s in spans {
            do {
                math.append(MathSpan(tex: s.tex, display: s.display, line: s.line, column: s.column,
                                     mathML: try TeX.mathML(s.tex, display: s.display)))
            } catch let e as TeXError {
                // The offset counts from the formula's first character, after the opening $ or $$.
                let before = s.tex.prefix(e.offset)
                let line = s.line + before.filter { $0 == "\n" }.count
                let column = before.contains("\n") ? before.split(separator: "\n", omittingEmptySubsequences: false).last!.count + 1
                                                    : s.column + (s.display ? 2 : 1) + e.offset
                error(line, "bad TeX: \(e.message)", column: column, hint: "see docs/lesson-format.md for the TeX supported")
                math.append(MathSpan(tex: s.tex, display: s.display, line: s.line, column: s.column, mathML: ""))
            } catch let other {
                error(s.line, "bad TeX: \(other)", column: s.column)
            }
        }
        var options = LessonOptions()
        var title = frontMatter["title"]?.value
        if let t = frontMatter["timeout"] {
            if let v = seconds(t.value) { options.timeout = v } else {
                error(t.line, "timeout must be a positive number of seconds up to \(Int(maxSeconds)), got '\(t.value)'")
            }
        }
        options.summary = frontMatter["summary"]?.value
        if let t = frontMatter["cell_timeout"] {
            if let v = seconds(t.value) { options.cellTimeout = v } else {
                error(t.line, "cell_timeout must be a positive number of seconds up to \(Int(maxSeconds)), got '\(t.value)'")
            }
        }
        if let r = frontMatter["raw_html"] {
            switch r.value {
            case "true", "yes": options.rawHTML = true
            case "false", "no": options.rawHTML = false
            default: error(r.line, "raw_html must be true or false, got '\(r.value)'")
            }
        }
        if let i = frontMatter["inputs"] {
            let entries = i.value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            // Checked now (a FIFO or device would hang the cache key's hash), relative to the lesson's folder.
            switch Inputs.resolve(entries, lessonPath: source.path) {
            case .success(let files): options.inputs = files
            case .failure(let e): error(i.line, e.description, hint: "list regular files or folders of them, relative to the lesson's folder")
            }
        }

        var blocks: [Block] = []
        var cellCount = 0
        var previous: MarkdownBlock?
        for mb in Markdown.blocks(markdown) {
            defer { previous = mb }
            if case .heading(1, let text) = mb.kind, title == nil { title = MathSpans.restore(text, math) }
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
                    if let p = previous, case .fencedCode(let info, let code, _) = p.kind,
                       let language = info.split(whereSeparator: \.isWhitespace).first.map(String.init),
                       language != "swift", language != "output" {
                        listing = Listing(line: p.startLine, language: language, code: code)
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
                guard case .cell(var cell) = blocks.last else {
                    error(mb.startLine, "output block has no swift cell right before it",
                          hint: "an ```output block must directly follow the ```swift cell it checks")
                    continue
                }
                if let first = cell.expected {
                    error(mb.startLine, "second output block for the cell at line \(cell.fenceLine) (the first is at line \(first.fenceLine))",
                          hint: "merge them into one block")
                    continue
                }
                cell.expected = expectation
                blocks[blocks.count - 1] = .cell(cell)
            default:
                appendProse(mb, to: &blocks)
            }
        }

        if title == nil {
            error(1, "lesson has no title", hint: "start it with a '# Title' heading or 'title:' front matter")
        }
        guard !diagnostics.contains(where: { $0.severity == .error }) else { return (nil, diagnostics) }
        let lesson = Lesson(path: source.path, slug: source.slug, number: source.number, title: title ?? source.slug,
                            options: options, markdown: markdown, math: math, blocks: blocks, source: source.text)
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
    static func splitFrontMatter(_ text: String, error: (Int, String, String?) -> Void)
        -> (markdown: String, fields: [String: (value: String, line: Int)])
    {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.first?.trimmingCharacters(in: .whitespaces) == "---" else { return (text, [:]) }
        guard let end = lines.dropFirst().firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" }) else {
            error(1, "front matter is never closed", "end it with a '---' line")
            return (text, [:])
        }
        var fields: [String: (value: String, line: Int)] = [:]
        for i in 1..<end {
            let line = lines[i]
            if line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":") else {
                error(i + 1, "front matter line is not 'key: value'", nil)
                continue
            }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q {
                value = String(value.dropFirst().dropLast())
            }
            guard knownKeys.contains(key) else {
                error(i + 1, "unknown front matter key '\(key)'", "known keys: \(knownKeys.joined(separator: ", "))")
                continue
            }
            // The last value silently winning would hide a `raw_html: true` among many lines.
            if let first = fields[key] {
                error(i + 1, "front matter key '\(key)' is given twice (first at line \(first.line))", "keep one of them")
                continue
            }
            fields[key] = (value, i + 1)
        }
        for i in 0...end { lines[i] = "" }
        return (lines.joined(separator: "\n"), fields)
    }
}
