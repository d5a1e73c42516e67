// Cache: content-addressed results of lesson runs, so that an unchanged lesson is neither compiled
// nor run again. The key covers the lesson's program (cells and prose values, but not the line
// numbers or the file's path, so a prose-only edit or a moved copy of the course is a hit), the
// toolchain and ArcFaceKit build, the limits, and the contents of the files the lesson declares as
// `inputs:`.

import LessonRuntime
import Foundation

package final class ResultCache: @unchecked Sendable {
    static let formatVersion = "arcface-lessons cache v1"
    let directory: String
    /// Compiler, the libraries' builds and flags: a different toolchain never reuses a result.
    package let environment: String

    package init(directory: String, toolchain: Toolchain) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var parts = [Self.formatVersion, toolchain.optimize ? "-O" : "-Onone"] + toolchain.moduleMapDirectories
        // Identity of files too large to hash on every run: resolved path, size and modification time.
        let libraries = Toolchain.linkedLibraries.flatMap { [toolchain.kitDirectory + "/lib\($0).so", toolchain.kitDirectory + "/Modules/\($0).swiftmodule"] }
        for path in [toolchain.swiftc] + libraries {
            let real = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)).map {
                $0.hasPrefix("/") ? $0 : (path as NSString).deletingLastPathComponent + "/" + $0
            } ?? path
            let attributes = try? FileManager.default.attributesOfItem(atPath: real)
            let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
            let mtime = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
            parts.append("\(real) \(size) \(mtime)")
        }
        environment = SHA256.hex(parts.joined(separator: "\n"))
    }

    /// The program with every `#sourceLocation(file: "...", line: N)` written `(file: _, line: _)`,
    /// its first comment without the path, and a `{swift}` value's code without the padding that
    /// puts it at its Markdown column.
    static func withoutPlaces(_ program: String) -> String {
        let marker = "#sourceLocation(file: \""
        var afterCall = false
        return program.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            defer { afterCall = line.hasPrefix("__afl_inline(") && line.hasSuffix(", (") }
            if afterCall { return line.drop(while: { $0 == " " }) }
            if line.hasPrefix("// Generated from "), line.hasSuffix(" by arcface-lessons; do not edit.") { return "// Generated from _" }
            if line.hasPrefix("__afl_inline("), let r = line.range(of: ", (") {
                return line[..<r.upperBound] + line[r.upperBound...].drop(while: { $0 == " " })
            }
            guard line.hasPrefix(marker), line.hasSuffix(")"), let r = line.range(of: ", line: ", options: .backwards) else { return line }
            let digits = line[r.upperBound..<line.index(before: line.endIndex)]
            guard !digits.isEmpty, digits.allSatisfy({ ("0"..."9").contains($0) }) else { return line }
            return "#sourceLocation(file: _, line: _)"
        }.joined(separator: "\n")
    }

    func key(for lesson: Lesson, options: ExecuteOptions) -> String {
        var h = SHA256()
        h.update(string: Self.formatVersion + "\n" + environment + "\n")
        // Lines and the file's path only place diagnostics (a trap's location prefix is dropped from
        // its output): an edit above a cell, or a copy of the course elsewhere, reuses the results.
        // A cell that prints its own file (#file, #fileID, #filePath) does depend on the path.
        let program = Self.withoutPlaces(Program.source(for: lesson))
        h.update(string: program)
        if program.contains("#file") { h.update(string: "\npath \(lesson.path)\n") }
        h.update(string: "\nlimits \(options.lessonLimit(lesson)) \(options.cellLimits(lesson)) \(options.outputLimit)\n")
        // Inputs by their path relative to the lesson's folder (they lie in it), and their contents.
        let folder = (lesson.path as NSString).deletingLastPathComponent
        for input in lesson.options.inputs.sorted() {
            let relative = !folder.isEmpty && input.hasPrefix(folder + "/") ? String(input.dropFirst(folder.count + 1)) : input
            h.update(string: "input \(relative)\n")
            h.update(string: (try? SHA256.hexOfFile(atPath: input)) ?? "missing")
        }
        return SHA256.hex(Data(h.finalize()))
    }

    /// An entry file is the SHA-256 (hex) of the rest of the file, a newline, then this as JSON:
    /// a truncated or edited entry is detected without decoding it.
    private struct Entry: Codable {
        var version: String
        var key: String
        var cells: [CellResult]
        var inline: [Int: InlineOutcome]
    }

    private func path(_ key: String) -> String { "\(directory)/\(key.prefix(2))/\(key).json" }

    /// The cached run of this exact lesson program, or nil (also for a corrupt or foreign entry,
    /// which is removed so that the fresh result replaces it).
    func lookup(_ lesson: Lesson, options: ExecuteOptions) -> LessonRun? {
        let key = key(for: lesson, options: options)
        let file = path(key)
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        let newline = data.firstIndex(of: UInt8(ascii: "\n")) ?? data.endIndex
        let body = data[data.index(after: min(newline, data.index(before: data.endIndex)))...]
        guard newline < data.endIndex,
              String(decoding: data[data.startIndex..<newline], as: UTF8.self) == SHA256.hex(Data(body)),
              let entry = try? ChannelJSON.decoder().decode(Entry.self, from: Data(body)),
              entry.version == Self.formatVersion, entry.key == key, entry.cells.count == lesson.cells.count
        else {
            try? FileManager.default.removeItem(atPath: file)
            return nil
        }
        return LessonRun(lesson: lesson, inline: entry.inline, compileErrors: [], cells: entry.cells, seconds: 0)
    }

    /// Stores a run whose results do not depend on line numbers: compile errors, unexpected traps
    /// and time limits are not cached (their diagnostics carry lines; a limit may be a fluke).
    func store(_ run: LessonRun, options: ExecuteOptions) {
        guard run.compileErrors.isEmpty else { return }
        for cell in run.cells {
            switch cell.outcome {
            case .completed, .trappedAsExpected, .didNotTrap: continue
            default: return
            }
        }
        guard !run.inline.values.contains(where: { if case .trapped = $0 { true } else { false } }) else { return }
        let key = key(for: run.lesson, options: options)
        let entry = Entry(version: Self.formatVersion, key: key, cells: run.cells, inline: run.inline)
        guard let body = try? ChannelJSON.encoder().encode(entry) else { return }   // nan and inf in plots too
        let data = Data((SHA256.hex(body) + "\n").utf8) + body
        let file = path(key)
        // Write then rename: a reader (or a concurrent build) never sees half an entry.
        let dir = (file as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let temp = "\(dir)/.\(key).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        guard FileManager.default.createFile(atPath: temp, contents: data) else { return }
        if rename(temp, file) != 0 { try? FileManager.default.removeItem(atPath: temp) }
    }
}
