// `arcface-lessons init [DIR]`: a new course that passes verify at once.

import ArgumentParser
import Foundation
import LessonKit

extension ArcFaceLessons {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a new course (course.yml, a first lesson, a CI workflow) that passes verify at once.",
            discussion: "Writes only new files: when any of them exists, nothing is written (exit 2).")

        @Option(name: .long, help: "The course's title (default: the folder's name).")
        var title: String?

        @Argument(help: "The course's folder (created if missing; default: the working folder).")
        var directory = "."

        func run() throws {
            do {
                let written = try Scaffold.create(in: directory, title: title)
                for path in written { print("created \(path)") }
                print("next: cd \(directory) && arcface-lessons verify && arcface-lessons build")
            } catch {
                environmentFailure(error)
            }
        }
    }
}
