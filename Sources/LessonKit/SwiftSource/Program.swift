// Program: one lesson -> one Swift program (main.swift), cells in order, each under #sourceLocation.

import ArcFaceKit
import LessonRuntime

package enum Program {
    /// The generated source. Cells are top-level code of one main.swift, so they share state like
    /// notebook cells; `#sourceLocation` makes compiler errors and traps name the Markdown line.
    static func source(for lesson: Lesson) -> String {
        let file = lesson.path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        var out = "// Generated from \(lesson.path) by arcface-lessons; do not edit.\n" + prelude
        // Each {swift} value in the prose runs right after the cell before it (index -1: before any cell).
        let inline = lesson.inlineExpressions
        let cellLines = lesson.cells.map(\.fenceLine)
        var inlineAfter: [Int: [(Int, InlineExpression)]] = [:]
        for (k, e) in inline.enumerated() {
            inlineAfter[cellLines.filter { $0 < e.line }.count - 1, default: []].append((k, e))
        }
        let markdownLines = lesson.markdown.split(separator: "\n", omittingEmptySubsequences: false)
        func emitInline(after cell: Int) {
            for (k, e) in inlineAfter[cell] ?? [] {
                out += "LessonRuntime.beginInline(\(k))\n"
                // The value's code starts at the column it has in the Markdown line, so that swiftc's
                // columns are the file's: alone on the line after the call's opening (which cannot
                // fail: the wrapper takes any type), or padded after it on the value's line 1.
                let column = codeColumn(e, lines: markdownLines)
                let call = "__afl_inline(\(k), ("
                if e.line > 1 {
                    out += "#sourceLocation(file: \"\(file)\", line: \(e.line - 1))\n"
                    out += call + "\n" + String(repeating: " ", count: column - 1) + e.code + "))\n"
                } else {
                    out += "#sourceLocation(file: \"\(file)\", line: \(e.line))\n"
                    out += call + String(repeating: " ", count: max(0, column - 1 - call.count)) + e.code + "))\n"
                }
                out += "#sourceLocation()\n"
            }
        }
        if !inline.isEmpty {
            out += "@inline(__always) func __afl_inline<T>(_ k: Int, _ value: T) { LessonRuntime.inlineValue(k, value) }\n"
        }
        emitInline(after: -1)
        for cell in lesson.cells {
            out += "LessonRuntime.beginCell(\(cell.index))\n"
            if cell.attributes.traps { out += "LessonRuntime.expectTrap {\n" }
            out += "#sourceLocation(file: \"\(file)\", line: \(cell.codeLine))\n"
            out += displayingLastExpression(cell.code)
            if !out.hasSuffix("\n") { out += "\n" }
            out += "#sourceLocation()\n"
            if cell.attributes.traps { out += "}\n" }
            emitInline(after: cell.index)
        }
        out += "LessonRuntime.finish()\n"
        return out
    }

    /// 1-based column of a `{swift}` value's code in its Markdown line (after `{swift}` and spaces).
    static func codeColumn(_ e: InlineExpression, lines: [Substring]) -> Int {
        let fallback = e.column + 1 + "{swift} ".count
        guard lines.indices.contains(e.line - 1) else { return fallback }
        let line = Array(lines[e.line - 1])
        let marker = Array("{swift}")
        var i = max(0, e.column - 1)
        while i + marker.count <= line.count && Array(line[i..<(i + marker.count)]) != marker { i += 1 }
        guard i + marker.count <= line.count else { return fallback }
        i += marker.count
        while i < line.count && (line[i] == " " || line[i] == "\t") { i += 1 }
        return i + 1
    }

    /// The start of every lesson program (verify's and the REPL's): imports, unbuffered stdio (the
    /// output of a cell that traps must not be lost in a buffer; here, not in ArcFaceKit, because
    /// Swift 6 mode rejects touching C's stdout global), and the portable math functions.
    package static let prelude = "import ArcFaceKit\nimport LessonRuntime\nimport Glibc\nsetvbuf(stdout, nil, _IONBF, 0)\nsetvbuf(stderr, nil, _IONBF, 0)\n"
        + portableMathShadows

    /// `exp`, `cos`, `pow`, ... for Double and Float as PortableMath's: declared in the lesson's own
    /// module, they shadow Glibc's (and Foundation's) under the same names, so a cell that writes
    /// `cos(x)` gets the same bits on every machine. Every compiled unit of a lesson declares them.
    package static let portableMathShadows: String = {
        var out = "// Elementary functions with the same bits on every machine (ArcFaceKit's PortableMath).\n"
        for type in ["Double", "Float"] {
            for f in PortableMath.unaryFunctions {
                out += "@inline(__always) func \(f)(_ x: \(type)) -> \(type) { PortableMath.\(f)(x) }\n"
            }
            for f in PortableMath.binaryFunctions {
                out += "@inline(__always) func \(f)(_ x: \(type), _ y: \(type)) -> \(type) { PortableMath.\(f)(x, y) }\n"
            }
        }
        return out
    }()

    /// Wraps the cell's last statement in `LessonRuntime.display(...)` when it is an expression,
    /// so its value is shown as in a notebook. A Void expression (`print(x)`) shows nothing,
    /// through an overload. The wrapper stays on the statement's own lines, so line numbers hold.
    package static func displayingLastExpression(_ code: String) -> String {
        guard let statement = SwiftScanner.lastStatement(code), statement.isExpression else { return code }
        var chars = Array(code)
        chars.insert(")", at: statement.end)
        chars.insert(contentsOf: "LessonRuntime.display(", at: statement.start)
        return String(chars)
    }
}

/// Just enough of a Swift lexer to find top-level statements: strings (with interpolation, raw and
/// multi-line), comments (nested), and bracket depth.
package enum SwiftScanner {
    package struct Statement {
        /// Character offsets: first character, and one past the last significant character.
        package var start: Int
        package var end: Int
        package var isExpression: Bool
    }

    private static let declarationKeywords: Set<String> = [
        "let", "var", "func", "struct", "class", "enum", "extension", "protocol", "import", "if", "guard",
        "for", "while", "repeat", "switch", "do", "return", "throw", "defer", "typealias", "break", "continue",
        "fallthrough", "actor", "init", "deinit", "subscript", "operator", "precedencegroup", "public",
        "private", "internal", "fileprivate", "open", "static", "final", "case", "else", "catch", "indirect",
        "mutating", "nonmutating", "convenience", "required", "override", "lazy", "weak", "unowned", "macro",
    ]

    private static let continuationStarters: Set<Character> = [".", "+", "-", "*", "/", "%", "=", "<", ">", "&", "|", "^", "?", ":", ",", ")", "]", "}"]

    /// The last top-level statement of `code`, or nil if there is none.
    package static func lastStatement(_ code: String) -> Statement? {
        let c = Array(code)
        var tokens: [(start: Int, end: Int, depth: Int, text: String)] = []  // significant tokens only
        var depth = 0
        var i = 0
        var lineBreakBefore: Set<Int> = []  // token indices preceded by a newline
        var sawNewline = false
        func push(_ s: Int, _ e: Int) {
            if sawNewline { lineBreakBefore.insert(tokens.count) }
            sawNewline = false
            tokens.append((s, e, depth, String(c[s..<e])))
        }
        while i < c.count {
            let ch = c[i]
            if ch == "\n" { sawNewline = true; i += 1; continue }
            if ch.isWhitespace { i += 1; continue }
            if ch == "/" && i + 1 < c.count && c[i + 1] == "/" {
                while i < c.count && c[i] != "\n" { i += 1 }
                continue
            }
            if ch == "/" && i + 1 < c.count && c[i + 1] == "*" {
                var nest = 0
                while i < c.count {
                    if c[i] == "/" && i + 1 < c.count && c[i + 1] == "*" { nest += 1; i += 2; continue }
                    if c[i] == "*" && i + 1 < c.count && c[i + 1] == "/" { nest -= 1; i += 2; if nest == 0 { break }; continue }
                    i += 1
                }
                continue
            }
            if ch == "\"" || (ch == "#" && i + 1 < c.count && (c[i + 1] == "\"" || c[i + 1] == "#")) {
                let s = i
                i = skipString(c, i)
                push(s, i)
                continue
            }
            if "([{".contains(ch) { push(i, i + 1); depth += 1; i += 1; continue }
            if ")]}".contains(ch) { depth = max(0, depth - 1); push(i, i + 1); i += 1; continue }
            if ch == ";" { push(i, i + 1); i += 1; continue }
            let s = i
            if ch.isLetter || ch == "_" || ch.isNumber || ch == "$" || ch == "@" || ch == "#" || ch == "`" {
                i += 1
                while i < c.count && (c[i].isLetter || c[i].isNumber || c[i] == "_" || c[i] == "`") { i += 1 }
            } else {
                i += 1
                while i < c.count && "+-*/%=<>!&|^~?.".contains(c[i]) && !(c[i] == "/" && i + 1 < c.count && (c[i + 1] == "/" || c[i + 1] == "*")) { i += 1 }
            }
            push(s, i)
        }
        guard !tokens.isEmpty else { return nil }

        // Top-level statement starts: after `;`, or at a line break at depth 0 when neither side continues the expression.
        var starts = [0]
        for k in 1..<tokens.count where tokens[k].depth == 0 {
            let prev = tokens[k - 1], cur = tokens[k]
            if prev.text == ";" { starts.append(k); continue }
            guard lineBreakBefore.contains(k), prev.depth == 0 || prev.text == "}" || prev.text == ")" || prev.text == "]" else { continue }
            if let f = cur.text.first, continuationStarters.contains(f) { continue }
            if let l = prev.text.last, prev.text != ")" && prev.text != "]" && prev.text != "}",
               "+-*/%=<>&|^?:,.([{".contains(l), !prev.text.hasPrefix("\""), !prev.text.hasPrefix("#") { continue }
            if ["else", "catch", "where", "in"].contains(cur.text) { continue }
            starts.append(k)
        }
        var first = starts.last!
        var last = tokens.count - 1
        if tokens[last].text == ";" {
            if last == first { return nil }
            last -= 1
        }
        if first > last { first = last }
        let head = tokens[first].text
        var isExpression = !declarationKeywords.contains(head) && !head.hasPrefix("@") && !head.hasPrefix("#") && head != "}"
        if isExpression {
            // An assignment (`x = 1`, `x += 1`) is a statement, not a value to show.
            for t in tokens[first...last] where t.depth == 0 {
                if t.text == "=" || (t.text.hasSuffix("=") && !["==", "!=", "<=", ">=", "===", "!=="].contains(t.text)
                    && t.text.count >= 2 && t.text.first.map({ "+-*/%&|^<>".contains($0) }) == true) {
                    isExpression = false
                }
            }
        }
        return Statement(start: tokens[first].start, end: tokens[last].end, isExpression: isExpression)
    }

    /// Skips a string literal starting at `i` (plain, multi-line, raw `#"..."#`), interpolations included.
    private static func skipString(_ c: [Character], _ start: Int) -> Int {
        var i = start
        var hashes = 0
        while i < c.count && c[i] == "#" { hashes += 1; i += 1 }
        guard i < c.count, c[i] == "\"" else { return i }
        let multiline = i + 2 < c.count && c[i + 1] == "\"" && c[i + 2] == "\""
        i += multiline ? 3 : 1
        let closing = String(repeating: "\"", count: multiline ? 3 : 1) + String(repeating: "#", count: hashes)
        let escape = "\\" + String(repeating: "#", count: hashes)
        while i < c.count {
            if matches(c, i, escape) {
                let j = i + escape.count
                if j < c.count && c[j] == "(" {
                    // Interpolation: skip to the matching parenthesis, strings inside included.
                    var nest = 0
                    var k = j
                    while k < c.count {
                        if c[k] == "\"" { k = skipString(c, k); continue }
                        if c[k] == "(" { nest += 1 } else if c[k] == ")" { nest -= 1; if nest == 0 { k += 1; break } }
                        k += 1
                    }
                    i = k
                } else {
                    i = j + 1
                }
                continue
            }
            if matches(c, i, closing) { return i + closing.count }
            if !multiline && c[i] == "\n" { return i }
            i += 1
        }
        return i
    }

    private static func matches(_ c: [Character], _ i: Int, _ s: String) -> Bool {
        var k = i
        for ch in s {
            guard k < c.count, c[k] == ch else { return false }
            k += 1
        }
        return true
    }
}
