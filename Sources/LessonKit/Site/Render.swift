// Render: verified LessonRuns -> the site's files (path -> bytes). Pages go through the Mustache
// templates in Resources/templates; the same runs always give the same bytes.

import LessonRuntime
import Foundation
import Mustache

public enum Render {
    public static let siteTitle = "ArcFace, computed"

    /// Every file of the site, keyed by path relative to the site folder. With a `draft` (`serve`
    /// only), failed checks are drawn on the pages (Serve/Draft.swift); without one, `build`'s bytes.
    public static func site(_ runs: [LessonRun], draft: Draft? = nil) -> [String: Data] {
        var files: [String: Data] = [
            "style.css": Data((FrontEnd.themeCSS + FrontEnd.plotsCSS + FrontEnd.exercisesCSS).utf8),
            "site.js": Data((FrontEnd.searchScript + FrontEnd.sliderScript).utf8),
            "index.html": Data(index(runs.map(\.lesson), banner: draft?.indexBanner(runs) ?? "").utf8),
            "search-index.js": Data(Search.index(runs).utf8),
            Site.stamp: Data(Site.stampText.utf8),
        ]
        for (name, data) in Assets.files { files[name] = data }
        for (i, run) in runs.enumerated() {
            let prev = i > 0 ? runs[i - 1].lesson : nil
            let next = i + 1 < runs.count ? runs[i + 1].lesson : nil
            files[run.lesson.slug + ".html"] = Data(page(run, previous: prev, next: next, draft: draft).utf8)
        }
        return files
    }

    // MARK: Templates

    struct PageLink { var href: String; var title: String }
    struct TocEntry { var level: Int; var id: String; var text: String }
    /// What the page template sees. Stored properties only: Mustache reads values by reflection.
    struct PageModel {
        var pageTitle: String
        var siteTitle = Render.siteTitle
        var kind: String
        var body: String
        var toc: [TocEntry]
        var hasToc: Bool
        var previous: PageLink?
        var next: PageLink?
        var hasPager: Bool

        init(pageTitle: String, kind: String, body: String, toc: [TocEntry], previous: PageLink? = nil, next: PageLink? = nil) {
            (self.pageTitle, self.kind, self.body, self.toc) = (pageTitle, kind, body, toc)
            (self.previous, self.next) = (previous, next)
            hasToc = !toc.isEmpty
            hasPager = previous != nil || next != nil
            if hasToc { self.kind += " has-toc" }
        }
    }
    struct IndexEntry { var href: String; var number: Int; var title: String; var summary: String? }
    struct IndexModel { var siteTitle = Render.siteTitle; var lessons: [IndexEntry] }

    /// The templates, loaded once from the module's resources.
    static let templates: MustacheLibrary = {
        var library = MustacheLibrary()
        for name in ["page", "index"] {
            guard let url = Bundle.module.url(forResource: name, withExtension: "mustache", subdirectory: "Resources/templates"),
                  let text = try? String(contentsOf: url, encoding: .utf8) else {
                preconditionFailure("template \(name).mustache is missing from LessonKit's resources")
            }
            do { try library.register(text, named: name) } catch { preconditionFailure("template \(name): \(error)") }
        }
        return library
    }()

    static func render(_ model: Any, _ template: String) -> String {
        templates.render(model, withTemplate: template) ?? ""
    }

    static func index(_ lessons: [Lesson], banner: String = "") -> String {
        let body = banner + render(IndexModel(lessons: lessons.map {
            IndexEntry(href: $0.slug + ".html", number: $0.number, title: $0.title, summary: $0.options.summary)
        }), "index")
        return render(PageModel(pageTitle: siteTitle, kind: "index", body: body, toc: []), "page")
    }

    static func page(_ run: LessonRun, previous: Lesson?, next: Lesson?, draft: Draft? = nil) -> String {
        let lesson = run.lesson
        var subs = Markdown.Substitutions()
        for (cell, result) in zip(lesson.cells, run.cells) {
            subs.blocks[cell.fenceLine] = cell.attributes.solution
                ? solution(cell, result, lesson.exercises.first { $0.solutionIndex == cell.index })
                : self.cell(cell, result)
            if let e = cell.expected { subs.blocks[e.fenceLine] = "" }
            if let l = cell.pairedListing { subs.blocks[l.line] = "" }
        }
        subs.inline = lesson.inlineExpressions.enumerated().map { k, e in inlineValue(e, run.inline[k]) }
        subs.rawHTML = lesson.options.rawHTML
        subs.math = lesson.math.map(\.mathML)
        subs.link = Links.rewrite
        subs.listing = { info, code in listing(info, code) }
        let marks = draft?.mark(&subs, run) ?? []
        var body = Markdown.html(lesson.markdown, subs)
        let outline = Markdown.outline(lesson.markdown)
        if !outline.headings.contains(where: { $0.level == 1 }) {
            // The title came from the front matter: the page still opens with it.
            body = "<h1>\(escape(lesson.title))</h1>\n" + body
        }
        body = Draft.banner(marks, notRun: draft?.notRun[lesson.path] ?? 0) + body
        let toc = outline.headings.filter { $0.level == 2 || $0.level == 3 }.map {
            TocEntry(level: $0.level, id: $0.id, text: MathSpans.restore($0.text, lesson.math))
        }
        return render(PageModel(pageTitle: lesson.title + " · " + siteTitle, kind: "lesson", body: body, toc: toc,
                                previous: previous.map { PageLink(href: $0.slug + ".html", title: $0.title) },
                                next: next.map { PageLink(href: $0.slug + ".html", title: $0.title) }), "page")
    }

    // MARK: Pieces

    /// A fenced listing in another language, highlighted when the language is known.
    static func listing(_ info: String, _ code: String) -> String? {
        let language = info.split(whereSeparator: \.isWhitespace).first.map(String.init) ?? ""
        guard language == "python" || language == "py" else { return nil }
        return "<pre class=\"listing\"><code class=\"language-python\">\(Highlight.html(code, language: "python"))</code></pre>\n"
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

    static func cell(_ cell: Cell, _ result: CellResult) -> String {
        var code = ""
        if !cell.attributes.hide {
            code = "<pre class=\"code\"><code class=\"language-swift\">\(Highlight.html(cell.code, language: "swift"))</code></pre>\n"
        }
        var out = ""
        if !cell.attributes.hideOutput {
            for segment in result.segments {
                switch segment {
                case .text(let t) where !t.allSatisfy(\.isWhitespace):
                    let trimmed = Compare.lines(t).joined(separator: "\n")
                    out += "<pre class=\"output\(cell.attributes.traps ? " trap" : "")\">\(escape(trimmed))</pre>\n"
                case .rich(.table(let table)): out += self.table(table)
                case .rich(.plot(let plot)): out += Plots.svg(plot)
                case .rich(.slider(let slider)): out += Plots.slider(slider)
                default: break
                }
            }
        }
        let outputs = out.isEmpty ? "" : "<div class=\"outputs\">\n\(out)</div>\n"
        if let listing = cell.pairedListing {
            let left = "<pre class=\"listing\"><code class=\"language-\(escape(listing.language))\">\(Highlight.html(listing.code, language: listing.language))</code></pre>\n"
            return "<div class=\"cell pair\" id=\"cell-\(cell.index + 1)\">\n<div class=\"side torch\"><p class=\"side-label\">PyTorch</p>\n\(left)</div>\n"
                + "<div class=\"side swift\"><p class=\"side-label\">Swift</p>\n\(code)</div>\n</div>\n" + outputs
        }
        return "<div class=\"cell\" id=\"cell-\(cell.index + 1)\">\n" + code + outputs + "</div>\n"
    }

    /// An exercise's solution: collapsed, the cell (code and checked output) inside.
    static func solution(_ cell: Cell, _ result: CellResult, _ exercise: Exercise?) -> String {
        let label = exercise.map { "Solution to exercise \($0.number)" } ?? "Solution"
        return "<details class=\"solution\">\n<summary>\(label)</summary>\n" + self.cell(cell, result) + "</details>\n"
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
