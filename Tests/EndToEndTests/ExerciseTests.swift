// Exercises end to end: the fixture's solutions run and are checked like cells, in a forked child
// whose state does not reach the cells after it; a wrong solution output fails at its line; the
// page shows each solution collapsed.

import Foundation
import Testing
@testable import LessonKit
@testable import TestSupport

@Suite(.serialized) struct ExerciseTests {
    static let fixture = Support.fixtures.appendingPathComponent("exercises/lessons/01-exercises.md").path

    @Test func theFixturesSolutionsPassAndLeaveTheLessonsStateAlone() throws {
        let text = try String(contentsOfFile: Self.fixture, encoding: .utf8)
        let dir = try Support.project(["01-exercises.md": text])
        let report = try Support.verify(dir)
        #expect(Support.errors(report) == [])
        // Cell 3 prints `x.norm() * scale`: 22.3607, not 0 nor 1118 (the solution set x = 0, scale = 100).
        let run = try #require(report.runs.first)
        #expect(run.cells[2].checkedText == "tensor(22.3607)\n")
        #expect(report.checks.filter { $0.status == .passed }.count == 4)

        let page = Render.page(run, previous: nil, next: nil)
        #expect(page.contains("<details class=\"solution\">\n<summary>Solution to exercise 1</summary>\n<div class=\"cell\" id=\"cell-2\">"))
        #expect(page.contains("<summary>Solution to exercise 2</summary>"))
        #expect(Render.site(report.runs)["style.css"].map { String(decoding: $0, as: UTF8.self).contains("details.solution") } == true)
    }

    @Test func aWrongSolutionOutputFailsAtItsLine() throws {
        let text = try String(contentsOfFile: Self.fixture, encoding: .utf8)
            .replacingOccurrences(of: "tensor([ 5., 10.])", with: "tensor([ 5., 11.])")
        let dir = try Support.project(["01-exercises.md": text])
        let verify = try Support.run([Support.tool, "verify", "--no-cache"], in: dir)
        #expect(verify.status == 1)
        #expect(verify.output.contains("lessons/01-exercises.md:26:14:"), "\(verify.output)")
        #expect(verify.output.contains("expected 11., got 10. (tolerance 0.5)"), "\(verify.output)")
    }

    @Test func aSolutionThatTrapsFailsAtItsLineAndTheLessonGoesOn() throws {
        let lesson = """
            # Trapping solution

            ### Exercise: index

            Take the fourth element.

            ```swift solution
            let a = [1, 2, 3]
            print(a[3])
            ```

            ```output
            4
            ```

            ```swift
            print("after")
            ```

            ```output
            after
            ```

            """
        let dir = try Support.project(["01-trap.md": lesson])
        let report = try Support.verify(dir)
        let errors = Support.errors(report)
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?.contains("lessons/01-trap.md:8:") == true, "\(errors)")
        #expect(errors.first?.contains("Index out of range") == true, "\(errors)")
        #expect(report.checks.contains { $0.status == .passed && $0.line == 21 })
    }
}
