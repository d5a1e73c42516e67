// The Swift lexer: token kinds and texts on the edge cases, string literals' pieces, positions, the
// top-level statements found on it, and the site's HTML rendering of its tokens.

import Testing
@testable import LessonKit

@Suite struct SwiftLexerTests {
    /// The code tokens of `code` as "kind text".
    func lexed(_ code: String) -> [String] {
        SwiftLexer.tokens(code).filter(\.isSignificant).map { "\($0.kind) \($0.text)" }
    }

    func only(_ code: String) -> SwiftToken? {
        let tokens = SwiftLexer.tokens(code)
        return tokens.count == 1 ? tokens[0] : nil
    }

    /// A string literal's segments as text: delimiters and text as written, interpolations as `{tokens}`.
    func pieces(_ t: SwiftToken) -> [String] {
        t.segments.map {
            switch $0 {
            case .delimiter(let d): "delimiter \(d)"
            case .text(let s): "text \(s)"
            case .interpolation(let open, let tokens, let close): "\(open){" + tokens.map(\.text).joined(separator: "|") + "}\(close)"
            }
        }
    }

    @Test func everyCharacterIsInExactlyOneTokenInOrder() {
        let code = "let s = #\"a\\#(b)\"# /* c /* d */ */ + x.0.1 // e\r\n@attr #if X\n`y` $0 'q'\u{7}"
        let tokens = SwiftLexer.tokens(code)
        #expect(tokens.map(\.text).joined() == code)
        for (a, b) in zip(tokens, tokens.dropFirst()) { #expect(a.end == b.start) }
        #expect(tokens.first?.start == 0 && tokens.last?.end == Array(code).count)
    }

    @Test func interpolationsNestParenthesesAndStrings() throws {
        let code = #""a\(f(g(1), ")") + "x\(y)")b" + z"#
        #expect(lexed(code) == [#"string "a\(f(g(1), ")") + "x\(y)")b""#, "operator +", "identifier z"])
        let s = try #require(SwiftLexer.tokens(code).first)
        #expect(pieces(s) == [#"delimiter ""#, "text a", #"\({f|(|g|(|1|)|,| |")"|)| |+| |"x\(y)"})"#, "text b", #"delimiter ""#])
        let inner = s.interpolations[0]
        #expect(inner.filter(\.isSignificant).map(\.kind) == [.identifier, .punctuation, .identifier, .punctuation, .number,
                                                              .punctuation, .punctuation, .string, .punctuation, .operator, .string])
        // Positions of an interpolation's tokens are in the whole source; their depth starts again at 0.
        #expect(inner[0].start == 4 && inner[0].column == 5 && inner[0].depth == 0 && inner[1].depth == 0 && inner[2].depth == 1)
        #expect(s.isTerminated)
    }

    @Test func rawStringsNeedTheirHashesToCloseAndToInterpolate() throws {
        #expect(lexed(##"#"a\(x)"# + 1"##) == [##"string #"a\(x)"#"##, "operator +", "number 1"])
        let plain = try #require(SwiftLexer.tokens(##"#"a\(x)"#"##).first)
        #expect(pieces(plain) == [##"delimiter #""##, #"text a\(x)"#, ##"delimiter "#"##])
        let interpolated = try #require(only(##"#"a\#(x)"#"##))
        #expect(pieces(interpolated) == [##"delimiter #""##, "text a", ##"\#({x})"##, ##"delimiter "#"##])
        // `"#` does not close a `##"` string, and `\#(` is not its interpolation.
        let two = try #require(only(###"##"a"#b\#(c)"##"###))
        #expect(pieces(two) == [###"delimiter ##""###, ##"text a"#b\#(c)"##, ###"delimiter "##"###])
        // An escaped quote does not close a plain string.
        #expect(lexed(#""a\"b" c"#) == [#"string "a\"b""#, "identifier c"])
    }

    @Test func multiLineStringsSpanLinesAndAOneLineStringEndsWithItsLine() throws {
        let code = "let s = \"\"\"\n  say \"hi\" \\(name)\n  \"\"\"\nnext"
        let tokens = SwiftLexer.tokens(code).filter(\.isSignificant)
        #expect(tokens.map(\.kind) == [.keyword, .identifier, .punctuation, .string, .identifier])
        #expect(pieces(tokens[3]) == [#"delimiter """"#, "text \n  say \"hi\" ", #"\({name})"#, "text \n  ", #"delimiter """"#])
        #expect(tokens[4].line == 4 && tokens[4].column == 1)
        let open = SwiftLexer.tokens("\"abc\nx").filter(\.isSignificant)
        #expect(open.map(\.text) == ["\"abc", "x"])
        #expect(!open[0].isTerminated && open[1].line == 2)
        #expect(SwiftLexer.isUnfinished("let s = \"\"\"\nabc"))
        #expect(SwiftLexer.isUnfinished("print(\"\\(f(1)\")"))
        #expect(!SwiftLexer.isUnfinished("print(\"(\\(\")\")\")"))
        // A backslash at the very end, and an interpolation holding an unclosed string, are unfinished strings.
        #expect(SwiftLexer.isUnfinished("print(\"a\\") && SwiftLexer.isUnfinished("\"\\(\""))
    }

    @Test func blockCommentsNest() throws {
        #expect(lexed("/* a /* b */ c */ x") == ["identifier x"])
        let comment = try #require(SwiftLexer.tokens("/* a /* b */ c */ x").first)
        #expect(comment.kind == .comment && comment.text == "/* a /* b */ c */")
        let open = try #require(only("/* a /* b */ c"))
        #expect(open.kind == .comment && !open.isTerminated)
        #expect(SwiftLexer.isUnfinished("/* a /* b */ c"))
        #expect(lexed("a // b */ c\nd") == ["identifier a", "identifier d"])
    }

    @Test func numbersAreLexedAsSwiftDoes() {
        for n in ["1.5", "1e-5", "1E+10", "0x1p-3", "0x1.8p1", "1_000", "0b1010", "0o17", "1_000.000_1", "0xFF"] {
            #expect(lexed(n) == ["number \(n)"], "\(n)")
        }
        // A fraction needs a digit after the period; after a period, digits are a tuple member.
        #expect(lexed("x.5") == ["identifier x", "punctuation .", "number 5"])
        #expect(lexed(".5") == ["punctuation .", "number 5"])
        #expect(lexed("t.0.1") == ["identifier t", "punctuation .", "number 0", "punctuation .", "number 1"])
        #expect(lexed("1.description") == ["number 1", "punctuation .", "identifier description"])
        #expect(lexed("0xff.description") == ["number 0xff", "punctuation .", "identifier description"])
        #expect(lexed("1..<5") == ["number 1", "operator ..<", "number 5"])
        #expect(lexed("1.0...2.5") == ["number 1.0", "operator ...", "number 2.5"])
        #expect(lexed("-1") == ["operator -", "number 1"])
        #expect(lexed("12abc") == ["number 12abc"])
    }

    @Test func operatorsAreMaximalRunsAndPeriodsOnlyStartThem() {
        #expect(lexed("a..<b") == ["identifier a", "operator ..<", "identifier b"])
        #expect(lexed("a...") == ["identifier a", "operator ..."])
        #expect(lexed("f() -> Int") == ["identifier f", "punctuation (", "punctuation )", "punctuation ->", "identifier Int"])
        #expect(lexed("a +++ b") == ["identifier a", "operator +++", "identifier b"])
        #expect(lexed("x!.y?.z") == ["identifier x", "operator !", "punctuation .", "identifier y", "operator ?",
                                     "punctuation .", "identifier z"])
        #expect(lexed("a = b == c ?? d") == ["identifier a", "punctuation =", "identifier b", "operator ==", "identifier c",
                                             "operator ??", "identifier d"])
        #expect(lexed("a+//c\nb") == ["identifier a", "operator +", "identifier b"])
        #expect(lexed("a ∘ b") == ["identifier a", "operator ∘", "identifier b"])
        #expect(lexed("\\.x") == ["punctuation \\", "punctuation .", "identifier x"])
    }

    @Test func directivesAndAttributesAreOneTokenEach() {
        #expect(lexed("#if DEBUG\nx\n#elseif os(Linux)\n#endif") == ["directive #if", "identifier DEBUG", "identifier x",
            "directive #elseif", "identifier os", "punctuation (", "identifier Linux", "punctuation )", "directive #endif"])
        #expect(lexed("#sourceLocation(file: \"a.md\", line: 3)").prefix(4) == ["directive #sourceLocation", "punctuation (",
                                                                              "identifier file", "punctuation :"])
        #expect(lexed("@discardableResult @available(*, unavailable) func f()").prefix(4) == [
            "attribute @discardableResult", "attribute @available", "punctuation (", "operator *"])
        #expect(lexed("@MainActor") == ["attribute @MainActor"])
    }

    @Test func reservedWordsAreKeywordsAndOtherNamesIdentifiers() {
        #expect(lexed("let x = self") == ["keyword let", "identifier x", "punctuation =", "keyword self"])
        #expect(lexed("`let` `default`") == ["identifier `let`", "identifier `default`"])
        #expect(lexed("mutating func get some") == ["identifier mutating", "keyword func", "identifier get", "identifier some"])
        #expect(lexed("_ = $0 + $x") == ["keyword _", "punctuation =", "identifier $0", "operator +", "identifier $x"])
        #expect(lexed("Any Self αβ x2") == ["keyword Any", "keyword Self", "identifier αβ", "identifier x2"])
    }

    @Test func tokensKnowTheirLineColumnAndBracketDepth() {
        let tokens = SwiftLexer.tokens("f(a, [b])\n  g { c }").filter(\.isSignificant)
        #expect(tokens.map(\.depth) == [0, 0, 1, 1, 1, 2, 1, 0, 0, 0, 1, 0])
        let g = tokens[8]
        #expect(g.text == "g" && g.line == 2 && g.column == 3 && g.start == 12 && g.end == 13)
        #expect(SwiftLexer.isUnfinished("f(a,") && SwiftLexer.isUnfinished("{ [") && !SwiftLexer.isUnfinished("f(a) // ("))
        #expect(!SwiftLexer.isUnfinished(")"))
    }

    @Test func topLevelStatementsEndAtSemicolonsAndLineBreaksThatDoNotContinue() {
        let code = "let a = 1; a\n  + 2\nprint(a) /* x\n */ [1, 2]\n  .map { $0 }\nif a > 0 {\n} else {\n}"
        let c = Array(code)
        let statements = SwiftStatements.all(code)
        #expect(statements.map { String(c[$0.start..<$0.end]) } == [
            "let a = 1", "a\n  + 2", "print(a)", "[1, 2]\n  .map { $0 }", "if a > 0 {\n} else {\n}",
        ])
        #expect(statements.map(\.isExpression) == [false, true, true, true, false])
        #expect(SwiftStatements.last("x += 1")?.isExpression == false)
        #expect(SwiftStatements.last("x == 1")?.isExpression == true)
        #expect(SwiftStatements.last("// nothing") == nil)
        // A line that starts with a prefix operator is a statement of its own (swiftc: `-x` is prefix,
        // `- x` binary); the cell shows its value.
        let prefix = "let p = f()\n-p.log()"
        #expect(SwiftStatements.last(prefix).map { String(Array(prefix)[$0.start..<$0.end]) } == "-p.log()")
        let binary = "let q = 1\nq\n  - 2"
        #expect(SwiftStatements.last(binary).map { String(Array(binary)[$0.start..<$0.end]) } == "q\n  - 2")
    }

    @Test func theSiteRendersTheTokensAsSpans() {
        #expect(Highlight.swift("let s = \"n = \\(f(1.5))\" // c") == "<span class=\"t-kw\">let</span> <span class=\"t-def\">s</span> = "
            + "<span class=\"t-str\">&quot;n = <span class=\"t-interp\">\\(</span><span class=\"t-fn\">f</span>(<span class=\"t-num\">1.5</span>)"
            + "<span class=\"t-interp\">)</span>&quot;</span> <span class=\"t-com\">// c</span>")
        // As the site always coloured them: a member after `.` is no keyword, `$0` is `$` and a number,
        // a tuple member chain `.1.0` one number; `#if` a keyword, `@x` an attribute, a capitalised name a type.
        #expect(Highlight.swift("x.self; $0.1.0") == "x.self; $<span class=\"t-num\">0.1.0</span>")
        #expect(Highlight.swift("@inline(__always) #if T") == "<span class=\"t-attr\">@inline</span>(__always) "
            + "<span class=\"t-kw\">#if</span> <span class=\"t-ty\">T</span>")
    }
}
