// `arcface-lessons repl`: a learner steps through a lesson (the LessonRepl module).

import ArgumentParser
import Foundation
import LessonKit
import LessonRepl

extension ArcFaceLessons {
    struct Repl: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Step through a lesson's cells and run Swift of your own in its state.",
            discussion: """
                Shows the next cell (Enter runs it); anything you type that is not a command is Swift, \
                compiled and run in the lesson's state at that cell: the value of a last expression is \
                shown, declarations stay available, assigning a lesson's variable changes what the next \
                cells see. An input or cell that traps leaves the state as it was before it. On a \
                terminal lines are edited with libedit, history is kept in ~/.arcface_lessons_history \
                (ARCFACE_LESSONS_HISTORY overrides; empty: none); piped input is read line by line.

                \(LessonRepl.Repl.commands)

                A session (cell 2's code and a long line cut):

                  $ arcface-lessons repl 04-margin
                  ── cell 1/18 · lessons/04-margin.md:48 ──
                  let k = ArcFaceConstants<Double>(s: 64, m: 0.5)
                  print(k.cos_m, k.sin_m, k.mm, k.threshold)
                  [1/18]>
                  0.8775825618903728 0.479425538604203 0.2397127693021015 -0.87758...
                  ── cell 2/18 · lessons/04-margin.md:74 ──
                  [2/18]> let k3 = ArcFaceConstants<Double>(s: 64, m: 0.3)
                  [2/18]> k3.cosm
                  <repl>:1:4: error: value of type 'ArcFaceConstants<Double>' has no
                  member 'cosm'
                  [2/18]> k3.cos_m
                  0.955336489125606
                  [2/18]> :quit

                `arcface-lessons repl 04-margin:3` (or `--at 3`) opens the lesson at cell 3, the cells \
                before it run first.

                Exit status: 0 after :quit or end of input, 1 the lesson does not parse or compile, \
                2 usage or environment error (also a cell out of range).
                """)

        @Option(name: .long, help: "Folder of the lessons (NN-name.md files; default: course.yml's `lessons`, else lessons).")
        var lessons: String?

        @Option(name: .long, help: "Folder the compiled lesson programs are kept in (default: course.yml's `cache`, else .lessons-cache).")
        var cacheDir: String?

        @Option(name: .long, help: "Folder with the built libArcFaceKit.so (default: next to this executable).")
        var kit: String?

        @Flag(name: .long, help: "Show how long each cell and input took (compile and run).")
        var timing = false

        @Flag(name: .long, help: "No ANSI colours, even on a terminal.")
        var noColor = false

        @Option(name: .long, help: "Open the lesson at this cell (1-based, as the REPL shows 'cell 3/18'), running the cells before it first. LESSON:K says the same.")
        var at: Int?

        @Argument(help: "The lesson: a file in --lessons by name, slug or number (01-renorm.md, 01-renorm, 01), or a path; LESSON:K opens it at cell K. Default: pick from a list.")
        var lesson: String?

        func validate() throws {
            let fromName = lesson.map { LessonRepl.Repl.splitCell($0).cell } ?? nil
            if let at, let fromName, at != fromName {
                throw ValidationError("the cell is given twice: \(lesson!) and --at \(at); give it once")
            }
            if (at ?? fromName) != nil && lesson == nil {
                throw ValidationError("--at needs a lesson: arcface-lessons repl LESSON --at K")
            }
        }

        func run() throws {
            ToolSignals.install(interrupt: false)
            let config: CourseConfig
            do { config = try CourseConfig.discover() } catch { environmentFailure(error) }
            var options = ReplOptions()
            options.lessonsDirectory = lessons ?? config.lessons
            let (name, cell) = lesson.map { LessonRepl.Repl.splitCell($0) } ?? (nil, nil)
            options.lesson = name
            options.startCell = at ?? cell
            options.cacheDirectory = cacheDir ?? config.cache
            options.timing = timing
            if noColor { options.color = false }
            do {
                let status = try LessonRepl.Repl.run(options, toolchain: try Toolchain.discover(kitDirectory: kit))
                Foundation.exit(status)
            } catch {
                environmentFailure(error)
            }
        }
    }
}
