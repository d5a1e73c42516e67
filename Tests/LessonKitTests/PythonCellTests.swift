// Checked Python cells (issue 17): which ```python blocks are cells, how they pair with Swift, and
// `verify --python` running them in one process per lesson. The runs use python3 with a stand-in
// `torch` module (make test must not need PyTorch); the shipped course's cells are checked against
// the real one by `make verify-python`.

import Foundation
import Testing
@testable import LessonKit
@testable import TestSupport

@Suite struct PythonCellTests {
    // MARK: Parse

    @Test func aPythonBlockIsACellWhenAnOutputBlockFollowsItOrItIsMarkedToRun() throws {
        let (lesson, diagnostics) = Support.parse("""
            # T

            ```python
            a = 1
            ```

            ```python
            a + 1
            ```

            ```output
            2
            ```

            ```python run
            import math
            ```

            ```python hide
            b = 3
            ```

            ```python raises
            1 / 0
            ```

            ```output
            ZeroDivisionError: division by zero
            ```
            """)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let cells = try #require(lesson).pythonCells
        // The first block is a listing: shown, never run.
        #expect(cells.map(\.fenceLine) == [7, 15, 19, 23])
        #expect(cells.map(\.index) == [0, 1, 2, 3])
        #expect(cells[0].expected?.text == "2\n" && cells[0].expected?.fenceLine == 11)
        #expect(cells[1].attributes.run && cells[2].attributes.hide && cells[3].attributes.raises)
        #expect(cells[3].expected?.text == "ZeroDivisionError: division by zero\n")
        #expect(lesson!.cells.isEmpty)
    }

    @Test func aFoldedPythonBlockRunsLikeAnyMarkedOne() throws {
        let (lesson, _) = Support.parse("# T\n\n```python fold\ndef f(): return 1\n```\n")
        #expect(try #require(lesson).pythonCells.map(\.attributes.fold) == [true])
    }

    @Test func anUnknownPythonAttributeAndASecondOutputBlockAreErrorsAtTheirLines() {
        let (_, diagnostics) = Support.parse("""
            # T

            ```python rnu
            x = 1
            ```

            ```python
            x
            ```

            ```output
            1
            ```

            ```output
            1
            ```
            """)
        let messages = diagnostics.map(\.description)
        #expect(messages.contains { $0.hasPrefix("lessons/01-test.md:3:1: error: unknown python cell attribute 'rnu'") }, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("lessons/01-test.md:15:1: error: second output block for the python cell at line 7") }, "\(messages)")
    }

    @Test func aSwiftPairCellPairsWithTheCheckedPythonCellBeforeItsOwnOutput() throws {
        let (lesson, diagnostics) = Support.parse("""
            # T

            ```python
            print(1)
            ```

            ```output
            1
            ```

            ```swift pair
            print(1)
            ```

            ```output
            1
            ```
            """)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let cell = try #require(lesson?.cells.first)
        #expect(cell.pairedListing?.line == 3 && cell.pairedListing?.language == "python")
        #expect(cell.pairedListing?.expected?.fenceLine == 7)
        #expect(cell.expected?.fenceLine == 15)
    }

    // MARK: Render

    @Test func aPairShowsOneOutputWhenBothSidesPrintTheSameAndBothWhenTheyDiffer() throws {
        func page(_ swiftPrints: String) throws -> String {
            let (lesson, _) = Support.parse("""
                # T

                ```python
                print("tensor([1.])")
                ```

                ```output
                tensor([1.])
                ```

                ```swift pair
                print("\(swiftPrints)")
                ```

                ```output
                \(swiftPrints)
                ```
                """)
            let l = try #require(lesson)
            let run = LessonRun(lesson: l, compileErrors: [], cells: [CellResult(index: 0, segments: [.text(swiftPrints + "\n")], outcome: .completed)], seconds: 0)
            return Render.page(run, previous: nil, next: nil)
        }
        let same = try page("tensor([1.])")
        #expect(same.components(separatedBy: "<pre class=\"output\">tensor([1.])</pre>").count - 1 == 1)
        #expect(same.contains("<div class=\"cell pair\""))
        let different = try page("tensor([1.0000])")
        #expect(different.contains("<pre class=\"output\">tensor([1.])</pre>"))
        #expect(different.contains("<pre class=\"output\">tensor([1.0000])</pre>"))
        // The Python side's output sits in the PyTorch column, before the Swift one.
        let torchSide = try #require(different.range(of: "<div class=\"side torch\">"))
        let swiftSide = try #require(different.range(of: "<div class=\"side swift\">"))
        let pythonOutput = try #require(different.range(of: "tensor([1.])</pre>"))
        #expect(torchSide.lowerBound < pythonOutput.lowerBound && pythonOutput.lowerBound < swiftSide.lowerBound)
    }

    @Test func aPythonCellShowsItsCodeAndItsCheckedOutputAndAHiddenOneNothing() throws {
        let (lesson, _) = Support.parse("""
            # T

            ```python hide
            secret = 41
            ```

            ```python
            secret + 1
            ```

            ```output
            42
            ```
            """)
        let l = try #require(lesson)
        let html = Render.page(LessonRun(lesson: l, compileErrors: [], cells: [], seconds: 0), previous: nil, next: nil)
        #expect(!html.contains("secret = 41"))
        #expect(html.contains("<div class=\"cell python\">"))
        #expect(html.contains("<pre class=\"output\">42</pre>"))
    }

    // MARK: verify --python

    /// python3 with a stand-in `torch` (a version string and nothing else) on its path.
    static func fakeTorchPython() throws -> String {
        let dir = try Pipeline.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/site/torch", withIntermediateDirectories: true)
        try "__version__ = '0.0+standin'\n".write(toFile: dir + "/site/torch/__init__.py", atomically: true, encoding: .utf8)
        let python = try #require(Subprocess.which("python3"), "python3 is needed (scripts/install-deps.sh --browser installs it)")
        let wrapper = dir + "/python"
        try "#!/bin/sh\nPYTHONPATH='\(dir)/site' exec '\(python)' \"$@\"\n".write(toFile: wrapper, atomically: true, encoding: .utf8)
        chmod(wrapper, 0o755)
        return wrapper
    }

    static func verify(_ lesson: String, python: String?, accept: Bool = false) throws -> (Report, String) {
        let dir = try Support.project(["01-py.md": lesson])
        var options = RunOptions()
        options.lessonsDirectory = dir + "/lessons"
        options.cacheDirectory = nil
        options.python = python
        let report = try Pipeline.verify(options, toolchain: Support.toolchain())
        if accept { _ = try Accept.apply(report) }
        return (report, dir)
    }

    static let lesson = """
        # Python

        ```python
        import torch
        xs = [1.5, 2.25]
        sum(xs)
        ```

        ```output
        3.75
        ```

        ```python
        print(torch.__version__)
        xs.append(1)
        len(xs)
        ```

        ```output
        0.0+standin
        3
        ```

        ```python raises
        print("before")
        {}["missing"]
        ```

        ```output
        before
        KeyError: 'missing'
        ```
        """

    @Test func verifyPythonRunsTheCellsInOneProcessAndChecksEachOutput() throws {
        let (report, _) = try Self.verify(Self.lesson, python: Self.fakeTorchPython())
        #expect(Support.errors(report).isEmpty, "\(Support.errors(report))")
        #expect(report.checks.filter { $0.name.hasPrefix("python output") && $0.status == .passed }.count == 3)
        #expect(report.torchVersion == "0.0+standin" && report.pythonSkipped == 0)
        #expect(report.rendered(.text).contains("Python cells ran with torch 0.0+standin"))
    }

    @Test func aWrongNumberAndAnUnexpectedExceptionFailAtTheirLessonLines() throws {
        let wrong = Self.lesson.replacingOccurrences(of: "3.75", with: "3.76")
            .replacingOccurrences(of: "xs.append(1)", with: "xs.append(undefined)")
        let (report, _) = try Self.verify(wrong, python: Self.fakeTorchPython())
        let errors = Support.errors(report)
        // The number, at its line and column in the output block.
        #expect(errors.contains { $0.hasSuffix("01-py.md:10:1: error: expected 3.76, got 3.75 (tolerance 0.005)") }, "\(errors)")
        // The exception, at the line of the cell that raised it.
        #expect(errors.contains { $0.contains("01-py.md:15:1: error: python cell raised NameError: name 'undefined' is not defined") }, "\(errors)")
        // The cells after it still ran (state as a notebook keeps it).
        #expect(report.checks.contains { $0.name == "python output of cell 3" && $0.status == .passed })
        #expect(!report.ok)
    }

    @Test func withoutPythonOrWithoutTorchTheCellsAreCountedAsSkippedNotFailed() throws {
        let (plain, _) = try Self.verify(Self.lesson, python: nil)
        #expect(plain.ok && plain.pythonSkipped == 3)
        #expect(plain.rendered(.text).contains("3 Python cells skipped (run them with verify --python)"))
        let python = try #require(Subprocess.which("python3"))
        let (noTorch, _) = try Self.verify(Self.lesson, python: python)
        #expect(noTorch.ok && noTorch.pythonSkipped == 3)
        #expect(noTorch.rendered(.text).contains("cannot import torch"), "\(noTorch.rendered(.text))")
    }

    @Test func acceptWritesWhatThePythonCellsPrinted() throws {
        let changed = Self.lesson.replacingOccurrences(of: "3.75", with: "3.70")
            .replacingOccurrences(of: "before\nKeyError: 'missing'", with: "KeyError")
        let python = try Self.fakeTorchPython()
        let (_, dir) = try Self.verify(changed, python: python, accept: true)
        let text = try String(contentsOfFile: dir + "/lessons/01-py.md", encoding: .utf8)
        #expect(text.contains("```output\n3.75\n```"))
        #expect(text.contains("```output\nbefore\nKeyError: 'missing'\n```"))
        var options = RunOptions()
        options.lessonsDirectory = dir + "/lessons"
        options.cacheDirectory = nil
        options.python = python
        #expect(try Pipeline.verify(options, toolchain: Support.toolchain()).ok)
    }

    @Test func aPythonProgramThatOutrunsTheLessonsLimitIsStoppedAndReportedAtTheCell() throws {
        let slow = """
            ---
            timeout: 1
            ---
            # Slow

            ```python
            while True: pass
            ```

            ```output
            never
            ```
            """
        let (report, _) = try Self.verify(slow, python: Self.fakeTorchPython())
        let errors = Support.errors(report)
        #expect(errors.contains { $0.contains("01-py.md:7:1: error: the Python cells did not finish within 1 s of CPU time") }, "\(errors)")
    }
}
