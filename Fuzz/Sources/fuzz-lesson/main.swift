// A whole lesson file: front matter, prose, math, cells, output blocks -> Parse, then the page
// Render writes for it (as for a lesson none of whose cells ran) and the search sections.

import FuzzSupport
@testable import LessonKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLesson(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    // Load rejects a file that is not UTF-8, so only valid text reaches Parse.
    guard let raw = String(validating: input.bytes, as: UTF8.self) else { return 0 }
    _ = input.rest()
    let source = LessonSource(path: "lessons/01-fuzz.md", slug: "01-fuzz", number: 1, text: raw)
    let lines = lineCount(source.text)
    let (lesson, diagnostics) = Parse.lesson(source)
    for d in diagnostics {
        require(d.line >= 1 && d.line <= lines, "diagnostic at line \(d.line) of a \(lines)-line file: \(d.message)")
    }
    require((lesson == nil) == diagnostics.contains { $0.severity == .error }, "lesson is nil exactly when there is an error")
    guard let lesson else { return 0 }
    require(lineCount(lesson.markdown) == lines, "parsed Markdown has \(lineCount(lesson.markdown)) lines, the file \(lines)")
    for cell in lesson.cells {
        require(cell.fenceLine >= 1 && cell.fenceLine <= lines, "cell fence at line \(cell.fenceLine) of \(lines)")
    }
    let run = LessonRun(lesson: lesson, compileErrors: [], cells: [], seconds: 0)
    let page = Render.page(run, previous: nil, next: nil)
    require(!page.isEmpty, "empty page")
    if !lesson.options.rawHTML {
        // Without raw_html every tag on the page is the renderer's own.
        if let problem = unbalancedTags(page) { require(false, "page markup: \(problem)") }
    }
    _ = Markdown.sections(lesson.markdown)
    _ = Markdown.outline(lesson.markdown)
    return 0
}

runFuzzer { fuzzLesson($0, $1) }
