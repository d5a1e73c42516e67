// TeX -> MathML (inline and display), and the formula extraction from prose that feeds it.

import FuzzSupport
@testable import LessonKit
@testable import TeXMathML

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTeX(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let display = input.byte() & 1 == 1
    // Lesson text is normalised when loaded (CRLF is one Character to Swift, not a line break).
    let tex = Load.normalize(input.rest())
    do {
        let mathML = try TeX.mathML(tex, display: display)
        require(mathML.hasPrefix("<math"), "MathML does not start with <math: \(mathML.prefix(40))")
        if let problem = unbalancedTags(mathML) { require(false, "MathML markup: \(problem)") }
    } catch let e as TeXError {
        require(e.offset >= 0 && e.offset <= tex.count, "error offset \(e.offset) outside a \(tex.count)-character formula")
    } catch {
        require(false, "TeX.mathML threw \(error), not a TeXError")
    }
    // The same bytes as prose: formulas out, line count kept, placeholders restored.
    let (text, spans) = MathSpans.extract(tex)
    require(lineCount(text) == lineCount(tex), "extract changed the line count")
    let math = spans.map { MathSpan(tex: $0.tex, display: $0.display, line: $0.line, column: $0.column, mathML: "<math></math>") }
    _ = MathSpans.restore(text, math)
    return 0
}

runFuzzer { fuzzTeX($0, $1) }
