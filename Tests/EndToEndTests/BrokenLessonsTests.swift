// Bad input: every file in Fixtures/broken is one broken lesson. Each must give `file:line`, a
// non-zero exit, no crash, and leave an existing site exactly as it was.

import Foundation
import Testing
@testable import LessonKit
@testable import TestSupport

@Suite(.serialized) struct BrokenLessonsTests {
    /// file -> (line of the first error, a phrase of its message)
    static let expected: [String: (line: Int, message: String)] = [
        "01-empty-file.md": (1, "lesson file is empty"),
        "02-unterminated-fence.md": (5, "code fence is never closed"),
        "03-output-without-cell.md": (5, "output block has no swift cell right before it"),
        "04-two-output-blocks.md": (11, "second output block for the cell at line 3"),
        "05-unknown-attribute.md": (3, "unknown cell attribute 'hidden'"),
        "06-malformed-tolerance.md": (7, "malformed tolerance 'tol=small'"),
        "07-compile-error.md": (5, "cannot convert value of type 'Int' to specified type 'String'"),
        "08-cell-trap.md": (4, "cell trapped: Fatal error: Index out of range"),
        "09-infinite-loop.md": (7, "lesson did not finish within 2 s"),
        "10-huge-output.md": (4, "cell printed more than 8 MiB of output"),
        "11-nan-where-number-expected.md": (8, "expected 0.5, got nan"),
        "12-bad-tex.md": (3, "TeX"),
        "13-broken-link.md": (3, "broken link '02-softmax.md#stability': there is no lesson '02-softmax'"),
        "14-wrong-number.md": (8, "expected 0.2558, got 0.4558 (tolerance 5e-05)"),
        "15-wrong-prose-value.md": (3, "expected 0.2558, got 0.45584"),
        "16-inline-compile-error.md": (3, "cannot find 'undefinedName' in scope"),
        "17-invalid-utf8.md": (3, "file is not valid UTF-8"),
        "18-unknown-front-matter.md": (3, "unknown front matter key 'colour'"),
        "19-traps-without-trap.md": (3, "cell is marked `traps` but completed without trapping"),
        "20-cell-timeout.md": (4, "cell did not finish within its limit of 0.5 s"),
        "21-exercise-without-solution.md": (3, "exercise 'Exercise: the row norms' has no `swift solution` cell"),
        "22-solution-without-output.md": (7, "solution has no ```output block to check it"),
        "23-unknown-label.md": (3, "unknown label '@tab-norms': no table of this page has it"),
        "24-unknown-citation.md": (3, "citation '@deng2019arcface' but the lessons folder has no references.bib"),
    ]

    static let folder = Support.fixtures.appendingPathComponent("broken").path

    @Test func everyBrokenFixtureHasAnExpectation() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder).filter { $0.hasSuffix(".md") }
        #expect(Set(files) == Set(Self.expected.keys))
    }

    @Test(arguments: expected.keys.sorted())
    func aBrokenLessonIsReportedAtItsLineExitsOneAndLeavesTheSiteAlone(_ name: String) throws {
        let (line, message) = Self.expected[name]!
        let dir = try Support.project(["00-good.md": "# Good\n\nA page that builds.\n"])
        // A site from before the breakage, which a failing build must leave as it is. The project's
        // results cache starts empty; the build after verify reuses what verify could cache (a
        // wrong number is a cached run, a compile error or trap is not) and must fail the same.
        #expect(try Support.run([Support.tool, "build"], in: dir).status == 0)
        let before = try siteSnapshot(dir)
        try FileManager.default.copyItem(atPath: Self.folder + "/" + name, toPath: dir + "/lessons/" + name)

        let verify = try Support.run([Support.tool, "verify"], in: dir)
        #expect(verify.status == 1, "\(verify.output)")
        let first = verify.output.split(separator: "\n").first { $0.contains(": error: ") }.map(String.init) ?? ""
        #expect(first.hasPrefix("lessons/\(name):\(line):"), "\(verify.output)")
        #expect(first.contains(message), "\(verify.output)")
        #expect(!verify.output.contains("Program crashed"))

        let build = try Support.run([Support.tool, "build"], in: dir)
        #expect(build.status == 1)
        #expect(build.output.contains("lessons/\(name):\(line):"), "\(build.output)")
        #expect(try siteSnapshot(dir) == before)
    }

    @Test func duplicateLessonNumbersAreReportedAtTheSecondFile() throws {
        let dir = try Support.project(["03-a.md": "# A\n", "03-b.md": "# B\n"])
        let r = try Support.run([Support.tool, "verify"], in: dir)
        #expect(r.status == 1)
        #expect(r.output.contains("lessons/03-b.md:1:1: error: lesson number 3 is also used by lessons/03-a.md"))
    }

    @Test func aFileNameThatCouldEscapeTheSiteIsRefused() throws {
        let dir = try Support.project(["04-../x.md".replacingOccurrences(of: "/", with: "_"): "# X\n", "05-a b.md": "# Y\n"])
        let r = try Support.run([Support.tool, "build"], in: dir)
        #expect(r.status == 1)
        #expect(r.output.contains("lessons/05-a b.md:1:1: error: lesson file name may use only letters, digits"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/site"))
    }

    @Test func aMissingOrEmptyLessonsFolderIsExitTwoWithAMessage() throws {
        let dir = try Support.project([:])
        let empty = try Support.run([Support.tool, "verify"], in: dir)
        #expect(empty.status == 2 && empty.output.contains("has no .md files"))
        let missing = try Support.run([Support.tool, "build", "--lessons", "nope"], in: dir)
        #expect(missing.status == 2 && missing.output.contains("lessons directory 'nope' does not exist"))
    }

    func siteSnapshot(_ dir: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir + "/site") {
            files[name] = FileManager.default.contents(atPath: dir + "/site/" + name)
        }
        return files
    }
}
