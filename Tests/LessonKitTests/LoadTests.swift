// Load stage: which files are lessons, in which order, and the errors of bad folders and files.

import Foundation
import Testing
@testable import LessonKit
@testable import TestSupport

@Suite struct LoadTests {
    @Test func lessonsAreOrderedByTheirNumberPrefix() throws {
        let dir = try Support.project(["10-ten.md": "# Ten\n", "2-two.md": "# Two\n", "01-one.md": "# One\n", "notes.txt": "x"])
        let (sources, diagnostics) = try Load.lessons(in: dir + "/lessons")
        #expect(diagnostics.isEmpty)
        #expect(sources.map(\.slug) == ["01-one", "2-two", "10-ten"])
        #expect(sources.map(\.number) == [1, 2, 10])
    }

    @Test func aMissingOrEmptyLessonsFolderIsAnEnvironmentError() throws {
        let dir = try Support.project([:])
        #expect(throws: EnvironmentError.self) { try Load.lessons(in: dir + "/nowhere") }
        #expect(throws: EnvironmentError.self) { try Load.lessons(in: dir + "/lessons") }
    }

    @Test func duplicateNumbersAndUnnumberedFilesAreReported() throws {
        let dir = try Support.project(["01-a.md": "# A\n", "01-b.md": "# B\n", "intro.md": "# I\n"])
        let (sources, diagnostics) = try Load.lessons(in: dir + "/lessons")
        #expect(sources.map(\.slug) == ["01-a"])
        #expect(diagnostics.map(\.message) == ["lesson number 1 is also used by \(dir)/lessons/01-a.md",
                                               "lesson file name must start with its number"])
    }

    @Test func aFileNameThatCouldLeaveTheSiteFolderIsRefused() throws {
        let dir = try Support.project(["01-a b.md": "# A\n"])
        let (sources, diagnostics) = try Load.lessons(in: dir + "/lessons")
        #expect(sources.isEmpty)
        #expect(diagnostics.first?.message.contains("may use only letters") == true)
    }

    @Test func anEmptyFileAndInvalidUTF8AreReportedWithTheirLine() throws {
        let dir = try Support.project(["01-empty.md": "  \n\n"])
        try Data("# T\n\nok\n\u{e9}t\u{e9}\n".utf8.map { $0 == 0xC3 ? 0xFF : $0 }).write(to: URL(fileURLWithPath: dir + "/lessons/02-bad.md"))
        let (sources, diagnostics) = try Load.lessons(in: dir + "/lessons")
        #expect(sources.isEmpty)
        #expect(diagnostics.map { "\(($0.file! as NSString).lastPathComponent):\($0.line): \($0.message)" }
                == ["01-empty.md:1: lesson file is empty", "02-bad.md:4: file is not valid UTF-8"])
    }
}
