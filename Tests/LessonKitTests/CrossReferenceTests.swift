// Cross-references, citations, callouts and folded cells: parsing, numbering, checks and the HTML,
// on runs made by hand (no swiftc).

import Foundation
import LessonRuntime
import Testing
@testable import LessonKit
@testable import TestSupport

/// A run of `text` whose cells showed `results` (one list per cell), every cell completed.
private func run(_ text: String, _ results: [[RichResult]], bibliography: Bibliography? = nil) throws -> LessonRun {
    let parsed = Support.parse(text)
    let lesson = try #require(parsed.lesson, "\(parsed.diagnostics)")
    let cells = lesson.cells.map { c in
        CellResult(index: c.index, segments: (c.index < results.count ? results[c.index] : []).map { .rich($0) }, outcome: .completed)
    }
    var r = LessonRun(lesson: lesson, compileErrors: [], cells: cells, seconds: 0)
    r.bibliography = bibliography
    return r
}

private func failures(_ checks: [Check]) -> [String] {
    checks.filter { $0.status == .failed }.map { "\($0.diagnostic!.line):\($0.diagnostic!.column) \($0.diagnostic!.message)" }
}

private func page(_ r: LessonRun) -> String { Render.page(r, previous: nil, next: nil) }

private let bib = """
    % a comment with no entry in it
    @inproceedings{deng2019arcface,
      author = {Deng, Jiankang and Guo, Jia and Xue, Niannan and Zafeiriou, Stefanos},
      title = {{ArcFace}: Additive Angular Margin Loss for Deep Face Recognition},
      booktitle = "CVPR",
      year = 2019,
      doi = {10.1109/CVPR.2019.00482},
    }
    @online{torch-renorm,
      author = {{PyTorch Contributors}},
      title = {torch.renorm},
      url = {https://pytorch.org/docs/stable/generated/torch.renorm.html},
      urldate = {2024-01-01},
    }
    @article{wang2018amsoftmax, author = {Wang, Feng and Cheng, Jian}, title = {Additive Margin Softmax --- {AM}},
      journal = {IEEE SPL}, year = {2018}}
    """

@Suite struct BibliographyTests {
    @Test func entriesAreParsedWithTheirFieldsAndLines() throws {
        let (b, errors) = Bibliography.parse(bib, path: "lessons/references.bib")
        #expect(errors.isEmpty, "\(errors)")
        #expect(b.entries.keys.sorted() == ["deng2019arcface", "torch-renorm", "wang2018amsoftmax"])
        let deng = try #require(b.entries["deng2019arcface"])
        #expect(deng.type == "inproceedings" && deng.line == 2)
        #expect(deng.title == "ArcFace: Additive Angular Margin Loss for Deep Face Recognition")
        #expect(deng.venue == "CVPR" && deng.year == "2019" && deng.fields["doi"] == "10.1109/CVPR.2019.00482")
        #expect(deng.names.map(\.full) == ["Jiankang Deng", "Jia Guo", "Niannan Xue", "Stefanos Zafeiriou"])
        #expect(deng.shortName == "Deng et al., 2019")
        let torch = try #require(b.entries["torch-renorm"])
        #expect(torch.names.map(\.full) == ["PyTorch Contributors"] && torch.line == 9)
        #expect(b.entries["wang2018amsoftmax"]?.title == "Additive Margin Softmax \u{2014} AM")
        #expect(b.entries["wang2018amsoftmax"]?.shortName == "Wang and Cheng, 2018")
    }

    @Test(arguments: [
        ("@book{a, title = {T}}\n", "1 unsupported entry type '@book'"),
        ("\n\n@misc{a, title = {T}\n@misc{b, title = {U}}\n", "3 entry 'a' is never closed (the next entry starts at line 4)"),
        ("@misc{a,\n  title = {T},\n  colour = {red},\n}\n", "3 unknown field 'colour' in 'a'"),
        ("@misc{a,\n  title = {un{closed}\n", "2 the value of 'title' in 'a' is never closed"),
        ("@misc{a,\n  title = {unclosed\n}\n", "1 entry 'a' is never closed"),
        ("@misc{a, title = {T}}\n@misc{a, title = {U}}\n", "2 key 'a' is used twice (first at line 1)"),
        ("@article{a,\n title = {T}}\n", "1 @article entry 'a' needs author, journal, year"),
        ("@online{a, title = {T}, url = {javascript:alert(1)}}\n", "1 url of 'a' must start with https:// or http://, got 'javascript:alert(1)'"),
        ("@misc{a, title = T}\n", "1 the value of 'title' must be in braces, in quotes or a number"),
        ("@misc{, title = {T}}\n", "1 @misc entry has no key"),
        ("@misc{a,\n title = {T},\n title = {U}}\n", "3 field 'title' is given twice in 'a' (first at line 2)"),
    ])
    func aMalformedEntryIsAnErrorAtItsLine(_ text: String, _ expected: String) {
        let (_, errors) = Bibliography.parse(text, path: "lessons/references.bib")
        #expect(errors.map { "\($0.line) \($0.message)" }.first == expected, "\(errors)")
        #expect(errors.allSatisfy { $0.file == "lessons/references.bib" })
    }

    @Test func noBibFileIsNoBibliographyAndNoError() throws {
        let dir = NSTemporaryDirectory() + "/xref-nobib-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (b, errors) = Bibliography.load(lessonsDirectory: dir)
        #expect(b == nil && errors.isEmpty)
    }
}

@Suite struct CrossReferenceTests {
    static let lesson = """
        # Refs

        Intro: @tab-norms, @fig-curve and @eq-margin; not in code `@tab-norms`, not a@fig-curve.org, \\@tab-norms.

        $$\\cos(\\theta + m)$$ {#eq-margin}

        $$x$$

        $$y$$ {#eq-second}

        ```swift
        show(Table(label: "tab-first", ...))
        ```

        ```swift
        show(Table(label: "tab-norms", ...))
        ```

        After (@eq-second).
        """

    static let results: [[RichResult]] = [
        [.table(Table(label: "tab-first", caption: "First", columns: ["a"], rows: [["1"]]))],
        [.table(Table(label: "tab-norms", caption: "Norms", columns: ["a"], rows: [["2"]])),
         .table(Table(caption: "Unlabelled", columns: ["a"], rows: [["3"]])),
         .plot(Plot(label: "fig-curve", title: "Curve", series: [Series("s", x: [0, 1], y: [0, 1])]))],
    ]

    @Test func referencesAreFoundOutsideCodeWithTheirLinesAndColumns() throws {
        let l = try #require(Support.parse(Self.lesson).lesson)
        #expect(l.references.map(\.source) == ["@tab-norms", "@fig-curve", "@eq-margin", "@eq-second"])
        #expect(l.references.map { "\($0.line):\($0.column)" } == ["3:8", "3:20", "3:35", "19:8"])
        #expect(l.math.map(\.label) == ["eq-margin", nil, "eq-second"])
        #expect(!l.markdown.contains("{#eq-margin}"))
        let urls = try #require(Support.parse("# T\n\nSee [x](https://a.org/@tab-x), <https://b.org/@fig-y> and k:@eq-z.\n").lesson)
        #expect(urls.references.isEmpty)
    }

    @Test func targetsAreNumberedPerKindInOrderOfAppearanceAndReferencesLinkToThem() throws {
        let r = try run(Self.lesson, Self.results)
        let n = Numbering(r)
        #expect(n.targets["tab-first"]?.text == "Table 1" && n.targets["tab-norms"]?.text == "Table 2")
        #expect(n.targets["fig-curve"]?.text == "Figure 1")
        #expect(n.targets["eq-margin"]?.text == "(1)" && n.targets["eq-second"]?.text == "(2)")
        #expect(failures(References.check(r)) == [])
        let html = page(r)
        #expect(html.contains(##"Intro: <a class="xref" href="#tab-norms">Table 2</a>, <a class="xref" href="#fig-curve">Figure 1</a> and <a class="xref" href="#eq-margin">(1)</a>;"##))
        #expect(html.contains("<code>@tab-norms</code>") && html.contains("a@fig-curve.org") && html.contains(", @tab-norms."))
        #expect(html.contains(#"<div id="tab-norms" class="table-wrap"><table class="result">"# + "\n" + #"<caption><span class="xref-number">Table 2</span>: Norms</caption>"#))
        #expect(html.contains("<caption>Unlabelled</caption>"))
        #expect(html.contains(#"<figure id="fig-curve" class="plot">"# + "\n" + #"<figcaption class="plot-title"><span class="xref-number">Figure 1</span>: Curve</figcaption>"#))
        #expect(html.contains(#"<span class="equation" id="eq-margin"><math display="block">"#))
        #expect(html.contains(#"<span class="equation-number">(2)</span></span>"#))
        #expect(html.contains(##"After (<a class="xref" href="#eq-second">(2)</a>)."##))
        #expect(!html.contains("AFLREF"))
    }

    @Test func anUnknownLabelFailsAtItsLineAndColumnAndADuplicateAtItsCell() throws {
        let text = Self.lesson.replacingOccurrences(of: "After (@eq-second)", with: "After (@tab-nope, @eq-nope)")
        var results = Self.results
        results[1].append(.table(Table(label: "tab-first", caption: "Again", columns: ["a"], rows: [["4"]])))
        results[1].append(.plot(Plot(label: "tab-wrong", title: "P", series: [])))
        let r = try run(text, results)
        #expect(failures(References.check(r)) == [
            "15:1 label 'tab-first' is used twice on this page",
            "15:1 a plot's label must be 'fig-' and letters, digits, '-' or '_', got 'tab-wrong'",
            "19:8 unknown label '@tab-nope': no table of this page has it",
            "19:19 unknown label '@eq-nope': no equation of this page has it",
        ])
        #expect(page(r).contains(#"<span class="xref missing">@tab-nope</span>"#))
    }

    @Test func aLessonThatStoppedEarlyReportsItsUnknownTableLabelsAsNotRun() throws {
        var r = try run(Self.lesson, [Self.results[0]])
        r.cells[1].outcome = .trapped(message: "Fatal error: boom")
        let checks = References.check(r)
        #expect(failures(checks) == [])
        #expect(checks.filter { $0.status == .notRun }.map(\.name) == ["reference @tab-norms", "reference @fig-curve"])
    }

    @Test func badOrRepeatedEquationLabelsAreParseErrorsAtTheLabel() {
        let d = Support.parse("# T\n\n$$a$$ {#eq-a}\n\n$$b$$ {#eq-a}\n\n$$c$$ {#fig-c}\n\n$$\nd\n$$ {#eq bad}\n").diagnostics
        #expect(d.map { "\($0.line):\($0.column) \($0.message)" } == [
            "5:7 label 'eq-a' is used twice on this page (first at line 3)",
            "7:7 malformed equation label '{#fig-c}'",
            "11:4 malformed equation label '{#eq bad}'",
        ])
    }

    @Test func labelsOfOldRecordsDecodeAsNone() throws {
        let old = #"{"caption":"c","columns":["a"],"rows":[["1"]]}"#
        #expect(try JSONDecoder().decode(Table.self, from: Data(old.utf8)) == Table(caption: "c", columns: ["a"], rows: [["1"]]))
        #expect(!String(decoding: try JSONEncoder().encode(Table(caption: "c", columns: [], rows: [])), as: UTF8.self).contains("label"))
        let labelled = RichResult.plot(Plot(label: "fig-x", title: "t", series: []))
        #expect(try JSONDecoder().decode(RichResult.self, from: JSONEncoder().encode(labelled)) == labelled)
    }
}

@Suite struct CitationTests {
    static let lesson = """
        # Cites

        ArcFace [@deng2019arcface] and renorm [@torch-renorm; @deng2019arcface], not `[@nokey]`,
        and a link [@deng2019arcface](https://example.org) is a link.
        """

    @Test func citationsAreNumberedInOrderFirstCitedWithAReferencesListAtTheEnd() throws {
        let (b, _) = Bibliography.parse(bib, path: "lessons/references.bib")
        let r = try run(Self.lesson, [], bibliography: b)
        #expect(r.lesson.references.map { "\($0.line):\($0.column)" } == ["3:9", "3:39"])
        #expect(failures(References.check(r)) == [])
        let html = page(r)
        let deng = ##"<a href="#ref-deng2019arcface" role="doc-biblioref" title="Deng et al., 2019">1</a>"##
        let torch = ##"<a href="#ref-torch-renorm" role="doc-biblioref" title="PyTorch Contributors">2</a>"##
        #expect(html.contains(#"ArcFace <span class="citation">["# + deng + "]</span>"))
        #expect(html.contains(#"renorm <span class="citation">["# + torch + ", " + deng + "]</span>"))
        #expect(html.contains(#"<a href="https://example.org">@deng2019arcface</a>"#))
        #expect(html.contains(#"<section class="references" role="doc-bibliography" aria-labelledby="references">"#))
        #expect(html.contains(#"<li id="ref-deng2019arcface" value="1">Jiankang Deng, Jia Guo, Niannan Xue and Stefanos Zafeiriou. <cite>ArcFace: Additive Angular Margin Loss for Deep Face Recognition</cite>. <i>CVPR</i>, 2019. doi: <a href="https://doi.org/10.1109/CVPR.2019.00482">10.1109/CVPR.2019.00482</a>.</li>"#))
        #expect(html.contains(#"<li id="ref-torch-renorm" value="2">PyTorch Contributors. <a href="https://pytorch.org/docs/stable/generated/torch.renorm.html"><cite>torch.renorm</cite></a>.</li>"#))
        #expect(!html.contains("wang2018amsoftmax"))  // not cited on this page
        #expect(html.contains(##"<a href="#references">References</a>"##))  // in the table of contents
    }

    @Test func anUnknownKeyFailsAtItsColumnAndNoBibFileIsSaid() throws {
        let text = "# C\n\nSee [@deng2019arcface; @nokey].\n"
        let (b, _) = Bibliography.parse(bib, path: "lessons/references.bib")
        #expect(failures(References.check(try run(text, [], bibliography: b)))
                == ["3:24 unknown citation key '@nokey': references.bib has no entry 'nokey'"])
        #expect(failures(References.check(try run(text, [])))
                == ["3:6 citation '@deng2019arcface' but the lessons folder has no references.bib",
                    "3:24 citation '@nokey' but the lessons folder has no references.bib"])
    }

    @Test func aPageWithoutCitationsHasNoReferencesList() throws {
        let (b, _) = Bibliography.parse(bib, path: "lessons/references.bib")
        #expect(!page(try run("# N\n\nNothing cited.\n", [], bibliography: b)).contains("references"))
    }
}

@Suite struct CalloutAndFoldTests {
    @Test(arguments: [("NOTE", "Note"), ("TIP", "Tip"), ("IMPORTANT", "Important"), ("WARNING", "Warning"), ("CAUTION", "Caution")])
    func githubAlertsBecomeCalloutBoxes(_ marker: String, _ title: String) throws {
        let r = try run("# C\n\n> [!\(marker)]\n> Mind the *margin*.\n>\n> Second paragraph.\n", [])
        let html = page(r)
        #expect(html.contains(#"<div class="callout callout-\#(marker.lowercased())" role="note" aria-label="\#(title)">"#))
        #expect(html.contains(#"\#(title)</p>"# + "\n<p>Mind the <em>margin</em>.</p>\n<p>Second paragraph.</p>\n</div>"))
        #expect(!html.contains("[!") && !html.contains("<blockquote>"))
    }

    @Test func aPlainQuoteOrAnUnknownMarkerStaysAQuote() throws {
        let html = page(try run("# C\n\n> [!NOTICE]\n> text\n\n> Just a quote.\n\n> [!note]\n> lower case works\n", []))
        #expect(html.contains("<blockquote>\n<p>[!NOTICE]\ntext</p>\n</blockquote>"))
        #expect(html.contains("<blockquote>\n<p>Just a quote.</p>\n</blockquote>"))
        #expect(html.contains(#"<div class="callout callout-note""#) && html.contains("<p>lower case works</p>"))
    }

    @Test func foldIsACellAttributeThatFoldsTheCodeAndKeepsTheOutput() throws {
        let l = try #require(Support.parse("# F\n\n```swift fold\nprint(1)\n```\n\n```output\n1\n```\n").lesson)
        #expect(l.cells[0].attributes.fold && !l.cells[0].attributes.hide)
        let html = Render.cell(l.cells[0], CellResult(index: 0, segments: [.text("1\n")], outcome: .completed))
        #expect(html.contains("<details class=\"fold\">\n<summary>Show code</summary>\n<pre class=\"code\">"))
        #expect(html.contains("</pre>\n</details>\n<div class=\"outputs\">\n<pre class=\"output\">1</pre>"))
        #expect(Support.parse("# F\n\n```swift folded\n```\n").diagnostics.first?.message == "unknown cell attribute 'folded'")
    }

    @Test func theStylesheetHasTheCalloutAndReferenceRules() {
        let css = String(decoding: Render.site([])["style.css"]!, as: UTF8.self)
        #expect(css.contains(".callout-warning") && css.contains(".equation-number") && css.contains("details.fold"))
    }
}
