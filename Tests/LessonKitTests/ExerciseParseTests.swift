// Exercises: a heading that starts with the word "Exercise", a prose prompt, a `swift solution` cell
// with its ```output block; the errors of an exercise without a solution and of a stray solution.

import Testing
@testable import LessonKit
@testable import TestSupport

@Suite struct ExerciseParseTests {
    static let lesson = """
    # Exercises

    ```swift
    let x = 2.0
    ```

    ## Exercise: double it

    Print twice `x` ($2x$).

    ```swift solution
    print(2 * x)
    ```

    ```output tol=1e-3
    4.0
    ```

    ## Exercises for later

    Not an exercise: the heading says "Exercises".

    ### Exercise 2

    Square it.

    ```swift
    let y = x
    ```

    Then print it.

    ```swift solution hide-output
    y * y
    ```

    ```output
    4.0
    ```
    """

    @Test func anExerciseIsAHeadingAPromptAndASolutionCell() throws {
        let (lesson, diagnostics) = Support.parse(Self.lesson)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let l = try #require(lesson)
        #expect(l.exercises.count == 2)
        let first = l.exercises[0], second = l.exercises[1]
        #expect(first.number == 1 && first.title == "Exercise: double it" && first.headingLine == 7)
        #expect(first.prompt == "Print twice `x` ($2x$).")
        #expect(first.solutionIndex == 1)
        let solution = l.cells[1]
        #expect(solution.attributes.solution && solution.attributes.runsInChild && !solution.attributes.traps)
        #expect(solution.expected?.text == "4.0\n" && solution.expected?.tolerance.abs == 1e-3)
        // Cells between the heading and the solution are set-up, part of the prompt's text.
        #expect(second.title == "Exercise 2" && second.solutionIndex == 3)
        #expect(second.prompt.hasPrefix("Square it.") && second.prompt.hasSuffix("Then print it."))
        #expect(l.cells[3].attributes.hideOutput && l.cells[3].attributes.solution)
    }

    @Test func exerciseHeadingsAreTheWordExercise() {
        for heading in ["Exercise", "Exercise: columns", "Exercise 3 - margins", "Exercise."] {
            #expect(ExerciseScanner.isExerciseHeading(heading), "\(heading)")
        }
        for heading in ["Exercises", "Exercised", "An exercise", "exercise: lower case"] {
            #expect(!ExerciseScanner.isExerciseHeading(heading), "\(heading)")
        }
    }

    /// (lesson, line of the error, phrase of its message)
    static let broken: [(String, Int, String)] = [
        ("# T\n\n## Exercise: one\n\nDo it.\n\n## Next\n", 3, "exercise 'Exercise: one' has no `swift solution` cell"),
        ("# T\n\n## Exercise: at the end\n\nDo it.\n", 3, "exercise 'Exercise: at the end' has no `swift solution` cell"),
        ("# T\n\nProse.\n\n```swift solution\nprint(1)\n```\n\n```output\n1\n```\n", 5, "a `swift solution` cell must end an exercise"),
        ("# T\n\n## Exercise\n\n```swift solution\nprint(1)\n```\n\n```output\n1\n```\n", 3, "exercise 'Exercise' has no prompt"),
        ("# T\n\n## Exercise\n\nTrap.\n\n```swift solution traps\nfatalError()\n```\n", 7, "a `solution` cell cannot be `traps`"),
        ("# T\n\n## Exercise\n\nPrint.\n\n```swift solution nocheck\nprint(1)\n```\n", 7, "a `solution` cell cannot be `nocheck`"),
    ]

    @Test(arguments: 0..<broken.count) func aBrokenExerciseIsAnErrorAtItsLine(_ k: Int) throws {
        let (text, line, message) = Self.broken[k]
        let (lesson, diagnostics) = Support.parse(text)
        #expect(lesson == nil)
        let error = try #require(diagnostics.first { $0.severity == .error })
        #expect(error.line == line, "\(diagnostics)")
        #expect(error.message.contains(message), "\(diagnostics)")
    }

    @Test func aSolutionRunsInAForkedChildInEveryProgram() throws {
        let l = try #require(Support.parse(Self.lesson).lesson)
        let source = Program.source(for: l)
        #expect(source.contains("LessonRuntime.isolated {\n#sourceLocation(file: \"lessons/01-test.md\", line: 12)\nLessonRuntime.display(print(2 * x))\n"))
        #expect(Program.standalone(for: l).contains("LessonRuntime.isolated {\nLessonRuntime.display(print(2 * x))\n}\n"))
    }

    @Test func differencesListEveryNumberOutsideItsTolerance() {
        let d = Compare.differences(expected: "tensor([ 5., 10.])\nok\n", actual: "tensor([6.7082, 10.])\nok\nmore\n", tolerance: Tolerance())
        #expect(d.map(\.message) == ["expected 5., got 6.7082 (tolerance 0.5)", "unexpected extra output: 'more'"])
        #expect(Compare.differences(expected: "1.00 2.00\n", actual: "1.001 2.0049\n", tolerance: Tolerance()).isEmpty)
        #expect(Compare.differences(expected: "a 1.0 b 2.0\n", actual: "a 1.5 b 2.5\n", tolerance: Tolerance(abs: 0.1)).count == 2)
        #expect(Compare.differences(expected: "x\n", actual: "y\n", tolerance: Tolerance()).map(\.message) == ["expected 'x', got 'y'"])
    }
}
