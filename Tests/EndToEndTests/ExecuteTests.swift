// Execute + Verify on real lesson programs: compiled against the built ArcFaceKit and run.

import Foundation
import Testing
@testable import LessonKit
@testable import TestSupport

@Suite(.serialized) struct ExecuteTests {
    @Test func theBasicsFixturePassesEveryCheck() throws {
        var options = RunOptions()
        options.lessonsDirectory = Support.fixtures.path + "/basics/lessons"
        let report = try Pipeline.verify(options, toolchain: Support.toolchain())
        #expect(Support.errors(report) == [])
        #expect(report.tally == { var t = Tally(); t.passed = 5; return t }())
        let cells = report.runs[0].cells
        #expect(cells[0].checkedText == "2.0\n")
        #expect(cells.map(\.outcome)[0..<3] == [.completed, .completed, .completed])
        guard case .trappedAsExpected(let message) = cells[3].outcome else { Issue.record("cell 4 did not trap"); return }
        #expect(message.hasSuffix("Fatal error: Index out of range"))
        #expect(cells[4].outcome == .completed)
        guard case .rich(.plot(let plot)) = cells[2].segments.first else { Issue.record("no plot"); return }
        #expect(plot.series[0].y == [1, 4, 9])
    }

    /// Set and Dictionary order is a function of the lesson (deterministic hashing), not of the run:
    /// without it, 40 strings in a Set come out in another order nearly every run.
    @Test func aSetPrintsInTheSameOrderOnEveryRun() throws {
        let dir = try Support.project(["01-set.md": """
            # Set

            ```swift
            let words = Set((0..<40).map { "w\\($0)" })
            print(words.joined(separator: " "))
            print(Dictionary(uniqueKeysWithValues: (0..<20).map { ("k\\($0)", $0) }).keys.joined(separator: " "))
            ```

            """])
        var options = RunOptions()
        options.lessonsDirectory = dir + "/lessons"
        options.cacheDirectory = nil   // run the program every time
        var outputs = Set<String>()
        for _ in 0..<3 {
            let report = try Pipeline.verify(options, toolchain: Support.toolchain())
            outputs.insert(report.runs[0].cells[0].checkedText)
        }
        #expect(outputs.count == 1, "\(outputs)")
    }

    @Test func aWrongNumberFailsAtItsMarkdownLine() throws {
        let dir = try Support.project(["01-wrong.md": """
            # Wrong

            ```swift
            print((4.0 / 77.0.squareRoot() * 10000).rounded() / 10000)
            ```

            ```output
            0.2558
            ```
            """])
        let report = try Support.verify(dir)
        #expect(Support.errors(report) == ["\(dir)/lessons/01-wrong.md:8:1: error: expected 0.2558, got 0.4558 (tolerance 5e-05)"])
        #expect(report.tally.failed == 1 && report.tally.passed == 0)
    }

    @Test func aCompileErrorIsReportedAtTheMarkdownLineAndNoCellRuns() throws {
        let dir = try Support.project(["01-bad.md": "# Bad\n\n```swift\nprint(1)\n```\n\n```output\n1\n```\n\n```swift\nlet y: Int = \"no\"\n```\n"])
        let report = try Support.verify(dir)
        let errors = Support.errors(report)
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("\(dir)/lessons/01-bad.md:12:14: error: cannot convert value of type 'String'") == true)
        #expect(report.tally.notRun == 1)
    }

    @Test func aTrappingCellIsReportedWithItsLineAndLaterCellsDoNotRun() throws {
        let dir = try Support.project(["01-trap.md": """
            # Trap

            ```swift
            print("before")
            precondition(1 > 2, "boom")
            ```

            ```swift
            print("after")
            ```

            ```output
            after
            ```
            """])
        let report = try Support.verify(dir)
        #expect(Support.errors(report) == ["\(dir)/lessons/01-trap.md:5:1: error: cell trapped: Precondition failed: boom\n  hint: mark the cell `swift traps` if the trap is what it shows"])
        #expect(report.runs[0].cells.map(\.outcome) == [.trapped(message: "lesson/01-trap.md:5: Precondition failed: boom"), .notRun])
        #expect(report.runs[0].cells[0].checkedText == "before\nPrecondition failed: boom\n")
        #expect(report.tally.notRun == 1 && report.tally.failed == 1)
    }

    @Test func aCellMarkedTrapsThatCompletesFails() throws {
        let dir = try Support.project(["01-t.md": "# T\n\n```swift traps\nlet a = 1\n```\n"])
        let report = try Support.verify(dir)
        #expect(Support.errors(report) == ["\(dir)/lessons/01-t.md:3:1: error: cell is marked `traps` but completed without trapping"])
    }

    @Test func aLessonThatRunsPastItsTimeLimitIsKilledAndReportedAtTheCell() throws {
        let dir = try Support.project(["01-loop.md": "---\ntimeout: 1\n---\n# Loop\n\n```swift\nprint(\"start\")\n```\n```output\nstart\n```\n\n```swift\nvar i = 0\nwhile true { i &+= 1 }\n```\n"])
        let start = Date()
        let report = try Support.verify(dir)
        #expect(Date().timeIntervalSince(start) < 60)
        #expect(Support.errors(report).first?.hasPrefix("\(dir)/lessons/01-loop.md:14:1: error: lesson did not finish within 1 s") == true)
        #expect(report.tally.passed == 1 && report.tally.failed == 1)
    }

    @Test func runawayOutputIsCappedAndReportedAtTheCell() throws {
        let dir = try Support.project(["01-spam.md": "# Spam\n\n```swift\nwhile true { print(\"spam spam spam\") }\n```\n"])
        let report = try Support.verify(dir)
        #expect(Support.errors(report).first?.hasPrefix("\(dir)/lessons/01-spam.md:4:1: error: cell printed more than 8 MiB of output") == true)
    }

    @Test func nanWhereANumberIsExpectedFails() throws {
        let dir = try Support.project(["01-nan.md": "# NaN\n\n```swift\nprint(0.0 / 0.0)\n```\n```output\n0.5\n```\n"])
        #expect(Support.errors(try Support.verify(dir)) == ["\(dir)/lessons/01-nan.md:7:1: error: expected 0.5, got nan (tolerance 0.05)"])
    }

    @Test func theCommandLineTimeoutOverridesTheLessonsOwn() throws {
        let dir = try Support.project(["01-slow.md": "# Slow\n\n```swift\nwhile true {}\n```\n"])
        let report = try Support.verify(dir, timeout: 0.5)
        #expect(Support.errors(report).first?.contains("lesson did not finish within 0.5 s") == true)
    }

    @Test func outputWithoutAnOutputBlockIsAFailureUnlessTheCellSaysNocheck() throws {
        let dir = try Support.project(["01-o.md": "# O\n\n```swift\nprint(42)\n```\n\n```swift nocheck\nprint(43)\n```\n"])
        let report = try Support.verify(dir)
        let errors = Support.errors(report)
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("\(dir)/lessons/01-o.md:3:1: error: cell printed output but has no ```output block") == true)
    }

    @Test func cellsShareStateAndShowTheirLastExpression() throws {
        let dir = try Support.project(["01-s.md": "# S\n\n```swift\nvar n = 2\nfunc twice(_ x: Int) -> Int { 2 * x }\n```\n\n```swift\nn += 1\ntwice(n)\n```\n```output\n6\n```\n"])
        let report = try Support.verify(dir)
        #expect(Support.errors(report) == [])
        #expect(report.tally.passed == 1)
    }

    @Test func problemsOfSeveralLessonsAreAllReportedInLessonOrder() throws {
        let dir = try Support.project([
            "01-a.md": "# A\n\n```swift\nprint(1)\n```\n```output\n2\n```\n",
            "02-b.md": "# B\n\n```output\n1\n```\n",
            "03-c.md": "# C\n\n```swift\nprint(3)\n```\n```output\n3\n```\n",
        ])
        let report = try Support.verify(dir)
        #expect(report.diagnostics.map { ($0.file! as NSString).lastPathComponent + ":\($0.line)" } == ["01-a.md:7", "02-b.md:3"])
        #expect(report.tally.summary == "1 passed, 2 failed")
    }
}
