// The arcface-lessons command: parses arguments and calls LessonKit (one file per subcommand here,
// nested under the root command so that their names do not shadow the modules'). Exit codes: 0
// every check passed; 1 a check failed (wrong number, compile error, trap, bad lesson); 2 usage or
// environment error (a bad flag, an --out that would replace work, no lessons directory, no
// compiler, ArcFaceKit not built, a site that cannot be written).

import ArgumentParser
import Foundation
import LessonKit

@main
struct ArcFaceLessons: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arcface-lessons",
        abstract: "Turn literate Markdown lessons into a verified static HTML course.",
        discussion: "Exit status: 0 all checks passed, 1 a check failed, 2 usage or environment error.",
        version: "arcface-lessons 0.3.0 (lesson format v1, portable arithmetic)",
        subcommands: [Verify.self, Build.self, Serve.self, Repl.self, Init.self, ReportCommand.self, Parity.self]
    )

    /// ArgumentParser exits 64 on a usage error; ours is 2, as documented.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

extension ReportFormat: ExpressibleByArgument {
    /// GitHub annotations inside a GitHub Actions job (it sets GITHUB_ACTIONS=true), text elsewhere.
    static var `default`: ReportFormat { ProcessInfo.processInfo.environment["GITHUB_ACTIONS"] == "true" ? .github : .text }
}
