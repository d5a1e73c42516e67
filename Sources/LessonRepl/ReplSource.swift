// ReplSource: the Swift the REPL compiles. The lesson program (cells between checkpoints, top-level
// `let`s made `var`s so a learner can change them), each learner input as a small library that
// `@testable import`s the lesson and the inputs before it, and a cell turned into an input to re-run it.

import LessonKit

/// A top-level statement of some code, classified.
struct ReplStatement: Equatable {
    enum Kind: Equatable {
        /// `let` / `var`: the names it binds; `initialized`: it has an initial value (`= ...`).
        case variable(names: [String], initialized: Bool)
        /// `func`, `struct`, `class`, `enum`, `extension`, `typealias`, ...; the declared name if any.
        case declaration(name: String?)
        case importDeclaration
        /// Anything else: expressions, assignments, control flow.
        case statement
    }
    /// Character offsets in the code: first character, one past the last.
    var start: Int
    var end: Int
    var text: String
    var kind: Kind
    /// The statement is an expression whose value a notebook would show.
    var isExpression: Bool
    /// Offset (in `text`) of the `let` / `var` / `func` ... keyword, after attributes and modifiers.
    var keywordOffset: Int
    /// That keyword (or the statement's first word).
    var keyword: String = ""

    var isDeclaration: Bool {
        switch kind { case .variable, .declaration: true; default: false }
    }
    var variableNames: [String] {
        if case .variable(let names, _) = kind { names } else { [] }
    }
    /// Every name this statement declares at the top level.
    var declaredNames: [String] { declarations.map(\.name) }

    /// The names it declares, with the kind a scoped import names them by.
    var declarations: [ReplDeclaration] {
        switch kind {
        case .variable(let names, _): return names.map { ReplDeclaration(name: $0, kind: "var") }
        case .declaration(let name?):
            let kinds = ["func": "func", "struct": "struct", "class": "class", "actor": "class", "enum": "enum",
                         "protocol": "protocol", "typealias": "typealias"]
            return [ReplDeclaration(name: name, kind: kinds[keyword])]
        default: return []
        }
    }
}

/// A top-level name some module of the session declares; `kind` is the keyword of a scoped import
/// (`import var M.x`, `import func M.f`), nil when there is none (a macro).
struct ReplDeclaration: Equatable {
    var name: String
    var kind: String?
}

enum ReplSource {
    private static let modifiers: Set<String> = [
        "public", "private", "fileprivate", "internal", "open", "package", "static", "final", "lazy", "nonisolated",
        "dynamic", "indirect", "mutating", "nonmutating", "override", "convenience", "required", "weak", "unowned",
    ]
    private static let declarationKeywords: Set<String> = [
        "func", "struct", "class", "enum", "actor", "protocol", "typealias", "extension", "macro", "operator",
        "precedencegroup", "subscript", "init",
    ]

    // MARK: Lexing

    /// The code tokens of `code` (SwiftLexer's, without white space and comments; a string literal is one).
    static func tokens(_ code: String) -> [SwiftToken] {
        SwiftLexer.tokens(code).filter(\.isSignificant)
    }

    /// True when the REPL should read another line before compiling `code`: an unclosed bracket,
    /// string or comment.
    static func isUnfinished(_ code: String) -> Bool { SwiftLexer.isUnfinished(code) }

    // MARK: Statements

    /// The top-level statements of `code`, in order, with the boundaries the notebook display uses
    /// (`SwiftStatements`).
    static func statements(_ code: String) -> [ReplStatement] {
        let all = Array(code)
        return SwiftStatements.all(code).map { s in
            let text = String(all[s.start..<s.end])
            let (kind, keyword) = classify(text)
            let word = Array(text)[keyword...].prefix(while: { $0.isLetter })
            return ReplStatement(start: s.start, end: s.end, text: text, kind: kind, isExpression: s.isExpression,
                                 keywordOffset: keyword, keyword: String(word))
        }
    }

    private static func isIdentifier(_ t: String) -> Bool {
        guard let f = t.first else { return false }
        return (f.isLetter || f == "_" || f == "`") && t != "_"
    }

    /// What a statement is, and the offset of its keyword.
    static func classify(_ text: String) -> (ReplStatement.Kind, Int) {
        let toks = tokens(text)
        var k = 0
        // Attributes (`@discardableResult`, `@available(...)`) and modifiers come before the keyword.
        while k < toks.count {
            if toks[k].text.hasPrefix("@") {
                k += 1
                if k < toks.count && toks[k].text == "(" && toks[k].start == toks[k - 1].end {
                    let d = toks[k].depth
                    k += 1
                    while k < toks.count && !(toks[k].text == ")" && toks[k].depth == d) { k += 1 }
                    k += 1
                }
                continue
            }
            if modifiers.contains(toks[k].text) {
                k += 1
                // `private(set)`
                if k < toks.count && toks[k].text == "(" { k += 3 }
                continue
            }
            break
        }
        guard k < toks.count else { return (.statement, 0) }
        let head = toks[k].text
        let keywordOffset = toks[k].start
        if head == "import" { return (.importDeclaration, keywordOffset) }
        if head == "let" || head == "var" {
            var names: [String] = []
            let base = toks[k].depth
            var j = k + 1
            func pattern() {
                guard j < toks.count else { return }
                if toks[j].text == "(" {
                    let d = toks[j].depth
                    j += 1
                    while j < toks.count && !(toks[j].text == ")" && toks[j].depth == d) {
                        // Names in a tuple pattern: identifiers not followed by `:` labels' types.
                        if isIdentifier(toks[j].text) && !(j > 0 && toks[j - 1].text == ":") { names.append(toks[j].text.replacingOccurrences(of: "`", with: "")) }
                        j += 1
                    }
                    j += 1
                } else if isIdentifier(toks[j].text) {
                    names.append(toks[j].text.replacingOccurrences(of: "`", with: ""))
                    j += 1
                }
            }
            pattern()
            var initialized = false
            while j < toks.count {
                let t = toks[j]
                if t.depth == base && t.text == "=" { initialized = true }
                // Another binding: `, name =` or `, name:` at the statement's own depth.
                if t.depth == base && t.text == "," && j + 2 < toks.count && isIdentifier(toks[j + 1].text)
                    && (toks[j + 2].text == "=" || toks[j + 2].text == ":") {
                    j += 1
                    pattern()
                    continue
                }
                j += 1
            }
            return (.variable(names: names, initialized: initialized), keywordOffset)
        }
        if declarationKeywords.contains(head) {
            var name: String?
            if k + 1 < toks.count, isIdentifier(toks[k + 1].text) { name = toks[k + 1].text.replacingOccurrences(of: "`", with: "") }
            if head == "extension" || head == "init" || head == "subscript" || head == "operator" { name = nil }
            return (.declaration(name: name), keywordOffset)
        }
        return (.statement, keywordOffset)
    }

    // MARK: The lesson program

    /// Names of the variables each cell declares at its top level (a `traps` or `solution` cell declares none: it runs in a closure).
    static func cellVariables(_ lesson: Lesson) -> [[String]] {
        lesson.cells.map { cell in
            cell.attributes.runsInChild ? [] : statements(cell.code).flatMap(\.variableNames)
        }
    }

    /// The cell's code with its top-level `let x = ...` turned into `var x = ...`, so that a learner can
    /// change a lesson's constant (`m = 0.3`) and see later cells use it. Offsets and lines are kept.
    static func mutableCode(_ code: String) -> String {
        var chars = Array(code)
        for s in statements(code) {
            guard case .variable(_, true) = s.kind else { continue }
            let k = s.start + s.keywordOffset
            if k + 3 <= chars.count && String(chars[k..<(k + 3)]) == "let" {
                chars.replaceSubrange(k..<(k + 3), with: Array("var"))
            }
        }
        return String(chars)
    }

    /// The lesson as the REPL runs it: one program, a checkpoint before each cell and one that serves
    /// commands until the end of the session after the last; prose values are not evaluated.
    static func program(for lesson: Lesson) -> String {
        let file = quoted(lesson.path)
        var out = "// Generated from \(lesson.path) by arcface-lessons repl; do not edit.\n" + Program.prelude
        for cell in lesson.cells {
            out += "ReplRuntime.checkpoint(\(cell.index))\n"
            out += "LessonRuntime.beginCell(\(cell.index))\n"
            out += Program.cell(cell, code: cell.attributes.runsInChild ? cell.code : mutableCode(cell.code), file: file)
        }
        out += "ReplRuntime.end(\(lesson.cells.count))\n"
        return out
    }

    static func quoted(_ s: String) -> String { Program.quoted(s) }

    // MARK: Inputs

    /// The import lines that make the session's modules visible (the lesson program, then the inputs
    /// that declared something, in order), so that the newest declaration of a name wins: a module
    /// with a name declared again by a later one is imported name by name without it
    /// (`@testable import func ReplInput3.f`); otherwise whole. (Two modules declaring the same name
    /// would be ambiguous: Swift does not let the later one shadow the earlier.)
    static func importLines(_ modules: [(module: String, declarations: [ReplDeclaration])]) -> [String] {
        var lines: [String] = []
        for (i, m) in modules.enumerated() {
            let later = Set(modules[(i + 1)...].flatMap { $0.declarations.map(\.name) })
            let hidden = m.declarations.contains { later.contains($0.name) }
            guard hidden else { lines.append("@testable import \(m.module)"); continue }
            var seen = Set<String>()
            for d in m.declarations where !later.contains(d.name) {
                guard let kind = d.kind, seen.insert("\(kind) \(d.name)").inserted else { continue }
                lines.append("@testable import \(kind) \(m.module).\(d.name)")
            }
        }
        return lines
    }

    /// The declarations of the lesson program: its cells' top-level names.
    static func lessonDeclarations(_ lesson: Lesson) -> [ReplDeclaration] {
        lesson.cells.filter { !$0.attributes.runsInChild }.flatMap { statements($0.code).flatMap(\.declarations) }
    }

    /// What an input library needs to know about the session.
    struct Context {
        /// Import lines for the session's modules (`importLines`).
        var modules: [String]
        /// `import` lines of the lesson's cells and of earlier inputs (imports are per file in Swift).
        var imports: [String]
        /// Lesson variables that exist but hold no value yet (their cells have not run): name -> why.
        var notYetRun: [String: String]
    }

    /// The first place `code` refers to one of `names` as a variable (not as a member `.name` or an
    /// argument label `name:`; inside a string's interpolation too), as (name, line, column).
    static func firstUse(of names: Set<String>, in code: String) -> (String, Int, Int)? {
        guard !names.isEmpty else { return nil }
        func first(_ all: [SwiftToken]) -> SwiftToken? {
            let toks = all.filter(\.isSignificant)
            for (k, t) in toks.enumerated() {
                if t.kind == .string {
                    for inner in t.interpolations { if let found = first(inner) { return found } }
                    continue
                }
                guard names.contains(t.text) else { continue }
                if k > 0 && toks[k - 1].text.hasSuffix(".") { continue }
                if k + 1 < toks.count && toks[k + 1].text == ":" && k > 0 && ["(", ","].contains(toks[k - 1].text) { continue }
                if k > 0 && ["let", "var", "func", "struct", "class", "enum", "case"].contains(toks[k - 1].text) { continue }
                return t
            }
            return nil
        }
        return first(SwiftLexer.tokens(code)).map { ($0.text, $0.line, $0.column) }
    }

    /// An input compiled as a library.
    struct Input {
        var source: String
        var statements: [ReplStatement]
        var declaredNames: [String]
        var imports: [String]
    }

    private static func lineStarts(_ chars: [Character]) -> [Int] {
        var starts = [0]
        for (i, ch) in chars.enumerated() where ch == "\n" { starts.append(i + 1) }
        return starts
    }

    /// (1-based line, 1-based column) of a character offset.
    private static func position(_ offset: Int, _ starts: [Int]) -> (Int, Int) {
        var line = 0
        while line + 1 < starts.count && starts[line + 1] <= offset { line += 1 }
        return (line + 1, offset - starts[line] + 1)
    }

    private static func header(_ context: Context, module: String) -> String {
        var out = "// Generated by arcface-lessons repl (\(module)); do not edit.\n"
        for m in context.modules { out += m + "\n" }
        out += Program.imports
        for i in context.imports { out += i + "\n" }
        return out + Program.portableMathShadows
    }

    /// A learner's input as the source of library `module`: its declarations at file scope (globals,
    /// initialised in order by the entry), everything else in `repl_entry`, the value of a final
    /// expression shown. `#sourceLocation(file: "<repl>", ...)` places errors in the input's own lines.
    static func input(_ code: String, module: String, context: Context) -> Input {
        let chars = Array(code)
        let starts = lineStarts(chars)
        let stmts = statements(code)
        let declared = stmts.flatMap(\.declaredNames)
        let imports = stmts.filter { $0.kind == .importDeclaration }.map(\.text)
        var fileScope = "", entry = ""
        // Input line L is placed at line L + 1 of "<repl>" (the REPL subtracts 1 when it shows an
        // error), so that a value to show can be bound on the line before its expression and the
        // expression keeps its own line and columns: `let __replValue =` / `    expr`.
        func located(_ s: ReplStatement, _ text: String, value: Bool = false) -> String {
            let (line, column) = position(s.start, starts)
            return "#sourceLocation(file: \"<repl>\", line: \(value ? line : line + 1))\n"
                + (value ? "let __replValue =\n" : "") + String(repeating: " ", count: column - 1) + text
                + "\n#sourceLocation()\n" + (value ? "LessonRuntime.display(__replValue)\n" : "")
        }
        for (k, s) in stmts.enumerated() {
            switch s.kind {
            case .importDeclaration:
                continue
            case .variable(let names, let initialized):
                fileScope += located(s, s.text)
                // Globals of a library are initialised lazily: touch them so the input runs in order.
                if initialized { entry += located(s, names.map { "_ = \($0)" }.joined(separator: "; ")) }
            case .declaration:
                fileScope += located(s, s.text)
            case .statement:
                entry += located(s, s.text, value: k == stmts.count - 1 && s.isExpression)
            }
        }
        var out = header(Context(modules: context.modules, imports: context.imports + imports, notYetRun: [:]), module: module)
        let shadowed = Set(declared)
        for (name, why) in context.notYetRun.sorted(by: { $0.key < $1.key }) where !shadowed.contains(name) {
            out += "@available(*, unavailable, message: \"\(quoted(why))\") var \(name): Never { fatalError() }\n"
        }
        out += fileScope
        out += "@_cdecl(\"repl_entry\") public func repl_entry() {\ndo {\n" + entry
            + "} catch { fatalError(\"Error raised: \\(error)\") }\n}\n"
        return Input(source: out, statements: stmts, declaredNames: declared, imports: imports)
    }

    /// A cell as an input that runs its code again in the lesson's current state: its variables are
    /// assigned (`let x = e` becomes `x = e`; the program made them `var`s), its other declarations
    /// already exist and are left out. Nil when a binding cannot be rewritten.
    static func rerun(_ cell: Cell, lessonPath: String, module: String, context: Context) -> String? {
        let file = quoted(lessonPath)
        var code = cell.code
        if !cell.attributes.runsInChild {
            var chars = Array(cell.code)
            let stmts = statements(cell.code)
            for s in stmts.reversed() {
                switch s.kind {
                case .variable(_, true):
                    guard let assignment = assignment(s) else { return nil }
                    chars.replaceSubrange(s.start..<s.end, with: Array(assignment))
                case .variable(_, false), .declaration, .importDeclaration:
                    // Blank it out, newlines kept, so that the lines after it keep their numbers.
                    chars.replaceSubrange(s.start..<s.end, with: s.text.map { $0 == "\n" ? "\n" : " " })
                case .statement:
                    continue
                }
            }
            code = String(chars)
        }
        let body = Program.cell(cell, code: code, file: file)
        return header(context, module: module)
            + context.notYetRun.sorted(by: { $0.key < $1.key }).map {
                "@available(*, unavailable, message: \"\(quoted($0.value))\") var \($0.key): Never { fatalError() }\n"
            }.joined()
            + "@_cdecl(\"repl_entry\") public func repl_entry() {\ndo {\n" + body
            + "} catch { fatalError(\"Error raised: \\(error)\") }\n}\n"
    }

    /// `let x: T = e, y = f` -> `    x    = e; y = f` (same length and lines); nil if it is not that simple.
    static func assignment(_ s: ReplStatement) -> String? {
        var chars = Array(s.text)
        let toks = tokens(s.text)
        guard let head = toks.firstIndex(where: { $0.start == s.keywordOffset }) else { return nil }
        // Attributes, modifiers and the keyword go.
        for k in 0..<s.keywordOffset + 3 where chars[k] != "\n" { chars[k] = " " }
        let base = toks[head].depth
        var j = head + 1
        while j < toks.count {
            // One binding: pattern [: Type] = value
            guard let eq = toks[j...].firstIndex(where: { $0.depth == base && $0.text == "=" }) else { return nil }
            if let colon = toks[j..<eq].firstIndex(where: { $0.depth == base && $0.text == ":" }) {
                for k in toks[colon].start..<toks[eq].start where chars[k] != "\n" { chars[k] = " " }
            }
            let pattern = toks[j..<eq]
            if pattern.contains(where: { $0.text == "let" || $0.text == "var" }) { return nil }
            guard let comma = toks[(eq + 1)...].firstIndex(where: { $0.depth == base && $0.text == "," }) else { break }
            guard comma + 2 < toks.count, isIdentifier(toks[comma + 1].text),
                  toks[comma + 2].text == "=" || toks[comma + 2].text == ":" else { return nil }
            chars[toks[comma].start] = ";"
            j = comma + 1
        }
        return String(chars)
    }
}
