// Front matter alone: the YAML between `---` lines, as Parse reads it, and the option values it converts.

import FuzzSupport
@testable import LessonKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrontMatter(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let text = Load.normalize(input.rest())
    let lines = lineCount(text)
    var errors: [(Int, String)] = []
    let (markdown, fields) = Parse.splitFrontMatter(text) { line, _, message, _ in errors.append((line, message)) }
    // Front matter lines are blanked, never removed: every line keeps its number.
    require(lineCount(markdown) == lines, "split changed the line count from \(lines) to \(lineCount(markdown))")
    for (line, message) in errors {
        require(line >= 1 && line <= lines, "error at line \(line) of \(lines): \(message)")
    }
    for (key, field) in fields {
        require(Parse.knownKeys.contains(key), "unknown key \(key) accepted")
        require(field.line >= 2 && field.line < lines, "field \(key) at line \(field.line) of \(lines)")
        if let text = field.node.string, let v = Parse.seconds(text) { require(Parse.validSeconds(v), "seconds(\(text)) = \(v)") }
    }
    // And through the whole parse: a front matter problem is a diagnostic, never a crash.
    let (_, diagnostics) = Parse.lesson(LessonSource(path: "lessons/01-fuzz.md", slug: "01-fuzz", number: 1, text: text))
    for d in diagnostics {
        require(d.line >= 1 && d.line <= lines, "diagnostic at line \(d.line) of \(lines): \(d.message)")
    }
    return 0
}

runFuzzer { fuzzFrontMatter($0, $1) }
