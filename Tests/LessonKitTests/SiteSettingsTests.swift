// course.yml on the page (title, description, language, author, repository) and a theme folder
// that replaces built-in front-end files; without them the site is the built-in one, byte for byte.

import Foundation
import Testing
@testable import LessonKit
@testable import TestSupport

@Suite struct SiteSettingsTests {
    static func runs() throws -> [LessonRun] {
        let lesson = try #require(Support.parse("# One\n\nText.\n").lesson)
        return [LessonRun(lesson: lesson, compileErrors: [], cells: [], seconds: 0)]
    }

    static func page(_ files: [String: Data], _ name: String) -> String { String(decoding: files[name] ?? Data(), as: UTF8.self) }

    static func folder(_ files: [String: String]) throws -> String {
        let dir = try Pipeline.temporaryDirectory()
        for (path, text) in files {
            try FileManager.default.createDirectory(atPath: ((dir + "/" + path) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: dir + "/" + path, atomically: true, encoding: .utf8)
        }
        return dir
    }

    @Test func withoutACourseFileTheSiteIsTheBuiltInOne() throws {
        let files = Render.site(try Self.runs())
        #expect(files == Render.site(try Self.runs(), settings: try SiteSettings(CourseConfig())))
        let index = Self.page(files, "index.html")
        #expect(index.contains("<html lang=\"en\">") && index.contains("<p class=\"lead\">A course on the ArcFace loss"))
        #expect(!index.contains("name=\"author\"") && !index.contains(">Source</a>"))
    }

    @Test func theCoursesTitleDescriptionLanguageAuthorAndRepositoryAreOnThePages() throws {
        var config = try CourseConfig.parse("""
            title: Margins
            description: "A *short* course; see [the paper](https://arxiv.org/abs/1801.07698)."
            language: de
            author: A. Autor
            repository: https://example.org/margins
            """, path: "/nowhere/course.yml")
        config.theme = nil
        let files = Render.site(try Self.runs(), settings: try SiteSettings(config))
        let index = Self.page(files, "index.html"), lesson = Self.page(files, "01-test.html")
        #expect(index.contains("<h1>Margins</h1>") && index.contains("<title>Margins</title>"))
        #expect(index.contains("<p>A <em>short</em> course; see <a href=\"https://arxiv.org/abs/1801.07698\">the paper</a>.</p>"), "\(index)")
        #expect(!index.contains("A course on the ArcFace loss"))
        for page in [index, lesson] {
            #expect(page.contains("<html lang=\"de\">") && page.contains("<meta name=\"author\" content=\"A. Autor\">"))
            #expect(page.contains("<a href=\"https://example.org/margins\">Source</a></footer>"))
        }
        #expect(lesson.contains("<title>One · Margins</title>"))
    }

    @Test func aThemeFolderReplacesTemplatesCSSAndJSByTheirPath() throws {
        let dir = try Self.folder([
            "theme/frontend/theme.css": "body { color: rebeccapurple; }\n",
            "theme/frontend/learner.js": "/* mine */\n",
            "theme/templates/index.mustache": "<h1 class=\"mine\">{{siteTitle}}</h1>\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = try CourseConfig.parse("title: T\n", path: dir + "/course.yml")
        let settings = try SiteSettings(config)
        #expect(settings.theme?.files.count == 3)
        let files = Render.site(try Self.runs(), settings: settings)
        let css = Self.page(files, "style.css"), js = Self.page(files, "site.js")
        #expect(css.hasPrefix("body { color: rebeccapurple; }\n") && css.contains(FrontEnd.plotsCSS), "the other files stay")
        #expect(js.hasSuffix("/* mine */\n") && js.contains(FrontEnd.searchScript))
        #expect(Self.page(files, "index.html").contains("<h1 class=\"mine\">T</h1>"))
        #expect(Self.page(files, "01-test.html").contains("class=\"brand\""), "the page template is still the built-in one")
    }

    @Test func aThemeFileTheFrontEndDoesNotHaveOrABrokenTemplateIsAnError() throws {
        let typo = try Self.folder(["theme/frontend/theem.css": "x"])
        let broken = try Self.folder(["theme/templates/page.mustache": "{{#open}} never closed"])
        defer { for d in [typo, broken] { try? FileManager.default.removeItem(atPath: d) } }
        #expect(throws: EnvironmentError.self) { try SiteSettings(CourseConfig.parse("title: T\n", path: typo + "/course.yml")) }
        do { _ = try SiteSettings(CourseConfig.parse("title: T\n", path: typo + "/course.yml")) } catch {
            #expect("\(error)".contains("frontend/theem.css' is not a front-end file a theme can replace"), "\(error)")
        }
        do { _ = try SiteSettings(CourseConfig.parse("title: T\n", path: broken + "/course.yml")); Issue.record("no error") } catch {
            #expect("\(error)".contains("page.mustache' is not a valid Mustache template"), "\(error)")
        }
        #expect(throws: EnvironmentError.self) { try SiteSettings(CourseConfig.parse("theme: nowhere\n", path: typo + "/course.yml")) }
    }
}
