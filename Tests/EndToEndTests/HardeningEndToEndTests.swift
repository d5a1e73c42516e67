// Hostile and careless input: folders --out must not replace, line endings, limits that cannot be
// held, doubles at the edges, script URLs, control characters in reports, unreadable files. Each
// case must end in a clear error at file:line (or exit 2 for a bad flag), a non-zero exit, and
// nothing lost.

import LessonRuntime
import Foundation
import Testing
@testable import LessonKit
@testable import TestSupport

@Suite(.serialized) struct OutFolderTests {
    static let good = "# Good\n\n```swift\nprint(1.0 / 3.0)\n```\n\n```output\n0.3333\n```\n"

    /// A project with lessons, a .git folder, a file and a folder of someone's work.
    static func project() throws -> String {
        let dir = try Support.project(["01-good.md": good])
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir + "/.git", withIntermediateDirectories: true)
        try "ref: refs/heads/main\n".write(toFile: dir + "/.git/HEAD", atomically: true, encoding: .utf8)
        try "my notes\n".write(toFile: dir + "/notes.txt", atomically: true, encoding: .utf8)
        try fm.createDirectory(atPath: dir + "/work", withIntermediateDirectories: true)
        try "draft\n".write(toFile: dir + "/work/draft.txt", atomically: true, encoding: .utf8)
        return dir
    }

    static func intact(_ dir: String) -> Bool {
        let fm = FileManager.default
        return fm.fileExists(atPath: dir + "/lessons/01-good.md") && fm.fileExists(atPath: dir + "/.git/HEAD")
            && (try? String(contentsOfFile: dir + "/notes.txt", encoding: .utf8)) == "my notes\n"
            && (try? String(contentsOfFile: dir + "/work/draft.txt", encoding: .utf8)) == "draft\n"
    }

    @Test(arguments: ["", " ", ".", "./", "lessons", "lessons/", "..", "/", "notes.txt", "work", "PROJECT", "HOME"])
    func buildRefusesAnOutWhoseReplacementWouldLoseWork(_ out: String) throws {
        let dir = try Self.project()
        let path = out == "PROJECT" ? dir : out == "HOME" ? NSHomeDirectory() : out
        let r = try Support.run([Support.tool, "build", "--out", path], in: dir)
        #expect(r.status == 2, "\(r.output)")
        #expect(r.output.hasPrefix("arcface-lessons: error: refusing --out '\(path)': "), "\(r.output)")
        #expect(r.output.split(separator: "\n").count == 1, "one line: \(r.output)")
        #expect(Self.intact(dir))
        #expect(FileManager.default.fileExists(atPath: NSHomeDirectory()))
    }

    @Test func buildStampsItsSiteAndReplacesOnlyAFolderItRecognises() throws {
        let dir = try Self.project()
        #expect(try Support.run([Support.tool, "build"], in: dir).status == 0)
        #expect(FileManager.default.fileExists(atPath: dir + "/site/" + Site.stamp))
        #expect(try Support.run([Support.tool, "build"], in: dir).status == 0)
        // A site written before the stamp existed: the four files every site has, nothing else of ours.
        try FileManager.default.removeItem(atPath: dir + "/site/" + Site.stamp)
        #expect(try Support.run([Support.tool, "build"], in: dir).status == 0)
        // The same folder with a Markdown file in it is somebody's work, not a site.
        try FileManager.default.removeItem(atPath: dir + "/site/" + Site.stamp)
        try "x\n".write(toFile: dir + "/site/README.md", atomically: true, encoding: .utf8)
        #expect(try Support.run([Support.tool, "build"], in: dir).status == 2)
        #expect(FileManager.default.fileExists(atPath: dir + "/site/README.md"))
        #expect(Self.intact(dir))
    }

    @Test func aSymlinkedOutIsFollowedTheTargetReplacedAndTheLinkKept() throws {
        let dir = try Self.project()
        try FileManager.default.createDirectory(atPath: dir + "/www/pages", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/site", withDestinationPath: "www/pages")
        #expect(try Support.run([Support.tool, "build"], in: dir).status == 0)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/site") == "www/pages")
        #expect(FileManager.default.fileExists(atPath: dir + "/www/pages/01-good.html"))
        #expect(try Support.run([Support.tool, "build"], in: dir).status == 0)
        // A link to nothing is refused, not replaced by a folder.
        try FileManager.default.createSymbolicLink(atPath: dir + "/dangling", withDestinationPath: "nowhere")
        let r = try Support.run([Support.tool, "build", "--out", "dangling"], in: dir)
        #expect(r.status == 2)
        #expect(r.output.contains("symbolic link to nothing"))
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: dir + "/dangling")) == "nowhere")
    }

    @Test func aSiteThatCannotBeWrittenStillPrintsTheTallyFirst() throws {
        let dir = try Self.project()
        // notes.txt is a file, so its "subfolder" cannot be created: a write error after every check passed.
        let r = try Support.run([Support.tool, "build", "--out", "notes.txt/site"], in: dir)
        #expect(r.status == 2, "\(r.output)")
        let tally = try #require(r.output.range(of: "1 passed, 0 failed\n"), "\(r.output)")
        let error = try #require(r.output.range(of: "arcface-lessons: error: cannot write the site: "), "\(r.output)")
        #expect(tally.lowerBound < error.lowerBound)
        #expect(Self.intact(dir))
    }
}

@Suite(.serialized) struct InputNormalisationTests {
    @Test func lineEndingsAndAByteOrderMarkAreNormalisedOnceWithTabsKept() {
        #expect(Load.normalize("\u{FEFF}a\r\nb\rc\n\td\r\n\r\n") == "a\nb\nc\n\td\n\n")
        #expect(Load.normalize("no change\n") == "no change\n")
        let source = LessonSource(path: "x.md", slug: "x", number: 1, text: "\u{FEFF}---\r\ntitle: T\r\n---\r\n")
        #expect(source.text == "---\ntitle: T\n---\n")
    }

    @Test func aCRLFLessonWithAWrongNumberFailsAtItsLine() throws {
        let lf = "---\ntitle: CR\n---\n\n```swift\nprint(1.0 / 3.0)\n```\n\n```output\n0.4\n```\n"
        let dir = try Support.project(["01-crlf.md": lf.replacingOccurrences(of: "\n", with: "\r\n"),
                                       "02-bom.md": "\u{FEFF}" + lf.replacingOccurrences(of: "CR", with: "BOM")])
        let report = try Support.verify(dir)
        #expect(report.tally == { var t = Tally(); t.failed = 2; return t }())
        #expect(Support.errors(report) == [
            "\(dir)/lessons/01-crlf.md:10:1: error: expected 0.4, got 0.3333333333333333 (tolerance 0.05)",
            "\(dir)/lessons/02-bom.md:10:1: error: expected 0.4, got 0.3333333333333333 (tolerance 0.05)",
        ])
        #expect(report.runs.map(\.lesson.title) == ["CR", "BOM"])
    }

    @Test func aDuplicateFrontMatterKeyIsAnErrorAtItsSecondLine() {
        let (lesson, diagnostics) = Support.parse("---\ntitle: A\nraw_html: false\nsummary: s\nraw_html: true\n---\n# A\n")
        #expect(lesson == nil)
        #expect(diagnostics.map(\.description) == [
            "lessons/01-test.md:5:1: error: front matter key 'raw_html' is given twice (first at line 3)\n  hint: keep one of them",
        ])
    }
}

@Suite(.serialized) struct LimitTests {
    @Test(arguments: [["--timeout", "nan"], ["--timeout=-1"], ["--timeout", "inf"], ["--timeout", "1e300"],
                      ["--timeout", "0"], ["--cell-timeout", "1e11"], ["--cell-timeout=-inf"]])
    func aTimeLimitThatCannotBeHeldIsAUsageError(_ flags: [String]) throws {
        let dir = try Support.project(["01-good.md": OutFolderTests.good])
        let r = try Support.run([Support.tool, "verify"] + flags, in: dir)
        #expect(r.status == 2, "\(r.output)")
        #expect(r.output.contains("must be a positive number of seconds up to 1000000"), "\(r.output)")
        #expect(!r.output.contains("crashed"))
    }

    @Test(arguments: ["timeout: 1e11", "timeout: inf", "cell_timeout: nan", "cell_timeout: -3"])
    func aFrontMatterLimitThatCannotBeHeldIsAnErrorAtItsLine(_ line: String) {
        let (lesson, diagnostics) = Support.parse("---\ntitle: T\n\(line)\n---\n")
        #expect(lesson == nil)
        #expect(diagnostics.first?.line == 3)
        #expect(diagnostics.first?.message.contains("positive number of seconds up to 1000000") == true)
    }

    @Test func aCellLimitThatCannotBeHeldIsAnErrorAtItsFence() {
        let (_, diagnostics) = Support.parse("# T\n\n```swift timeout=1e11\nprint(1)\n```\n")
        #expect(diagnostics.map(\.line) == [3])
        #expect(diagnostics.first?.message == "malformed cell timeout 'timeout=1e11'")
    }

    @Test(arguments: [Double.nan, -1, 0, 1e300, .infinity])
    func theSubprocessRunnerTakesAnyLimitWithoutTrapping(_ limit: Double) throws {
        let r = try Subprocess.run(["/bin/true"], timeout: limit)
        #expect(r.termination == (limit > 0 ? .exited(0) : .timedOut))
    }

    @Test func aTrapsCellWhoseProgramExitsZeroFails() throws {
        let dir = try Support.project(["01-t.md": "# T\n\n```swift traps\nprint(\"leaving\")\nexit(0)\n```\n\n```output\nleaving\n```\n"])
        let report = try Support.verify(dir)
        #expect(!report.ok)
        #expect(Support.errors(report).first?.hasPrefix("\(dir)/lessons/01-t.md:3:1: error: cell is marked `traps` but its program exited without trapping") == true)
    }

    @Test func aLessonStoppedBeforeItsFirstCellIsAFailureAtThatCell() throws {
        let dir = try Support.project(["01-good.md": OutFolderTests.good,
                                       "02-more.md": "# More\n\n```swift\nprint(2)\n```\n\n```output\n2\n```\n"])
        // 1 ms: no lesson program gets to its first cell (starting it takes longer).
        let r = try Support.run([Support.tool, "verify", "--no-cache", "--timeout", "0.001", "--junit", "report.xml"], in: dir)
        #expect(r.status == 1, "\(r.output)")
        #expect(r.output.contains("lessons/01-good.md:4:1: error: lesson did not finish within 0.001 s"), "\(r.output)")
        #expect(r.output.contains("lessons/02-more.md:4:1: error: lesson did not finish within 0.001 s"), "\(r.output)")
        #expect(r.output.hasSuffix("0 passed, 2 failed\n"), "\(r.output)")
        let xml = try String(contentsOfFile: dir + "/report.xml", encoding: .utf8)
        #expect(xml.contains(#"failures="2""#))
    }
}

@Suite(.serialized) struct AcceptFenceTests {
    @Test func acceptWritesAFenceLongerThanAnyBacktickRunAndKeepsCRLF() throws {
        let lesson = "# A\n\n```swift\nprint(\"```\")\n```\n\n```output\nold\n```\n\n```swift\nprint(\"````\")\n```\n"
        let dir = try Support.project(["01-a.md": lesson.replacingOccurrences(of: "\n", with: "\r\n")])
        let accept = try Support.run([Support.tool, "verify", "--accept"], in: dir)
        #expect(accept.status == 0, "\(accept.output)")
        let written = try String(contentsOfFile: dir + "/lessons/01-a.md", encoding: .utf8)
        #expect(written == "# A\n\n```swift\nprint(\"```\")\n```\n\n````output\n```\n````\n\n```swift\nprint(\"````\")\n```\n\n`````output\n````\n`````\n"
            .replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(try Support.run([Support.tool, "verify"], in: dir).output == "2 passed, 0 failed\n")
    }
}

@Suite(.serialized) struct FileLevelErrorTests {
    @Test func anUnreadableLessonIsAnErrorAtItsPathAndTheOtherLessonsRun() throws {
        let dir = try Support.project(["01-good.md": OutFolderTests.good])
        try FileManager.default.createSymbolicLink(atPath: dir + "/lessons/02-loop.md", withDestinationPath: "02-loop.md")
        try FileManager.default.createDirectory(atPath: dir + "/lessons/03-folder.md", withIntermediateDirectories: true)
        let r = try Support.run([Support.tool, "verify"], in: dir)
        #expect(r.status == 1)
        #expect(r.output.contains("lessons/02-loop.md:1:1: error: cannot read the lesson: Too many levels of symbolic links"), "\(r.output)")
        #expect(r.output.contains("lessons/03-folder.md:1:1: error: cannot read the lesson: "), "\(r.output)")
        #expect(!r.output.contains("NSCocoaErrorDomain"))
        #expect(r.output.hasSuffix("1 passed, 2 failed\n"), "\(r.output)")
        // Verifying another lesson is not stopped by them.
        #expect(try Support.run([Support.tool, "verify", "lessons/01-good.md"], in: dir).output == "1 passed, 0 failed\n")
    }

    @Test func verifyOfAPathOutsideTheLessonsFolderDoesNotMatchALessonByName() throws {
        let dir = try Support.project(["01-good.md": OutFolderTests.good])
        try FileManager.default.createDirectory(atPath: dir + "/elsewhere", withIntermediateDirectories: true)
        try "# Other\n".write(toFile: dir + "/elsewhere/01-good.md", atomically: true, encoding: .utf8)
        let r = try Support.run([Support.tool, "verify", "elsewhere/01-good.md"], in: dir)
        #expect(r.status == 2, "\(r.output)")
        #expect(r.output.contains("'elsewhere/01-good.md' is not a lesson in 'lessons'"))
        // The lesson itself, by path (also through a link) or by bare name, still runs.
        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: "lessons")
        for name in ["lessons/01-good.md", "./lessons/01-good.md", "link/01-good.md", "01-good.md"] {
            #expect(try Support.run([Support.tool, "verify", name], in: dir).output == "1 passed, 0 failed\n", "\(name)")
        }
    }

    @Test func headingIdsAreUniqueOnThePage() {
        let text = "# T\n\n## Intro\n\n## Intro\n\n## Intro 1\n\n## Intro\n\n## Cell 1\n\n## Content\n"
        let ids = Markdown.outline(text).headings.map(\.id)
        #expect(ids == ["t", "intro", "intro-1", "intro-1-1", "intro-2", "cell-1-1", "content-1"])
        let html = Markdown.html(text, Markdown.Substitutions())
        for id in ids { #expect(html.components(separatedBy: "id=\"\(id)\"").count == 2, "\(id)") }
    }
}
