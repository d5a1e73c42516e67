// Verify: LessonRun -> checks. Every expected output, every checked prose value, every `traps`
// cell and every unexpected failure becomes a passed, failed or not-run check at its Markdown line.

/// One thing verify checked, as a CI report lists it (a JUnit test case, a GitHub annotation).
public enum Verify {
    /// The checks of one lesson run, in line order, and notes that explain them.
    public static func check(_ run: LessonRun) -> (checks: [Check], notes: [Diagnostic]) {
        let lesson = run.lesson
        var checks: [Check] = []
        func fail(_ line: Int, _ column: Int = 1, _ name: String, _ message: String, hint: String? = nil) {
            checks.append(.failed(Diagnostic(stage: .verify, file: lesson.path, line: line, column: column, message, hint: hint), name))
        }
        let expected = lesson.cells.compactMap { c in c.expected.map { (c, $0) } }
        if !run.compileErrors.isEmpty {
            for e in run.compileErrors { checks.append(.failed(e, "lesson compiles")) }
            checks += expected.map { .notRun(lesson.path, $0.1.textLine, "output of cell \($0.0.index + 1)") }
            checks += lesson.inlineExpressions.filter { $0.expected != nil }.map { .notRun(lesson.path, $0.line, "value at \($0.line):\($0.column)") }
            return (checks, [])
        }

        var stoppedAt: Int?
        for (cell, result) in zip(lesson.cells, run.cells) {
            let name = "output of cell \(cell.index + 1)"
            switch result.outcome {
            case .notRun:
                if let e = cell.expected { checks.append(.notRun(lesson.path, e.textLine, name)) }
                if cell.attributes.traps { checks.append(.notRun(lesson.path, cell.fenceLine, "cell \(cell.index + 1) traps")) }
                continue
            case .trapped(let message):
                fail(trapLine(message, lesson: lesson, cell: cell), 1, "cell \(cell.index + 1) runs", "cell trapped: \(shortTrap(message))",
                     hint: cell.attributes.solution ? "an exercise's solution must run to its end" : "mark the cell `swift traps` if the trap is what it shows")
                stoppedAt = stoppedAt ?? cell.fenceLine
                continue
            case .timedOut(let seconds, let cellLimit), .stalled(let seconds, let cellLimit):
                let stalled = if case .stalled = result.outcome { true } else { false }
                // Limits are CPU time; the wall-clock backstop catches a program that waits.
                let how = stalled ? " (it waited \(Compare.format(Subprocess.wallBackstop(seconds))) s of wall-clock time without computing that much)"
                                  : " of CPU time"
                let what = cellLimit ? "cell did not finish within its limit of \(Compare.format(seconds)) s\(how)"
                                     : "lesson did not finish within \(Compare.format(seconds)) s\(how); it was killed while this cell ran"
                fail(cell.codeLine, 1, "cell \(cell.index + 1) runs", what,
                     hint: cellLimit ? "raise it with `swift timeout=SECONDS` or --cell-timeout" : "raise the limit with `timeout:` in the front matter or --timeout")
                stoppedAt = stoppedAt ?? cell.fenceLine
                continue
            case .outputLimit(let limit):
                fail(cell.codeLine, 1, "cell \(cell.index + 1) runs", "cell printed more than \(limit >> 20) MiB of output; the lesson was stopped",
                     hint: "print less (a summary, or a table of the values that matter)")
                stoppedAt = stoppedAt ?? cell.fenceLine
                continue
            case .didNotTrap:
                fail(cell.fenceLine, 1, "cell \(cell.index + 1) traps", "cell is marked `traps` but completed without trapping")
            case .trappedAsExpected:
                checks.append(.passed(lesson.path, cell.fenceLine, "cell \(cell.index + 1) traps"))
            case .completed where cell.attributes.traps:
                // The forked child ended without a record: it called exit(0) (or _exit) before the
                // cell's end. Leaving early is not a trap.
                fail(cell.fenceLine, 1, "cell \(cell.index + 1) traps",
                     "cell is marked `traps` but its program exited without trapping (exit(0)?)")
            case .completed:
                break
            }
            let actual = result.checkedText
            if let e = cell.expected {
                if let m = Compare.check(expected: e.text, actual: actual, tolerance: e.tolerance) {
                    fail(e.textLine + m.line, m.column + 1, name, m.message)
                } else {
                    checks.append(.passed(lesson.path, e.textLine, name))
                }
            } else if cell.attributes.solution {
                // The REPL's :check compares a learner's answer with this block: a solution needs one.
                let shown = Compare.lines(actual).prefix(6).map { "    " + $0 }.joined(separator: "\n")
                fail(cell.fenceLine, 1, name, "solution has no ```output block" + (shown.isEmpty ? " (and it printed nothing)" : " to check it:\n\(shown)"),
                     hint: "a solution must print its answer (or end with it as an expression), checked by an ```output block right after it (verify --accept writes it)")
            } else if !cell.attributes.nocheck && !cell.attributes.traps && !actual.allSatisfy(\.isWhitespace) {
                let shown = Compare.lines(actual).prefix(6).map { "    " + $0 }.joined(separator: "\n")
                fail(cell.fenceLine, 1, name, "cell printed output but has no ```output block to check it:\n\(shown)",
                     hint: "add an ```output block with this text right after the cell (or run verify --accept), or mark the cell `nocheck`")
            }
        }

        for (k, expr) in lesson.inlineExpressions.enumerated() {
            let name = "value at \(expr.line):\(expr.column)"
            switch run.inline[k] {
            case .value(let text)?:
                guard let written = expr.expected else { continue }
                if let m = Compare.values(expected: written, actual: text) {
                    fail(expr.line, expr.column, name, "`\(expr.code)`: \(m)")
                } else {
                    checks.append(.passed(lesson.path, expr.line, name))
                }
            case .trapped(let message)?:
                fail(expr.line, expr.column, name, "`\(expr.code)` trapped: \(shortTrap(message))")
                stoppedAt = stoppedAt ?? expr.line
            case nil:
                if expr.expected != nil { checks.append(.notRun(lesson.path, expr.line, name)) }
            }
        }
        checks.sort { $0.line < $1.line }
        let notRun = checks.filter { $0.status == .notRun }.count
        var notes: [Diagnostic] = []
        if let stoppedAt, notRun > 0 {
            notes.append(Diagnostic(.note, stage: .verify, file: lesson.path, line: stoppedAt,
                                    "\(notRun) check(s) after this point were not run"))
        }
        return (checks, notes)
    }

    /// The checks of a lesson's Python cells (`verify --python`): each output block compared by the
    /// same rules as a Swift cell's, each `raises` cell's exception, each unexpected one at its line.
    public static func checkPython(_ lesson: Lesson, _ run: PythonRun) -> [Check] {
        var checks: [Check] = []
        func fail(_ line: Int, _ column: Int = 1, _ name: String, _ message: String, hint: String? = nil) {
            checks.append(.failed(Diagnostic(stage: .verify, file: lesson.path, line: line, column: column, message, hint: hint), name))
        }
        var reportedFailure = false
        for cell in lesson.pythonCells {
            let name = "python output of cell \(cell.index + 1)", runs = "python cell \(cell.index + 1) runs"
            guard let result = run.cells.first(where: { $0.index == cell.index }) else {
                if let failure = run.failure, !reportedFailure {
                    fail(cell.codeLine, 1, runs, failure, hint: "raise the lesson's `timeout:` if it needs longer")
                    reportedFailure = true
                } else {
                    checks.append(.notRun(lesson.path, cell.expected?.textLine ?? cell.fenceLine, name))
                }
                continue
            }
            switch (result.exception, cell.attributes.raises) {
            case (let e?, false):
                let frames = result.traceback.map { "\n" + $0.split(separator: "\n").suffix(6).map { "    " + $0 }.joined(separator: "\n") } ?? ""
                fail(result.line ?? cell.codeLine, 1, runs, "python cell raised \(e)" + frames,
                     hint: "mark it `python raises` if the exception is what it shows")
                continue
            case (nil, true):
                fail(cell.fenceLine, 1, runs, "python cell is marked `raises` but completed without an exception")
                continue
            default: break
            }
            if let e = cell.expected {
                if let m = Compare.check(expected: e.text, actual: result.output, tolerance: e.tolerance) {
                    fail(e.textLine + m.line, m.column + 1, name, m.message)
                } else {
                    checks.append(.passed(lesson.path, e.textLine, name))
                }
            } else if cell.attributes.raises {
                fail(cell.fenceLine, 1, name, "a `raises` cell needs an ```output block ending with its exception: \(result.exception ?? "")",
                     hint: "verify --python --accept writes it")
            }
        }
        return checks
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
