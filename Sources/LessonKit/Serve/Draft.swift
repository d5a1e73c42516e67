// Draft: `serve`'s pages show what failed instead of refusing to render. Each failed check is drawn
// where it is (after its cell, or at its prose value: expected vs got, file:line:col) and a banner
// at the top of the page lists them all with links. `build` never passes a Draft, so its bytes are
// those of Render alone; a Draft with no failures changes nothing either.

import Foundation

public struct Draft: Sendable {
    /// The failed checks, in report order.
    public var failures: [Check]

    /// Per lesson file, how many checks did not run (an earlier failure stopped the lesson).
    var notRun: [String: Int] = [:]

    public init(_ checks: [Check]) {
        failures = checks.filter { $0.status == .failed }
        for c in checks where c.status == .notRun { notRun[c.file, default: 0] += 1 }
    }

    /// One failure as placed on its page: its anchor (`draft-3`) and where it was drawn.
    struct Mark {
        enum Place { case cell(Int), value(Int), page }
        var check: Check
        var id: String
        var place: Place
    }

    /// The failures of one lesson, numbered in line order and placed at their cell or value.
    static func marks(_ lesson: Lesson, _ failures: [Check]) -> [Mark] {
        let inline = lesson.inlineExpressions
        return failures.filter { $0.file == lesson.path }.enumerated().map { k, check in
            let column = check.diagnostic?.column ?? 1
            let place: Mark.Place
            if let v = inline.firstIndex(where: { $0.line == check.line && $0.column == column && check.name.hasPrefix("value at ") }) {
                place = .value(v)
            } else if let c = lesson.cells.first(where: { covers($0, check.line) }) {
                place = .cell(c.index)
            } else {
                place = .page
            }
            return Mark(check: check, id: "draft-\(k + 1)", place: place)
        }
    }

    /// The cell's fences, its code, and its ```output block (whose lines a mismatch names).
    static func covers(_ cell: Cell, _ line: Int) -> Bool {
        if (cell.fenceLine...cell.endLine).contains(line) { return true }
        guard let e = cell.expected else { return false }
        let lines = e.text.split(separator: "\n", omittingEmptySubsequences: false).count
        return (e.fenceLine...(e.textLine + lines)).contains(line)
    }

    /// Adds the marks to a page's substitutions: a box after each failing cell, the value wrapped.
    func mark(_ subs: inout Markdown.Substitutions, _ run: LessonRun) -> [Mark] {
        let lesson = run.lesson
        let marks = Self.marks(lesson, failures)
        for m in marks {
            switch m.place {
            case .cell(let i):
                let cell = lesson.cells[i]
                let result = i < run.cells.count ? run.cells[i] : nil
                subs.blocks[cell.fenceLine, default: ""] += Self.box(m, cell: cell, result: result)
            case .value(let k) where k < subs.inline.count:
                // Spans only: a value may sit in a link's text or a heading.
                subs.inline[k] = "<mark class=\"draft-fail\" id=\"\(m.id)\">" + subs.inline[k]
                    + " <span class=\"draft-got\">\(Render.escape(Self.short(m.check)))</span>"
                    + " <span class=\"draft-where\">\(Render.escape(Self.location(m.check)))</span></mark>"
            default: break
            }
        }
        return marks
    }

    /// The box drawn after a failing cell: where, what, and for an output mismatch the expected and the actual text.
    static func box(_ m: Mark, cell: Cell, result: CellResult?) -> String {
        var html = "<div class=\"draft-fail draft-box\" id=\"\(m.id)\" role=\"note\">\n"
        html += "<p class=\"draft-title\"><a class=\"draft-where\" href=\"#\(m.id)\">\(Render.escape(location(m.check)))</a> "
            + "\(Render.escape(m.check.name))</p>\n"
        html += "<pre class=\"draft-message\">\(Render.escape(message(m.check)))</pre>\n"
        if m.check.name.hasPrefix("output of cell"), let e = cell.expected, let result, result.outcome == .completed {
            html += "<div class=\"draft-compare\">\n<div><p>expected</p><pre>\(Render.escape(e.text))</pre></div>\n"
                + "<div><p>got</p><pre>\(Render.escape(Compare.lines(result.checkedText).joined(separator: "\n")))</pre></div>\n</div>\n"
        }
        return html + "</div>\n"
    }

    /// The banner at the top of a page: every failure of the page, linked to where it is drawn.
    static func banner(_ marks: [Mark], notRun: Int = 0) -> String {
        banner(marks.map { m in
            if case .page = m.place { return (m.check, nil) }
            return (m.check, "#" + m.id)
        }, notRun: notRun)
    }

    static func banner(_ items: [(check: Check, href: String?)], notRun: Int = 0) -> String {
        guard !items.isEmpty else { return "" }
        let n = items.count
        var html = "<section class=\"draft-banner\" role=\"alert\" aria-label=\"Failing checks\">\n"
        html += "<p><strong>\(n) check\(n == 1 ? "" : "s") failed</strong>: a draft, shown by <code>arcface-lessons serve</code>; "
            + "<code>build</code> writes no site until every check passes.</p>\n<ol>\n"
        for (check, href) in items {
            let place = Render.escape(location(check))
            html += "<li>" + (href.map { "<a href=\"\(Render.escape($0))\">\(place)</a>" } ?? place)
                + ": \(Render.escape(short(check)))</li>\n"
        }
        html += "</ol>\n"
        if notRun > 0 { html += "<p class=\"draft-not-run\">\(notRun) check\(notRun == 1 ? "" : "s") after a failure did not run.</p>\n" }
        return html + "</section>\n"
    }

    /// The index's banner: every failure of the course, linked to where its page draws it.
    func indexBanner(_ runs: [LessonRun]) -> String {
        guard !failures.isEmpty else { return "" }
        var items: [(check: Check, href: String?)] = []
        var seen = Set<String>()
        for run in runs {
            seen.insert(run.lesson.path)
            for m in Self.marks(run.lesson, failures) {
                if case .page = m.place { items.append((m.check, run.lesson.slug + ".html")) }
                else { items.append((m.check, run.lesson.slug + ".html#" + m.id)) }
            }
        }
        // A lesson that did not load or parse has no run: its failures link to its error page.
        for c in failures where !seen.contains(c.file) {
            items.append((c, Self.slug(c.file).map { $0 + ".html" }))
        }
        return Self.banner(items, notRun: notRun.values.reduce(0, +))
    }

    /// Pages for lessons that failed before they could run (they did not load or parse): the banner alone.
    func errorPages(_ runs: [LessonRun], settings: SiteSettings = .default) -> [String: String] {
        let rendered = Set(runs.map(\.lesson.path))
        var byFile: [String: [Check]] = [:]
        for c in failures where !rendered.contains(c.file) && Self.slug(c.file) != nil { byFile[c.file, default: []].append(c) }
        var pages: [String: String] = [:]
        for (file, checks) in byFile {
            let slug = Self.slug(file)!
            let marks = checks.enumerated().map { Mark(check: $1, id: "draft-\($0 + 1)", place: .page) }
            let body = Self.banner(marks) + "<h1>\(Render.escape((file as NSString).lastPathComponent))</h1>\n"
                + "<p>This lesson could not be read; fix the errors above.</p>\n"
            let model = Render.PageModel(pageTitle: slug + " · " + settings.title, kind: "lesson", body: body, toc: [])
            pages[slug + ".html"] = Render.render(Render.pageModel(model, settings), "page", settings)
        }
        return pages
    }

    /// `lessons/01-x.md` -> `01-x`; nil for what is not a lesson file (course.yml).
    static func slug(_ file: String) -> String? {
        let name = (file as NSString).lastPathComponent
        guard name.hasSuffix(".md") else { return nil }
        return String(name.dropLast(3))
    }

    static func location(_ c: Check) -> String {
        "\(c.file):\(c.line):\(c.diagnostic?.column ?? 1)"
    }

    static func message(_ c: Check) -> String {
        guard let d = c.diagnostic else { return c.name }
        return d.message.visibleControls(keeping: ["\n"]) + (d.hint.map { "\nhint: " + $0 } ?? "")
    }

    /// The first line of the message (the banner's and a prose value's).
    static func short(_ c: Check) -> String {
        let m = c.diagnostic?.message ?? c.name
        return String(m.split(separator: "\n", maxSplits: 1).first ?? "").visibleControls()
    }
}
