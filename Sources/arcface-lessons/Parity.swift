// `arcface-lessons parity`: a PyTorch-written reference file evaluated with ArcFaceKit.

import ArgumentParser
import Foundation
import LessonKit
import Parity

extension ArcFaceLessons {
    struct Parity: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate every case of a PyTorch-written reference file with ArcFaceKit.",
            discussion: """
                Prints one line per case (max abs and max rel difference of each expected value), a detail \
                line per value outside its tolerance, and `N passed, N failed`. Exit status: 0 every case \
                passed, 1 a case failed or could not be evaluated, 2 the file is missing, unreadable or not \
                a reference file (tools/torch_reference.py writes one).
                """)

        @Argument(help: "The reference file (JSON, e.g. tools/parity-reference.json).")
        var file: String

        func run() throws {
            do {
                let report = try ParityRunner.run(path: file)
                print(report.text, terminator: "")
                Foundation.exit(report.ok ? 0 : 1)
            } catch {
                environmentFailure(error)
            }
        }
    }
}
