// ReplExercises: a lesson's exercises in the REPL. `:exercise` lists them, `:exercise N` goes to the
// exercise's cell (so the learner's inputs run in the state its solution sees) and shows the prompt;
// what the inputs typed there print is kept, and `:check` compares it with the solution's ```output
// block by verify's own comparison (Compare: numbers within the written precision, tol=, rtol=).
// The solution itself is never shown: stepping over it runs it apart and quietly.

import LessonKit
import Foundation

extension ReplSession {
    /// The exercise whose solution is cell `index`, if it is one.
    func exerciseIndex(at index: Int) -> Int? {
        guard lesson.cells.indices.contains(index), lesson.cells[index].attributes.solution else { return nil }
        return lesson.exercises.firstIndex { $0.solutionIndex == index }
    }

    func exerciseUsage(_ command: String) -> String {
        lesson.exercises.isEmpty ? "This lesson has no exercises.\n"
            : "\(command) takes an exercise's number (1-\(lesson.exercises.count)); :exercise lists them.\n"
    }

    func listExercises() {
        guard !lesson.exercises.isEmpty else { console.write("This lesson has no exercises.\n"); return }
        for (k, e) in lesson.exercises.enumerated() {
            let mark = openExercise == k ? ">" : " "
            let cell = lesson.cells[e.solutionIndex]
            let place = console.dim("cell \(e.solutionIndex + 1) · \(lesson.path):\(e.headingLine)")
            let done = cursor > cell.index ? " (the lesson is past it)" : ""
            console.write("\(mark) \(String(format: "%2d", k + 1))  \(e.title)  \(place)\(console.dim(done))\n")
        }
        console.write(console.dim(":exercise N opens one; :check compares your answer with its solution.") + "\n")
    }

    /// Goes to exercise `k`'s cell (running the cells before it, or restarting the lesson when it
    /// is past it) and opens the exercise afresh.
    func openExercise(_ k: Int) {
        let target = lesson.exercises[k].solutionIndex
        guard cursor == target else {
            jump(to: target)  // shows the cell it reaches: at the exercise's, the exercise, opened
            return
        }
        openExercise = nil  // opened again: no answer yet
        showExercise(k)
    }

    /// The prompt of exercise `k`, shown when the lesson reaches its cell; opens the exercise (a new
    /// exercise, or one opened again, starts with no answer).
    func showExercise(_ k: Int) {
        let e = lesson.exercises[k]
        if openExercise != k { answers = [] }
        openExercise = k
        console.write(console.dim("── exercise \(k + 1)/\(lesson.exercises.count) · cell \(e.solutionIndex + 1)/\(lesson.cells.count) · \(lesson.path):\(e.headingLine) ──") + "\n")
        console.write(console.bold(e.title) + "\n")
        if !e.prompt.isEmpty { console.write(e.prompt + "\n") }
        console.write(console.dim("Type Swift that prints the answer (or ends with it); :check compares it with the solution. Enter skips the exercise.") + "\n")
    }

    func closeExercise() {
        openExercise = nil
        answers = []
    }

    /// Compares the learner's output with exercise `k`'s solution (the open exercise when nil). It
    /// passes when the output of the last input, or of the last few together, matches the solution's
    /// ```output block; otherwise the differences are listed against the closest of them.
    func check(_ k: Int?) {
        guard let k = k ?? openExercise else {
            console.write(lesson.exercises.isEmpty ? "This lesson has no exercises.\n"
                          : "No exercise is open: :exercise lists them, :exercise N opens one.\n")
            return
        }
        let e = lesson.exercises[k]
        let solution = lesson.cells[e.solutionIndex]
        guard let expected = solution.expected else {
            console.write(console.red("error: ") + "the solution of exercise \(k + 1) (\(lesson.path):\(solution.fenceLine)) has no ```output block to compare with\n")
            return
        }
        guard openExercise == k else {
            console.write("Exercise \(k + 1) is not open: :exercise \(k + 1) opens it, then type your answer.\n")
            return
        }
        let outputs = answers.filter { !$0.allSatisfy(\.isWhitespace) }
        guard !outputs.isEmpty else {
            console.write("Nothing printed yet since exercise \(k + 1) opened: type Swift that prints the answer (or ends with it as an expression), then :check.\n")
            return
        }
        // The output of the last input, of the last two together, ... of all of them.
        let candidates = (1...outputs.count).map { outputs.suffix($0).joined() }
        if candidates.contains(where: { Compare.check(expected: expected.text, actual: $0, tolerance: expected.tolerance) == nil }) {
            console.write(console.green("✓ exercise \(k + 1): your output matches the solution's") + console.dim(" (numbers within \(toleranceText(expected.tolerance)))") + "\n")
            return
        }
        // The closest: the fewest differences, then the fewest inputs.
        let expectedLines = lineCount(expected.text)
        let scored = candidates.enumerated().map { (n, text) in
            (inputs: n + 1, text: text, differences: Compare.differences(expected: expected.text, actual: text, tolerance: expected.tolerance))
        }
        let best = scored.min {
            ($0.differences.count, abs(lineCount($0.text) - expectedLines), $0.inputs) < ($1.differences.count, abs(lineCount($1.text) - expectedLines), $1.inputs)
        }!
        let what = best.inputs == 1 ? "your last input's output" : "the output of your last \(best.inputs) inputs"
        console.write(console.red("✗ exercise \(k + 1): not yet") + " — \(what) differs from the solution's "
                      + "(\(best.differences.count) difference\(best.differences.count == 1 ? "" : "s")):\n")
        for d in best.differences.prefix(12) {
            console.write("  line \(d.line + 1), column \(d.column + 1): \(d.message)\n")
        }
        if best.differences.count > 12 { console.write(console.dim("  (and \(best.differences.count - 12) more)") + "\n") }
    }

    private func lineCount(_ text: String) -> Int {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        while lines.last?.allSatisfy(\.isWhitespace) == true { lines.removeLast() }
        return lines.count
    }

    private func toleranceText(_ t: Tolerance) -> String {
        switch (t.abs, t.rel) {
        case (let a?, let r?): return "tol=\(Compare.format(a)) + rtol=\(Compare.format(r))"
        case (let a?, nil): return "tol=\(Compare.format(a))"
        case (nil, let r?): return "rtol=\(Compare.format(r))"
        default: return "the precision the solution's output is written with"
        }
    }
}
