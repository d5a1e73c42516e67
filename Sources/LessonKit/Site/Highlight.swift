// Highlight: Swift and Python source -> HTML spans (a hand lexer: swift-syntax's classifier would
// cost minutes of release build on 2 cores for the same few token classes the site colours).

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

    package static func swift(_ code: String) -> String {
        let c = Array(code)
        var out = ""
        var i = 0
        var previousWord = ""
        while i < c.count {
            let ch = c[i]
            if ch == "/" && i + 1 < c.count && c[i + 1] == "/" {
                let s = i
                while i < c.count && c[i] != "\n" { i += 1 }
                out += span("com", String(c[s..<i]))
                continue
            }
            if ch == "/" && i + 1 < c.count && c[i + 1] == "*" {
                let s = i
                var depth = 0
                while i < c.count {
                    if c[i] == "/" && i + 1 < c.count && c[i + 1] == "*" { depth += 1; i += 2; continue }
                    if c[i] == "*" && i + 1 < c.count && c[i + 1] == "/" { depth -= 1; i += 2; if depth == 0 { break }; continue }
                    i += 1
                }
                out += span("com", String(c[s..<min(i, c.count)]))
                continue
            }
            if ch == "\"" || (ch == "#" && i + 1 < c.count && c[i + 1] == "\"") {
                out += swiftString(c, &i)
                continue
            }
            if ch.isNumber {
                let s = i
                while i < c.count && (c[i].isNumber || c[i] == "." || c[i] == "_" || c[i] == "e" || c[i] == "x"
                                      || ((c[i] == "-" || c[i] == "+") && (c[i - 1] == "e")) || c[i].isHexDigit) {
                    if c[i] == "." && !(i + 1 < c.count && c[i + 1].isNumber) { break }
                    i += 1
                }
                out += span("num", String(c[s..<i]))
                continue
            }
            if ch == "@" || ch == "#" {
                let s = i
                i += 1
                while i < c.count && (c[i].isLetter || c[i].isNumber || c[i] == "_") { i += 1 }
                out += span(ch == "@" ? "attr" : "kw", String(c[s..<i]))
                continue
            }
            if ch.isLetter || ch == "_" || ch == "`" {
                let s = i
                i += 1
                while i < c.count && (c[i].isLetter || c[i].isNumber || c[i] == "_" || c[i] == "`") { i += 1 }
                let word = String(c[s..<i])
                if swiftKeywords.contains(word) && previousWord != "." {
                    out += span("kw", word)
                } else if word.first!.isUppercase {
                    out += span("ty", word)
                } else if ["func", "let", "var", "struct", "class", "enum"].contains(previousWord) {
                    out += span("def", word)
                } else if i < c.count && c[i] == "(" {
                    out += span("fn", word)
                } else {
                    out += Render.escape(word)
                }
                previousWord = word
                continue
            }
            if !ch.isWhitespace { previousWord = String(ch) }
            out += Render.escape(String(ch))
            i += 1
        }
        return out
    }

    /// A Swift string literal (plain, multi-line, raw), with `\(...)` interpolations highlighted as code.
    private static func swiftString(_ c: [Character], _ i: inout Int) -> String {
        var hashes = 0
        let start = i
        while i < c.count && c[i] == "#" { hashes += 1; i += 1 }
        let multiline = i + 2 < c.count && c[i] == "\"" && c[i + 1] == "\"" && c[i + 2] == "\""
        i += multiline ? 3 : 1
        let closing = Array(String(repeating: "\"", count: multiline ? 3 : 1) + String(repeating: "#", count: hashes))
        let escape = Array("\\" + String(repeating: "#", count: hashes))
        var out = "<span class=\"t-str\">" + Render.escape(String(c[start..<i]))
        func at(_ k: Int, _ s: [Character]) -> Bool { k + s.count <= c.count && Array(c[k..<(k + s.count)]) == s }
        while i < c.count {
            if at(i, escape) && i + escape.count < c.count && c[i + escape.count] == "(" {
                // Interpolation: find the matching parenthesis and highlight its inside as Swift.
                var depth = 0, k = i + escape.count
                while k < c.count {
                    if c[k] == "(" { depth += 1 } else if c[k] == ")" { depth -= 1; if depth == 0 { break } }
                    k += 1
                }
                let inner = String(c[(i + escape.count + 1)..<min(k, c.count)])
                out += "<span class=\"t-interp\">" + Render.escape(String(escape)) + "(</span>" + swift(inner) + "<span class=\"t-interp\">)</span>"
                i = min(k + 1, c.count)
                continue
            }
            if at(i, escape) { out += Render.escape(String(c[i..<min(i + escape.count + 1, c.count)])); i += escape.count + 1; continue }
            if at(i, closing) { out += Render.escape(String(closing)); i += closing.count; break }
            if !multiline && c[i] == "\n" { break }
            out += Render.escape(String(c[i]))
            i += 1
        }
        return out + "</span>"
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
