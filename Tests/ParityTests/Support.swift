// Helpers of the parity tests: the fixture and reference files (read from the source tree via
// #filePath) and running the built `arcface-lessons` command.

import Foundation
import Testing
@testable import Parity

enum Support {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let repositoryRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()

    /// The committed reference file written by tools/torch_reference.py.
    static let referenceFile = repositoryRoot.appendingPathComponent("tools/parity-reference.json").path

    static func fixture(_ name: String) -> String {
        testsDirectory.appendingPathComponent("Fixtures").appendingPathComponent(name).path
    }

    /// Evaluates a fixture in this process. Only fixtures without `grad` expectations are run this way:
    /// autograd's grad mode is process-wide and other suites toggle it concurrently (`withNoGrad`), so
    /// every file with gradients goes through the command in its own process (`runTool`).
    static func report(_ name: String) throws -> ParityReport {
        try ParityRunner.run(path: fixture(name))
    }

    /// The result of the case named `name`.
    static func result(_ report: ParityReport, _ name: String) -> CaseResult? {
        report.results.first { $0.name == name }
    }

    /// The built command, next to the test runner (`swift build` puts both in the same folder).
    static var tool: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("arcface-lessons").path
    }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
    }

    /// Runs `arcface-lessons` with `arguments`; stdout and stderr go to temporary files (no pipe to fill up).
    static func runTool(_ arguments: [String]) throws -> Run {
        try #require(FileManager.default.isExecutableFile(atPath: tool), "the arcface-lessons command is not built at \(tool)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("parity-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (out, err) = (dir.appendingPathComponent("stdout"), dir.appendingPathComponent("stderr"))
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return Run(status: process.terminationStatus,
                   stdout: try String(contentsOf: out, encoding: .utf8),
                   stderr: try String(contentsOf: err, encoding: .utf8))
    }
}
