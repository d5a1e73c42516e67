// Verify: LessonRun -> checks. Every expected output, every `traps` cell and every unexpected
// failure becomes a passed, failed or not-run check with a diagnostic at its Markdown line.

public struct Tally: Sendable, Equatable {
    public var passed = 0
    public var failed = 0
    public var notRun = 0
    public init() {}
    public static func += (a: inout Tally, b: Tally) {
        a.passed += b.passed
        a.failed += b.failed
        a.notRun += b.notRun
    }
    /// The closing line of a run: `N passed, N failed` (plus `, N not run` when some could not run).
    public var summary: String {
        "\(passed) passed, \(failed) failed" + (notRun > 0 ? ", \(notRun) not run" : "")
    }
}

public enum Verify {
    public static func check(_ run: LessonRun) -> (tally: Tally, diagnostics: [Diagnostic]) {
        let lesson = run.lesson
        var tally = Tally()
        var diagnostics: [Diagnostic] = []
        func fail(_ line: Int, _ column: Int = 1, _ message: String, hint: String? = nil) {
            tally.failed += 1
            diagnostics.append(Diagnostic(stage: .verify, file: lesson.path, line: line, column: column, message, hint: hint))
        }

        if !run.compileErrors.isEmpty {
            tally.failed += 1
            diagnostics += run.compileErrors
            tally.notRun += lesson.cells.filter { $0.expected != nil || $0.attributes.traps }.count
            return (tally, diagnostics)
        }

        var stoppedAt: Int?
        for (cell, result) in zip(lesson.cells, run.cells) {
            switch result.outcome {
            case .notRun:
                if cell.expected != nil || cell.attributes.traps { tally.notRun += 1 }
                continue
            case .trapped(let message):
                fail(trapLine(message, lesson: lesson, cell: cell), 1, "cell trapped: \(shortTrap(message))",
                     hint: "mark the cell `swift traps` if the trap is what it shows")
                stoppedAt = cell.fenceLine
                continue
            case .timedOut(let seconds):
                fail(cell.codeLine, 1, "lesson did not finish within \(Compare.format(seconds)) s; it was killed while this cell ran",
                     hint: "raise the limit with `timeout:` in the front matter or --timeout")
                stoppedAt = cell.fenceLine
                continue
            case .outputLimit(let limit):
                fail(cell.codeLine, 1, "cell printed more than \(limit >> 20) MiB of output; the lesson was stopped",
                     hint: "print less (a summary, or a table of the values that matter)")
                stoppedAt = cell.fenceLine
                continue
            case .didNotTrap:
                fail(cell.fenceLine, 1, "cell is marked `traps` but completed without trapping")
            case .trappedAsExpected:
                tally.passed += 1
            case .completed:
                break
            }
            let actual = result.checkedText
            if let expected = cell.expected {
                if let m = Compare.check(expected: expected.text, actual: actual, tolerance: expected.tolerance) {
                    fail(expected.textLine + m.line, m.column + 1, m.message)
                } else {
                    tally.passed += 1
                }
            } else if !cell.attributes.nocheck && !cell.attributes.traps
                        && !actual.allSatisfy(\.isWhitespace) {
                let shown = Compare.lines(actual).prefix(6).map { "    " + $0 }.joined(separator: "\n")
                fail(cell.fenceLine, 1, "cell printed output but has no ```output block to check it:\n\(shown)",
                     hint: "add an ```output block with this text right after the cell, or mark the cell `nocheck`")
            }
        }
        if let stoppedAt, tally.notRun > 0 {
            diagnostics.append(Diagnostic(.note, stage: .verify, file: lesson.path, line: stoppedAt,
                                          "\(tally.notRun) check(s) after this cell were not run"))
        }
        return (tally, diagnostics)
    }

    /// The trap's own line when the runtime names this lesson. It names the file by #fileID
    /// (`<module>/01-x.md:14: Precondition failed: ...`) or by path, so match the file name.
    static func trapLine(_ message: String, lesson: Lesson, cell: Cell) -> Int {
        let parts = message.split(separator: ":", maxSplits: 2)
        guard parts.count == 3, let line = Int(parts[1]),
              (parts[0] as Substring).split(separator: "/").last == (lesson.path as String).split(separator: "/").last
        else { return cell.codeLine }
        return line
    }

    /// `lessons/x.md:14: Fatal error: boom` -> `Fatal error: boom`.
    static func shortTrap(_ message: String) -> String {
        let parts = message.split(separator: ":", maxSplits: 2)
        if parts.count == 3, Int(parts[1]) != nil { return parts[2].trimmingCharacters(in: .whitespaces) }
        return message
    }
}
