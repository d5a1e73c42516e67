// verify for CI and authors: prose values, --accept, report formats, time limits, the cache,
// --check-site, links and raw HTML.

import Foundation
import Testing
@testable import LessonKit
@testable import TestSupport

@Suite(.serialized) struct ProseValueTests {
    static let lesson = """
        # Values

        Before any cell: `{swift} 1 + 1`.

        ```swift
        let x = Tensor([[1, 2, 3], [4, 5, 6]])
        let rows = x.renorm(p: 2, dim: 0, maxnorm: 1e-5) * 1e5
        ```

        Row 2 starts with `{swift} fmt(rows[1, 0])`, checked: `{swift} rows[1, 0] ~ 0.4558`, and the
        whole row `{swift} rows.select(dim: 0, index: 1) ~ 0.4558, 0.5698, 0.6838`.

        """

    @Test func valuesAreComputedAfterThePrecedingCellAndRenderedInThePage() throws {
        let dir = try Support.project(["01-v.md": Self.lesson])
        let report = try Support.verify(dir)
        #expect(Support.errors(report) == [])
        #expect(report.tally.passed == 2)
        #expect(report.runs[0].inline == [0: .value("2"), 1: .value("0.4558"), 2: .value("0.4558423"),
                                           3: .value("tensor([0.4558, 0.5698, 0.6838])")])
        let page = String(decoding: Render.site(report.runs)["01-v.html"]!, as: UTF8.self)
        #expect(page.contains(#"Before any cell: <span class="value" title="computed: 1 + 1">2</span>."#))
        #expect(page.contains(#"checked: <span class="value checked" title="computed: rows[1, 0]">0.4558</span>"#))
    }

    @Test func aWrongProseValueFailsAtItsLineAndColumnWithTheMaxDifference() throws {
        let wrong = Self.lesson.replacingOccurrences(of: "~ 0.4558`, and", with: "~ 0.2558`, and")
            .replacingOccurrences(of: "0.5698, 0.6838", with: "0.5698, 0.7838")
        let dir = try Support.project(["01-v.md": wrong])
        let errors = Support.errors(try Support.verify(dir))
        #expect(errors == [
            "\(dir)/lessons/01-v.md:10:55: error: `rows[1, 0]`: expected 0.2558, got 0.4558423 (tolerance 5e-05)",
            "\(dir)/lessons/01-v.md:11:11: error: `rows.select(dim: 0, index: 1)`: 1 of 3 values differ; max difference 0.1 at index 2: expected 0.7838, got 0.6838 (tolerance 5e-05)",
        ])
    }

    @Test func aTrappingProseValueIsReportedAtItsLine() throws {
        let dir = try Support.project(["01-t.md": "# T\n\n```swift\nlet xs = [1]\n```\n\nThe value `{swift} xs[3] ~ 1`.\n"])
        let errors = Support.errors(try Support.verify(dir))
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("\(dir)/lessons/01-t.md:7:11: error: `xs[3]` trapped: Fatal error: Index out of range") == true)
    }
}

@Suite(.serialized) struct AcceptTests {
    @Test func acceptRewritesFailingBlocksKeepingTheWrittenPrecisionAndAddsMissingOnes() throws {
        let dir = try Support.project(["01-a.md": """
            # Accept

            ```swift
            print(0.123456, 1e-7, 64)
            print("tensor([1.5, 2.0])")
            ```

            ```output
            0.13 2.0e-7 65
            line that changed
            ```

            ```swift
            print("new output")
            ```

            The value is `{swift} 2.0 / 3.0 ~ 0.7`.
            """])
        let r = try Support.run([Support.tool, "verify", "--accept"], in: dir)
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("accepted lessons/01-a.md: 2 output block(s), 0 value(s)"))
        let text = try String(contentsOfFile: dir + "/lessons/01-a.md", encoding: .utf8)
        #expect(text == """
            # Accept

            ```swift
            print(0.123456, 1e-7, 64)
            print("tensor([1.5, 2.0])")
            ```

            ```output
            0.12 1.0e-7 64
            tensor([1.5, 2.0])
            ```

            ```swift
            print("new output")
            ```

            ```output
            new output
            ```

            The value is `{swift} 2.0 / 3.0 ~ 0.7`.
            """.replacingOccurrences(of: "~ 0.7`", with: "~ 0.7`"))
    }

    @Test func acceptRewritesAProseValueInItsWrittenPrecision() throws {
        let dir = try Support.project(["01-a.md": "# A\n\nThe value is `{swift} 2.0 / 3.0 ~ 0.70`.\n"])
        #expect(try Support.run([Support.tool, "verify", "--accept"], in: dir).status == 0)
        #expect(try String(contentsOfFile: dir + "/lessons/01-a.md", encoding: .utf8) == "# A\n\nThe value is `{swift} 2.0 / 3.0 ~ 0.67`.\n")
    }

    @Test func numbersAreFormattedLikeTheyWereWritten() {
        #expect(Accept.format(0.45584, like: "0.2558", printed: "0.45584") == "0.4558")
        #expect(Accept.format(1.23e-7, like: "1.5e-3", printed: "1.23e-07") == "1.2e-7")
        #expect(Accept.format(64, like: "65", printed: "64.0") == "64")
        #expect(Accept.format(2, like: "1.", printed: "2.") == "2.")
        #expect(Accept.format(2.5, like: "3", printed: "2.5") == "2.5")
    }
}

@Suite(.serialized) struct ReportFormatTests {
    static let lessons = ["01-r.md": "# R\n\n```swift\nprint(1.0 / 3.0)\n```\n\n```output\n0.3334\n```\n\n```swift\nprint(2)\n```\n\n```output\n2\n```\n"]

    @Test func githubFormatPrintsWorkflowAnnotations() throws {
        let dir = try Support.project(Self.lessons)
        let r = try Support.run([Support.tool, "verify", "--format", "github"], in: dir)
        #expect(r.status == 1)
        #expect(r.output == "::error file=lessons/01-r.md,line=8,col=1::expected 0.3334, got 0.3333333333333333 (tolerance 5e-05)\n1 passed, 1 failed\n")
    }

    @Test func junitHasOneTestCasePerCheck() throws {
        let dir = try Support.project(Self.lessons)
        let r = try Support.run([Support.tool, "verify", "--junit", "report.xml"], in: dir)
        #expect(r.status == 1)
        let xml = try String(contentsOfFile: dir + "/report.xml", encoding: .utf8)
        #expect(xml.contains(#"<testsuites name="arcface-lessons verify" tests="2" failures="1" skipped="0">"#))
        #expect(xml.contains(#"<testcase classname="lessons/01-r.md" name="output of cell 1 (line 8)" file="lessons/01-r.md" line="8"><failure message="expected 0.3334, got 0.3333333333333333 (tolerance 5e-05)">"#))
        #expect(xml.contains(#"<testcase classname="lessons/01-r.md" name="output of cell 2 (line 16)" file="lessons/01-r.md" line="16"/>"#))
        #expect(r.output.hasSuffix("1 passed, 1 failed\n"))
    }
}

@Suite(.serialized) struct TimeLimitTests {
    @Test func aCellLimitInTheFrontMatterStopsARunawayCellAtItsLine() throws {
        let dir = try Support.project(["01-l.md": "---\ncell_timeout: 0.5\n---\n# L\n\n```swift\nprint(1)\n```\n```output\n1\n```\n\n```swift\nwhile true {}\n```\n"])
        let start = Date()
        let errors = Support.errors(try Support.verify(dir))
        #expect(Date().timeIntervalSince(start) < 30)
        #expect(errors.first?.hasPrefix("\(dir)/lessons/01-l.md:14:1: error: cell did not finish within its limit of 0.5 s") == true)
    }

    @Test func theCommandLineCellLimitAppliesToCellsWithoutTheirOwn() throws {
        let dir = try Support.project(["01-l.md": "# L\n\n```swift\nwhile true {}\n```\n"])
        let r = try Support.run([Support.tool, "verify", "--cell-timeout", "0.5"], in: dir)
        #expect(r.status == 1)
        #expect(r.output.contains("lessons/01-l.md:4:1: error: cell did not finish within its limit of 0.5 s"))
    }
}

@Suite(.serialized) struct CacheTests {
    static let lesson = "# C\n\nProse.\n\n```swift\nprint(\"ran\")\n```\n\n```output\nran\n```\n"

    func verify(_ dir: String) throws -> Report {
        var options = RunOptions()
        options.lessonsDirectory = dir + "/lessons"
        options.cacheDirectory = dir + "/cache"
        return try Pipeline.verify(options, toolchain: Support.toolchain())
    }

    @Test func anUnchangedLessonAndAProseOnlyEditComeFromTheCacheACellEditDoesNot() throws {
        let dir = try Support.project(["01-c.md": Self.lesson])
        #expect(try verify(dir).cached == 0)
        #expect(try verify(dir).cached == 1)
        // Prose edit that shifts every line: still a hit, and diagnostics use the new lines.
        try ("# C\n\nMore prose.\n\nAnd more.\n\n" + Self.lesson.dropFirst(12)).write(toFile: dir + "/lessons/01-c.md", atomically: true, encoding: .utf8)
        let shifted = try verify(dir)
        #expect(shifted.cached == 1 && shifted.ok)
        try Self.lesson.replacingOccurrences(of: "\"ran\"", with: "\"ran again\"").write(toFile: dir + "/lessons/01-c.md", atomically: true, encoding: .utf8)
        let edited = try verify(dir)
        #expect(edited.cached == 0)
        #expect(Support.errors(edited) == ["\(dir)/lessons/01-c.md:10:4: error: expected 'ran', got 'ran again'"])
    }

    @Test func aCorruptCacheEntryIsDetectedAndRecomputed() throws {
        let dir = try Support.project(["01-c.md": Self.lesson])
        _ = try verify(dir)
        let entries = FileManager.default.enumerator(atPath: dir + "/cache")!.allObjects.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") }
        #expect(entries.count == 1)
        let path = dir + "/cache/" + entries[0]
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "ran", with: "rat")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let again = try verify(dir)
        #expect(again.cached == 0 && again.ok)
        try "garbage".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try verify(dir).cached == 0)
        #expect(try verify(dir).cached == 1)
    }

    @Test func aChangedInputFileInvalidatesTheLesson() throws {
        let dir = try Support.project(["01-c.md": "---\ninputs: data.txt\n---\n# C\n\n```swift nocheck\nprint(1)\n```\n"])
        FileManager.default.changeCurrentDirectoryPath(dir)
        // Inputs are relative to the lesson's folder.
        try "a".write(toFile: dir + "/lessons/data.txt", atomically: true, encoding: .utf8)
        _ = try verify(dir)
        #expect(try verify(dir).cached == 1)
        try "b".write(toFile: dir + "/lessons/data.txt", atomically: true, encoding: .utf8)
        #expect(try verify(dir).cached == 0)
    }

    @Test func noCacheRunsEverything() throws {
        let dir = try Support.project(["01-c.md": Self.lesson])
        #expect(try Support.run([Support.tool, "verify"], in: dir).status == 0)
        #expect(FileManager.default.fileExists(atPath: dir + "/.lessons-cache"))
        var options = RunOptions()
        options.lessonsDirectory = dir + "/lessons"
        options.cacheDirectory = nil
        #expect(try Pipeline.verify(options, toolchain: Support.toolchain()).cached == 0)
    }
}

@Suite(.serialized) struct CheckSiteTests {
    @Test func checkSiteFailsOnAStaleMissingOrExtraFileAndPassesAfterBuild() throws {
        let dir = try Support.project(["01-s.md": "# S\n\nText.\n"])
        let missing = try Support.run([Support.tool, "verify", "--check-site"], in: dir)
        #expect(missing.status == 1 && missing.output.contains("site/01-s.html:1:1: error: 01-s.html is missing"))
        #expect(try Support.run([Support.tool, "build"], in: dir).status == 0)
        #expect(try Support.run([Support.tool, "verify", "--check-site"], in: dir).status == 0)
        try "# S\n\nOther text.\n".write(toFile: dir + "/lessons/01-s.md", atomically: true, encoding: .utf8)
        try "x".write(toFile: dir + "/site/old.html", atomically: true, encoding: .utf8)
        let stale = try Support.run([Support.tool, "verify", "--check-site"], in: dir)
        #expect(stale.status == 1)
        #expect(stale.output.contains("site/01-s.html:1:1: error: 01-s.html is stale"))
        #expect(stale.output.contains("site/old.html:1:1: error: old.html is not written by build any more"))
    }
}

@Suite(.serialized) struct LinkAndHTMLTests {
    @Test func linksBetweenLessonsAndToHeadingsAreCheckedAndRewritten() throws {
        let dir = try Support.project([
            "01-a.md": "# A\n\n## First part\n\nSee [B](02-b.md#the-end), [this](#first-part), [cell](02-b.html#cell-1), [out](https://example.org).\n",
            "02-b.md": "# B\n\n```swift nocheck\nprint(1)\n```\n\n## The end\n\nBack to [A](01-a.md#nowhere).\n",
        ])
        let report = try Support.verify(dir)
        #expect(Support.errors(report) == ["\(dir)/lessons/02-b.md:9:1: error: broken link '01-a.md#nowhere': 01-a has no anchor 'nowhere'\n  hint: link to a lesson as NN-name.md or NN-name.html, with #anchor of one of its headings"])
        let page = String(decoding: Render.site(report.runs)["01-a.html"]!, as: UTF8.self)
        #expect(page.contains(##"<a href="02-b.html#the-end">B</a>"##))
        #expect(page.contains(##"<h2 id="first-part"><a class="anchor" href="#first-part" aria-hidden="true">#</a>First part</h2>"##))
    }

    @Test func rawHTMLIsEscapedUnlessTheLessonOptsIn() throws {
        let dir = try Support.project([
            "01-a.md": "# A\n\n<script>alert(1)</script>\n\nInline <b>bold</b>.\n",
            "02-b.md": "---\nraw_html: true\n---\n# B\n\nInline <b>bold</b>.\n",
        ])
        let site = Render.site(try Support.verify(dir).runs).mapValues { String(decoding: $0, as: UTF8.self) }
        #expect(site["01-a.html"]!.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(site["01-a.html"]!.contains("Inline &lt;b&gt;bold&lt;/b&gt;."))
        #expect(site["02-b.html"]!.contains("Inline <b>bold</b>."))
    }

    @Test func cellOutputIsAlwaysEscaped() throws {
        let dir = try Support.project(["01-a.md": "---\nraw_html: true\n---\n# A\n\n```swift\nprint(\"<img src=x onerror=alert(1)>\")\n```\n\n```output\n<img src=x onerror=alert(1)>\n```\n"])
        let page = String(decoding: Render.site(try Support.verify(dir).runs)["01-a.html"]!, as: UTF8.self)
        #expect(page.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(!page.contains("<img src=x"))
    }
}

@Suite(.serialized) struct CrossReferenceEndToEndTests {
    static let lesson = """
        # Refs

        > [!TIP]
        > See @tab-norms, @fig-rows and @eq-renorm [@deng2019arcface].

        $$\\lVert w \\rVert = 1$$ {#eq-renorm}

        ```swift fold
        show(Table(label: "tab-norms", caption: "Norms", columns: ["row", "norm"], rows: [["0", fmt(1.0)]]))
        show(Plot(label: "fig-rows", title: "Rows", series: [Series("n", x: [0, 1], y: [1, 1])]))
        ```

        ```output
        Norms
        row    norm
          0  1.0000
        ```

        """

    static let bib = "@inproceedings{deng2019arcface,\n  author = {Deng, Jiankang and Guo, Jia},\n  title = {ArcFace},\n  booktitle = {CVPR},\n  year = 2019,\n}\n"

    @Test func labelsAndCitationsResolveAfterTheRunAndRenderAsNumberedLinks() throws {
        let dir = try Support.project(["01-r.md": Self.lesson, "references.bib": Self.bib])
        let report = try Support.verify(dir)
        #expect(Support.errors(report) == [])
        let page = String(decoding: Render.site(report.runs)["01-r.html"]!, as: UTF8.self)
        #expect(page.contains(##"See <a class="xref" href="#tab-norms">Table 1</a>, <a class="xref" href="#fig-rows">Figure 1</a> and <a class="xref" href="#eq-renorm">(1)</a>"##))
        #expect(page.contains(#"<li id="ref-deng2019arcface" value="1">Jiankang Deng and Jia Guo."#))
        #expect(page.contains(#"<div class="callout callout-tip" role="note" aria-label="Tip">"#))
        #expect(page.contains("<details class=\"fold\">"))
    }

    @Test func aBrokenLabelOrCitationKeyFailsVerifyAtItsLineAndColumn() throws {
        let broken = Self.lesson.replacingOccurrences(of: "@fig-rows", with: "@fig-cols")
            .replacingOccurrences(of: "[@deng2019arcface]", with: "[@deng2019arcface; @wang2018cosface]")
        let dir = try Support.project(["01-r.md": broken, "references.bib": Self.bib])
        let errors = Support.errors(try Support.verify(dir))
        #expect(errors == [
            "\(dir)/lessons/01-r.md:4:19: error: unknown label '@fig-cols': no figure of this page has it\n  hint: labels on this page: eq-renorm, fig-rows, tab-norms",
            "\(dir)/lessons/01-r.md:4:63: error: unknown citation key '@wang2018cosface': references.bib has no entry 'wang2018cosface'\n  hint: add an entry @article{wang2018cosface, ...} to references.bib, or correct the key",
        ])
    }

    @Test func aMalformedBibEntryIsAnErrorAtItsLine() throws {
        let dir = try Support.project(["01-r.md": Self.lesson, "references.bib": "\n" + Self.bib.replacingOccurrences(of: "year = 2019", with: "year 2019")])
        let r = try Support.run([Support.tool, "verify", "--no-cache"], in: dir)
        #expect(r.status == 1)
        #expect(r.output.contains("lessons/references.bib:6:1: error: expected '=' after the field 'year'"), "\(r.output)")
    }
}
