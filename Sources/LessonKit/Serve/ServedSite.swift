// ServedSite: what `serve` answers with, kept in memory (the site folder is never written). The
// files are Render's (path -> bytes), a generation counts the rebuilds, and the open pages' event
// streams hear of each new one. Also the mapping of a request path to a file (nothing outside the
// rendered site is ever served), the content types, and the two extra tags a served page gets.

import Foundation

package final class ServedSite: @unchecked Sendable {
    /// Paths under this prefix are serve's own (live-reload script, draft styles, the event stream).
    package static let prefix = "_serve/"
    package static let eventsPath = prefix + "events"

    private let lock = NSLock()
    private var files: [String: Data] = [:]
    private var generation = 0
    private var listeners: [Int: @Sendable (Int) -> Void] = [:]
    private var nextListener = 0

    package init() {}

    /// Serve's own files: the reload script and the draft styles.
    static let own: [String: Data] = [
        prefix + "live.js": Data(FrontEnd.liveReloadScript.utf8),
        prefix + "draft.css": Data(FrontEnd.draftCSS.utf8),
    ]

    /// Replaces the site; every open page hears the new generation.
    package func publish(_ site: [String: Data]) {
        let (g, hearers) = lock.withLock { () -> (Int, [@Sendable (Int) -> Void]) in
            files = site
            generation += 1
            return (generation, Array(listeners.values))
        }
        for h in hearers { h(g) }
    }

    package var currentGeneration: Int { lock.withLock { generation } }

    /// Calls `hear` with each new generation until `stopListening` is called with the returned id.
    package func listen(_ hear: @escaping @Sendable (Int) -> Void) -> (id: Int, generation: Int) {
        lock.withLock {
            nextListener += 1
            listeners[nextListener] = hear
            return (nextListener, generation)
        }
    }

    package func stopListening(_ id: Int) { lock.withLock { _ = listeners.removeValue(forKey: id) } }
    package var listenerCount: Int { lock.withLock { listeners.count } }

    /// The response to a GET of `target` (the request's raw path, percent-encoded as sent).
    package func response(for target: String) -> (status: Int, contentType: String, body: Data) {
        let (files, generation) = lock.withLock { (self.files, self.generation) }
        if generation == 0 && !target.hasPrefix("/" + Self.prefix) {
            // Before the first build: a page that reloads itself when the site is there.
            return (503, "text/html; charset=utf-8", Data(Self.inject(Self.message("Building the course",
                "<p>The lessons are being compiled and run; this page reloads when they are done.</p>\n"), generation: 0).utf8))
        }
        guard let name = Self.file(forTarget: target, in: files) else {
            return (404, "text/html; charset=utf-8", Data(Self.notFoundPage(target).utf8))
        }
        let type = Self.contentType(name)
        var body = files[name] ?? Self.own[name]!
        if name.hasSuffix(".html") { body = Data(Self.inject(String(decoding: body, as: UTF8.self), generation: generation).utf8) }
        return (200, type, body)
    }

    /// The site file a request path names, or nil (404). `/` is `index.html`, `/x/` is `x/index.html`,
    /// `/01-intro` is `01-intro.html` when there is such a page. Percent-escapes are decoded once; a
    /// `.` or `..` segment, an empty one (`//`), a backslash or a NUL names nothing.
    package static func file(forTarget target: String, in files: [String: Data]) -> String? {
        var path = Substring(target)
        if let q = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<q] }
        guard path.hasPrefix("/"), let decoded = String(path.dropFirst()).removingPercentEncoding else { return nil }
        var name = decoded
        if name.isEmpty || name.hasSuffix("/") { name += "index.html" }
        let segments = name.split(separator: "/", omittingEmptySubsequences: false)
        guard !segments.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }),
              !name.contains("\\"), !name.contains("\0") else { return nil }
        if files[name] != nil || own[name] != nil { return name }
        if files[name + ".html"] != nil { return name + ".html" }
        return nil
    }

    package static func contentType(_ name: String) -> String {
        switch (name as NSString).pathExtension.lowercased() {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "json": "application/json"
        case "svg": "image/svg+xml"
        case "woff2": "font/woff2"
        case "woff": "font/woff"
        case "otf": "font/otf"
        case "ttf": "font/ttf"
        case "png": "image/png"
        case "jpg", "jpeg": "image/jpeg"
        case "gif": "image/gif"
        case "txt": "text/plain; charset=utf-8"
        default: "application/octet-stream"
        }
    }

    /// A served page: the draft styles before `</head>`, the reload script (which knows the
    /// generation it was served at) before `</body>`. Built pages never get these.
    package static func inject(_ html: String, generation: Int) -> String {
        var html = html
        let style = "<link rel=\"stylesheet\" href=\"/\(prefix)draft.css\">\n"
        let script = "<script src=\"/\(prefix)live.js\" data-generation=\"\(generation)\"></script>\n"
        if let head = html.range(of: "</head>") { html.insert(contentsOf: style, at: head.lowerBound) }
        if let body = html.range(of: "</body>", options: .backwards) { html.insert(contentsOf: script, at: body.lowerBound) }
        else { html += script }
        return html
    }

    static func notFoundPage(_ target: String) -> String {
        message("Not found", "<p>No page of this course is at <code>\(Render.escape(target.visibleControls()))</code>. "
                + "<a href=\"/index.html\">All lessons</a>.</p>\n")
    }

    /// A page of serve's own in the site's layout (links made absolute: it may answer any path).
    static func message(_ title: String, _ html: String) -> String {
        let page = Render.render(Render.PageModel(pageTitle: title + " · " + Render.siteTitle, kind: "index",
                                                  body: "<h1>\(Render.escape(title))</h1>\n" + html, toc: []), "page")
        return page.replacingOccurrences(of: "href=\"style.css\"", with: "href=\"/style.css\"")
            .replacingOccurrences(of: "src=\"search-index.js\"", with: "src=\"/search-index.js\"")
            .replacingOccurrences(of: "src=\"site.js\"", with: "src=\"/site.js\"")
    }

    /// The draft site: Render's pages with the failures drawn in, pages for lessons that could not be
    /// read. `memo` keeps the pages of the last rebuild (only what changed is rendered again).
    package static func render(_ report: Report, settings: SiteSettings = .default, memo: PageMemo? = nil) -> [String: Data] {
        let draft = Draft(report.checks)
        var files = Render.site(report.runs, settings: settings, draft: draft, course: report.course, memo: memo)
        for (name, html) in draft.errorPages(report.runs, settings: settings) where files[name] == nil { files[name] = Data(html.utf8) }
        return files
    }
}
