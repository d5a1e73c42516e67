// SwiftLexer: the one Swift lexer of the project. Source -> classified tokens (keywords, names,
// numbers, string literals with their interpolations lexed as code, comments, attributes, `#`
// directives, operators, punctuation, white space), each with its text and position. The program
// generator and the REPL find top-level statements on it (SwiftStatements, below); the site's
// highlighter (Highlight) and the REPL's terminal colours render it.
//
// It follows swiftc's lexer where the two could differ: `1.5` is one number but `t.0.1` is `t . 0 . 1`
// (a tuple member after a period); `.5` is a period and a number; `\(` in a raw string `#"..."#` is
// text and `\#(` is the interpolation; block comments nest; a `.` is part of an operator only when the
// operator starts with one (`..<`, `...`), so `x!.y` is `x ! . y`. Not lexed: regex literals (`/.../`
// is read as operators), and editor placeholders.

/// A token of Swift source.
package struct SwiftToken: Equatable, Sendable {
    package enum Kind: Equatable, Sendable {
        /// A word the compiler reserves (`let`, `func`, `if`, `self`, `_`, ...: `SwiftLexer.keywords`).
        /// Contextual keywords (`mutating`, `some`, `get`, `open`) are identifiers.
        case keyword
        /// A name: `x`, `` `default` `` (backticked), `$0`, `$x`.
        case identifier
        /// An integer or floating-point literal: `1_000`, `1.5`, `1e-5`, `0x1p-3`, `0b101`. Letters
        /// running on (`12abc`) belong to it, as in swiftc (which rejects it).
        case number
        /// A string literal, whole (plain, multi-line `"""`, raw `#"..."#`); `segments` holds its pieces.
        case string
        /// `// ...` (without its line break) or `/* ... */` (nested ones included).
        case comment
        /// `@name`: `@discardableResult`, `@MainActor`, `@available` (its arguments are tokens of their own).
        case attribute
        /// `#name`: compiler directives (`#if`, `#endif`, `#sourceLocation`), `#file`-like literals, macro expansions.
        case directive
        /// `+`, `..<`, `...`, `?`, `!`, `&`, custom operators (`+++`, `•`).
        case `operator`
        /// `( ) [ ] { } , : ; . = -> \` and a lone `@`, `#` or backtick.
        case punctuation
        /// Spaces and tabs: one run, without line breaks.
        case whitespace
        /// One line break (`\n`, `\r\n` or `\r`).
        case newline
        /// A character that starts no Swift token (`'`, a control character).
        case unknown
    }

    /// A piece of a string literal.
    package enum Segment: Equatable, Sendable {
        /// The opening or the closing delimiter: `"`, `"""`, `#"`, `"##`, ...
        case delimiter(String)
        /// Literal text, escapes (`\n`, `\"`, `\u{1F600}`) as written.
        case text(String)
        /// `\(` (`\#(` in a `#"` string, ...), the tokens of the expression inside (positions in the whole
        /// source), and `)`, empty when the interpolation is not closed.
        case interpolation(open: String, tokens: [SwiftToken], close: String)
    }

    package var kind: Kind
    package var text: String
    /// Character offsets in the source (Swift `Character`s, not UTF-8): the first one, one past the last.
    package var start: Int
    package var end: Int
    /// 1-based line and column (in characters) of the first character.
    package var line: Int
    package var column: Int
    /// Bracket depth (`(`, `[`, `{`) outside the token, counted in its own list of tokens (those of an
    /// interpolation start at 0): an opening bracket has the depth before it, a closing one the depth
    /// after it; an unmatched closing bracket does not go below 0.
    package var depth: Int
    /// False for a string literal or block comment that is not closed before the end of the source (or,
    /// for a one-line string, of its line).
    package var isTerminated: Bool = true
    /// A string literal's pieces, in order; empty for other tokens.
    package var segments: [Segment] = []

    package init(kind: Kind, text: String, start: Int, end: Int, line: Int, column: Int, depth: Int,
                 isTerminated: Bool = true, segments: [Segment] = []) {
        self.kind = kind
        self.text = text
        self.start = start
        self.end = end
        self.line = line
        self.column = column
        self.depth = depth
        self.isTerminated = isTerminated
        self.segments = segments
    }

    /// Code, not white space, a line break or a comment.
    package var isSignificant: Bool {
        switch kind {
        case .whitespace, .newline, .comment: false
        default: true
        }
    }

    /// The interpolations of a string literal: the tokens of each.
    package var interpolations: [[SwiftToken]] {
        segments.compactMap { if case .interpolation(_, let tokens, _) = $0 { tokens } else { nil } }
    }
}

package enum SwiftLexer {
    /// The words swiftc's lexer reserves (they are identifiers only in backticks), and `_`.
    package static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
        "internal", "let", "operator", "precedencegroup", "private", "protocol", "public", "rethrows", "static",
        "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue", "default", "defer", "do",
        "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "switch", "throw", "where", "while",
        "Any", "as", "false", "is", "nil", "self", "Self", "super", "throws", "true", "try", "_",
    ]

    /// The tokens of `source`, every character in exactly one (white space and comments included), in order.
    package static func tokens(_ source: String) -> [SwiftToken] {
        var lexer = Lexer(Array(source))
        return lexer.list(interpolation: nil).tokens
    }

    /// The code is unfinished: an unclosed bracket, string literal (interpolation included) or block
    /// comment. The REPL then reads another line.
    package static func isUnfinished(_ source: String) -> Bool {
        let tokens = tokens(source)
        if tokens.contains(where: { !$0.isTerminated }) { return true }
        guard let bracket = tokens.last(where: { $0.kind == .punctuation && "()[]{}".contains($0.text) }) else { return false }
        return "([{".contains(bracket.text) || bracket.depth > 0
    }

    static func isNewline(_ ch: Character) -> Bool { ch == "\n" || ch == "\r\n" || ch == "\r" }

    static func isDigit(_ ch: Character) -> Bool { ch.isASCII && ch.isNumber }

    /// A character that can start an operator: ASCII `/=-+!*%<>&|^~?` and Swift's Unicode operator ranges.
    static func isOperatorCharacter(_ ch: Character) -> Bool {
        if ch.isASCII { return "/=-+!*%<>&|^~?".contains(ch) }
        switch ch.unicodeScalars.first!.value {
        case 0xA1...0xA7, 0xA9, 0xAB, 0xAC, 0xAE, 0xB0...0xB1, 0xB6, 0xBB, 0xBF, 0xD7, 0xF7, 0x2016...0x2017,
             0x2020...0x2027, 0x2030...0x203E, 0x2041...0x2053, 0x2055...0x205E, 0x2190...0x23FF, 0x2500...0x2775,
             0x2794...0x2BFF, 0x2E00...0x2E7F, 0x3001...0x3003, 0x3008...0x3020, 0x3030:
            return true
        default:
            return false
        }
    }

    /// A character that can start a name: a letter, `_`, or any other non-ASCII character that is not
    /// white space or an operator character (Swift allows most of them, emoji included).
    static func isIdentifierHead(_ ch: Character) -> Bool {
        if ch.isASCII { return ch.isLetter || ch == "_" }
        return !ch.isWhitespace && !isOperatorCharacter(ch)
    }

    static func isIdentifierCharacter(_ ch: Character) -> Bool {
        isIdentifierHead(ch) || isDigit(ch) || ch == "$"
    }
}

/// The lexer's state: the source's characters and the current offset.
private struct Lexer {
    let c: [Character]
    /// Offsets of the first character of each line.
    let lineStarts: [Int]
    var i = 0

    init(_ c: [Character]) {
        self.c = c
        var starts = [0]
        for (k, ch) in c.enumerated() where SwiftLexer.isNewline(ch) { starts.append(k + 1) }
        lineStarts = starts
    }

    func position(_ offset: Int) -> (line: Int, column: Int) {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return (lo + 1, offset - lineStarts[lo] + 1)
    }

    func at(_ k: Int) -> Character? { k < c.count ? c[k] : nil }

    func matches(_ k: Int, _ s: [Character]) -> Bool {
        k + s.count <= c.count && c[k..<(k + s.count)].elementsEqual(s)
    }

    /// Tokens from the current offset to the end of the source or, inside an interpolation (`multiline`:
    /// that of a multi-line string, nil outside any), to its closing `)`, which is left unconsumed;
    /// `closed`: that parenthesis was found.
    mutating func list(interpolation multiline: Bool?) -> (tokens: [SwiftToken], closed: Bool) {
        var out: [SwiftToken] = []
        var depth = 0, parens = 0
        var afterPeriod = false
        while i < c.count {
            let ch = c[i]
            if let multiline {
                if ch == ")" && parens == 0 { return (out, true) }
                // An interpolation of a one-line string ends with its line (unclosed).
                if !multiline && SwiftLexer.isNewline(ch) { return (out, false) }
            }
            let s = i
            var kind: SwiftToken.Kind
            var terminated = true
            var segments: [SwiftToken.Segment] = []
            var tokenDepth = depth
            if SwiftLexer.isNewline(ch) {
                i += 1
                kind = .newline
            } else if ch.isWhitespace {
                while i < c.count && c[i].isWhitespace && !SwiftLexer.isNewline(c[i]) { i += 1 }
                kind = .whitespace
            } else if ch == "/" && at(i + 1) == "/" {
                while i < c.count && !SwiftLexer.isNewline(c[i]) { i += 1 }
                kind = .comment
            } else if ch == "/" && at(i + 1) == "*" {
                terminated = blockComment()
                kind = .comment
            } else if let hashes = stringHashes() {
                (segments, terminated) = string(hashes: hashes)
                kind = .string
            } else if ch == "#" || ch == "@", let next = at(i + 1), SwiftLexer.isIdentifierHead(next) {
                i += 1
                while i < c.count && SwiftLexer.isIdentifierCharacter(c[i]) { i += 1 }
                kind = ch == "#" ? .directive : .attribute
            } else if SwiftLexer.isDigit(ch) {
                number(afterPeriod: afterPeriod)
                kind = .number
            } else if SwiftLexer.isIdentifierHead(ch) || ch == "$" {
                i += 1
                while i < c.count && SwiftLexer.isIdentifierCharacter(c[i]) { i += 1 }
                kind = SwiftLexer.keywords.contains(String(c[s..<i])) ? .keyword : .identifier
            } else if ch == "`", let close = closingBacktick() {
                i = close + 1
                kind = .identifier
            } else if ch == "." || SwiftLexer.isOperatorCharacter(ch) {
                operatorCharacters()
                let text = String(c[s..<i])
                kind = text == "." || text == "=" || text == "->" ? .punctuation : .operator
            } else if "()[]{},:;\\`#@".contains(ch) {
                i += 1
                kind = .punctuation
                if "([{".contains(ch) {
                    depth += 1
                    if ch == "(" { parens += 1 }
                } else if ")]}".contains(ch) {
                    depth = max(0, depth - 1)
                    tokenDepth = depth
                    if ch == ")" { parens = max(0, parens - 1) }
                }
            } else {
                i += 1
                kind = .unknown
            }
            let (line, column) = position(s)
            let token = SwiftToken(kind: kind, text: String(c[s..<i]), start: s, end: i, line: line, column: column,
                                   depth: tokenDepth, isTerminated: terminated, segments: segments)
            if token.isSignificant { afterPeriod = kind == .punctuation && token.text == "." }
            out.append(token)
        }
        return (out, multiline == nil)
    }

    /// `/* ... */` with nested comments, from the current offset; false when it is not closed.
    mutating func blockComment() -> Bool {
        var nest = 0
        while i < c.count {
            if c[i] == "/" && at(i + 1) == "*" { nest += 1; i += 2; continue }
            if c[i] == "*" && at(i + 1) == "/" {
                nest -= 1
                i += 2
                if nest == 0 { return true }
                continue
            }
            i += 1
        }
        return false
    }

    /// The number of `#`s before a `"` at the current offset, when a string literal starts here.
    func stringHashes() -> Int? {
        var k = i
        while k < c.count && c[k] == "#" { k += 1 }
        return at(k) == "\"" ? k - i : nil
    }

    /// A string literal with `hashes` `#`s: its segments and whether it is closed.
    mutating func string(hashes: Int) -> ([SwiftToken.Segment], Bool) {
        let s = i
        i += hashes
        let multiline = matches(i, ["\"", "\"", "\""])
        i += multiline ? 3 : 1
        var segments: [SwiftToken.Segment] = [.delimiter(String(c[s..<i]))]
        let closing = Array(String(repeating: "\"", count: multiline ? 3 : 1) + String(repeating: "#", count: hashes))
        let escape = Array("\\" + String(repeating: "#", count: hashes))
        var textStart = i
        func flush(_ segments: inout [SwiftToken.Segment], _ end: Int) {
            if textStart < end { segments.append(.text(String(c[textStart..<end]))) }
        }
        while i < c.count {
            if !multiline && SwiftLexer.isNewline(c[i]) { break }
            if matches(i, escape) {
                let j = i + escape.count
                if at(j) == "(" {
                    flush(&segments, i)
                    let open = String(c[i...j])
                    i = j + 1
                    let (tokens, closed) = list(interpolation: multiline)
                    if closed { i += 1 }
                    segments.append(.interpolation(open: open, tokens: tokens, close: closed ? ")" : ""))
                    textStart = i
                    if !closed { return (segments, false) }
                    continue
                }
                // An escape: the backslash (and hashes) and the character after it, unless that ends the line.
                i = j
                if let next = at(i), multiline || !SwiftLexer.isNewline(next) { i += 1 }
                continue
            }
            if matches(i, closing) {
                flush(&segments, i)
                segments.append(.delimiter(String(closing)))
                i += closing.count
                return (segments, true)
            }
            i += 1
        }
        flush(&segments, i)
        return (segments, false)
    }

    /// A number literal from the current offset (a digit). After a period (`t.0.1`) there is no fraction.
    mutating func number(afterPeriod: Bool) {
        func run(_ isDigit: (Character) -> Bool) {
            while i < c.count && (isDigit(c[i]) || c[i] == "_") { i += 1 }
        }
        func exponentFollows(_ k: Int) -> Bool {
            if let d = at(k), SwiftLexer.isDigit(d) { return true }
            if let sign = at(k), sign == "+" || sign == "-", let d = at(k + 1), SwiftLexer.isDigit(d) { return true }
            return false
        }
        let radixDigits: [Character: (Character) -> Bool] = [
            "x": { $0.isASCII && $0.isHexDigit }, "o": { ("0"..."7").contains($0) }, "b": { $0 == "0" || $0 == "1" },
        ]
        if c[i] == "0", let r = at(i + 1), let isDigit = radixDigits[r], let first = at(i + 2), isDigit(first) {
            i += 2
            run(isDigit)
            if r == "x" {
                // A hexadecimal fraction needs its binary exponent (`0x1.8p1`); without it, `0xff.description`.
                let dot = i
                if !afterPeriod && at(i) == "." , let d = at(i + 1), isDigit(d) {
                    i += 1
                    run(isDigit)
                    if !(at(i) == "p" || at(i) == "P") { i = dot }
                }
                if at(i) == "p" || at(i) == "P", exponentFollows(i + 1) {
                    i += 1
                    if at(i) == "+" || at(i) == "-" { i += 1 }
                    run(SwiftLexer.isDigit)
                }
            }
        } else {
            run(SwiftLexer.isDigit)
            if !afterPeriod && at(i) == ".", let d = at(i + 1), SwiftLexer.isDigit(d) {
                i += 1
                run(SwiftLexer.isDigit)
            }
            if at(i) == "e" || at(i) == "E", exponentFollows(i + 1) {
                i += 1
                if at(i) == "+" || at(i) == "-" { i += 1 }
                run(SwiftLexer.isDigit)
            }
        }
        while i < c.count && SwiftLexer.isIdentifierCharacter(c[i]) { i += 1 }
    }

    /// An operator from the current offset: operator characters, and periods when it starts with one.
    /// `//` and `/*` after its first character start a comment instead.
    mutating func operatorCharacters() {
        let dotted = c[i] == "."
        i += 1
        while i < c.count {
            let ch = c[i]
            guard SwiftLexer.isOperatorCharacter(ch) || (dotted && ch == ".") else { break }
            if ch == "/" && (at(i + 1) == "/" || at(i + 1) == "*") { break }
            i += 1
        }
    }

    /// The offset of the backtick closing a backticked name that starts at the current offset (on the same line).
    func closingBacktick() -> Int? {
        var k = i + 1
        while k < c.count && c[k] != "`" && !SwiftLexer.isNewline(c[k]) { k += 1 }
        return k < c.count && c[k] == "`" && k > i + 1 ? k : nil
    }
}

/// The top-level statements of Swift code, found on the lexer's code tokens: a statement ends at `;`
/// or at a line break at bracket depth 0 where neither side continues the expression (no operator,
/// `.`, `,` or `:` at the end of the line before or the start of the line after; no `else`, `catch`,
/// `where` or `in` after it). Used to show a cell's last value and to split the REPL's inputs.
package enum SwiftStatements {
    package struct Statement: Equatable, Sendable {
        /// Character offsets: first character, and one past the last significant character.
        package var start: Int
        package var end: Int
        /// An expression whose value a notebook shows (not a declaration, assignment or control flow).
        package var isExpression: Bool
    }

    /// Words that start a statement that is no expression.
    static let declarationKeywords: Set<String> = [
        "let", "var", "func", "struct", "class", "enum", "extension", "protocol", "import", "if", "guard",
        "for", "while", "repeat", "switch", "do", "return", "throw", "defer", "typealias", "break", "continue",
        "fallthrough", "actor", "init", "deinit", "subscript", "operator", "precedencegroup", "public",
        "private", "internal", "fileprivate", "open", "static", "final", "case", "else", "catch", "indirect",
        "mutating", "nonmutating", "convenience", "required", "override", "lazy", "weak", "unowned", "macro",
    ]

    /// First characters of a token that continues the line before.
    static let continuationStarters: Set<Character> = [".", "+", "-", "*", "/", "%", "=", "<", ">", "&", "|", "^", "?", ":", ",", ")", "]", "}"]

    /// The last top-level statement of `code`, or nil if there is none (only comments, or a lone `;`).
    package static func last(_ code: String) -> Statement? {
        let code = Code(code)
        return code.last(before: code.tokens.count)?.statement
    }

    /// Every top-level statement of `code`, in order: the last one, then the last one before it, ...
    package static func all(_ code: String) -> [Statement] {
        let code = Code(code)
        var found: [Statement] = []
        var count = code.tokens.count
        while let (statement, first) = code.last(before: count) {
            found.append(statement)
            if first == 0 { break }
            count = first
        }
        return found.reversed()
    }

    /// The code tokens of some source, and which of them start a line.
    struct Code {
        var tokens: [SwiftToken] = []
        var lineBreakBefore: [Bool] = []

        init(_ source: String) {
            var sawNewline = false
            for t in SwiftLexer.tokens(source) {
                if t.isSignificant {
                    tokens.append(t)
                    lineBreakBefore.append(sawNewline)
                    sawNewline = false
                } else if t.kind == .newline || (t.kind == .comment && t.text.contains(where: SwiftLexer.isNewline)) {
                    sawNewline = true
                }
            }
        }

        /// The last statement of the first `count` tokens, and the index of its first token.
        func last(before count: Int) -> (statement: Statement, first: Int)? {
            guard count > 0 else { return nil }
            var starts = [0]
            for k in 1..<count where tokens[k].depth == 0 {
                let prev = tokens[k - 1], cur = tokens[k]
                if prev.text == ";" { starts.append(k); continue }
                guard lineBreakBefore[k], prev.depth == 0 || [")", "]", "}"].contains(prev.text) else { continue }
                // `-x` after a line break is a prefix operator (no space after it), so a new statement, as
                // swiftc reads it; `- x` and `.x` continue the line before.
                let prefixOperator = cur.kind == .operator && k + 1 < count && tokens[k + 1].start == cur.end
                if let f = cur.text.first, continuationStarters.contains(f), !prefixOperator { continue }
                if let l = prev.text.last, ![")", "]", "}"].contains(prev.text), "+-*/%=<>&|^?:,.([{".contains(l),
                   prev.kind != .string, !prev.text.hasPrefix("#") { continue }
                if ["else", "catch", "where", "in"].contains(cur.text) { continue }
                starts.append(k)
            }
            var first = starts.last!
            var last = count - 1
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
            return (Statement(start: tokens[first].start, end: tokens[last].end, isExpression: isExpression), first)
        }
    }
}
