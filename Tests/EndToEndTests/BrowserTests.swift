// The built site in a real browser (headless Chromium driven over the DevTools protocol, see
// Browser.swift): pages load cleanly and offline, math is laid out, plots and sliders work, search
// finds body text, dark mode is dark, and screenshots are written for a human to look at.
//
// The site is built once, in-process, from a copy of the repository's lessons plus a small fixture
// lesson (math, a plot, a slider, a table, a heading, a link) so that every check has something to
// look at. When the real course does not build (a lesson mid-edit), the fixture course is used.
// Chromium missing is a failure, not a skip: run `scripts/install-deps.sh --browser`.

import Foundation
import Testing
@testable import LessonKit
@testable import TestSupport

/// Not serialized: each test has a browser of its own and only reads the built site, and run one
/// after another they were the last suite of `make test` to finish, alone on one core.
@Suite struct BrowserTests {
    struct BuiltSite: Sendable {
        var directory: String
        /// `index.html` first, then the lesson pages in course order.
        var pages: [String]
        /// The fixture lesson's page, e.g. `06-browser-check.html`.
        var fixturePage: String
        /// The first lesson's page (dark and phone screenshots).
        var firstLessonPage: String
        /// Which lessons were built, for messages.
        var course: String
    }

    /// A word that occurs only in the fixture lesson's body (not in a title or heading).
    static let searchWord = "quokkas"

    static func fixtureLesson(linkingTo other: String) -> String {
        #"""
        ---
        title: Browser check
        summary: A small lesson the browser tests add to the course.
        ---
        # Browser check

        ## Averages

        The mean of $N$ values is $\frac{1}{N}\sum_i x_i$, and written on its own line:

        $$\bar{x} = \frac{1}{N}\sum_{i=1}^{N} x_i$$

        Counting \#(searchWord) on an island is how this word gets into the search index. See
        [the averages](#averages) and [the first lesson](\#(other)).

        | value | square |
        |---|---|
        | 1 | 1 |
        | 2 | 4 |

        ## A plot

        ```swift
        show(Plot(title: "t", series: [Series("a", x: [0, 1, 2], y: [1, 0, 1])], summary: "s"))
        ```

        ## A slider

        ```swift
        let margins = [0.1, 0.3, 0.5]
        show(PlotSlider(parameter: "m", values: margins, plots: margins.map { m in
            Plot(title: "margin \(m)", series: [Series("cos", x: [0, 1, 2], y: [1, 1 - m, 1 - 2 * m])], summary: "a line")
        }))
        ```
        """#
    }

    static let site: Result<BuiltSite, any Error> = Result { try buildSite() }

    /// The folder holding the built site, removed when the test process exits.
    nonisolated(unsafe) static var temporaryFolder: String?

    static func built() throws -> BuiltSite { try site.get() }

    static func buildSite() throws -> BuiltSite {
        let toolchain = try Support.toolchain()
        var options = RunOptions()
        // Only the fixture lesson runs here.
        ShippedLessonsTests.reuseTheColdBuild(&options, fallback: Support.repositoryRoot.path + "/.build/browser-tests-cache")

        func attempt(_ lessons: String, course: String) throws -> (BuiltSite?, String) {
            let dir = try Support.project([:])
            let names = try FileManager.default.contentsOfDirectory(atPath: lessons).filter { $0.hasSuffix(".md") }.sorted()
            // The whole folder: references.bib and the files lessons read come along.
            for name in try FileManager.default.contentsOfDirectory(atPath: lessons) {
                try FileManager.default.copyItem(atPath: lessons + "/" + name, toPath: dir + "/lessons/" + name)
            }
            let numbers = names.compactMap { Int($0.prefix(while: \.isNumber)) }
            let fixture = String(format: "%02d-browser-check", (numbers.max() ?? 0) + 1)
            let first = names.first.map { String($0.dropLast(3)) } ?? fixture
            try fixtureLesson(linkingTo: first + ".md").write(toFile: dir + "/lessons/\(fixture).md", atomically: true, encoding: .utf8)
            options.lessonsDirectory = dir + "/lessons"
            let report: Report
            do {
                report = try Pipeline.build(options, out: dir + "/site", toolchain: toolchain)
            } catch {
                try? FileManager.default.removeItem(atPath: dir)
                return (nil, "\(error)")
            }
            guard report.ok else {
                try? FileManager.default.removeItem(atPath: dir)
                return (nil, Support.errors(report).prefix(5).joined(separator: "\n"))
            }
            temporaryFolder = dir
            atexit { if let dir = BrowserTests.temporaryFolder { try? FileManager.default.removeItem(atPath: dir) } }
            let pages = try FileManager.default.contentsOfDirectory(atPath: dir + "/site").filter { $0.hasSuffix(".html") }
            let lessonPages = pages.filter { $0 != "index.html" }.sorted {
                (Int($0.prefix(while: \.isNumber)) ?? 0, $0) < (Int($1.prefix(while: \.isNumber)) ?? 0, $1)
            }
            return (BuiltSite(directory: dir + "/site", pages: ["index.html"] + lessonPages, fixturePage: fixture + ".html",
                              firstLessonPage: first + ".html", course: course), "")
        }

        let (real, why) = try attempt(Support.repositoryRoot.path + "/lessons", course: "the repository's lessons + the fixture lesson")
        if let real {
            print("browser tests: site built from \(real.course) in \(real.directory) (removed at exit)")
            return real
        }
        print("browser tests: the repository's lessons do not build now, using the fixture course instead:\n\(why)")
        let (fixture, fixtureWhy) = try attempt(Support.fixtures.path + "/basics/lessons", course: "the fixture course")
        guard let fixture else { throw BrowserError("the fixture course does not build:\n\(fixtureWhy)") }
        print("browser tests: site built from \(fixture.course) in \(fixture.directory) (removed at exit)")
        return fixture
    }

    static func url(_ site: BuiltSite, _ page: String) -> String {
        URL(fileURLWithPath: site.directory + "/" + page).absoluteString
    }

    /// Runs `body` with a fresh browser, which is killed afterwards whatever happens.
    static func withBrowser(_ body: (Browser) throws -> Void) throws {
        let browser = try Browser.launch()
        defer { browser.close() }
        try body(browser)
    }

    // MARK: Tests

    @Test func everyPageLoadsWithNoConsoleErrorsNoFailedRequestsAndNothingFromTheNetwork() throws {
        let site = try Self.built()
        try Self.withBrowser { browser in
            for page in site.pages {
                browser.resetRecords()
                try browser.navigate(Self.url(site, page))
                for problem in browser.problems { Issue.record("\(page): \(problem)") }
                let foreign = browser.requests.filter { !$0.hasPrefix("file://") && !$0.hasPrefix("data:") }
                #expect(foreign == [], "\(page) requested something that is not a file of the site")
                let styled: Bool = try browser.value("[...document.styleSheets].some(s => s.cssRules.length > 0)")
                #expect(styled, "\(page): the stylesheet was not applied")
            }
        }
    }

    struct MathBox: Decodable { var width: Double; var height: Double; var text: String }
    struct Fraction: Decodable { var stacked: Bool; var text: String }
    struct MathLayout: Decodable { var boxes: [MathBox]; var fractions: [Fraction] }

    @Test func everyMathElementIsLaidOutWithANonZeroSize() throws {
        let site = try Self.built()
        try Self.withBrowser { browser in
            for page in site.pages {
                try browser.navigate(Self.url(site, page))
                let math: MathLayout = try browser.value("""
                    ({
                      boxes: [...document.querySelectorAll('math')].map(m => {
                        const r = m.getBoundingClientRect();
                        return { width: r.width, height: r.height, text: m.textContent.trim().slice(0, 60) };
                      }),
                      fractions: [...document.querySelectorAll('mfrac')].map(f => {
                        const [num, den] = [...f.children].map(c => c.getBoundingClientRect());
                        return { stacked: !!num && !!den && num.bottom <= den.top + 1, text: f.textContent.trim().slice(0, 60) };
                      }),
                    })
                    """)
                for box in math.boxes where !(box.width > 0 && box.height > 0) {
                    Issue.record("\(page): <math> '\(box.text)' is \(box.width) x \(box.height) px")
                }
                // MathML really laid out, not shown as inline text: numerators sit above denominators.
                for f in math.fractions where !f.stacked {
                    Issue.record("\(page): the fraction '\(f.text)' is not laid out with its numerator above its denominator")
                }
                if page == site.fixturePage {
                    #expect(math.boxes.count >= 3, "the fixture lesson has three formulas, the page shows \(math.boxes.count)")
                    #expect(math.fractions.count >= 2)
                }
            }
        }
    }

    struct PlotBox: Decodable { var title: String?; var inHiddenSlide: Bool; var visible: Bool; var width: Double; var height: Double }
    struct SliderState: Decodable { var value: String; var output: String?; var expected: String?; var shown: [Bool]; var hasInput: Bool }
    struct PlotsOnPage: Decodable { var plots: [PlotBox]; var sliders: [SliderState] }

    /// `visible(e)`: laid out with a non-zero size and not hidden; `state(s)`: what a slider shows.
    static let plotScript = """
        const visible = e => {
          const r = e.getBoundingClientRect(), s = getComputedStyle(e);
          return r.width > 0 && r.height > 0 && s.display !== 'none' && s.visibility !== 'hidden' && e.checkVisibility();
        };
        const state = s => {
          const input = s.querySelector('input[type=range]'), slides = [...s.querySelectorAll('.slide')];
          const k = input ? Number(input.value) : -1;
          return { value: input ? input.value : '', output: s.querySelector('output')?.textContent.trim() ?? null,
                   expected: slides[k]?.dataset.value ?? null, shown: slides.map(visible), hasInput: !!input };
        };
        const plots = () => ({
          // A cartesian figure holds a wide and a narrow SVG; the one its width shows counts.
          plots: [...document.querySelectorAll('figure.plot')].map(f => {
            const svgs = [...f.querySelectorAll(':scope > svg')];
            const svg = svgs.find(s => getComputedStyle(s).display !== 'none') || svgs[0];
            const r = svg.getBoundingClientRect();
            return { title: svg.getAttribute('aria-label'), inHiddenSlide: !!svg.closest('.plot-slider .slide[hidden]'),
                     visible: visible(svg), width: r.width, height: r.height };
          }),
          sliders: [...document.querySelectorAll('.plot-slider')].map(state),
        });
        const move = (i, k) => {
          const s = document.querySelectorAll('.plot-slider')[i], input = s.querySelector('input[type=range]');
          input.value = String(k);
          input.dispatchEvent(new Event('input', { bubbles: true }));
          return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(state(s)))));
        };
        """

    @Test func plotsAreVisibleAndMovingASliderShowsItsPlotAndValue() throws {
        let site = try Self.built()
        var sliders = 0
        try Self.withBrowser { browser in
            for page in site.pages {
                try browser.navigate(Self.url(site, page))
                let found: PlotsOnPage = try browser.value("(() => { \(Self.plotScript) return plots(); })()")
                for (i, plot) in found.plots.enumerated() {
                    let name = "\(page): plot \(i + 1) '\(plot.title ?? "")'"
                    if plot.inHiddenSlide {
                        #expect(!plot.visible, "\(name) is on a hidden slide but visible")
                    } else {
                        #expect(plot.visible, "\(name) is not visible (\(plot.width) x \(plot.height) px)")
                    }
                }
                if page == site.fixturePage { #expect(found.plots.count >= 4, "the fixture lesson shows 1 plot and a slider of 3") }
                for (i, slider) in found.sliders.enumerated() {
                    sliders += 1
                    let name = "\(page): slider \(i + 1)"
                    #expect(slider.hasInput, "\(name) has no input[type=range]")
                    #expect(slider.shown.filter { $0 }.count == 1, "\(name) shows \(slider.shown.filter { $0 }.count) slides, not 1")
                    guard slider.hasInput, let start = Int(slider.value) else { continue }
                    // Every other position, then back to the first.
                    let order = Array(slider.shown.indices.filter { $0 != start }.reversed()) + [start]
                    for k in order {
                        let after: SliderState = try browser.value("(() => { \(Self.plotScript) return move(\(i), \(k)); })()")
                        let shown = after.shown.indices.filter { after.shown[$0] }
                        #expect(shown == [k], "\(name) moved to \(k) shows slide(s) \(shown)")
                        #expect(after.output == after.expected,
                                "\(name) moved to \(k): <output> says '\(after.output ?? "none")', the slide's value is '\(after.expected ?? "none")'")
                    }
                }
            }
        }
        if sliders == 0 { print("browser tests: the site has no .plot-slider; the slider checks did not run") }
    }

    struct SearchResult: Decodable { var box: Bool; var hrefs: [String] }

    /// Types `term` into the search box and waits (up to 5 s) for links in the results.
    static func search(_ browser: Browser, _ term: String, expectResults: Bool) throws -> SearchResult {
        let quoted = String(decoding: try JSONSerialization.data(withJSONObject: [term]), as: UTF8.self)
        return try browser.value("""
            (() => {
              const input = document.querySelector('#search-input');
              if (!input) return { box: false, hrefs: [] };
              input.focus();
              input.value = \(quoted)[0];
              input.dispatchEvent(new Event('input', { bubbles: true }));
              const links = () => [...document.querySelectorAll('#search-results a')].map(a => a.getAttribute('href'));
              const t0 = Date.now();
              return new Promise(resolve => (function poll() {
                const found = links();
                if ((\(expectResults) && found.length) || Date.now() - t0 > (\(expectResults) ? 5000 : 500)) resolve({ box: true, hrefs: found });
                else setTimeout(poll, 50);
              })());
            })()
            """)
    }

    @Test func searchOnTheIndexFindsAWordOfALessonBodyAndLinksToItsPage() throws {
        let site = try Self.built()
        try Self.withBrowser { browser in
            browser.resetRecords()
            try browser.navigate(Self.url(site, "index.html"))
            let result = try Self.search(browser, Self.searchWord, expectResults: true)
            guard result.box else {
                Issue.record("no search box (#search-input) on index.html")
                return
            }
            #expect(!result.hrefs.isEmpty, "searching '\(Self.searchWord)' gave no links in #search-results")
            let hits = result.hrefs.filter { $0.split(separator: "#", maxSplits: 1).first.map(String.init) == site.fixturePage }
            #expect(!hits.isEmpty, "searching '\(Self.searchWord)' should link to \(site.fixturePage), got \(result.hrefs)")
            for problem in browser.problems { Issue.record("index.html while searching: \(problem)") }

            let nothing = try Self.search(browser, "zqxjvw", expectResults: false)
            #expect(nothing.hrefs.isEmpty, "searching a word that is nowhere gave \(nothing.hrefs)")

            // The result's anchor exists on the page it points at.
            if let hit = hits.first {
                let parts = hit.split(separator: "#", maxSplits: 1).map(String.init)
                try browser.navigate(Self.url(site, parts[0]) + (parts.count > 1 ? "#" + parts[1] : ""))
                if parts.count > 1 {
                    let id = String(decoding: try JSONSerialization.data(withJSONObject: [parts[1].removingPercentEncoding ?? parts[1]]), as: UTF8.self)
                    let exists: Bool = try browser.value("document.getElementById(\(id)[0]) !== null")
                    #expect(exists, "the search result \(hit) points at an anchor that is not on the page")
                }
            }
        }
    }

    struct Colors: Decodable { var dark: Bool; var background: [Double]; var text: [Double]; var plots: [[Double]] }

    /// WCAG relative luminance of sRGB 0...255 components.
    static func luminance(_ rgb: [Double]) -> Double {
        let c = rgb.prefix(3).map { v -> Double in
            let s = v / 255
            return s <= 0.04045 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    }

    static func contrast(_ a: [Double], _ b: [Double]) -> Double {
        let (la, lb) = (luminance(a), luminance(b))
        return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
    }

    @Test func inDarkModeEveryPageHasADarkBackgroundLightTextAndLoadsCleanly() throws {
        let site = try Self.built()
        try Self.withBrowser { browser in
            try browser.setColorScheme(dark: true)
            for page in site.pages {
                browser.resetRecords()
                try browser.navigate(Self.url(site, page))
                for problem in browser.problems { Issue.record("\(page) (dark): \(problem)") }
                // Colours resolved through a canvas, whatever syntax the stylesheet uses; a transparent
                // body shows the root element's background.
                let colors: Colors = try browser.value("""
                    (() => {
                      const ctx = Object.assign(document.createElement('canvas'), { width: 1, height: 1 }).getContext('2d');
                      const rgba = c => { ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = '#000'; ctx.fillStyle = c; ctx.fillRect(0, 0, 1, 1);
                                          return [...ctx.getImageData(0, 0, 1, 1).data]; };
                      const body = getComputedStyle(document.body), root = getComputedStyle(document.documentElement);
                      const bg = rgba(body.backgroundColor)[3] > 0 ? rgba(body.backgroundColor) : rgba(root.backgroundColor);
                      return { dark: matchMedia('(prefers-color-scheme: dark)').matches, background: bg, text: rgba(body.color),
                               plots: [...document.querySelectorAll('figure.plot svg')].map(s => rgba(getComputedStyle(s).color)) };
                    })()
                    """)
                #expect(colors.dark, "prefers-color-scheme: dark is not in effect")
                let (bg, fg) = (Self.luminance(colors.background), Self.luminance(colors.text))
                #expect(colors.background[3] > 0 && bg < 0.2, "\(page) (dark): the background \(colors.background) is not dark (luminance \(bg))")
                #expect(fg > 0.4, "\(page) (dark): the text colour \(colors.text) is not light (luminance \(fg))")
                #expect(Self.contrast(colors.background, colors.text) >= 4.5, "\(page) (dark): text contrast below 4.5:1")
                for (i, color) in colors.plots.enumerated() where Self.contrast(colors.background, color) < 3 {
                    Issue.record("\(page) (dark): plot \(i + 1)'s axes and labels (\(color)) are hard to see on \(colors.background)")
                }
            }
        }
    }

    /// Screenshots of every page at 1280 and 390 px, light and dark, in tiles of `tile` px
    /// (`<page>-<width>-<theme>-NN.png`), for a human to look at.
    @Test func screenshotsOfEveryPageAreWritten() throws {
        let site = try Self.built()
        let chosen = ProcessInfo.processInfo.environment["SCREENSHOT_DIR"]
        let dir = chosen ?? Support.repositoryRoot.path + "/.build/screenshots"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        if chosen == nil {  // our own folder: no screenshots of pages an earlier run had
            for name in try FileManager.default.contentsOfDirectory(atPath: dir) where name.hasSuffix(".png") {
                try? FileManager.default.removeItem(atPath: dir + "/" + name)
            }
        }
        // The top of every page (what a reader sees first) by default; whole pages, in tiles, when
        // asked for (SCREENSHOTS=full, or a SCREENSHOT_DIR to look at): their PNGs took 80 s of make test.
        let whole = ProcessInfo.processInfo.environment["SCREENSHOTS"] == "full" || chosen != nil
        print("screenshots: \(dir) (\(whole ? "whole pages" : "the top of each page; SCREENSHOTS=full for whole pages"))")
        let tile = 2000.0
        var written: [String] = []
        try Self.withBrowser { browser in
            for (width, height) in [(1280, 900), (390, 844)] {
                try browser.setViewport(width: width, height: height)
                for dark in [false, true] {
                    try browser.setColorScheme(dark: dark)
                    for page in site.pages {
                        try browser.navigate(Self.url(site, page))
                        let total = try browser.pageHeight()
                        var y = 0.0, k = 0
                        while y < total && (whole || k == 0) {
                            let path = dir + "/\(page.dropLast(5))-\(width)-\(dark ? "dark" : "light")-\(String(format: "%02d", k)).png"
                            try browser.screenshot(y: y, height: min(tile, total - y)).write(to: URL(fileURLWithPath: path))
                            written.append(path)
                            (y, k) = (y + tile, k + 1)
                        }
                    }
                }
            }
        }
        for path in written where path.hasSuffix("-00.png") {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            #expect(size > 10_000, "\(path) is \(size) bytes")
        }
        #expect(written.filter { $0.hasSuffix("-00.png") }.count == 4 * site.pages.count)
    }

    // MARK: For learners (issue 15)

    struct CodeBlocks: Decodable {
        var blocks: Int; var withCopy: Int; var swiftCells: Int; var withRepl: Int
        var replCommands: [String]; var expectedRepl: [String]
    }

    @Test func everyCodeBlockHasACopyButtonThatCopiesItsTextAndEverySwiftCellItsReplCommand() throws {
        let site = try Self.built()
        try Self.withBrowser { browser in
            for page in site.pages {
                try browser.navigate(Self.url(site, page))
                let found: CodeBlocks = try browser.value("""
                    (() => {
                      const pres = [...document.querySelectorAll('main pre')];
                      const copyOf = pre => pre.closest('.code-block')?.querySelector(':scope > .code-tools button.copy');
                      const cells = [...document.querySelectorAll('main .cell[id^="cell-"] pre.code')];
                      const slug = document.body.dataset.lesson;
                      const repl = cells.map(pre => pre.closest('.code-block')?.querySelector('button.repl')?.title ?? '');
                      const expectedRepl = cells.map(pre => 'arcface-lessons repl ' + slug + ':' + pre.closest('.cell').id.slice(5));
                      return { blocks: pres.length, withCopy: pres.filter(p => !!copyOf(p)).length,
                               swiftCells: cells.length, withRepl: repl.filter(Boolean).length, replCommands: repl, expectedRepl };
                    })()
                    """)
                // Click (with the mouse) the copy button of the first block of each kind: the handler must
                // copy that block's text (window.arcfaceLastCopied) and the button must say "Copied", which
                // it does only when the copy worked (from file://: the textarea and execCommand).
                for kind in ["pre.code", "pre.output", "pre.listing", "pre.command"] {
                    let button = "main .code-block:has(> \(kind)) > .code-tools button.copy"
                    try browser.evaluate("window.arcfaceLastCopied = null")
                    guard try browser.click(button) else { continue }
                    try browser.drain(milliseconds: 100)
                    let state: [String] = try browser.value("""
                        (() => { const b = document.querySelector('\(button)'), pre = b.closest('.code-block').querySelector('pre');
                                 return [String(window.arcfaceLastCopied === pre.textContent.replace(/\\n+$/, '')), b.textContent,
                                         String(b.classList.contains('copied'))]; })()
                        """)
                    #expect(state == ["true", "Copied", "true"], "\(page): the copy button of the first \(kind): \(state)")
                }
                #expect(found.withCopy == found.blocks, "\(page): \(found.blocks) code blocks, \(found.withCopy) with a copy button")
                #expect(found.withRepl == found.swiftCells, "\(page): \(found.swiftCells) Swift cells, \(found.withRepl) with a REPL command")
                #expect(found.replCommands == found.expectedRepl, "\(page): REPL commands \(found.replCommands.prefix(3))")
                if page != "index.html" { #expect(found.blocks > 0 && found.withRepl > 0, "\(page) has no code blocks") }
            }
            // The REPL button shows the command in a panel, with its own copy button.
            try browser.navigate(Self.url(site, site.fixturePage))
            let panel: [String] = try browser.value("""
                (async () => {
                  const b = document.querySelector('button.repl');
                  b.click();
                  const panel = document.getElementById(b.getAttribute('aria-controls'));
                  const shown = !panel.hidden && panel.getBoundingClientRect().height > 0;
                  panel.querySelector('button.copy').click();
                  await new Promise(r => setTimeout(r, 50));
                  return [String(shown), b.getAttribute('aria-expanded'), panel.querySelector('code').textContent, String(window.arcfaceLastCopied)];
                })()
                """)
            let slug = String(site.fixturePage.dropLast(5))
            #expect(panel == ["true", "true", "arcface-lessons repl \(slug):1", "arcface-lessons repl \(slug):1"], "\(panel)")
        }
    }

    struct Fit: Decodable {
        var scrollWidth: Double; var innerWidth: Double
        var plots: [[Double]]; var tables: [[Bool]]; var sidebarOpens: Bool; var sidebarLinks: Int; var offenders: [String]
    }

    /// At 390 px: the page itself never scrolls sideways, every plot fits the screen with tick text of
    /// at least 9 px, every table that is wider than its box says so (a note and a fade), and the ☰
    /// button opens the lesson list. At 1280 px: a wide table still has its cue, the sidebar is there.
    @Test func onAPhoneNothingOverflowsPlotsFitAndWideTablesShowACue() throws {
        let site = try Self.built()
        let script = """
            (async () => {
              const plots = [...document.querySelectorAll('figure.plot')].filter(f => !f.closest('.slide[hidden]')).map(f => {
                const svg = [...f.querySelectorAll(':scope > svg')].find(s => getComputedStyle(s).display !== 'none');
                if (!svg) return [-1, 0, 0];
                const r = svg.getBoundingClientRect();
                return [r.left, r.right, r.width / svg.viewBox.baseVal.width * 11];
              });
              const tables = [...document.querySelectorAll('main .table-scroll')].map(b => {
                const w = b.querySelector('.table-wrap'), hint = b.previousElementSibling;
                const over = w.scrollWidth > w.clientWidth + 1;
                return [over, !over || (b.classList.contains('more-right') && hint?.classList.contains('scroll-hint') && hint.getBoundingClientRect().height > 0
                                        && getComputedStyle(b, '::after').opacity === '1')];
              });
              const bare = [...document.querySelectorAll('main table')].filter(t => !t.closest('.table-scroll, .plot-data')).length;
              if (bare) tables.push([true, false]);
              const button = document.querySelector('.menu-button'), nav = document.getElementById('sidebar');
              let opens = !nav;
              if (button && nav && getComputedStyle(button).display !== 'none') {
                button.click();
                await new Promise(r => setTimeout(r, 400));
                const r = nav.getBoundingClientRect();
                opens = getComputedStyle(nav).visibility === 'visible' && r.left >= -1 && r.right <= innerWidth + 1
                        && button.getAttribute('aria-expanded') === 'true';
                document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
              } else if (nav) {
                opens = nav.getBoundingClientRect().width > 0;
              }
              // What sticks out of the screen outside any box that scrolls or clips it.
              const clipped = e => { for (let p = e.parentElement; p; p = p.parentElement) {
                if (p === document.body) return false;
                const o = getComputedStyle(p).overflowX; if (o !== 'visible') return true; } return false; };
              const offenders = [...document.body.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > innerWidth + 0.5 && !clipped(e)
                  && getComputedStyle(e).position !== 'fixed').slice(-3).map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 40));
              return { scrollWidth: document.documentElement.scrollWidth, innerWidth, plots, tables, sidebarOpens: opens, offenders,
                       sidebarLinks: nav ? nav.querySelectorAll('.lesson-list > li > a').length : 0 };
            })()
            """
        try Self.withBrowser { browser in
            for (width, height) in [(390, 844), (1280, 900)] {
                try browser.setViewport(width: width, height: height)
                for page in site.pages {
                    try browser.navigate(Self.url(site, page))
                    let fit: Fit = try browser.value(script)
                    let at = "\(page) at \(width) px"
                    #expect(fit.scrollWidth <= fit.innerWidth, "\(at): the page is \(fit.scrollWidth) px wide, wider than the screen: \(fit.offenders)")
                    for (i, p) in fit.plots.enumerated() {
                        #expect(p[0] >= 0 && p[1] <= fit.innerWidth + 0.5, "\(at): plot \(i + 1) spans \(p[0])...\(p[1]) px")
                        #expect(p[2] >= 9, "\(at): plot \(i + 1)'s tick labels are \(p[2]) px")
                    }
                    for (i, t) in fit.tables.enumerated() where !t[1] {
                        Issue.record("\(at): table \(i + 1) is wider than its box (\(t[0])) without a visible scroll cue")
                    }
                    #expect(fit.sidebarOpens, "\(at): the lesson list (sidebar) is not reachable")
                    if page != "index.html" { #expect(fit.sidebarLinks == site.pages.count - 1, "\(at): the sidebar lists \(fit.sidebarLinks) lessons") }
                }
            }
        }
    }

    struct Theme: Decodable { var attribute: String?; var pressed: String?; var background: String; var stored: String? }

    @Test func theDarkModeToggleFollowsTheSystemAndIsRememberedAcrossPages() throws {
        let site = try Self.built()
        let read = """
            ({ attribute: document.documentElement.getAttribute('data-theme'),
               pressed: document.querySelector('.theme-toggle')?.getAttribute('aria-pressed') ?? null,
               background: getComputedStyle(document.body).backgroundColor,
               stored: localStorage.getItem('arcface-lessons-theme') })
            """
        try Self.withBrowser { browser in
            let first = Self.url(site, site.firstLessonPage), other = Self.url(site, site.fixturePage)
            try browser.navigate(first)
            try browser.evaluate("localStorage.removeItem('arcface-lessons-theme')")
            try browser.setColorScheme(dark: true)
            try browser.navigate(first)
            let system: Theme = try browser.value(read)
            #expect(system.attribute == nil && system.pressed == "true", "by default the toggle follows the system's dark mode: \(system)")
            try browser.setColorScheme(dark: false)
            try browser.navigate(first)
            let light: Theme = try browser.value(read)
            #expect(light.pressed == "false")
            try browser.evaluate("document.querySelector('.theme-toggle').click()")
            let toggled: Theme = try browser.value(read)
            #expect(toggled.attribute == "dark" && toggled.pressed == "true" && toggled.stored == "dark", "\(toggled)")
            #expect(toggled.background != light.background, "the toggle did not change the background (\(toggled.background))")
            try browser.navigate(other)
            let remembered: Theme = try browser.value(read)
            #expect(remembered.attribute == "dark" && remembered.background == toggled.background, "another page forgot the choice: \(remembered)")
            try browser.evaluate("document.querySelector('.theme-toggle').click()")
            try browser.navigate(first)
            let back: Theme = try browser.value(read)
            #expect(back.attribute == "light" && back.background == light.background, "\(back)")
            try browser.evaluate("localStorage.removeItem('arcface-lessons-theme')")
        }
    }

    @Test func searchResultsAreChosenWithTheArrowKeysAndOpenedWithEnter() throws {
        let site = try Self.built()
        try Self.withBrowser { browser in
            try browser.navigate(Self.url(site, "index.html"))
            let result = try Self.search(browser, "margin", expectResults: true)
            #expect(result.hrefs.count >= 3, "searching 'margin' gave \(result.hrefs)")
            guard result.hrefs.count >= 3 else { return }
            try browser.press("ArrowDown")
            try browser.press("ArrowDown")
            try browser.press("ArrowDown")
            try browser.press("ArrowUp")
            let active: [String] = try browser.value("""
                [...document.querySelectorAll('#search-results li')].map(li => li.classList.contains('active') ? li.getAttribute('aria-selected') + ' ' + li.id : '')
                """)
            #expect(active.filter { !$0.isEmpty } == ["true search-hit-1"], "after ↓ ↓ ↓ ↑ the second hit should be chosen: \(active)")
            let expected: String = try browser.value("document.querySelector('#search-hit-1 a').href")
            let opened = try browser.pressAndWaitForNavigation("Enter")
            #expect(opened == expected, "Enter opened \(opened), not the chosen hit \(expected)")
        }
    }

    @Test func leftAndRightArrowKeysGoToThePreviousAndNextLessonButNotWhileTyping() throws {
        let site = try Self.built()
        let lessons = Array(site.pages.dropFirst())
        guard lessons.count >= 3 else { return }
        try Self.withBrowser { browser in
            try browser.navigate(Self.url(site, lessons[1]))
            let next = try browser.pressAndWaitForNavigation("ArrowRight")
            #expect(next.hasSuffix("/" + lessons[2]), "→ on \(lessons[1]) opened \(next)")
            let back = try browser.pressAndWaitForNavigation("ArrowLeft")
            #expect(back.hasSuffix("/" + lessons[1]), "← on \(lessons[2]) opened \(back)")
            // In the search box the arrows move the caret.
            try browser.evaluate("document.getElementById('search-input').focus()")
            try browser.press("ArrowRight")
            try browser.drain(milliseconds: 400)
            let still: String = try browser.value("location.href")
            #expect(still.hasSuffix("/" + lessons[1]), "→ while typing in the search box left the page: \(still)")
        }
    }

    @Test func chineseTextInTheProseIsMarkedLangZh() throws {
        let site = try Self.built()
        try Self.withBrowser { browser in
            var marked = 0
            for page in site.pages {
                try browser.navigate(Self.url(site, page))
                // Every Han character of the prose (not code) is inside an element with lang="zh".
                let counts: [Int] = try browser.value("""
                    (() => {
                      const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
                      let inside = 0, outside = 0;
                      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                        if (n.parentElement.closest('pre, code, script, math, svg')) continue;
                        const han = (n.textContent.match(/[\\u4e00-\\u9fff]/g) || []).length;
                        if (n.parentElement.closest('[lang="zh"]')) inside += han; else outside += han;
                      }
                      return [inside, outside];
                    })()
                    """)
                #expect(counts[1] == 0, "\(page): \(counts[1]) Chinese characters outside lang=\"zh\"")
                marked += counts[0]
            }
            if site.course.hasPrefix("the repository") { #expect(marked > 100, "the study note's quotations should be marked lang=\"zh\"") }
        }
    }
}
