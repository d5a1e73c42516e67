// course.yml: real YAML, folders relative to the file, and every mistake an error at its line.

import Foundation
import Testing
@testable import LessonKit

@Suite struct CourseConfigTests {
    static func parse(_ text: String) throws -> CourseConfig { try CourseConfig.parse(text, path: "/c/course.yml") }

    static func error(_ text: String) -> String {
        do { _ = try parse(text); return "no error" } catch { return "\(error)" }
    }

    @Test func everyKeyIsReadAndFoldersAreRelativeToTheFile() throws {
        let c = try Self.parse("""
            title: "Margins, computed"
            description: A course on ArcFace
            author: A. Author
            repository: https://example.org/course
            language: en-GB
            lessons: chapters
            output: /srv/www
            cache: .cache
            theme: theme
            jobs: 3
            timeout: 300
            cell_timeout: 2.5
            """)
        #expect(c.title == "Margins, computed" && c.description == "A course on ArcFace" && c.author == "A. Author")
        #expect(c.repository == "https://example.org/course" && c.language == "en-GB")
        #expect(c.lessons == "/c/chapters" && c.output == "/srv/www" && c.cache == "/c/.cache" && c.theme == "/c/theme")
        #expect(c.jobs == 3 && c.timeout == 300 && c.cellTimeout == 2.5)
    }

    @Test func anEmptyFileGivesTheDefaults() throws {
        let c = try Self.parse("# nothing yet\n")
        #expect(c.lessons == "/c/lessons" && c.output == "/c/site" && c.cache == "/c/.lessons-cache")
        #expect(c.jobs == nil && c.file == "/c/course.yml")
    }

    @Test func anUnknownKeyIsAnErrorAtItsLineWithTheKnownKeys() {
        let e = Self.error("title: T\ntheem: dark\n")
        #expect(e.hasPrefix("/c/course.yml:2:1: error: unknown key 'theem'"), "\(e)")
        #expect(e.contains("known keys: title,"), "\(e)")
    }

    @Test func aKeyGivenTwiceIsAnError() {
        let e = Self.error("title: A\njobs: 2\ntitle: B\n")
        #expect(e.contains("/c/course.yml:") && e.contains("'title' is given twice"), "\(e)")
    }

    @Test(arguments: [
        ("jobs: two", "course.yml:1:7: error: 'jobs' must be a whole number from 1 to 256"),
        ("jobs: 0", "'jobs' must be a whole number"),
        ("jobs: \"3\"", "'jobs' must be a whole number"),
        ("timeout: -1", "course.yml:1:10: error: 'timeout' must be a positive number of seconds"),
        ("timeout: .nan", "'timeout' must be a positive number"),
        ("cell_timeout: 1e11", "'cell_timeout' must be a positive number"),
        ("title: [a, b]", "'title' must be text"),
        ("repository: git@example.org:c.git", "'repository' must be a URL"),
        ("lessons:", "'lessons' must be a folder"),
        ("language: en us", "'language' must be a language tag"),
    ])
    func aValueOfTheWrongTypeIsAnErrorAtTheValue(_ text: String, _ expected: String) {
        let e = Self.error(text + "\n")
        #expect(e.contains(expected), "\(e)")
    }

    @Test func invalidYAMLAndANonMappingAreErrorsAtTheirLine() {
        #expect(Self.error("title: [unclosed\n").contains("/c/course.yml:"), "not YAML")
        #expect(Self.error("title: [unclosed\n").contains("is not valid YAML"))
        #expect(Self.error("- a\n- b\n").contains("must be a mapping"))
    }

    @Test func theFileIsFoundByWalkingUpFromASubfolder() throws {
        let dir = try Pipeline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/lessons/deeper", withIntermediateDirectories: true)
        try "title: T\n".write(toFile: dir + "/course.yml", atomically: true, encoding: .utf8)
        #expect(CourseConfig.find(from: dir + "/lessons/deeper").map(Site.resolved) == Site.resolved(dir + "/course.yml"))
        let c = try CourseConfig.discover(from: dir + "/lessons/deeper")
        #expect(c.title == "T" && Site.resolved(c.lessons) == Site.resolved(dir + "/lessons"))
    }
}
