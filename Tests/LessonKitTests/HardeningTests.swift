// Hostile and careless input: folders --out must not replace, line endings, limits that cannot be
// held, doubles at the edges, script URLs, control characters in reports, unreadable files. Each
// case must end in a clear error at file:line (or exit 2 for a bad flag), a non-zero exit, and
// nothing lost.

import LessonRuntime
import Foundation
import Testing
@testable import LessonKit

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

@Suite struct PlotTotalityTests {
    static let edges: [Double] = [0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-300, 1, -1, 1e308, -1e308,
                                  .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .nan, .infinity, -.infinity]

    /// Every plot shape the edges give: each pair of values as a series, a series of all of them,
    /// empty and one-point series, fixed ranges far from the data, each style and the unit circle.
    static var plots: [Plot] {
        var plots: [Plot] = []
        for (i, a) in edges.enumerated() {
            for b in edges[i...] {
                plots.append(Plot(title: "\(a) \(b)", series: [Series("s", x: [a, b], y: [b, a])]))
                plots.append(Plot(title: "\(a) bars", series: [Series("bars", x: [a, b], y: [1, a], style: .bar)]))
            }
        }
        plots.append(Plot(title: "all", series: [Series("line", x: edges, y: edges.reversed()),
                                                 Series("dots", x: edges, y: edges, style: .scatter)]))
        plots.append(Plot(title: "empty", series: [Series("e", x: [], y: [])]))
        plots.append(Plot(title: "none", series: []))
        plots.append(Plot(title: "one", series: [Series("o", x: [3], y: [4])]))
        plots.append(Plot(title: "far outside", series: [Series("f", x: [0, 1e300, -1e300], y: [0, 1e300, 5e-324])],
                          xRange: 0...1, yRange: -1...1))
        plots.append(Plot(title: "tiny range", series: [Series("t", x: [0, 1], y: [0, 1])], xRange: 0...5e-324))
        plots.append(Plot(title: "huge range", series: [Series("h", x: [0, 1], y: [0, 1])], xRange: -1e308...1e308))
        plots.append(Plot(title: "circle", series: [Series("c", x: edges, y: edges.reversed(), style: .scatter)], kind: .unitCircle))
        return plots
    }

    @Test func everyPlotOfEdgeDoublesRendersAsWellFormedSVGAndAsText() {
        for plot in Self.plots {
            let figure = Plots.svg(plot)
            #expect(XMLElements.parse(figure).error == nil, "\(plot.title)")
            #expect(!figure.contains("nan,") && !figure.contains("inf,"), "\(plot.title): \(figure.components(separatedBy: "inf,").first!.suffix(80))")
            let text = ReplText.plot(plot)
            #expect(text.hasPrefix("plot: \(plot.title) "), "\(plot.title)")
        }
        var slider = PlotSlider(parameter: "m", values: [.nan, 1e308, 5e-324], plots: Array(Self.plots.prefix(3)))
        // As a lesson program could send it (the record is JSON): an initial index and values that do not fit.
        (slider.initial, slider.values) = (7, [.nan])
        let html = Plots.slider(slider)
        #expect(html.components(separatedBy: "<figure").count == 4)
        #expect(html.components(separatedBy: " hidden>").count == 3, "the last plot is shown: \(html.prefix(300))")
        #expect(ReplText.render(.slider(slider)).contains("plot slider: m"))
    }

    @Test func aMillionPointsRenderInSeconds() {
        let n = 1_000_000
        let xs = (0..<n).map { Double($0) }, ys = (0..<n).map { sin(Double($0) / 1000) }
        let start = Date()
        for style in [Series.Style.line, .scatter] {
            let figure = Plots.svg(Plot(title: "big", series: [Series("s", x: xs, y: ys, style: style)]))
            #expect(figure.hasSuffix("</figure>\n"))
        }
        #expect(ReplText.plot(Plot(title: "big", series: [Series("s", x: xs, y: ys)])).contains("1000000 points"))
        #expect(Date().timeIntervalSince(start) < 60)
    }

    @Test func aTableOfEdgeValuesRendersAndItsTextFormIsAligned() {
        let cells = Self.edges.map { "\($0)" }
        let table = Table(caption: "edges", columns: ["v"], rows: cells.map { [$0] })
        let html = Render.table(table)
        #expect(XMLElements.parse(html).all("td").count == cells.count)
        let lines = table.text.split(separator: "\n").map(String.init).dropFirst()
        #expect(lines.allSatisfy { $0.count == lines.first?.count })
        #expect(XMLElements.parse(Render.table(Table(columns: [], rows: []))).error == nil)
        // A record decoded from a lesson program skips Table's precondition: rows are fitted to the columns.
        var ragged = Table(columns: ["a", "b"], rows: [])
        ragged.rows = [["1"], ["1", "2", "3"]]
        guard case .table(let fitted) = Execute.wellFormed(.table(ragged)) else { Issue.record("not a table"); return }
        #expect(fitted.rows == [["1", ""], ["1", "2"]])
        #expect(fitted.text == "a  b\n1   \n1  2\n")
    }
}

@Suite struct URLSafetyTests {
    static let unsafe: [(markdown: String, url: String)] = [
        ("[x](javascript://%0Aalert(document.domain))", "javascript://%0Aalert(document.domain)"),
        ("[x](JaVaScRiPt:alert(1))", "JaVaScRiPt:alert(1)"),
        ("[x](&#106;avascript:alert(1))", "javascript:alert(1)"),
        ("[x](<java\tscript:alert(1)>)", "java\tscript:alert(1)"),
        ("[x][r]\n\n[r]: vbscript:msgbox(1)", "vbscript:msgbox(1)"),
        ("<javascript:alert(1)>", "javascript:alert(1)"),
        ("![i](data:image/svg+xml,x)", "data:image/svg+xml,x"),
        ("[f](file:///etc/passwd)", "file:///etc/passwd"),
        ("[s](%20javascript:alert(1))", "%20javascript:alert(1)"),
    ]

    @Test(arguments: 0..<unsafe.count)
    func anUnsafeURLIsAnErrorAtItsLineAndRenderedInert(_ k: Int) throws {
        let (markdown, url) = Self.unsafe[k]
        let lesson = try #require(Support.parse("# T\n\ntext\n\n\(markdown)\n").lesson)
        let failed = Links.check([lesson], pages: [lesson.slug: Links.anchors(of: lesson)]).filter { $0.status == .failed }
        #expect(failed.count == 1, "\(failed)")
        #expect(failed.first?.line == 5)
        #expect(failed.first?.diagnostic?.message.hasPrefix("unsafe ") == true)
        #expect(failed.first?.diagnostic?.message.contains("'\(url)'") == true, "\(String(describing: failed.first?.diagnostic))")
        let html = Markdown.html(lesson.markdown, Markdown.Substitutions()).lowercased()
        for scheme in ["javascript", "vbscript", "data:", "file:"] {
            #expect(!html.contains("href=\"\(scheme)") && !html.contains("src=\"\(scheme)"), "\(html)")
        }
    }

    @Test func rawHTMLOfALessonThatOptsInHasItsScriptURLsEmptiedAndReported() throws {
        let text = "---\nraw_html: true\n---\n# T\n\n<a href=\"java&#x09;script:alert(1)\">a</a> <img src='javascript&colon;alert(1)'> <a href=\"#t\">ok</a>\n"
        let lesson = try #require(Support.parse(text).lesson)
        let failed = Links.check([lesson], pages: [lesson.slug: Links.anchors(of: lesson)]).filter { $0.status == .failed }
        #expect(failed.map(\.line) == [6, 6])
        var subs = Markdown.Substitutions()
        subs.rawHTML = true
        let html = Markdown.html(lesson.markdown, subs)
        #expect(!html.lowercased().contains("script:"), "\(html)")
        #expect(html.contains("<a href=\"#t\">ok</a>"))
    }

    @Test(arguments: ["https://example.com/a?b#c", "http://x", "mailto:a@b.c", "02-softmax.md#x", "#anchor", "img/a.png", "//host/x", "a/b:c"])
    func allowedURLsPass(_ url: String) {
        #expect(Links.isSafe(url))
    }
}

@Suite struct ReportEscapingTests {
    static func report() -> Report {
        var r = Report()
        let d = Diagnostic(stage: .verify, file: "lessons/01-\u{1B}x.md", line: 3, "expected 'a', got 'b\u{1B}[2J\u{0}\u{1E}\u{7F}\rc'")
        r.checks = [.failed(d, "output of cell 1\u{1E}"), .passed("lessons/01-\u{1B}x.md", 9, "output of cell 2")]
        return r
    }

    @Test func controlCharactersAreVisibleEscapesInTextGitHubAndJUnit() {
        let r = Self.report()
        for out in [r.rendered(.text), r.rendered(.github), r.junit()] {
            #expect(!out.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" || $0.value == 0x7F }, "\(out)")
            #expect(out.contains("\\u{1B}[2J\\u{0}\\u{1E}\\u{7F}"), "\(out)")
        }
        #expect(r.rendered(.github).split(separator: "\n").count == 2)
        let parsed = XMLElements.parse(r.junit())
        #expect(parsed.error == nil)
        #expect(parsed.all("failure").count == 1)
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
