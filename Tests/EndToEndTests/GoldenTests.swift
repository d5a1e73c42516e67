// Golden files: the rendered site of the basics fixture, byte for byte. UPDATE_GOLDEN=1 (make golden)
// rewrites them; review the diff like code.

import Foundation
import Testing
@testable import LessonKit
@testable import TestSupport

@Suite(.serialized) struct GoldenTests {
    @Test func theBasicsFixtureRendersExactlyAsTheGoldenFiles() throws {
        let fixture = Support.fixtures.appendingPathComponent("basics")
        var options = RunOptions()
        options.lessonsDirectory = fixture.path + "/lessons"
        let report = try Pipeline.verify(options, toolchain: Support.toolchain())
        #expect(Support.errors(report) == [])
        // The text files; the font is the committed resource, compared by the site tests.
        let files = Render.site(report.runs).filter { !$0.key.hasPrefix("fonts/") }
        let golden = fixture.appendingPathComponent("golden")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try? FileManager.default.removeItem(at: golden)
            try Site.write(files, to: golden.path)
        }
        // Files in subfolders too (downloads/), folders themselves not.
        let expectedNames = try FileManager.default.subpathsOfDirectory(atPath: golden.path).filter { name in
            var folder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: golden.appendingPathComponent(name).path, isDirectory: &folder)
            return !folder.boolValue && (!name.hasPrefix(".") || name == Site.stamp)
        }.sorted()
        #expect(files.keys.sorted() == expectedNames)
        for (name, content) in files.sorted(by: { $0.key < $1.key }) {
            let expected = FileManager.default.contents(atPath: golden.appendingPathComponent(name).path) ?? Data()
            #expect(content == expected, "\(name) differs from its golden file; run `make golden` and review the diff")
        }
    }

    @Test func renderingTheSameRunsTwiceGivesTheSameBytes() throws {
        var options = RunOptions()
        options.lessonsDirectory = Support.fixtures.path + "/basics/lessons"
        let a = Render.site(try Pipeline.verify(options, toolchain: Support.toolchain()).runs)
        let b = Render.site(try Pipeline.verify(options, toolchain: Support.toolchain()).runs)
        #expect(a == b)
    }
}
