// Math in prose: finds `$...$` and `$$...$$` outside code, before cmark sees them (so that `_` and
// `*` inside TeX are not read as emphasis), and stands a placeholder in for each.

/// One formula of a lesson, with where it is written and its rendered MathML.
public struct MathSpan: Sendable, Equatable {
    public var tex: String
    public var display: Bool
    public var line: Int
    public var column: Int
    public var mathML: String
    /// `$$ ... $$ {#eq-margin}`: the equation's cross-reference label (numbered on the page).
    public var label: String? = nil
}

enum MathSpans {
    /// Placeholders are plain letters and digits, which cmark passes through as text untouched.
    static func placeholder(_ k: Int) -> String { "AFLMATH\(k)X" }

    /// Text with placeholders put back as `$tex$` (titles, anchors, the search index).
    static func restore(_ text: String, _ math: [MathSpan]) -> String {
        guard text.contains("AFLMATH") else { return text }
        // One scan (replacing each placeholder in turn through Foundation cost a tenth of a warm build).
        var out = ""
        var rest = Substring(text)
        while let r = rest.range(of: "AFLMATH") {
            let digits = rest[r.upperBound...].prefix { $0.isASCII && $0.isNumber }
            let end = rest.index(r.upperBound, offsetBy: digits.count)
            if !digits.isEmpty, end < rest.endIndex, rest[end] == "X", let k = Int(digits), k < math.count {
                out += rest[..<r.lowerBound]
                out += math[k].tex
                rest = rest[rest.index(after: end)...]
            } else {
                out += rest[..<r.upperBound]
                rest = rest[r.upperBound...]
            }
        }
        return out + rest
    }

    /// Splits text at placeholders: (text before, formula index) pieces, then the rest.
    static func pieces(_ text: String) -> (parts: [(text: String, math: Int)], rest: String) {
        var parts: [(text: String, math: Int)] = []
        var rest = Substring(text)
        while let r = rest.range(of: "AFLMATH") {
            let digits = rest[r.upperBound...].prefix { $0.isNumber }
            let end = rest.index(r.upperBound, offsetBy: digits.count)
            guard !digits.isEmpty, end < rest.endIndex, rest[end] == "X", let k = Int(digits) else {
                break
            }
            parts.append((String(rest[..<r.lowerBound]), k))
            rest = rest[rest.index(after: end)...]
        }
        return (parts, String(rest))
    }

    typealias Found = (tex: String, display: Bool, line: Int, column: Int, label: (text: String, column: Int)?)

    /// The text with every formula replaced by its placeholder (and the newlines of a multi-line
    /// formula kept after it, so that every line number stays), and the formulas found.
    static func extract(_ text: String) -> (text: String, spans: [Found]) {
        let all = extractAll(text)
        return (all.text, all.spans)
    }

    /// `extract`, and also the cross-references (`@tab-x`) and citations (`[@key; @other]`) of the
    /// prose, each replaced by its placeholder (`References.placeholder`). One scan, so that code
    /// spans and fences are skipped alike and every line and column is the file's.
    static func extractAll(_ text: String) -> (text: String, spans: [Found], references: [ProseReference]) {
        var out = ""
        var spans: [Found] = []
        var references: [ProseReference] = []
        var fence: (char: Character, length: Int)?
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
        var pendingNewlines = 0  // newlines swallowed by a multi-line $$ formula, re-emitted after it
        var i = 0
        while i < lines.count {
            let line = lines[i]
            let trimmed = line.drop { $0 == " " }
            // Fenced code blocks pass through untouched.
            if let f = fence {
                if trimmed.prefix(while: { $0 == f.char }).count >= f.length && trimmed.drop(while: { $0 == f.char }).allSatisfy(\.isWhitespace) { fence = nil }
                out += String(line) + (i + 1 < lines.count ? "\n" : "")
                i += 1
                continue
            }
            if line.count - trimmed.count <= 3, let c = trimmed.first, c == "`" || c == "~" {
                let n = trimmed.prefix(while: { $0 == c }).count
                if n >= 3 {
                    fence = (c, n)
                    out += String(line) + (i + 1 < lines.count ? "\n" : "")
                    i += 1
                    continue
                }
            }
            // Scan the line (a $$ formula may continue onto the following lines).
            var j = 0
            var current = line
            var lineNumber = i + 1
            while j < current.count {
                let ch = current[j]
                if ch == "\\" && j + 1 < current.count { out.append(ch); out.append(current[j + 1]); j += 2; continue }
                if ch == "`" {
                    // A code span: copy through to the matching backtick run on this line.
                    let run = current[j...].prefix { $0 == "`" }.count
                    var k = j + run
                    var closed = false
                    while k < current.count {
                        if current[k] == "`" {
                            let r = current[k...].prefix { $0 == "`" }.count
                            if r == run { k += r; closed = true; break }
                            k += r
                        } else { k += 1 }
                    }
                    let end = closed ? k : j + run
                    out += String(current[j..<end])
                    j = end
                    continue
                }
                if ch == "$" {
                    let display = j + 1 < current.count && current[j + 1] == "$"
                    if display {
                        // Find the closing $$, possibly on a later line.
                        var searchLine = i, k = j + 2, body = ""
                        var found = false
                        var buf = current
                        while true {
                            while k + 1 < buf.count {
                                if buf[k] == "$" && buf[k + 1] == "$" { found = true; break }
                                if buf[k] == "\\" && k + 1 < buf.count { body.append(buf[k]); body.append(buf[k + 1]); k += 2; continue }
                                body.append(buf[k]); k += 1
                            }
                            if found { break }
                            if k < buf.count { body.append(buf[k]) }
                            guard searchLine + 1 < lines.count, !lines[searchLine + 1].allSatisfy(\.isWhitespace) else { break }
                            searchLine += 1
                            body.append("\n")
                            buf = lines[searchLine]
                            k = 0
                        }
                        if found {
                            let (start, startColumn) = (lineNumber, j + 1)
                            pendingNewlines += searchLine - i
                            if searchLine != i {
                                // Continue after the closing $$ on its line.
                                i = searchLine
                                current = lines[i]
                                lineNumber = i + 1
                            }
                            j = k + 2
                            // `$$ ... $$ {#eq-label}`: the label, taken out of the text (on the closing line).
                            var label: (text: String, column: Int)?
                            var a = j
                            while a < current.count, current[a] == " " || current[a] == "\t" { a += 1 }
                            if a + 1 < current.count, current[a] == "{", current[a + 1] == "#",
                               let close = current[a...].firstIndex(of: "}") {
                                label = (String(current[(a + 2)..<close]), a + 1)
                                j = close + 1
                            }
                            spans.append((body, true, start, startColumn, label))
                            out += placeholder(spans.count - 1)
                            continue
                        }
                        out.append(ch)
                        j += 1
                        continue
                    }
                    // Inline: $ not followed by a space; closing $ not preceded by a space nor followed by a digit.
                    if j + 1 < current.count, !current[j + 1].isWhitespace {
                        var k = j + 1
                        var end: Int?
                        while k < current.count {
                            if current[k] == "\\" { k += 2; continue }
                            if current[k] == "$" {
                                if !current[k - 1].isWhitespace && !(k + 1 < current.count && current[k + 1].isNumber) { end = k }
                                break
                            }
                            k += 1
                        }
                        if let end {
                            spans.append((String(current[(j + 1)..<end]), false, lineNumber, j + 1, nil))
                            out += placeholder(spans.count - 1)
                            j = end + 1
                            continue
                        }
                    }
                }
                if ch == "@" || ch == "[", let (reference, length) = References.scan(current, at: j, line: lineNumber) {
                    references.append(reference)
                    out += References.placeholder(references.count - 1)
                    j += length
                    continue
                }
                out.append(ch)
                j += 1
            }
            if pendingNewlines > 0 {
                out += String(repeating: "\n", count: pendingNewlines)
                pendingNewlines = 0
            }
            out += i + 1 < lines.count ? "\n" : ""
            i += 1
        }
        return (out, spans, references)
    }
}
