// Helpers shared by the tests: temporary lesson folders, the toolchain, the built command.

import Foundation
@testable import LessonKit

enum Support {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = repositoryRoot.appendingPathComponent("Tests/Fixtures")

    /// The toolchain `swift build` left next to the test runner (libArcFaceKit.so included).
    static func toolchain() throws -> Toolchain { try Toolchain.discover() }

    /// The built command-line tool, next to the test runner.
    static var tool: String { try! toolchain().kitDirectory + "/arcface-lessons" }

    /// A fresh folder holding `lessons/<name>` for each given file; returns the folder.
    static func project(_ lessons: [String: String]) throws -> String {
        let dir = try Pipeline.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/lessons", withIntermediateDirectories: true)
        for (name, text) in lessons {
            try text.write(toFile: dir + "/lessons/" + name, atomically: true, encoding: .utf8)
        }
        return dir
    }

    /// A fresh folder holding a copy of the shipped course's whole lessons folder (the lessons,
    /// references.bib, the files they read); returns the folder.
    static func copyOfShippedLessons() throws -> String {
        let dir = try project([:])
        let lessons = repositoryRoot.appendingPathComponent("lessons").path
        for name in try FileManager.default.contentsOfDirectory(atPath: lessons) {
            try FileManager.default.copyItem(atPath: lessons + "/" + name, toPath: dir + "/lessons/" + name)
        }
        return dir
    }

    static func verify(_ directory: String, timeout: Double? = nil) throws -> Report {
        var options = RunOptions()
        options.lessonsDirectory = directory + "/lessons"
        options.timeout = timeout
        return try Pipeline.verify(options, toolchain: toolchain())
    }

    static func parse(_ text: String, path: String = "lessons/01-test.md") -> (lesson: Lesson?, diagnostics: [Diagnostic]) {
        Parse.lesson(LessonSource(path: path, slug: "01-test", number: 1, text: text))
    }

    /// Runs the built tool in `directory`; returns exit status and combined output.
    static func run(_ arguments: [String], in directory: String, environment: [String: String] = [:],
                    timeout: Double = 300) throws -> (status: Int32, output: String) {
        var env = ProcessInfo.processInfo.environment
        // The tool switches to GitHub annotations inside Actions; tests ask for that explicitly.
        env["GITHUB_ACTIONS"] = nil
        for (k, v) in environment { env[k] = v }
        let shell = ["/bin/sh", "-c", "cd '\(directory)' && exec \"$@\"", "sh"] + arguments
        let r = try Subprocess.run(shell, environment: env, timeout: timeout)
        guard case .exited(let status) = r.termination else { return (-1, String(decoding: r.output, as: UTF8.self)) }
        return (status, String(decoding: r.output, as: UTF8.self))
    }

    /// `run`, awaited on a thread of its own. Swift Testing runs tests on as many threads as the
    /// machine has cores (two here), so a test that mostly waits (a wall-clock backstop of 10 s)
    /// would keep a core idle; awaiting this, it lets another test run meanwhile.
    static func runWaiting(_ arguments: [String], in directory: String, environment: [String: String] = [:],
                           timeout: Double = 300) async throws -> (status: Int32, output: String) {
        try await withCheckedThrowingContinuation { done in
            Thread.detachNewThread {
                done.resume(with: Result { try run(arguments, in: directory, environment: environment, timeout: timeout) })
            }
        }
    }

    static func errors(_ report: Report) -> [String] {
        report.diagnostics.filter { $0.severity == .error }.map(\.description)
    }
}
