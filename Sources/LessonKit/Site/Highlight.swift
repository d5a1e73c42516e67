// Highlight: Swift and Python source -> HTML spans. Swift is SwiftLexer's tokens, styled here (the
// REPL renders the same styles as ANSI colours); Python has a small lexer of its own. (Not swift-syntax's
// classifier: it would cost minutes of release build on 2 cores for the same few token classes.)

package enum Highlight {
    static let swiftKeywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init",
        "inout", "internal", "let", "open", "operator", "private", "protocol", "public", "rethrows", "static",
        "struct", "subscript", "typealias", "var", "break", "case", "continue", "default", "defer", "do",
        "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "switch", "where", "while",
        "as", "catch", "false", "is", "nil", "super", "self", "Self", "throw", "throws", "true", "try",
        "await", "async", "some", "any", "final", "lazy", "mutating", "override", "weak", "convenience",
    ]
    static let pythonKeywords: Set<String> = [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def",
        "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is",
        "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield", "self",
    ]
    static let pythonBuiltins: Set<String> = [
        "print", "len", "range", "super", "int", "float", "str", "list", "dict", "tuple", "set", "abs", "min",
        "max", "sum", "zip", "enumerate", "isinstance", "type", "object", "open", "format",
    ]

    /// HTML for `code` in `language` ("swift", "python"; anything else is escaped only).
    static func html(_ code: String, language: String) -> String {
        switch language {
        case "swift": swift(code)
        case "python", "py": python(code)
        default: Render.escape(code)
        }
    }

    private static func span(_ cls: String, _ text: some StringProtocol) -> String {
        "<span class=\"t-\(cls)\">\(Render.escape(String(text)))</span>"
    }

    /// A colour class of highlighted code: the `t-...` class of its HTML span.
    package enum Style: String, Sendable {
        case keyword = "kw", type = "ty", function = "fn", definition = "def", number = "num", string = "str"
        case comment = "com", attribute = "attr", interpolation = "interp"
    }

    /// Highlighted code: text in a style (nil: plain), or a string literal's pieces inside its style
    /// (its interpolations' code highlighted in turn).
    package enum Piece: Equatable, Sendable {
        case text(String, Style?)
        case group(Style, [Piece])
    }

    /// Swift code as HTML spans.
    static func swift(_ code: String) -> String { html(swiftPieces(code)) }

    static func html(_ pieces: [Piece]) -> String {
        var out = ""
        for piece in pieces {
            switch piece {
            case .text(let text, nil): out += Render.escape(text)
            case .text(let text, let style?): out += span(style.rawValue, text)
            case .group(let style, let inner): out += "<span class=\"t-\(style.rawValue)\">" + html(inner) + "</span>"
            }
        }
        return out
    }

    /// Swift code in styles, from SwiftLexer's tokens: reserved and contextual keywords the site colours
    /// (`swiftKeywords`, not after a `.`), type names (capitalised), names being declared (after `func`,
    /// `let`, ...), names called (before `(`), numbers, strings, comments, attributes and `#` directives.
    package static func swiftPieces(_ code: String) -> [Piece] { pieces(SwiftLexer.tokens(code)) }

    private static func pieces(_ tokens: [SwiftToken]) -> [Piece] {
        var out: [Piece] = []
        // The last word or operator character: it decides whether a word is a member or a declared name.
        var previousWord = ""
        var k = 0
        // A number, and the `.digits` after it (`t.1.0`, three tokens) in the same span, as the site always had.
        func number(_ digits: String) {
            var text = digits
            while k + 2 < tokens.count, tokens[k + 1].text == ".", tokens[k + 2].kind == .number,
                  tokens[k + 2].text.first.map(SwiftLexer.isDigit) == true {
                text += "." + tokens[k + 2].text
                k += 2
            }
            out.append(.text(text, .number))
        }
        func word(_ word: String) {
            let style: Style?
            if swiftKeywords.contains(word) && previousWord != "." {
                style = .keyword
            } else if word.first!.isUppercase {
                style = .type
            } else if ["func", "let", "var", "struct", "class", "enum"].contains(previousWord) {
                style = .definition
            } else if k + 1 < tokens.count && tokens[k + 1].text == "(" {
                style = .function
            } else {
                style = nil
            }
            out.append(.text(word, style))
            previousWord = word
        }
        while k < tokens.count {
            let t = tokens[k]
            switch t.kind {
            case .comment: out.append(.text(t.text, .comment))
            case .string: out.append(.group(.string, stringPieces(t)))
            case .number: number(t.text)
            case .attribute: out.append(.text(t.text, .attribute))
            case .directive: out.append(.text(t.text, .keyword))
            case .keyword, .identifier:
                if t.text.hasPrefix("$") {
                    // `$0`: a plain `$` and a number; `$x`: a `$` and a name.
                    out.append(.text("$", nil))
                    previousWord = "$"
                    let rest = String(t.text.dropFirst())
                    if let f = rest.first { if SwiftLexer.isDigit(f) { number(rest) } else { word(rest) } }
                } else {
                    word(t.text)
                }
            case .whitespace, .newline: out.append(.text(t.text, nil))
            case .operator, .punctuation, .unknown:
                out.append(.text(t.text, nil))
                previousWord = String(t.text.last!)
            }
            k += 1
        }
        return out
    }

    /// A string literal's pieces: delimiters and text plain (inside the string's style), each
    /// interpolation's `\(` and `)` styled and its code highlighted.
    private static func stringPieces(_ t: SwiftToken) -> [Piece] {
        var out: [Piece] = []
        for segment in t.segments {
            switch segment {
            case .delimiter(let text), .text(let text): out.append(.text(text, nil))
            case .interpolation(let open, let tokens, let close):
                out.append(.text(open, .interpolation))
                out += pieces(tokens)
                if !close.isEmpty { out.append(.text(close, .interpolation)) }
            }
        }
        return out
    }

    static func python(_ code: String) -> String {
        let c = Array(code)
        var out = ""
        var i = 0
        var previousWord = ""
        while i < c.count {
            let ch = c[i]
            if ch == "#" {
                let s = i
                while i < c.count && c[i] != "\n" { i += 1 }
                out += span("com", String(c[s..<i]))
                continue
            }
            // Strings, with optional prefixes (f, r, b, rb, ...), single or triple quoted.
            var p = i
            while p < c.count && p - i < 2 && "rRbBfFuU".contains(c[p]) { p += 1 }
            if p < c.count && (c[p] == "\"" || c[p] == "'") && (p == i || !(i > 0 && (c[i - 1].isLetter || c[i - 1].isNumber))) {
                let q = c[p]
                let triple = p + 2 < c.count && c[p + 1] == q && c[p + 2] == q
                var k = p + (triple ? 3 : 1)
                while k < c.count {
                    if c[k] == "\\" { k += 2; continue }
                    if triple ? (k + 2 < c.count && c[k] == q && c[k + 1] == q && c[k + 2] == q) : c[k] == q {
                        k += triple ? 3 : 1
                        break
                    }
                    if !triple && c[k] == "\n" { break }
                    k += 1
                }
                k = min(k, c.count)
                out += span("str", String(c[i..<k]))
                i = k
                continue
            }
            if ch.isNumber {
                let s = i
                while i < c.count && (c[i].isNumber || c[i] == "." || c[i] == "_" || c[i] == "e" || c[i] == "j"
                                      || ((c[i] == "-" || c[i] == "+") && c[i - 1] == "e")) { i += 1 }
                out += span("num", String(c[s..<i]))
                continue
            }
            if ch == "@" && (i == 0 || c[i - 1] == "\n" || c[i - 1] == " ") {
                let s = i
                while i < c.count && c[i] != "\n" && c[i] != "(" { i += 1 }
                out += span("attr", String(c[s..<i]))
                continue
            }
            if ch.isLetter || ch == "_" {
                let s = i
                while i < c.count && (c[i].isLetter || c[i].isNumber || c[i] == "_") { i += 1 }
                let word = String(c[s..<i])
                if pythonKeywords.contains(word) && previousWord != "." { out += span("kw", word) }
                else if ["def", "class"].contains(previousWord) { out += span("def", word) }
                else if pythonBuiltins.contains(word) && previousWord != "." { out += span("fn", word) }
                else if word.first!.isUppercase { out += span("ty", word) }
                else { out += Render.escape(word) }
                previousWord = word
                continue
            }
            if !ch.isWhitespace { previousWord = String(ch) }
            out += Render.escape(String(ch))
            i += 1
        }
        return out
    }
}
