// serve's pure parts: request path -> site file (nothing outside the rendered site), content types,
// the tags injected into served pages, and draft pages (failures drawn in place; none: build's bytes).

import Foundation
import Testing
@testable import LessonKit
@testable import TestSupport

struct ServePathTests {
    static let files: [String: Data] = ["index.html": Data(), "01-intro.html": Data(), "style.css": Data(),
                                        "fonts/latinmodern-math.otf": Data(), "search-index.js": Data()]

    @Test(arguments: [
        ("/", "index.html"), ("/index.html", "index.html"), ("/01-intro.html", "01-intro.html"),
        ("/01-intro", "01-intro.html"), ("/01-intro.html?x=1#top", "01-intro.html"), ("/style.css", "style.css"),
        ("/fonts/latinmodern-math.otf", "fonts/latinmodern-math.otf"), ("/fonts/latinmodern%2Dmath.otf", "fonts/latinmodern-math.otf"),
        ("/_serve/live.js", "_serve/live.js"), ("/_serve/draft.css", "_serve/draft.css"),
    ])
    func aSiteFileIsFound(_ target: String, _ file: String) {
        #expect(ServedSite.file(forTarget: target, in: Self.files) == file)
    }

    @Test(arguments: ["/../index.html", "/fonts/../index.html", "/./index.html", "/%2e%2e/index.html", "/..%2findex.html",
                      "//index.html", "/fonts//latinmodern-math.otf", "/..\\index.html", "/index.html%00", "/nope.html",
                      "/fonts/", "/etc/passwd", "index.html", "", "/%zz", "/_serve/", "/_serve/events.html"])
    func anythingElseIsNotFound(_ target: String) {
        #expect(ServedSite.file(forTarget: target, in: Self.files) == nil)
    }

    @Test func contentTypes() {
        let expected = ["a.html": "text/html; charset=utf-8", "style.css": "text/css; charset=utf-8", "site.js": "text/javascript; charset=utf-8",
                        "p.svg": "image/svg+xml", "f.woff2": "font/woff2", "f.otf": "font/otf", "i.png": "image/png", "x.bin": "application/octet-stream"]
        for (name, type) in expected { #expect(ServedSite.contentType(name) == type, "\(name)") }
    }

    @Test func aServedPageGetsTheStylesAndTheReloadScriptAndA404PageIsWellFormed() {
        let site = ServedSite()
        site.publish(["index.html": Data("<html><head><title>t</title></head><body><p>hi</p></body></html>".utf8)])
        let page = site.response(for: "/")
        #expect(page.status == 200 && page.contentType == "text/html; charset=utf-8")
        #expect(String(decoding: page.body, as: UTF8.self) == "<html><head><title>t</title><link rel=\"stylesheet\" href=\"/_serve/draft.css\">\n</head>"
                + "<body><p>hi</p><script src=\"/_serve/live.js\" data-generation=\"1\"></script>\n</body></html>")
        let missing = site.response(for: "/../x?<b>")
        #expect(missing.status == 404)
        let html = String(decoding: missing.body, as: UTF8.self)
        #expect(html.contains("<h1>Not found</h1>") && html.contains("/../x?&lt;b&gt;") && html.hasSuffix("</html>\n") || html.contains("</html>"))
        #expect(site.response(for: "/_serve/live.js").contentType == "text/javascript; charset=utf-8")
    }

    @Test func publishingTellsTheListenersTheNewGeneration() {
        let site = ServedSite()
        let heard = Heard()
        let (id, generation) = site.listen { heard.add($0) }
        #expect(generation == 0)
        site.publish([:])
        site.publish([:])
        site.stopListening(id)
        site.publish([:])
        #expect(heard.values == [1, 2])
        #expect(site.listenerCount == 0)
    }
}

final class Heard: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [Int] = []
    func add(_ v: Int) { lock.withLock { list.append(v) } }
    var values: [Int] { lock.withLock { list } }
}

struct DraftTests {
    static let text = """
        # Draft

        Some prose.

        ```swift
        let third = 1.0 / 3.0
        print(third)
        ```

        ```output
        0.3334
        ```

        A third is `{swift} third ~ 0.3999`.
        """

    /// The lesson as if it ran: the cell printed 0.3333..., the value was 0.3333...
    static func run() throws -> LessonRun {
        let lesson = try #require(Support.parse(text, path: "lessons/01-test.md").lesson)
        return LessonRun(lesson: lesson, inline: [0: .value("0.3333333333333333")], compileErrors: [],
                         cells: [CellResult(index: 0, segments: [.text("0.3333333333333333\n")], outcome: .completed)], seconds: 0)
    }

    @Test func withoutFailuresADraftIsTheBuiltSiteByteForByte() throws {
        let runs = [try Self.run()]
        #expect(Render.site(runs, draft: Draft([])) == Render.site(runs))
        let passed = Check.passed("lessons/01-test.md", 11, "output of cell 1")
        #expect(Render.site(runs, draft: Draft([passed])) == Render.site(runs))
    }

    @Test func eachFailureIsDrawnWhereItIsAndListedInTheBanner() throws {
        let run = try Self.run()
        let (checks, _) = Verify.check(run)
        let failed = checks.filter { $0.status == .failed }
        #expect(failed.count == 2)
        let site = Render.site([run], draft: Draft(checks))
        let page = String(decoding: try #require(site["01-test.html"]), as: UTF8.self)
        // The banner, first in the page's content, links to both.
        let banner = try #require(page.range(of: "<section class=\"draft-banner\""))
        #expect(page.range(of: "<h1")!.lowerBound > banner.lowerBound)
        #expect(page.contains("<strong>2 checks failed</strong>"))
        #expect(page.contains("<li><a href=\"#draft-1\">lessons/01-test.md:11:1</a>: expected 0.3334, got 0.3333333333333333"))
        #expect(page.contains("<a href=\"#draft-2\">lessons/01-test.md:14:12</a>"))
        // The cell's box after the cell: expected vs got.
        let cell = try #require(page.range(of: "<div class=\"cell\" id=\"cell-1\">"))
        let box = try #require(page.range(of: "<div class=\"draft-fail draft-box\" id=\"draft-1\""))
        #expect(box.lowerBound > cell.lowerBound)
        #expect(page.contains("<p>expected</p><pre>0.3334\n</pre>"))
        #expect(page.contains("<p>got</p><pre>0.3333333333333333</pre>"))
        // The prose value: marked in place, with what it got.
        #expect(page.contains("<mark class=\"draft-fail\" id=\"draft-2\"><span class=\"value checked\""))
        #expect(page.contains("expected 0.3999"))
        // The index lists them too, linked to the page.
        let index = String(decoding: try #require(site["index.html"]), as: UTF8.self)
        #expect(index.contains("<a href=\"01-test.html#draft-1\">") && index.contains("<a href=\"01-test.html#draft-2\">"))
        // Well-formed enough: every element the draft opens is closed.
        for tag in ["section", "mark", "pre", "ol", "li"] {
            #expect(page.components(separatedBy: "<\(tag)>").count + page.components(separatedBy: "<\(tag) ").count - 1 == page.components(separatedBy: "</\(tag)>").count, "\(tag)")
        }
        #expect(page.components(separatedBy: "<div").count == page.components(separatedBy: "</div>").count)
    }

    @Test func aLessonThatDidNotParseGetsAPageWithItsErrors() {
        let d = Diagnostic(stage: .parse, file: "lessons/02-broken.md", line: 3, "unknown front matter key 'titel'")
        let draft = Draft([Check.failed(d, "lesson parses")])
        let pages = draft.errorPages([])
        let page = pages["02-broken.html"] ?? ""
        #expect(page.contains("lessons/02-broken.md:3:1") && page.contains("unknown front matter key"))
        #expect(draft.indexBanner([]).contains("<a href=\"02-broken.html\">lessons/02-broken.md:3:1</a>"))
    }
}

/// serve's PageMemo: a rebuild renders only the pages whose inputs changed, and the site is the
/// same bytes as rendering everything.
struct PageMemoTests {
    static func lesson(_ number: Int, title: String, prose: String = "Some prose.", value: String = "1.0") throws -> LessonRun {
        let text = "# \(title)\n\n\(prose)\n\n```swift\nprint(\(value))\n```\n"
        let lesson = try #require(Parse.lesson(LessonSource(path: "lessons/0\(number)-l.md", slug: "0\(number)-l", number: number, text: text)).lesson)
        return LessonRun(lesson: lesson, compileErrors: [],
                         cells: [CellResult(index: 0, segments: [.text(value + "\n")], outcome: .completed)], seconds: 0)
    }

    static func course(prose2: String = "Some prose.", title3: String = "Three", value1: String = "1.0") throws -> [LessonRun] {
        [try lesson(1, title: "One", value: value1), try lesson(2, title: "Two", prose: prose2), try lesson(3, title: title3)]
    }

    @Test func aProseEditRendersOnePageAndTheSiteIsTheSameBytes() throws {
        let memo = PageMemo()
        #expect(Render.site(try Self.course(), memo: memo) == Render.site(try Self.course()))
        #expect(memo.counts == (rendered: 3, reused: 0))
        #expect(Render.site(try Self.course(), memo: memo) == Render.site(try Self.course()))
        #expect(memo.counts == (rendered: 3, reused: 3))

        let edited = try Self.course(prose2: "Other prose about quokkas.")
        let site = Render.site(edited, memo: memo)
        #expect(site == Render.site(edited))
        #expect(memo.counts == (rendered: 4, reused: 5))
        #expect(String(decoding: site["02-l.html"]!, as: UTF8.self).contains("quokkas"))
        #expect(String(decoding: site["search-index.js"]!, as: UTF8.self).contains("quokkas"))
    }

    @Test func aNewResultATitleTheSidebarShowsOrNewSettingsRenderWhatTheyReach() throws {
        let memo = PageMemo()
        _ = Render.site(try Self.course(), memo: memo)
        // A cell's new output: that lesson's page only.
        let output = try Self.course(value1: "2.0")
        #expect(Render.site(output, memo: memo) == Render.site(output))
        #expect(memo.counts.rendered == 4)
        // A title is in every page's sidebar (and the pager of its neighbours).
        let title = try Self.course(title3: "Three, renamed", value1: "2.0")
        #expect(Render.site(title, memo: memo) == Render.site(title))
        #expect(memo.counts.rendered == 7)
        // The course's title is on every page.
        var settings = SiteSettings()
        settings.title = "Another course"
        #expect(Render.site(title, settings: settings, memo: memo) == Render.site(title, settings: settings))
        #expect(memo.counts.rendered == 10)
        // A failure drawn on lesson 1's page: that page only.
        let failure = Check.failed(Diagnostic(stage: .verify, file: "lessons/01-l.md", line: 5, "expected 3"), "output of cell 1")
        #expect(Render.site(title, settings: settings, draft: Draft([failure]), memo: memo) == Render.site(title, settings: settings, draft: Draft([failure])))
        #expect(memo.counts.rendered == 11)
    }
}
