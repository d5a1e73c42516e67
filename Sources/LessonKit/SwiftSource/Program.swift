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
        guard let statement = SwiftStatements.last(code), statement.isExpression else { return code }
        var chars = Array(code)
        chars.insert(")", at: statement.end)
        chars.insert(contentsOf: "LessonRuntime.display(", at: statement.start)
        return String(chars)
    }
}
