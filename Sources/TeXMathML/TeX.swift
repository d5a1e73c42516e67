// TeX to MathML Core, at build time. The site loads nothing from the network (no MathJax, no KaTeX):
// Chromium lays out MathML Core natively, so every formula of a lesson is converted here, once.
//
// Three stages: `Lexer` cuts the source into tokens, `Parser` (recursive descent) builds a small tree of
// `Node`s that already knows TeX's decisions (which style a fraction is in, whether limits go under a
// `\sum`), and `Renderer` prints that tree as MathML. The output is a pure function of the input.
//
// MathML Core leaves spacing to an operator dictionary keyed by the character and its form (prefix,
// infix, postfix), not to TeX's atom classes. Where the two disagree in ways readers notice, the renderer
// says what TeX means explicitly: `stretchy="false"` on plain parentheses, `form="prefix"` on a unary
// minus, zero spacing on `|`, a function-application operator after `\cos` and a thin space before it.

/// A formula that cannot be converted: what is wrong, and where.
public struct TeXError: Error, Equatable, CustomStringConvertible {
    public var message: String
    /// 0-based offset, in `Character`s, into the TeX source of the command, brace or character at fault.
    public var offset: Int

    public init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }

    public init(message: String, offset: Int) {
        self.init(message, at: offset)
    }

    public var description: String { "\(message) (at character \(offset))" }
}

/// The module's one entry point (the module depends on nothing else of the project).
public enum TeX {
    /// MathML for one formula: `<math>` (inline) or `<math display="block">`, with the source kept in an
    /// `application/x-tex` annotation so that copy and paste and assistive technology still see the TeX.
    public static func mathML(_ tex: String, display: Bool) throws -> String {
        let tokens = try Lexer.tokenize(Array(tex))
        guard tokens.contains(where: { $0.kind != .space }) else { throw TeXError("empty formula", at: 0) }
        let items = try Parser(tokens: tokens, display: display).parseFormula()
        return (display ? "<math display=\"block\">" : "<math>")
            + "<semantics>" + Renderer.element(.row(items))
            + "<annotation encoding=\"application/x-tex\">" + Renderer.escape(tex) + "</annotation>"
            + "</semantics></math>"
    }
}

// MARK: - Tokens

extension TeX {
    struct Token: Equatable {
        enum Kind: Equatable {
            /// `\name` (letters) or `\x` (one other character); the name is stored without the backslash.
            case command(String)
            case character(Character)
            case beginGroup, endGroup, caret, underscore, alignment
            /// A run of white space. Math mode ignores it; `\text{...}` keeps it.
            case space
        }

        var kind: Kind
        var offset: Int
    }

    enum Lexer {
        static func tokenize(_ source: [Character]) throws -> [Token] {
            // Checked up front, comments included, because the source is copied into the annotation and
            // control characters are not allowed in XML.
            for (offset, character) in source.enumerated() where !isAllowed(character) {
                let codes = character.unicodeScalars.map { "U+" + hex($0.value, width: 4) }.joined(separator: " ")
                throw TeXError("unsupported character \(codes)", at: offset)
            }
            var tokens: [Token] = []
            var i = 0
            while i < source.count {
                let c = source[i]
                switch c {
                case "\\":
                    guard i + 1 < source.count else { throw TeXError("lone backslash at end of formula", at: i) }
                    let next = source[i + 1]
                    if isCommandLetter(next) {
                        var j = i + 1
                        while j < source.count, isCommandLetter(source[j]) { j += 1 }
                        tokens.append(Token(kind: .command(String(source[(i + 1)..<j])), offset: i))
                        // TeX drops the spaces after a control word: `\cos x` is `\cos` then `x`.
                        while j < source.count, source[j].isWhitespace { j += 1 }
                        i = j
                    } else {
                        tokens.append(Token(kind: .command(next.isWhitespace ? " " : String(next)), offset: i))
                        i += 2
                    }
                case "%":
                    // A comment runs to the end of the line.
                    while i < source.count, !source[i].isNewline { i += 1 }
                case "{": tokens.append(Token(kind: .beginGroup, offset: i)); i += 1
                case "}": tokens.append(Token(kind: .endGroup, offset: i)); i += 1
                case "^": tokens.append(Token(kind: .caret, offset: i)); i += 1
                case "_": tokens.append(Token(kind: .underscore, offset: i)); i += 1
                case "&": tokens.append(Token(kind: .alignment, offset: i)); i += 1
                default:
                    if c.isWhitespace {
                        let start = i
                        while i < source.count, source[i].isWhitespace { i += 1 }
                        tokens.append(Token(kind: .space, offset: start))
                    } else {
                        tokens.append(Token(kind: .character(c), offset: i))
                        i += 1
                    }
                }
            }
            return tokens
        }

        static func isCommandLetter(_ c: Character) -> Bool {
            c.isASCII && c.isLetter
        }

        /// Characters XML 1.0 allows, minus the other control characters (tab, newline, return stay).
        static func isAllowed(_ c: Character) -> Bool {
            c.unicodeScalars.allSatisfy { scalar in
                switch scalar.value {
                case 0x9, 0xA, 0xD, 0x20...0x7E, 0xA0...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
                default: false
                }
            }
        }
    }

    static func hex(_ value: UInt32, width: Int = 0) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

// MARK: - The tree

extension TeX {
    /// TeX's classes of atoms, which decide spacing (`a-b` versus `-b`) and a few layout choices.
    enum AtomClass {
        case ord, op, bin, rel, open, close, punct, inner
        /// Explicit spacing (`\,`, `\quad`): not an atom, so invisible to the rules that look at neighbours.
        case glue
    }

    /// Where a big operator's scripts go: `\int` keeps them at the side, `\sum` puts them under and over
    /// in display style only, `\underbrace` (or `\sum\limits`) always.
    enum Limits { case never, display, always }

    struct Operator {
        var text: String
        var kind: AtomClass
        var stretchy: Bool? = nil
        /// Fixed height (`minsize` = `maxsize`) for `\big(` and friends.
        var size: String? = nil
        var lspace: String? = nil
        var rspace: String? = nil
        var movableLimits: Bool? = nil
    }

    enum Spacing {
        case width(String)
        /// `~` and `\ `: an interword space, which MathML writes as a no-break space in `<mtext>`.
        case nonBreaking
    }

    enum Alignment { case left, center, right }

    struct MathTable {
        var rows: [[[Node]]]
        /// Cycled when a row has more cells than there are entries.
        var columns: [Alignment]
        var displayStyle: Bool
        /// `aligned` and friends: right/left column pairs set flush against each other (`a &= b`).
        var alignedPairs: Bool
    }

    indirect enum Node {
        /// A TeX group; an `<mrow>` unless it has exactly one child.
        case row([Node])
        /// `upright` asks for `mathvariant="normal"` (only meaningful on one letter, see `Renderer`).
        case identifier(String, upright: Bool)
        case number(String)
        case op(Operator)
        case text(String)
        case space(Spacing)
        case fraction(Node, Node, lineThickness: String?)
        case sqrt(Node)
        case root(Node, index: Node)
        /// `limits`: under and over (`munderover`) instead of at the side (`msubsup`), decided by the parser.
        case scripts(base: Node, sub: Node?, sup: Node?, limits: Bool)
        /// Accents and braces: `mover`/`munder`.
        case overUnder(base: Node, mark: Node, over: Bool, accent: Bool)
        /// A TeX Op atom: `\sum`, `\lim`, `\cos`, `\operatorname{...}`. Functions get U+2061 after them.
        case mathop(Node, limits: Limits, function: Bool)
        /// `\left( ... \middle| ... \right)`: the delimiters stretch to the contents.
        case fenced(open: Operator?, body: [Node], close: Operator?)
        case table(MathTable)
        /// `\displaystyle` and the like, or a `\dfrac` in text style.
        case style(Node, displayStyle: Bool, scriptLevel: Int?)
        /// `\mathrel{...}` and the like: the contents with another atom class.
        case classed(Node, AtomClass)

        var atomClass: AtomClass {
            switch self {
            case .op(let o): o.kind
            case .mathop: .op
            case .scripts(let base, _, _, _): base.atomClass
            case .fraction, .fenced: .inner
            case .space: .glue
            case .classed(_, let c): c
            default: .ord
            }
        }

        var limits: Limits {
            if case .mathop(_, let limits, _) = self { return limits }
            return .never
        }

        /// `\cos`, `\max_j`, `\log^2`: followed by an invisible function application.
        var isFunction: Bool {
            switch self {
            case .mathop(_, _, let function): function
            case .scripts(let base, _, _, _): base.isFunction
            default: false
            }
        }

        /// An Op atom that MathML draws as `<mi>` (`\cos`, `\operatorname`, `\underbrace`): unlike `<mo>∑</mo>`
        /// it gets no spacing from the operator dictionary.
        var isOperatorWord: Bool {
            switch self {
            case .mathop(let inner, _, _):
                if case .op = inner.unwrapped { return false }
                return true
            case .scripts(let base, _, _, _): return base.isOperatorWord
            default: return false
            }
        }

        var children: [Node] {
            if case .row(let nodes) = self { return nodes }
            return [self]
        }

        /// The node itself, or the only child of a one-child group.
        var unwrapped: Node {
            if case .row(let nodes) = self, nodes.count == 1, let only = nodes.first { return only.unwrapped }
            return self
        }
    }
}

// MARK: - Parser

extension TeX {
    /// Fonts of `\mathbf` and friends. MathML Core honours `mathvariant` only as "normal" on `<mi>`, so the
    /// others become Unicode mathematical alphanumeric characters (bold x is U+1D431, `\mathbb{R}` is ℝ).
    enum Font {
        case normal, roman, bold, italic, boldItalic, script, fraktur, doubleStruck, sansSerif, monospace

        /// `\mathrm{softmax}` is one word, one `<mi>`; plain `ab` is the product of two variables.
        var mergesLetters: Bool { self != .normal && self != .boldItalic }
    }

    final class Parser {
        /// Deeper formulas are rejected rather than risking the stack (real ones nest a handful of levels).
        static let maximumDepth = 50

        let tokens: [Token]
        var position = 0
        /// TeX's display style, which decides where the limits of `\sum` go. Fractions, scripts and
        /// `cases` leave it; `\dfrac`, `\displaystyle` and `aligned` enter it.
        var display: Bool
        var font = Font.normal
        var depth = 0

        init(tokens: [Token], display: Bool) {
            self.tokens = tokens
            self.display = display
        }

        func parseFormula() throws -> [Node] {
            let items = try parseRow()
            if let token = peek() { throw unexpected(token) }
            return items
        }

        // MARK: Token access

        /// The next token that is not white space (which math mode ignores).
        func peek() -> Token? {
            while position < tokens.count, tokens[position].kind == .space { position += 1 }
            return position < tokens.count ? tokens[position] : nil
        }

        /// The next token, white space included.
        func peekRaw() -> Token? {
            position < tokens.count ? tokens[position] : nil
        }

        func advance() { position += 1 }

        func descend<T>(at offset: Int, _ body: () throws -> T) throws -> T {
            depth += 1
            defer { depth -= 1 }
            if depth > Self.maximumDepth { throw TeXError("formula nested too deeply", at: offset) }
            return try body()
        }

        func withStyle<T>(display newValue: Bool, _ body: () throws -> T) rethrows -> T {
            let saved = display
            display = newValue
            defer { display = saved }
            return try body()
        }

        func withFont<T>(_ newValue: Font, _ body: () throws -> T) rethrows -> T {
            let saved = font
            font = newValue
            defer { font = saved }
            return try body()
        }

        /// The error for a token that ends rows (`}`, `&`, `\\`, `\right`, ...) where nothing expects it.
        func unexpected(_ token: Token) -> TeXError {
            switch token.kind {
            case .endGroup: TeXError("unexpected closing brace", at: token.offset)
            case .alignment: TeXError("misplaced &", at: token.offset)
            case .command("\\"): TeXError("misplaced \\\\", at: token.offset)
            case .command("right"): TeXError("\\right without matching \\left", at: token.offset)
            case .command("middle"): TeXError("\\middle without matching \\left", at: token.offset)
            case .command("end"): TeXError("\\end without matching \\begin", at: token.offset)
            case .command(let name): TeXError("unexpected \\\(name)", at: token.offset)
            case .character(let c): TeXError("unexpected \(c)", at: token.offset)
            case .caret: TeXError("unexpected ^", at: token.offset)
            case .underscore: TeXError("unexpected _", at: token.offset)
            case .beginGroup: TeXError("unexpected opening brace", at: token.offset)
            case .space: TeXError("unexpected space", at: token.offset)
            }
        }

        func endsRow(_ token: Token, stopAtBracket: Bool) -> Bool {
            switch token.kind {
            case .endGroup, .alignment: true
            case .command(let name): ["right", "middle", "end", "\\"].contains(name)
            case .character("]"): stopAtBracket
            default: false
            }
        }

        // MARK: Rows and atoms

        /// Atoms up to the end of the input or a token that ends a row; the caller decides whether that
        /// token is welcome. `stopAtBracket` is for the optional argument of `\sqrt[3]{x}`.
        func parseRow(stopAtBracket: Bool = false) throws -> [Node] {
            var items: [Node] = []
            while let token = peek(), !endsRow(token, stopAtBracket: stopAtBracket) {
                if case .command(let name) = token.kind, let style = Symbols.styles[name] {
                    // A style switch applies to the rest of the group.
                    advance()
                    let rest = try descend(at: token.offset) {
                        try withStyle(display: style.display) { try parseRow(stopAtBracket: stopAtBracket) }
                    }
                    items.append(.style(.row(rest), displayStyle: style.display, scriptLevel: style.scriptLevel))
                    break
                }
                items.append(try parseScripted())
            }
            return items
        }

        /// An atom with its subscript, superscript and primes.
        func parseScripted() throws -> Node {
            var base = try parseAtom(single: false)
            var sub: Node?
            var sup: Node?
            var primes = 0
            // After `x'` a `^` joins the primes (x'^2 is x^{\prime 2}); anything else closes them, as in TeX.
            var primesOpen = false
            scripts: while let token = peek() {
                switch token.kind {
                case .command(let name) where name == "limits" || name == "nolimits":
                    guard case .mathop(let inner, _, let function) = base else {
                        throw TeXError("\\\(name) must follow a math operator", at: token.offset)
                    }
                    base = .mathop(inner, limits: name == "limits" ? .always : .never, function: function)
                    advance()
                case .caret:
                    if sup != nil && !primesOpen { throw TeXError("double superscript", at: token.offset) }
                    advance()
                    let argument = try withStyle(display: false) { try parseArgument(for: "^", at: token.offset) }
                    sup = primesOpen ? .row([primeNode(primes)] + argument.children) : argument
                    primesOpen = false
                case .underscore:
                    if sub != nil { throw TeXError("double subscript", at: token.offset) }
                    advance()
                    sub = try withStyle(display: false) { try parseArgument(for: "_", at: token.offset) }
                    primesOpen = false
                case .character("'"):
                    if sup != nil && !primesOpen { throw TeXError("double superscript", at: token.offset) }
                    advance()
                    primes += 1
                    sup = primeNode(primes)
                    primesOpen = true
                default:
                    break scripts
                }
            }
            if sub == nil && sup == nil { return base }
            let limits = switch base.limits {
            case .always: true
            case .display: display
            case .never: false
            }
            return .scripts(base: base, sub: sub, sup: sup, limits: limits)
        }

        func primeNode(_ count: Int) -> Node {
            let text = switch count {
            case 1: "\u{2032}"
            case 2: "\u{2033}"
            case 3: "\u{2034}"
            case 4: "\u{2057}"
            default: String(repeating: "\u{2032}", count: count)
            }
            return .op(Operator(text: text, kind: .ord))
        }

        /// One argument, TeX style: a `{group}` or a single token (so `\frac12` and `x^2` work, and `x^12`
        /// is x² followed by 2).
        func parseArgument(for command: String, at offset: Int) throws -> Node {
            let missing = TeXError("missing argument for \(command)", at: offset)
            guard let token = peek() else { throw missing }
            switch token.kind {
            case .beginGroup:
                return try parseGroup()
            case .character:
                return try descend(at: token.offset) { try parseAtom(single: true) }
            case .command(let name):
                if ["right", "middle", "end", "\\", "limits", "nolimits"].contains(name) || Symbols.styles[name] != nil {
                    throw missing
                }
                return try descend(at: token.offset) { try parseAtom(single: true) }
            case .endGroup, .caret, .underscore, .alignment, .space:
                throw missing
            }
        }

        func parseGroup() throws -> Node {
            guard let open = peek(), open.kind == .beginGroup else {
                throw TeXError("expected an opening brace", at: peek()?.offset ?? tokens.last?.offset ?? 0)
            }
            advance()
            return try descend(at: open.offset) {
                let items = try parseRow()
                guard let close = peek() else {
                    throw TeXError("missing closing brace for group opened here", at: open.offset)
                }
                guard close.kind == .endGroup else { throw unexpected(close) }
                advance()
                return .row(items)
            }
        }

        /// One atom without scripts. `single` is for arguments: one digit, not a whole number.
        func parseAtom(single: Bool) throws -> Node {
            guard let token = peek() else { throw TeXError("unexpected end of formula", at: tokens.last?.offset ?? 0) }
            switch token.kind {
            case .beginGroup:
                return try parseGroup()
            case .caret, .underscore:
                // A script with nothing before it gets an empty base, as TeX does for `{}^2`.
                return .row([])
            case .character("'") where !single:
                return .row([])  // a prime with no base; parseScripted attaches it
            case .character(let c):
                advance()
                return try character(c, at: token.offset, single: single)
            case .command(let name):
                advance()
                return try command(name, token: token)
            case .endGroup, .alignment, .space:
                throw unexpected(token)
            }
        }

        // MARK: Characters

        func character(_ c: Character, at offset: Int, single: Bool) throws -> Node {
            if c.isLetter {
                var text = String(c)
                if font.mergesLetters && !single {
                    while let next = peekRaw(), case .character(let d) = next.kind, d.isLetter {
                        text.append(d)
                        advance()
                    }
                }
                return identifier(text)
            }
            if c.isASCII && c.isNumber || c == "." && !single && nextIsDigit() {
                var text = String(c)
                if !single {
                    var seenPoint = c == "."
                    while let next = peekRaw(), case .character(let d) = next.kind {
                        if d.isASCII && d.isNumber {
                            text.append(d)
                        } else if d == ".", !seenPoint, position + 1 < tokens.count,
                                  case .character(let e) = tokens[position + 1].kind, e.isASCII && e.isNumber {
                            seenPoint = true
                            text.append(d)
                        } else {
                            break
                        }
                        advance()
                    }
                }
                return .number(Fonts.apply(font, to: text))
            }
            switch c {
            case "'": return primeNode(1)
            case "~": return .space(.nonBreaking)
            case "$": throw TeXError("unexpected $ (a formula must not contain math delimiters)", at: offset)
            default: break
            }
            if let op = Symbols.characterOperators[c] { return .op(op) }
            if ".?@\"`".contains(c) { return .identifier(String(c), upright: false) }
            if !c.isASCII {
                // A symbol typed as Unicode behaves like its command (≤ like \le), or else as ordinary.
                return .op(Symbols.operatorsByText[String(c)] ?? Operator(text: String(c), kind: .ord))
            }
            throw TeXError("unsupported character \(c)", at: offset)
        }

        func nextIsDigit() -> Bool {
            if let next = peekRaw(), case .character(let d) = next.kind { return d.isASCII && d.isNumber }
            return false
        }

        /// An identifier in the current font. Upright when TeX sets it upright but MathML would slant it.
        func identifier(_ text: String) -> Node {
            switch font {
            case .normal:
                // TeX sets capital Greek upright; MathML slants every single letter it knows.
                let upright = text.unicodeScalars.count == 1 && text.unicodeScalars.allSatisfy { (0x391...0x3A9).contains($0.value) }
                return .identifier(text, upright: upright)
            case .roman:
                return .identifier(text, upright: true)
            default:
                return .identifier(Fonts.apply(font, to: text), upright: false)
            }
        }

        // MARK: Commands

        func command(_ name: String, token: Token) throws -> Node {
            let offset = token.offset
            let command = "\\" + name
            if let letter = Symbols.letters[name] { return identifier(letter) }
            if let symbol = Symbols.ordinary[name] { return .identifier(symbol.text, upright: symbol.upright) }
            if let op = Symbols.operators[name] { return .op(op) }
            if let delimiter = Symbols.delimiters[name] { return .op(Symbols.bareDelimiter(delimiter.text, delimiter.kind)) }
            if let big = Symbols.bigOperators[name] {
                return .mathop(.op(Operator(text: big.text, kind: .op)), limits: big.limits, function: false)
            }
            if let function = Symbols.functions[name] {
                return .mathop(.identifier(function.text, upright: true), limits: function.limits, function: true)
            }
            if let spacing = Symbols.spaces[name] { return .space(spacing) }
            if let escaped = Symbols.escapes[name] { return .identifier(escaped, upright: false) }
            if let newFont = Symbols.mathFonts[name] {
                return try withFont(newFont) { try parseArgument(for: command, at: offset) }
            }
            if let accent = Symbols.accents[name] {
                let base = try parseArgument(for: command, at: offset)
                let mark = Node.op(Operator(text: accent.text, kind: .ord, stretchy: accent.stretchy))
                return .overUnder(base: base, mark: mark, over: accent.over, accent: true)
            }
            if let textFont = Symbols.textFonts[name] {
                return .text(try textArgument(for: command, at: offset, font: textFont))
            }
            switch name {
            case "frac", "dfrac", "tfrac", "cfrac", "binom", "dbinom", "tbinom":
                let numerator = try withStyle(display: false) { try parseArgument(for: command, at: offset) }
                let denominator = try withStyle(display: false) { try parseArgument(for: command, at: offset) }
                var node = Node.fraction(numerator, denominator, lineThickness: nil)
                if name.hasSuffix("binom") {
                    node = .fenced(open: Symbols.fence("("), body: [.fraction(numerator, denominator, lineThickness: "0")], close: Symbols.fence(")"))
                }
                // \dfrac is {\displaystyle\frac..}, \tfrac is {\textstyle\frac..}; only a change is written.
                if name.hasPrefix("d") || name == "cfrac" {
                    return display ? node : .style(node, displayStyle: true, scriptLevel: 0)
                }
                if name.hasPrefix("t") {
                    return display ? .style(node, displayStyle: false, scriptLevel: nil) : node
                }
                return node
            case "sqrt":
                var index: Node?
                if let open = peek(), open.kind == .character("[") {
                    advance()
                    let items = try descend(at: open.offset) {
                        try withStyle(display: false) { try parseRow(stopAtBracket: true) }
                    }
                    guard let close = peek(), close.kind == .character("]") else {
                        throw TeXError("missing ] for the optional argument of \\sqrt", at: open.offset)
                    }
                    advance()
                    if !items.isEmpty { index = .row(items) }
                }
                let radicand = try parseArgument(for: command, at: offset)
                if let index { return .root(radicand, index: index) }
                return .sqrt(radicand)
            case "left":
                return try parseLeftRight(at: offset)
            case "operatorname":
                var limits = Limits.never
                if let star = peek(), star.kind == .character("*") {
                    advance()
                    limits = .display
                }
                let text = try textArgument(for: command, at: offset, font: .roman)
                return .mathop(.identifier(text, upright: true), limits: limits, function: true)
            case "mathop":
                return .mathop(try parseArgument(for: command, at: offset), limits: .display, function: false)
            case "overbrace", "underbrace":
                let base = try parseArgument(for: command, at: offset)
                let over = name == "overbrace"
                let brace = Node.op(Operator(text: over ? "\u{23DE}" : "\u{23DF}", kind: .ord, stretchy: true))
                return .mathop(.overUnder(base: base, mark: brace, over: over, accent: false), limits: .always, function: false)
            case "overset", "underset", "stackrel":
                let mark = try withStyle(display: false) { try parseArgument(for: command, at: offset) }
                let base = try parseArgument(for: command, at: offset)
                let node = Node.overUnder(base: base, mark: mark, over: name != "underset", accent: false)
                // amsmath gives the result the class of the base (so `\overset{def}{=}` is a relation).
                return .classed(node, name == "stackrel" ? .rel : base.unwrapped.atomClass)
            case "begin":
                return try parseEnvironment(at: offset)
            case "not":
                let target = try descend(at: offset) { try parseArgument(for: command, at: offset) }
                guard case .op(var relation) = target.unwrapped, relation.kind == .rel else {
                    throw TeXError("\\not must be followed by a relation", at: offset)
                }
                relation.text = Symbols.negations[relation.text] ?? relation.text + "\u{338}"
                return .op(relation)
            case "dots":
                // amsmath: centred dots between operators (a + \dots + b), low dots otherwise (x_1, \dots).
                var centred = false
                if let next = peek() {
                    switch next.kind {
                    case .character(let c): centred = [.bin, .rel].contains(Symbols.characterOperators[c]?.kind)
                    case .command(let n): centred = [.bin, .rel].contains(Symbols.operators[n]?.kind)
                    default: break
                    }
                }
                return .op(Operator(text: centred ? "\u{22EF}" : "\u{2026}", kind: .inner))
            default:
                break
            }
            if let big = Symbols.bigDelimiters[name] {
                guard var delimiter = try delimiter(after: command, at: offset, kind: big.kind) else { return .row([]) }
                delimiter.size = big.size
                Symbols.spaceAsTeX(&delimiter)
                return .op(delimiter)
            }
            if let kind = Symbols.classes[name] {
                return .classed(try parseArgument(for: command, at: offset), kind)
            }
            switch name {
            case "right", "middle", "end", "\\":
                throw unexpected(token)
            case "limits", "nolimits":
                throw TeXError("\(command) must follow a math operator", at: offset)
            default:
                throw TeXError("unsupported TeX command \(command)", at: offset)
            }
        }

        /// `\left( ... \middle| ... \right)`.
        func parseLeftRight(at offset: Int) throws -> Node {
            let open = try delimiter(after: "\\left", at: offset, kind: .open)
            return try descend(at: offset) {
                var body: [Node] = []
                while true {
                    body += try parseRow()
                    guard let token = peek() else { throw TeXError("\\left without matching \\right", at: offset) }
                    switch token.kind {
                    case .command("middle"):
                        advance()
                        if var middle = try delimiter(after: "\\middle", at: token.offset, kind: .ord) {
                            Symbols.spaceAsTeX(&middle)
                            body.append(.op(middle))
                        }
                    case .command("right"):
                        advance()
                        let close = try delimiter(after: "\\right", at: token.offset, kind: .close)
                        return .fenced(open: open, body: body, close: close)
                    default:
                        throw TeXError("\\left without matching \\right", at: offset)
                    }
                }
            }
        }

        /// The delimiter after `\left`, `\right`, `\middle` or `\big`: stretchy, or nil for `.`.
        func delimiter(after command: String, at offset: Int, kind: AtomClass) throws -> Operator? {
            let missing = TeXError("missing or unsupported delimiter after \(command)", at: offset)
            guard let token = peek() else { throw missing }
            var text: String?
            switch token.kind {
            case .character("."):
                advance()
                return nil
            case .character(let c):
                text = Symbols.delimiterCharacters[c]
            case .command(let name):
                text = Symbols.delimiters[name]?.text
            default:
                break
            }
            guard let text else { throw missing }
            advance()
            return Symbols.fence(text, kind: kind)
        }

        // MARK: Text

        /// The argument of `\text` and friends, as plain text: spaces count, math does not.
        func textArgument(for command: String, at offset: Int, font: Font) throws -> String {
            guard let token = peek() else { throw TeXError("missing argument for \(command)", at: offset) }
            switch token.kind {
            case .beginGroup:
                advance()
                return try textGroup(openedAt: token.offset, font: font)
            case .character(let c) where c != "$" && c != "~":
                advance()
                return Fonts.apply(font, to: String(c))
            default:
                throw TeXError("missing argument for \(command)", at: offset)
            }
        }

        func textGroup(openedAt open: Int, font: Font) throws -> String {
            try descend(at: open) {
                var text = ""
                while let token = peekRaw() {
                    advance()
                    switch token.kind {
                    case .endGroup:
                        return text
                    case .beginGroup:
                        text += try textGroup(openedAt: token.offset, font: font)
                    case .space:
                        text += " "
                    case .character("~"):
                        text += "\u{A0}"
                    case .character("$"):
                        throw TeXError("math inside \\text is not supported", at: token.offset)
                    case .character(let c):
                        text += Fonts.apply(font, to: String(c))
                    case .command(let name):
                        if let space = Symbols.textSpaces[name] {
                            text += space
                        } else if let escaped = Symbols.textEscapes[name] {
                            text += escaped
                        } else if let inner = Symbols.textFonts[name] {
                            text += try textArgument(for: "\\" + name, at: token.offset, font: inner == .roman ? font : inner)
                        } else {
                            throw TeXError("unsupported TeX command \\\(name)", at: token.offset)
                        }
                    case .caret:
                        throw TeXError("^ is not allowed in text", at: token.offset)
                    case .underscore:
                        throw TeXError("_ is not allowed in text", at: token.offset)
                    case .alignment:
                        throw TeXError("& is not allowed in text", at: token.offset)
                    }
                }
                throw TeXError("missing closing brace for group opened here", at: open)
            }
        }

        // MARK: Environments

        func parseEnvironment(at offset: Int) throws -> Node {
            let name = try environmentName(after: "\\begin", at: offset)
            guard var environment = Symbols.environments[name] else {
                throw TeXError("unsupported environment \(name)", at: offset)
            }
            if name == "array" { environment.columns = try columnSpecification(at: offset) }
            let rows = try descend(at: offset) {
                try withStyle(display: environment.displayStyle) { try parseRows(of: name, environment, at: offset) }
            }
            let table = Node.table(MathTable(
                rows: rows, columns: environment.columns,
                displayStyle: environment.displayStyle, alignedPairs: environment.alignedPairs))
            if environment.open == nil && environment.close == nil { return table }
            return .fenced(
                open: environment.open.map { Symbols.fence($0, kind: .open) },
                body: [table],
                close: environment.close.map { Symbols.fence($0, kind: .close) })
        }

        func parseRows(of name: String, _ environment: Symbols.Environment, at offset: Int) throws -> [[[Node]]] {
            var rows: [[[Node]]] = []
            var cells: [[Node]] = []
            while true {
                var cell = try parseRow()
                if environment.alignedPairs && cells.count % 2 == 1 && !cell.isEmpty {
                    // amsmath starts the right-hand column with {} so that `&= b` spaces `=` as a relation.
                    cell.insert(.row([]), at: 0)
                }
                cells.append(cell)
                guard let token = peek() else { throw TeXError("missing \\end{\(name)}", at: offset) }
                switch token.kind {
                case .alignment:
                    advance()
                case .command("\\"):
                    advance()
                    try skipRowSpacing()
                    rows.append(cells)
                    cells = []
                case .command("end"):
                    advance()
                    let end = try environmentName(after: "\\end", at: token.offset)
                    guard end == name else {
                        throw TeXError("\\begin{\(name)} ended by \\end{\(end)}", at: token.offset)
                    }
                    rows.append(cells)
                    // A `\\` before `\end` does not start a row.
                    if rows.count > 1, let last = rows.last, last.count == 1, last[0].isEmpty { rows.removeLast() }
                    return rows
                default:
                    throw unexpected(token)
                }
            }
        }

        /// `\\[4pt]`: the extra row spacing is accepted and ignored.
        func skipRowSpacing() throws {
            guard let open = peek(), open.kind == .character("[") else { return }
            advance()
            while let token = peekRaw() {
                advance()
                if token.kind == .character("]") { return }
            }
            throw TeXError("missing ] after \\\\", at: open.offset)
        }

        func environmentName(after command: String, at offset: Int) throws -> String {
            let missing = TeXError("missing environment name after \(command)", at: offset)
            guard let open = peek(), open.kind == .beginGroup else { throw missing }
            advance()
            var name = ""
            while let token = peekRaw(), case .character(let c) = token.kind {
                name.append(c)
                advance()
            }
            guard !name.isEmpty, let close = peekRaw(), close.kind == .endGroup else { throw missing }
            advance()
            return name
        }

        /// `\begin{array}{lcr}`: alignments only (MathML Core draws no rules, so `|` is skipped).
        func columnSpecification(at offset: Int) throws -> [Alignment] {
            let unsupported = TeXError("unsupported column specification for array", at: offset)
            guard let open = peek(), open.kind == .beginGroup else { throw unsupported }
            advance()
            var columns: [Alignment] = []
            while let token = peekRaw() {
                advance()
                switch token.kind {
                case .endGroup: return columns.isEmpty ? [.center] : columns
                case .space, .character("|"): continue
                case .character("l"): columns.append(.left)
                case .character("c"): columns.append(.center)
                case .character("r"): columns.append(.right)
                default: throw unsupported
                }
            }
            throw unsupported
        }
    }
}

// MARK: - Symbols

extension TeX {
    enum Symbols {
        static let styles: [String: (display: Bool, scriptLevel: Int)] = [
            "displaystyle": (true, 0), "textstyle": (false, 0),
            "scriptstyle": (false, 1), "scriptscriptstyle": (false, 2),
        ]

        /// Letters that follow the font (`\mathbf{\theta}` is bold).
        static let letters: [String: String] = [
            "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
            "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
            "varkappa": "ϰ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "omicron": "ο", "pi": "π",
            "varpi": "ϖ", "rho": "ρ", "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ",
            "upsilon": "υ", "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
            "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ",
            "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
            "imath": "ı", "jmath": "ȷ",
        ]

        /// Ordinary symbols, as `<mi>` (an unknown `<mo>` would get MathML's default thick spacing).
        static let ordinary: [String: (text: String, upright: Bool)] = [
            // amsmath's slanted capitals
            "varGamma": ("Γ", false), "varDelta": ("Δ", false), "varTheta": ("Θ", false),
            "varLambda": ("Λ", false), "varXi": ("Ξ", false), "varPi": ("Π", false), "varSigma": ("Σ", false),
            "varUpsilon": ("Υ", false), "varPhi": ("Φ", false), "varPsi": ("Ψ", false), "varOmega": ("Ω", false),
            "infty": ("∞", false), "partial": ("∂", false), "nabla": ("∇", true), "ell": ("ℓ", false),
            "hbar": ("ℏ", false), "emptyset": ("∅", false), "varnothing": ("∅", false), "aleph": ("ℵ", false),
            "Re": ("ℜ", false), "Im": ("ℑ", false), "wp": ("℘", false), "top": ("⊤", false), "bot": ("⊥", false),
            "forall": ("∀", false), "exists": ("∃", false), "nexists": ("∄", false), "neg": ("¬", false),
            "lnot": ("¬", false), "angle": ("∠", false), "triangle": ("△", false), "infin": ("∞", false),
        ]

        static func rel(_ text: String) -> Operator { Operator(text: text, kind: .rel) }
        static func bin(_ text: String) -> Operator { Operator(text: text, kind: .bin) }

        static let operators: [String: Operator] = [
            // relations
            "le": rel("≤"), "leq": rel("≤"), "ge": rel("≥"), "geq": rel("≥"), "ne": rel("≠"), "neq": rel("≠"),
            "lt": rel("<"), "gt": rel(">"),
            "leqslant": rel("⩽"), "geqslant": rel("⩾"), "ll": rel("≪"), "gg": rel("≫"),
            "approx": rel("≈"), "equiv": rel("≡"), "sim": rel("∼"), "simeq": rel("≃"), "cong": rel("≅"),
            "propto": rel("∝"), "asymp": rel("≍"), "doteq": rel("≐"), "triangleq": rel("≜"), "coloneqq": rel("≔"),
            "in": rel("∈"), "notin": rel("∉"), "ni": rel("∋"),
            "subset": rel("⊂"), "subseteq": rel("⊆"), "supset": rel("⊃"), "supseteq": rel("⊇"),
            "prec": rel("≺"), "succ": rel("≻"), "preceq": rel("⪯"), "succeq": rel("⪰"),
            "perp": rel("⊥"), "parallel": rel("∥"), "mid": rel("∣"), "models": rel("⊨"), "vdash": rel("⊢"),
            "to": rel("→"), "rightarrow": rel("→"), "leftarrow": rel("←"), "gets": rel("←"),
            "leftrightarrow": rel("↔"), "Rightarrow": rel("⇒"), "Leftarrow": rel("⇐"), "Leftrightarrow": rel("⇔"),
            "implies": rel("⟹"), "impliedby": rel("⟸"), "iff": rel("⟺"), "mapsto": rel("↦"),
            "longrightarrow": rel("⟶"), "longleftarrow": rel("⟵"), "Longrightarrow": rel("⟹"),
            "longmapsto": rel("⟼"), "hookrightarrow": rel("↪"),
            "uparrow": rel("↑"), "downarrow": rel("↓"), "Uparrow": rel("⇑"), "Downarrow": rel("⇓"),
            "updownarrow": rel("↕"),
            // binary operators
            "pm": bin("±"), "mp": bin("∓"), "times": bin("×"), "div": bin("÷"), "cdot": bin("⋅"),
            "ast": bin("∗"), "star": bin("⋆"), "circ": bin("∘"), "bullet": bin("∙"), "setminus": bin("∖"),
            "oplus": bin("⊕"), "ominus": bin("⊖"), "otimes": bin("⊗"), "odot": bin("⊙"),
            "cap": bin("∩"), "cup": bin("∪"), "sqcap": bin("⊓"), "sqcup": bin("⊔"), "uplus": bin("⊎"),
            "land": bin("∧"), "wedge": bin("∧"), "lor": bin("∨"), "vee": bin("∨"), "diamond": bin("⋄"),
            "bmod": bin("mod"),
            // the rest
            "ldots": Operator(text: "…", kind: .inner), "cdots": Operator(text: "⋯", kind: .inner),
            "vdots": Operator(text: "⋮", kind: .inner), "ddots": Operator(text: "⋱", kind: .inner),
            "prime": Operator(text: "′", kind: .ord),
            "colon": Operator(text: ":", kind: .punct, lspace: "0", rspace: "0.1667em"),
        ]

        /// `≤` typed as Unicode behaves like `\le`.
        static let operatorsByText: [String: Operator] = {
            var byText: [String: Operator] = [:]
            for name in operators.keys.sorted() {
                guard let op = operators[name], byText[op.text] == nil else { continue }
                byText[op.text] = op
            }
            byText["−"] = bin("−")
            return byText
        }()

        static let characterOperators: [Character: Operator] = [
            "+": bin("+"), "-": bin("−"), "*": bin("∗"),
            "=": rel("="), "<": rel("<"), ">": rel(">"), ":": rel(":"),
            ",": Operator(text: ",", kind: .punct), ";": Operator(text: ";", kind: .punct),
            "!": Operator(text: "!", kind: .ord),
            "/": Operator(text: "/", kind: .ord, lspace: "0", rspace: "0"),
            "(": bareDelimiter("(", .open), ")": bareDelimiter(")", .close),
            "[": bareDelimiter("[", .open), "]": bareDelimiter("]", .close),
            "|": bareDelimiter("|", .ord),
        ]

        /// Delimiters by command, with their class when used bare (outside `\left`/`\right`).
        static let delimiters: [String: (text: String, kind: AtomClass)] = [
            "{": ("{", .open), "}": ("}", .close), "lbrace": ("{", .open), "rbrace": ("}", .close),
            "lbrack": ("[", .open), "rbrack": ("]", .close),
            "|": ("‖", .ord), "vert": ("|", .ord), "Vert": ("‖", .ord),
            "lvert": ("|", .open), "rvert": ("|", .close), "lVert": ("‖", .open), "rVert": ("‖", .close),
            "langle": ("⟨", .open), "rangle": ("⟩", .close),
            "lfloor": ("⌊", .open), "rfloor": ("⌋", .close), "lceil": ("⌈", .open), "rceil": ("⌉", .close),
            "backslash": ("\\", .ord),
            // arrows are relations when bare (found in `operators` first) and stretch after \left
            "uparrow": ("↑", .rel), "downarrow": ("↓", .rel), "updownarrow": ("↕", .rel),
            "Uparrow": ("⇑", .rel), "Downarrow": ("⇓", .rel),
        ]

        static let delimiterCharacters: [Character: String] = [
            "(": "(", ")": ")", "[": "[", "]": "]", "|": "|", "/": "/", "<": "⟨", ">": "⟩",
        ]

        /// A delimiter outside `\left`/`\right` keeps its size, as in TeX (MathML would stretch it to the
        /// row).
        static func bareDelimiter(_ text: String, _ kind: AtomClass) -> Operator {
            var op = Operator(text: text, kind: kind, stretchy: false)
            spaceAsTeX(&op)
            return op
        }

        /// A delimiter in the middle of a row (`x \big| y`, not the ends of `\left...\right`) is spaced by
        /// MathML's dictionary as infix, which gives `|` and `‖` space TeX does not: say TeX's spacing.
        static func spaceAsTeX(_ op: inout Operator) {
            let space: String? = switch op.kind {
            case .rel: "0.2778em"  // \bigm|
            case .ord: "0"
            default: op.text == "|" || op.text == "‖" ? "0" : nil
            }
            op.lspace = space
            op.rspace = space
        }

        /// A delimiter that stretches to its row (`\left(`, `cases`), or to a fixed size (`\big(`).
        static func fence(_ text: String, kind: AtomClass = .open) -> Operator {
            Operator(text: text, kind: kind, stretchy: true)
        }

        static let bigDelimiters: [String: (size: String, kind: AtomClass)] = {
            var table: [String: (size: String, kind: AtomClass)] = [:]
            for (name, size) in [("big", "1.2em"), ("Big", "1.623em"), ("bigg", "2.047em"), ("Bigg", "2.470em")] {
                table[name] = (size, .ord)
                table[name + "l"] = (size, .open)
                table[name + "r"] = (size, .close)
                table[name + "m"] = (size, .rel)
            }
            return table
        }()

        static let bigOperators: [String: (text: String, limits: Limits)] = [
            "sum": ("∑", .display), "prod": ("∏", .display), "coprod": ("∐", .display),
            "bigcup": ("⋃", .display), "bigcap": ("⋂", .display), "bigsqcup": ("⨆", .display),
            "bigvee": ("⋁", .display), "bigwedge": ("⋀", .display), "bigoplus": ("⨁", .display),
            "bigotimes": ("⨂", .display), "bigodot": ("⨀", .display), "biguplus": ("⨄", .display),
            "int": ("∫", .never), "iint": ("∬", .never), "iiint": ("∭", .never), "oint": ("∮", .never),
        ]

        static let functions: [String: (text: String, limits: Limits)] = {
            var table: [String: (text: String, limits: Limits)] = [:]
            for name in ["sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh", "coth",
                         "arcsin", "arccos", "arctan", "log", "ln", "lg", "exp", "arg", "deg", "dim",
                         "hom", "ker"] {
                table[name] = (name, .never)
            }
            for name in ["lim", "max", "min", "sup", "inf", "det", "gcd", "Pr"] {
                table[name] = (name, .display)
            }
            table["liminf"] = ("lim\u{2009}inf", .display)
            table["limsup"] = ("lim\u{2009}sup", .display)
            // Not LaTeX built-ins, but what every paper \DeclareMathOperator*s.
            table["argmax"] = ("arg\u{2009}max", .display)
            table["argmin"] = ("arg\u{2009}min", .display)
            return table
        }()

        static let spaces: [String: Spacing] = [
            ",": .width("0.1667em"), "thinspace": .width("0.1667em"),
            ":": .width("0.2222em"), ">": .width("0.2222em"), "medspace": .width("0.2222em"),
            ";": .width("0.2778em"), "thickspace": .width("0.2778em"),
            "!": .width("-0.1667em"), "negthinspace": .width("-0.1667em"),
            "negmedspace": .width("-0.2222em"), "negthickspace": .width("-0.2778em"),
            "enspace": .width("0.5em"), "quad": .width("1em"), "qquad": .width("2em"),
            " ": .nonBreaking,
        ]

        static let escapes: [String: String] = ["%": "%", "_": "_", "$": "$", "#": "#", "&": "&"]

        static let mathFonts: [String: Font] = [
            "mathrm": .roman, "mathup": .roman, "mathbf": .bold, "mathit": .italic, "mathnormal": .normal,
            "mathcal": .script, "mathscr": .script, "mathbb": .doubleStruck, "mathfrak": .fraktur,
            "mathsf": .sansSerif, "mathtt": .monospace, "boldsymbol": .boldItalic, "bm": .boldItalic,
        ]

        static let accents: [String: (text: String, stretchy: Bool, over: Bool)] = [
            "hat": ("^", false, true), "widehat": ("^", true, true),
            "tilde": ("~", false, true), "widetilde": ("~", true, true),
            "bar": ("‾", false, true), "overline": ("‾", true, true),
            "vec": ("→", false, true), "overrightarrow": ("→", true, true), "overleftarrow": ("←", true, true),
            "dot": ("˙", false, true), "ddot": ("¨", false, true), "check": ("ˇ", false, true),
            "breve": ("˘", false, true), "acute": ("´", false, true), "grave": ("`", false, true),
            "mathring": ("˚", false, true),
            "underline": ("_", true, false),
        ]

        /// `\text` and friends; `.roman` means "as the surrounding text".
        static let textFonts: [String: Font] = [
            "text": .roman, "textrm": .roman, "textnormal": .roman, "textup": .roman, "mbox": .roman,
            "textbf": .bold, "textit": .italic, "emph": .italic, "textsf": .sansSerif, "texttt": .monospace,
        ]

        static let textSpaces: [String: String] = [
            " ": " ", ",": "\u{2009}", ":": "\u{205F}", ">": "\u{205F}", ";": "\u{2004}", "!": "",
            "enspace": "\u{2002}", "quad": "\u{2003}", "qquad": "\u{2003}\u{2003}",
        ]

        static let textEscapes: [String: String] = [
            "%": "%", "_": "_", "$": "$", "#": "#", "&": "&", "{": "{", "}": "}",
            "textbackslash": "\\", "textasciitilde": "~",
        ]

        static let classes: [String: AtomClass] = [
            "mathord": .ord, "mathbin": .bin, "mathrel": .rel, "mathopen": .open, "mathclose": .close,
            "mathpunct": .punct, "mathinner": .inner,
        ]

        static let negations: [String: String] = [
            "=": "≠", "<": "≮", ">": "≯", "≤": "≰", "≥": "≱", "∈": "∉", "∋": "∌", "≡": "≢", "∼": "≁",
            "≈": "≉", "≃": "≄", "≅": "≇", "⊂": "⊄", "⊆": "⊈", "⊃": "⊅", "⊇": "⊉", "∣": "∤", "∥": "∦",
            "→": "↛", "←": "↚", "⇒": "⇏", "⇔": "⇎", "≺": "⊀", "≻": "⊁",
        ]

        struct Environment {
            var columns: [Alignment]
            var displayStyle: Bool
            var open: String? = nil
            var close: String? = nil
            var alignedPairs = false
        }

        static let environments: [String: Environment] = {
            var table: [String: Environment] = [
                "cases": Environment(columns: [.left], displayStyle: false, open: "{"),
                "dcases": Environment(columns: [.left], displayStyle: true, open: "{"),
                "rcases": Environment(columns: [.left], displayStyle: false, close: "}"),
                "matrix": Environment(columns: [.center], displayStyle: false),
                "pmatrix": Environment(columns: [.center], displayStyle: false, open: "(", close: ")"),
                "bmatrix": Environment(columns: [.center], displayStyle: false, open: "[", close: "]"),
                "Bmatrix": Environment(columns: [.center], displayStyle: false, open: "{", close: "}"),
                "vmatrix": Environment(columns: [.center], displayStyle: false, open: "|", close: "|"),
                "Vmatrix": Environment(columns: [.center], displayStyle: false, open: "‖", close: "‖"),
                "array": Environment(columns: [.center], displayStyle: false),
            ]
            for name in ["aligned", "align", "align*", "split"] {
                table[name] = Environment(columns: [.right, .left], displayStyle: true, alignedPairs: true)
            }
            for name in ["gathered", "gather", "gather*"] {
                table[name] = Environment(columns: [.center], displayStyle: true)
            }
            return table
        }()
    }
}

// MARK: - Unicode mathematical alphanumerics

extension TeX {
    enum Fonts {
        static func apply(_ font: Font, to text: String) -> String {
            switch font {
            case .normal, .roman: return text
            default:
                var out = String.UnicodeScalarView()
                for scalar in text.unicodeScalars {
                    out.append(styled(scalar, font) ?? scalar)
                }
                return String(out)
            }
        }

        static func styled(_ scalar: Unicode.Scalar, _ font: Font) -> Unicode.Scalar? {
            let v = scalar.value
            let code: UInt32? = switch font {
            case .normal, .roman: nil
            case .bold: latin(v, 0x1D400) ?? greek(v, 0x1D6A8) ?? digit(v, 0x1D7CE)
            case .italic: v == 0x68 ? 0x210E : latin(v, 0x1D434) ?? greek(v, 0x1D6E2)
            // \boldsymbol: bold italic, except that capital Greek stays upright as in TeX.
            case .boldItalic: latin(v, 0x1D468) ?? (isUprightGreek(v) ? greek(v, 0x1D6A8) : greek(v, 0x1D71C)) ?? digit(v, 0x1D7CE)
            case .script: scriptHoles[v] ?? latin(v, 0x1D49C)
            case .fraktur: frakturHoles[v] ?? latin(v, 0x1D504)
            case .doubleStruck: doubleStruckHoles[v] ?? latin(v, 0x1D538) ?? digit(v, 0x1D7D8)
            case .sansSerif: latin(v, 0x1D5A0) ?? digit(v, 0x1D7E2)
            case .monospace: latin(v, 0x1D670) ?? digit(v, 0x1D7F6)
            }
            return code.flatMap(Unicode.Scalar.init)
        }

        static func latin(_ v: UInt32, _ base: UInt32) -> UInt32? {
            switch v {
            case 0x41...0x5A: base + (v - 0x41)
            case 0x61...0x7A: base + 26 + (v - 0x61)
            default: nil
            }
        }

        static func digit(_ v: UInt32, _ base: UInt32) -> UInt32? {
            (0x30...0x39).contains(v) ? base + (v - 0x30) : nil
        }

        /// The Greek blocks share one layout: capitals (with ϴ in the gap at U+03A2), ∇, small letters,
        /// ∂, then the variant forms ϵ ϑ ϰ ϕ ϱ ϖ.
        static func greek(_ v: UInt32, _ base: UInt32) -> UInt32? {
            let index: UInt32? = switch v {
            case 0x391...0x3A1, 0x3A3...0x3A9: v - 0x391
            case 0x3F4: 0x11
            case 0x2207: 0x19
            case 0x3B1...0x3C9: 0x1A + (v - 0x3B1)
            case 0x2202: 0x33
            case 0x3F5: 0x34
            case 0x3D1: 0x35
            case 0x3F0: 0x36
            case 0x3D5: 0x37
            case 0x3F1: 0x38
            case 0x3D6: 0x39
            default: nil
            }
            return index.map { base + $0 }
        }

        static func isUprightGreek(_ v: UInt32) -> Bool {
            (0x391...0x3A9).contains(v) || v == 0x3F4 || v == 0x2207
        }

        // Letters that Unicode had encoded before the mathematical blocks, whose slots there are empty.
        static let scriptHoles: [UInt32: UInt32] = [
            0x42: 0x212C, 0x45: 0x2130, 0x46: 0x2131, 0x48: 0x210B, 0x49: 0x2110, 0x4C: 0x2112, 0x4D: 0x2133,
            0x52: 0x211B, 0x65: 0x212F, 0x67: 0x210A, 0x6F: 0x2134,
        ]
        static let frakturHoles: [UInt32: UInt32] = [0x43: 0x212D, 0x48: 0x210C, 0x49: 0x2111, 0x52: 0x211C, 0x5A: 0x2128]
        static let doubleStruckHoles: [UInt32: UInt32] = [
            0x43: 0x2102, 0x48: 0x210D, 0x4E: 0x2115, 0x50: 0x2119, 0x51: 0x211A, 0x52: 0x211D, 0x5A: 0x2124,
        ]
    }
}

// MARK: - Renderer

extension TeX {
    enum Renderer {
        /// Exactly one MathML element for the node (a group of several becomes an `<mrow>`).
        static func element(_ node: Node) -> String {
            switch node {
            case .row(let nodes):
                if nodes.count == 1, let only = nodes.first { return element(only) }
                return "<mrow>" + items(nodes) + "</mrow>"
            case .identifier(let text, let upright):
                let variant = upright && slantsByDefault(text) ? " mathvariant=\"normal\"" : ""
                return "<mi\(variant)>" + escape(text) + "</mi>"
            case .number(let text):
                return "<mn>" + escape(text) + "</mn>"
            case .op(let op):
                return mo(op)
            case .text(let text):
                return "<mtext>" + escape(keepingEdgeSpaces(text)) + "</mtext>"
            case .space(.width(let width)):
                return "<mspace width=\"\(width)\"></mspace>"
            case .space(.nonBreaking):
                return "<mtext>&#xA0;</mtext>"
            case .fraction(let numerator, let denominator, let thickness):
                let attribute = thickness.map { " linethickness=\"\($0)\"" } ?? ""
                return "<mfrac\(attribute)>" + element(numerator) + element(denominator) + "</mfrac>"
            case .sqrt(let radicand):
                return "<msqrt>" + items(radicand.children) + "</msqrt>"
            case .root(let radicand, let index):
                return "<mroot>" + element(radicand) + element(index) + "</mroot>"
            case .scripts(let base, let sub, let sup, let limits):
                return scripts(base: base, sub: sub, sup: sup, limits: limits)
            case .overUnder(let base, let mark, let over, let accent):
                let tag = over ? "mover" : "munder"
                let attribute = accent ? (over ? " accent=\"true\"" : " accentunder=\"true\"") : ""
                return "<\(tag)\(attribute)>" + element(base) + element(mark) + "</\(tag)>"
            case .mathop(let inner, _, _):
                return element(inner)
            case .fenced(let open, let body, let close):
                let nodes = (open.map { [Node.op($0)] } ?? []) + body + (close.map { [Node.op($0)] } ?? [])
                return "<mrow>" + items(nodes) + "</mrow>"
            case .table(let table):
                return self.table(table)
            case .style(let inner, let displayStyle, let scriptLevel):
                let level = scriptLevel.map { " scriptlevel=\"\($0)\"" } ?? ""
                return "<mstyle displaystyle=\"\(displayStyle)\"\(level)>" + items(inner.children) + "</mstyle>"
            case .classed(let inner, _):
                return element(inner)
            }
        }

        /// The children of a row, with the two spacing rules of TeX that MathML cannot infer.
        static func items(_ nodes: [Node]) -> String {
            var out = ""
            var previous: AtomClass?  // nil at the start of the row
            for (index, node) in nodes.enumerated() {
                var atomClass = node.atomClass
                if node.isOperatorWord, let previous, [.ord, .close, .inner].contains(previous) {
                    // TeX's thin space between an ordinary atom and an operator: the s and cos of s\cos\theta.
                    out += "<mspace width=\"0.1667em\"></mspace>"
                }
                if case .op(let op) = node, op.kind == .bin, isUnaryContext(previous) {
                    // TeX makes a binary operator with no left operand ordinary (-x, (-1), a = -b). MathML
                    // only treats the first child of a row as prefix, so say it elsewhere.
                    atomClass = .ord
                    out += mo(op, form: index > 0 ? "prefix" : nil)
                } else {
                    out += element(node)
                }
                if node.isFunction, index + 1 < nodes.count {
                    // U+2061 FUNCTION APPLICATION tells readers "cos of θ"; the thin space after it is the
                    // one TeX puts between an operator and an ordinary atom (none before a parenthesis).
                    let next = nodes[index + 1]
                    switch next.atomClass {
                    case .rel, .bin, .punct, .close:
                        break
                    case .open, .glue:
                        out += "<mo>&#x2061;</mo>"
                    default:
                        if case .fenced = next.unwrapped {
                            out += "<mo>&#x2061;</mo>"
                        } else {
                            out += "<mo rspace=\"0.1667em\">&#x2061;</mo>"
                        }
                    }
                }
                if atomClass != .glue { previous = atomClass }
            }
            return out
        }

        static func isUnaryContext(_ previous: AtomClass?) -> Bool {
            guard let previous else { return true }
            return [.bin, .op, .rel, .open, .punct].contains(previous)
        }

        static func mo(_ op: Operator, form: String? = nil) -> String {
            var attributes = ""
            if let form { attributes += " form=\"\(form)\"" }
            if let stretchy = op.stretchy { attributes += " stretchy=\"\(stretchy)\"" }
            if let size = op.size { attributes += " minsize=\"\(size)\" maxsize=\"\(size)\"" }
            if let lspace = op.lspace { attributes += " lspace=\"\(lspace)\"" }
            if let rspace = op.rspace { attributes += " rspace=\"\(rspace)\"" }
            if let movable = op.movableLimits { attributes += " movablelimits=\"\(movable)\"" }
            return "<mo\(attributes)>" + escape(op.text) + "</mo>"
        }

        static func scripts(base: Node, sub: Node?, sup: Node?, limits: Bool) -> String {
            var baseElement = element(base)
            if limits, case .mathop(let inner, .always, _) = base, case .op(var op) = inner.unwrapped {
                // `\sum\limits` in text style: the dictionary's movablelimits would move them back.
                op.movableLimits = false
                baseElement = mo(op)
            }
            let (under, over, both) = limits ? ("munder", "mover", "munderover") : ("msub", "msup", "msubsup")
            switch (sub, sup) {
            case (let sub?, let sup?): return "<\(both)>" + baseElement + element(sub) + element(sup) + "</\(both)>"
            case (let sub?, nil): return "<\(under)>" + baseElement + element(sub) + "</\(under)>"
            case (nil, let sup?): return "<\(over)>" + baseElement + element(sup) + "</\(over)>"
            case (nil, nil): return baseElement
            }
        }

        static func table(_ table: MathTable) -> String {
            var out = "<mtable displaystyle=\"\(table.displayStyle)\">"
            for row in table.rows {
                out += "<mtr>"
                for (column, cell) in row.enumerated() {
                    // MathML Core has no columnalign; mtd is a CSS table cell, so text-align does it.
                    var style: [String] = []
                    let alignment = table.columns.isEmpty ? .center : table.columns[column % table.columns.count]
                    switch alignment {
                    case .left: style.append("text-align: left")
                    case .right: style.append("text-align: right")
                    case .center: break
                    }
                    if table.alignedPairs { style.append(column % 2 == 0 ? "padding-right: 0" : "padding-left: 0") }
                    let attribute = style.isEmpty ? "" : " style=\"\(style.joined(separator: "; "))\""
                    out += "<mtd\(attribute)>" + items(cell) + "</mtd>"
                }
                out += "</mtr>"
            }
            return out + "</mtable>"
        }

        /// Whether MathML Core would slant this one-character `<mi>` (its `math-auto` transform covers Latin
        /// and Greek letters, dotless i and j, ∂ and ∇); only then does `mathvariant="normal"` matter.
        static func slantsByDefault(_ text: String) -> Bool {
            let scalars = Array(text.unicodeScalars)
            guard scalars.count == 1, let v = scalars.first?.value else { return false }
            switch v {
            case 0x41...0x5A, 0x61...0x7A, 0x131, 0x237, 0x391...0x3A1, 0x3A3...0x3A9, 0x3B1...0x3C9,
                 0x3D1, 0x3D5, 0x3D6, 0x3F0, 0x3F1, 0x3F4, 0x3F5, 0x2202, 0x2207:
                return true
            default:
                return false
            }
        }

        /// CSS would drop the spaces at the edges of `<mtext>` (`\text{if }`); no-break spaces stay.
        static func keepingEdgeSpaces(_ text: String) -> String {
            var characters = Array(text)
            var i = 0
            while i < characters.count, characters[i] == " " { characters[i] = "\u{A0}"; i += 1 }
            var j = characters.count - 1
            while j >= 0, characters[j] == " " { characters[j] = "\u{A0}"; j -= 1 }
            return String(characters)
        }

        /// XML text and attribute escaping; invisible characters (no-break and thin spaces, U+2061) are
        /// written as character references so that the output can be read.
        static func escape(_ text: String) -> String {
            var out = ""
            out.reserveCapacity(text.utf8.count)
            for scalar in text.unicodeScalars {
                switch scalar {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\"": out += "&quot;"
                default:
                    switch scalar.properties.generalCategory {
                    case .spaceSeparator where scalar != " ", .format:
                        out += "&#x" + hex(scalar.value) + ";"
                    default:
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
            return out
        }
    }
}
