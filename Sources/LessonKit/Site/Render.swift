// Render: verified LessonRuns -> the site's files (path -> bytes). Pages go through the Mustache
// templates in Resources/templates; the same runs always give the same bytes.

import LessonRuntime
import Foundation
import Mustache

public enum Render {
    public static let siteTitle = "ArcFace, computed"

    /// Every file of the site, keyed by path relative to the site folder. With a `draft` (`serve`
    /// only), failed checks are drawn on the pages (Serve/Draft.swift); without one, `build`'s bytes.
    /// `course` (default: the runs' lessons) is what the sidebar lists and the pager walks. A `memo`
    /// (`serve` only) hands back a lesson's page, downloads and search entries when nothing they are
    /// made of changed, so a prose edit renders one page; the bytes are the same either way.
    public static func site(_ runs: [LessonRun], settings: SiteSettings = .default, draft: Draft? = nil,
                            course: [Lesson]? = nil, memo: PageMemo? = nil) -> [String: Data] {
        var files: [String: Data] = [
            "style.css": Data(FrontEnd.styleCSS(settings.theme).utf8),
            "site.js": Data(FrontEnd.siteJS(settings.theme).utf8),
            "index.html": Data(index(runs.map(\.lesson), settings: settings, banner: draft?.indexBanner(runs) ?? "").utf8),
            Site.stamp: Data(Site.stampText.utf8),
        ]
        for (name, data) in Assets.files { files[name] = data }
        let lessons = course ?? runs.map(\.lesson)
        var search: [Search.Entry] = []
        for run in runs {
            let i = lessons.firstIndex { $0.path == run.lesson.path }
            let prev = i.flatMap { $0 > 0 ? lessons[$0 - 1] : nil }
            let next = i.flatMap { $0 + 1 < lessons.count ? lessons[$0 + 1] : nil }
            func render() -> PageMemo.Files {
                PageMemo.Files(page: Data(page(run, previous: prev, next: next, course: lessons, settings: settings, draft: draft).utf8),
                               downloads: downloads(run.lesson).map { ($0.path, Data($0.text.utf8)) },
                               search: Search.entries(run))
            }
            let rendered = memo?.files(run.lesson.slug, PageMemo.Key(run, previous: prev, next: next, course: lessons,
                                                                     settings: settings, draft: draft), render) ?? render()
            files[run.lesson.slug + ".html"] = rendered.page
            for (path, data) in rendered.downloads { files[path] = data }
            search += rendered.search
            // The lesson's images, at the path its page links them by (verify checked each one).
            let folder = (run.lesson.path as NSString).deletingLastPathComponent
            for image in Links.images(of: run.lesson) where !Links.isReserved(image.path) {
                if let data = FileManager.default.contents(atPath: (folder.isEmpty ? "." : folder) + "/" + image.path) { files[image.path] = data }
            }
        }
        files["search-index.js"] = Data(Search.script(search).utf8)
        memo?.keep(Set(runs.map(\.lesson.slug)))
        return files
    }

    /// Files every page needs, the same for any selection: a partial build refreshes them too.
    static let sharedFiles: Set<String> = ["style.css", "site.js", Site.stamp]

    // MARK: Downloads

    /// A lesson's take-away files: its Markdown and its cells as one Swift program.
    static func downloads(_ lesson: Lesson) -> [(path: String, text: String)] {
        [(downloadPath(lesson, "md"), lesson.source), (downloadPath(lesson, "swift"), Program.standalone(for: lesson))]
    }

    static func downloadPath(_ lesson: Lesson, _ ext: String) -> String { "downloads/\(lesson.slug).\(ext)" }

    /// How to compile and run the downloaded program: `$R` is a checkout of arcface-lessons where
    /// `swift build` ran, `$K` the folder where it put libArcFaceKit.so (ArcFaceKit's C module map
    /// comes from the sources).
    static func compileCommand(_ lesson: Lesson) -> String {
        Program.compileCommand(slug: lesson.slug)
    }

    // MARK: Templates

    struct PageLink { var href: String; var title: String }
    struct SidebarEntry { var href: String; var number: Int; var title: String; var current: Bool }
    struct Downloads { var markdown: String; var markdownName: String; var program: String; var programName: String; var compile: String; var repl: String }
    struct TocEntry { var level: Int; var id: String; var text: String }
    /// What the page template sees. Stored properties only: Mustache reads values by reflection.
    struct PageModel {
        var pageTitle: String
        var siteTitle = Render.siteTitle
        var language = "en"
        var author: String?
        var repository: String?
        var kind: String
        var body: String
        var toc: [TocEntry]
        var hasToc: Bool
        var previous: PageLink?
        var next: PageLink?
        var hasPager: Bool
        /// The lesson's slug (`04-margin`), for the REPL commands the page shows; nil on the index.
        var slug: String?
        /// The course, for the sidebar (lesson pages only).
        var lessons: [SidebarEntry]
        var hasSidebar: Bool
        var downloads: Downloads?
        /// The lesson has checked Python cells (the footer says who checks them).
        var hasPython = false

        init(pageTitle: String, kind: String, body: String, toc: [TocEntry], previous: PageLink? = nil, next: PageLink? = nil,
             slug: String? = nil, lessons: [SidebarEntry] = [], downloads: Downloads? = nil) {
            (self.pageTitle, self.kind, self.body, self.toc) = (pageTitle, kind, body, toc)
            (self.previous, self.next) = (previous, next)
            (self.slug, self.lessons, self.downloads) = (slug, lessons, downloads)
            hasToc = !toc.isEmpty
            hasPager = previous != nil || next != nil
            hasSidebar = !lessons.isEmpty
            if hasToc { self.kind += " has-toc" }
            if hasSidebar { self.kind += " has-sidebar" }
        }
    }
    struct IndexEntry { var href: String; var number: Int; var title: String; var summary: String? }
    struct IndexModel { var siteTitle = Render.siteTitle; var lead: String?; var lessons: [IndexEntry] }

    static let templateNames = ["page", "index"]

    /// The built-in templates' text, from the module's resources.
    static let builtInTemplates: [String: String] = Dictionary(uniqueKeysWithValues: templateNames.map { name in
        guard let url = Bundle.module.url(forResource: name, withExtension: "mustache", subdirectory: "Resources/templates"),
              let text = try? String(contentsOf: url, encoding: .utf8) else {
            preconditionFailure("template \(name).mustache is missing from LessonKit's resources")
        }
        return (name, text)
    })

    /// The templates, with a theme's in place of the built-in ones (Theme.load checked that they parse).
    static func library(_ theme: Theme?) throws -> MustacheLibrary {
        var library = MustacheLibrary()
        for name in templateNames {
            try library.register(theme?.files["templates/\(name).mustache"] ?? builtInTemplates[name]!, named: name)
        }
        return library
    }

    static let templates: MustacheLibrary = {
        do { return try library(nil) } catch { preconditionFailure("built-in templates: \(error)") }
    }()

    static func render(_ model: Any, _ template: String, _ settings: SiteSettings = .default) -> String {
        settings.templates.render(model, withTemplate: template) ?? ""
    }

    /// The settings every page shows (title, language, author, repository).
    static func pageModel(_ model: PageModel, _ settings: SiteSettings) -> PageModel {
        var m = model
        (m.siteTitle, m.language, m.author, m.repository) = (settings.title, settings.language, settings.author, settings.repository)
        return m
    }

    static func index(_ lessons: [Lesson], settings: SiteSettings = .default, banner: String = "") -> String {
        let body = banner + render(IndexModel(siteTitle: settings.title, lead: settings.leadHTML, lessons: lessons.map {
            IndexEntry(href: $0.slug + ".html", number: $0.number, title: $0.title, summary: $0.options.summary)
        }), "index", settings)
        return render(pageModel(PageModel(pageTitle: settings.title, kind: "index", body: body, toc: []), settings), "page", settings)
    }

    static func page(_ run: LessonRun, previous: Lesson?, next: Lesson?, course: [Lesson] = [], settings: SiteSettings = .default,
                     draft: Draft? = nil) -> String {
        let lesson = run.lesson
        let numbering = Numbering(run)
        var subs = Markdown.Substitutions()
        // One colour per series name across the lesson's plots.
        let colours = Plots.colours(for: Plots.plots(in: run.cells.flatMap { $0.segments.compactMap {
            if case .rich(let r) = $0 { r } else { nil }
        } }))
        for cell in lesson.pythonCells {
            subs.blocks[cell.fenceLine] = cell.attributes.hide ? "" : pythonCell(cell)
            if let e = cell.expected { subs.blocks[e.fenceLine] = "" }
        }
        for (cell, result) in zip(lesson.cells, run.cells) {
            subs.blocks[cell.fenceLine] = cell.attributes.solution
                ? solution(cell, result, lesson.exercises.first { $0.solutionIndex == cell.index }, colours: colours)
                : self.cell(cell, result, numbering: numbering, colours: colours)
            if let e = cell.expected { subs.blocks[e.fenceLine] = "" }
            if let l = cell.pairedListing {
                subs.blocks[l.line] = ""
                if let e = l.expected { subs.blocks[e.fenceLine] = "" }
            }
        }
        subs.inline = lesson.inlineExpressions.enumerated().map { k, e in inlineValue(e, run.inline[k]) }
        subs.rawHTML = lesson.options.rawHTML
        subs.math = lesson.math.map { CrossReferences.equation($0, numbering) }
        subs.references = lesson.references.map { CrossReferences.reference($0, numbering, run.bibliography) }
        subs.link = Links.rewrite
        subs.listing = { info, code in listing(info, code) }
        let marks = draft?.mark(&subs, run) ?? []
        var body = Lang.mark(Markdown.html(lesson.markdown, subs))
        let outline = Markdown.outline(lesson.markdown)
        if !outline.headings.contains(where: { $0.level == 1 }) {
            // The title came from the front matter: the page still opens with it.
            body = "<h1>\(escape(lesson.title))</h1>\n" + body
        }
        body = Draft.banner(marks, notRun: draft?.notRun[lesson.path] ?? 0) + body
        var toc = outline.headings.filter { $0.level == 2 || $0.level == 3 }.map {
            TocEntry(level: $0.level, id: $0.id, text: CrossReferences.plain(MathSpans.restore($0.text, lesson.math), lesson, numbering))
        }
        if let list = CrossReferences.list(numbering, run.bibliography, taken: Set(outline.headings.map(\.id))) {
            body += list.html
            toc.append(TocEntry(level: 2, id: list.id, text: "References"))
        }
        let downloads = Downloads(markdown: downloadPath(lesson, "md"), markdownName: lesson.slug + ".md",
                                  program: downloadPath(lesson, "swift"), programName: lesson.slug + ".swift",
                                  compile: compileCommand(lesson), repl: "arcface-lessons repl \(lesson.slug)")
        let sidebar = (course.isEmpty ? [lesson] : course).map {
            SidebarEntry(href: $0.slug + ".html", number: $0.number, title: $0.title, current: $0.slug == lesson.slug)
        }
        var model = PageModel(pageTitle: lesson.title + " · " + settings.title, kind: "lesson", body: body, toc: toc,
                              previous: previous.map { PageLink(href: $0.slug + ".html", title: $0.title) },
                              next: next.map { PageLink(href: $0.slug + ".html", title: $0.title) },
                              slug: lesson.slug, lessons: sidebar, downloads: downloads)
        model.hasPython = !lesson.pythonCells.isEmpty
        return render(pageModel(model, settings), "page", settings)
    }

    // MARK: Pieces

    /// A fenced listing in another language, highlighted when the language is known.
    static func listing(_ info: String, _ code: String) -> String? {
        let words = info.split(whereSeparator: \.isWhitespace).map(String.init)
        guard words.first == "python" || words.first == "py" else { return nil }
        let html = "<pre class=\"listing\"><code class=\"language-python\">\(Highlight.html(code, language: "python"))</code></pre>\n"
        return words.contains("fold") ? CrossReferences.folded(html) : html
    }

    /// A checked Python cell: its code and the ```output block `verify --python` compared it with.
    static func pythonCell(_ cell: PythonCell) -> String {
        var code = "<pre class=\"listing\"><code class=\"language-python\">\(Highlight.html(cell.code, language: "python"))</code></pre>\n"
        if cell.attributes.fold { code = CrossReferences.folded(code) }
        return "<div class=\"cell python\">\n<p class=\"side-label\">PyTorch</p>\n" + code
            + pythonOutput(cell.expected, raises: cell.attributes.raises) + "</div>\n"
    }

    static func pythonOutput(_ expected: Expectation?, raises: Bool = false) -> String {
        guard let e = expected, !e.text.allSatisfy(\.isWhitespace) else { return "" }
        let text = Compare.lines(e.text).joined(separator: "\n")
        return "<div class=\"outputs\">\n<pre class=\"output\(raises ? " trap" : "")\">\(escape(text))</pre>\n</div>\n"
    }

    /// A `{swift}` value in the prose: the written value when it is a checked one (`~ 0.4558`),
    /// else the computed one; the expression is in the title.
    static func inlineValue(_ e: InlineExpression, _ outcome: InlineOutcome?) -> String {
        let shown: String
        switch (e.expected, outcome) {
        case (let written?, _): shown = written
        case (nil, .value(let v)?): shown = v
        default: shown = "?"
        }
        let kind = e.expected == nil ? "value" : "value checked"
        return "<span class=\"\(kind)\" title=\"computed: \(escape(e.code))\">\(escape(shown))</span>"
    }

    static func cell(_ cell: Cell, _ result: CellResult, numbering: Numbering? = nil, colours: Plots.Colours = [:]) -> String {
        var code = ""
        if !cell.attributes.hide {
            code = "<pre class=\"code\"><code class=\"language-swift\">\(Highlight.html(cell.code, language: "swift"))</code></pre>\n"
            if cell.attributes.fold { code = CrossReferences.folded(code) }
        }
        var out = ""
        if !cell.attributes.hideOutput {
            for segment in result.segments {
                switch segment {
                case .text(let t) where !t.allSatisfy(\.isWhitespace):
                    let trimmed = Compare.lines(t).joined(separator: "\n")
                    out += "<pre class=\"output\(cell.attributes.traps ? " trap" : "")\">\(escape(trimmed))</pre>\n"
                case .rich(.table(let table)): out += CrossReferences.numbered(self.table(table), table.label, numbering)
                case .rich(.plot(let plot)): out += CrossReferences.numbered(Plots.svg(plot, colours: colours), plot.label, numbering)
                case .rich(.slider(let slider)): out += CrossReferences.numbered(Plots.slider(slider, colours: colours), slider.label, numbering)
                default: break
                }
            }
        }
        let outputs = out.isEmpty ? "" : "<div class=\"outputs\">\n\(out)</div>\n"
        if let listing = cell.pairedListing {
            var left = "<pre class=\"listing\"><code class=\"language-\(escape(listing.language))\">\(Highlight.html(listing.code, language: listing.language))</code></pre>\n"
            // A checked Python cell's output: once, under both sides, when the Swift prints the same.
            if let p = listing.expected, Compare.lines(p.text) != Compare.lines(cell.expected?.text ?? "") { left += pythonOutput(p) }
            return "<div class=\"cell pair\" id=\"cell-\(cell.index + 1)\">\n<div class=\"side torch\"><p class=\"side-label\">PyTorch</p>\n\(left)</div>\n"
                + "<div class=\"side swift\"><p class=\"side-label\">Swift</p>\n\(code)</div>\n</div>\n" + outputs
        }
        return "<div class=\"cell\" id=\"cell-\(cell.index + 1)\">\n" + code + outputs + "</div>\n"
    }

    /// An exercise's solution: collapsed, the cell (code and checked output) inside.
    static func solution(_ cell: Cell, _ result: CellResult, _ exercise: Exercise?, colours: Plots.Colours = [:]) -> String {
        let label = exercise.map { "Solution to exercise \($0.number)" } ?? "Solution"
        return "<details class=\"solution\">\n<summary>\(label)</summary>\n" + self.cell(cell, result, colours: colours) + "</details>\n"
    }

    static func table(_ t: Table) -> String {
        var html = "<div class=\"table-wrap\"><table class=\"result\">\n"
        if !t.caption.isEmpty { html += "<caption>\(escape(t.caption))</caption>\n" }
        html += "<thead><tr>" + t.columns.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for row in t.rows {
            html += "<tr>" + row.map { value in
                isNumber(value) ? "<td class=\"num\">\(escape(value))</td>" : "<td>\(escape(value))</td>"
            }.joined() + "</tr>\n"
        }
        return html + "</tbody>\n</table></div>\n"
    }

    /// Numeric cells are right-aligned.
    static func isNumber(_ value: String) -> Bool {
        let t = Compare.tokens(value.trimmingCharacters(in: .whitespaces))
        if t.count == 1, case .number = t[0] { return true }
        return false
    }

    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }
}

/// Files shipped with every site: the math font (Latin Modern Math, GUST font licence) and its licence.
enum Assets {
    static let files: [String: Data] = {
        var files: [String: Data] = [:]
        for (name, ext) in [("latinmodern-math", "otf"), ("LICENSE-latinmodern-math", "txt")] {
            guard let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Resources/fonts"),
                  let data = try? Data(contentsOf: url) else {
                preconditionFailure("\(name).\(ext) is missing from LessonKit's resources")
            }
            files["fonts/\(name).\(ext)"] = data
        }
        return files
    }()
}
