// Links: every link between lessons must reach a page and an anchor that exist; `.md` targets are
// rewritten to the `.html` pages the site has.

import Foundation

enum Links {
    /// `02-softmax.md#x` -> `02-softmax.html#x`; other links unchanged.
    static func rewrite(_ url: String) -> String {
        guard isInternal(url) else { return url }
        let (path, fragment) = split(url)
        guard path.hasSuffix(".md") else { return url }
        return String(path.dropLast(3)) + ".html" + (fragment.map { "#" + $0 } ?? "")
    }

    /// A link to a page of the course (or an anchor of this one): no scheme, not `//host`.
    static func isInternal(_ url: String) -> Bool {
        !url.isEmpty && scheme(url) == nil && !url.hasPrefix("//")
    }

    static let allowedSchemes: Set<String> = ["http", "https", "mailto"]

    /// http, https, mailto, or a relative URL (`page.html`, `#anchor`, `//host/x`). Judged as a
    /// browser reads it: tabs and newlines removed anywhere, leading spaces and controls dropped,
    /// character references decoded, the scheme compared case-insensitively (`JaVa\tScRiPt:`).
    static func isSafe(_ url: String) -> Bool {
        guard let scheme = scheme(url) else { return true }
        return allowedSchemes.contains(scheme)
    }

    /// The scheme of `url` in lower case (the text before a `:` that comes before any `/`, `?`, `#`),
    /// nil for a relative URL. Any text there counts, not only valid scheme characters, so that a
    /// variant a browser might still read as a scheme is never taken for a relative URL.
    static func scheme(_ url: String) -> String? {
        let decoded = decodeReferences(url)
        let cleaned = String(String.UnicodeScalarView(decoded.unicodeScalars
            .drop { $0.value <= 0x20 }
            .filter { $0 != "\t" && $0 != "\n" && $0 != "\r" }))
        guard let end = cleaned.firstIndex(where: { ":/?#".contains($0) }), cleaned[end] == ":" else {
            // A named reference left undecoded before the first `/` could still hide a colon.
            let head = cleaned.prefix { !"/?#".contains($0) }
            return head.range(of: #"&[A-Za-z]+;?"#, options: .regularExpression) == nil ? nil : head.lowercased()
        }
        return cleaned[..<end].lowercased()
    }

    /// Numeric character references and the named ones that can spell a scheme's separator or
    /// whitespace, decoded (`&#106;` -> `j`, `&colon;` -> `:`, `&Tab;` -> tab).
    static func decodeReferences(_ s: String) -> String {
        guard s.contains("&") else { return s }
        let named: [String: String] = ["colon": ":", "tab": "\t", "newline": "\n", "amp": "&", "sol": "/",
                                       "quest": "?", "num": "#", "period": ".", "lpar": "(", "rpar": ")"]
        var out = "", rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            rest = rest[rest.index(after: amp)...]
            let body = rest.prefix { $0.isLetter || $0.isNumber || $0 == "#" }
            var value: String?
            if body.hasPrefix("#x") || body.hasPrefix("#X") {
                value = UInt32(body.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else if body.hasPrefix("#") {
                value = UInt32(body.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else {
                value = named[body.lowercased()]
            }
            guard let value else { out += "&"; continue }
            out += value
            rest = rest[body.endIndex...]
            if rest.first == ";" { rest = rest.dropFirst() }
        }
        return out + rest
    }

    /// `href=`, `src=` (and the other URL attributes) of raw HTML, with their value ranges.
    private static let urlAttribute = try! NSRegularExpression(
        pattern: #"(?i)(?<![\w-])(href|src|action|formaction|xlink:href|poster|background|cite|data)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)"#)

    private static func urlAttributes(_ html: String) -> [(value: String, range: Range<String.Index>)] {
        urlAttribute.matches(in: html, range: NSRange(html.startIndex..., in: html)).compactMap { m in
            guard let r = Range(m.range(at: 2), in: html) else { return nil }
            var v = String(html[r])
            if let q = v.first, q == "\"" || q == "'" { v = String(v.dropFirst().dropLast()) }
            return (v, r)
        }
    }

    /// The URLs in raw HTML's href and src attributes.
    static func htmlURLs(_ html: String) -> [String] { urlAttributes(html).map(\.value) }

    /// Raw HTML with every unsafe URL attribute emptied.
    static func inertHTML(_ html: String) -> String {
        var out = html
        for a in urlAttributes(html).reversed() where !isSafe(a.value) { out.replaceSubrange(a.range, with: "\"\"") }
        return out
    }

    static func split(_ url: String) -> (path: String, fragment: String?) {
        guard let hash = url.firstIndex(of: "#") else { return (url, nil) }
        return (String(url[..<hash]), String(url[url.index(after: hash)...]))
    }

    /// Checks every internal link of `lessons` against the pages of the course (`pages`: every
    /// lesson's slug, with the anchors its page will have).
    /// Images are checked too (`checkImages`), against `lessonsDirectory`.
    static func check(_ lessons: [Lesson], pages: [String: Set<String>], lessonsDirectory: String? = nil) -> [Check] {
        var checks: [Check] = []
        for lesson in lessons {
            let all = Markdown.outline(lesson.markdown).links
            checks += checkImages(lesson, images(in: all), lessonsDirectory: lessonsDirectory)
            // Raw HTML is shown as text unless the lesson opts in: only then are its URLs live.
            for link in all where !isSafe(link.url) && (link.kind != .rawHTML || lesson.options.rawHTML) {
                let what = link.kind == .image ? "image source" : "link"
                checks.append(.failed(Diagnostic(stage: .render, file: lesson.path, line: link.line,
                                                 "unsafe \(what) '\(link.url)': its scheme '\(scheme(link.url) ?? "")' is not allowed; it is rendered inert",
                                                 hint: "link with http:, https:, mailto: or a relative URL"), "\(what) \(link.url)"))
            }
            for link in all where link.kind == .link && isInternal(link.url) {
                let (path, fragment) = split(link.url)
                let name = "link \(link.url)"
                func fail(_ message: String) {
                    checks.append(.failed(Diagnostic(stage: .render, file: lesson.path, line: link.line, message,
                                                     hint: "link to a lesson as NN-name.md or NN-name.html, with #anchor of one of its headings"), name))
                }
                var target = lesson.slug
                if !path.isEmpty {
                    let file = (path as NSString).lastPathComponent
                    guard path == file, file.hasSuffix(".md") || file.hasSuffix(".html") || file == "index.html" else {
                        fail("broken link '\(link.url)': only links to other lessons and their headings are supported")
                        continue
                    }
                    if file == "index.html" { target = "index" } else { target = (file as NSString).deletingPathExtension }
                }
                if target == "index" {
                    if let fragment, !fragment.isEmpty { fail("broken link '\(link.url)': the course index has no anchor '\(fragment)'") } else { checks.append(.passed(lesson.path, link.line, name)) }
                    continue
                }
                guard let anchors = pages[target] else {
                    fail("broken link '\(link.url)': there is no lesson '\(target)'")
                    continue
                }
                if let fragment, !fragment.isEmpty, !anchors.contains(fragment) {
                    fail("broken link '\(link.url)': \(target == lesson.slug ? "this page" : target) has no anchor '\(fragment)'")
                    continue
                }
                checks.append(.passed(lesson.path, link.line, name))
            }
        }
        return checks
    }

    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "gif", "svg", "webp", "avif"]

    /// The image files a lesson's page shows (`![plot](img/loss.png)`): each URL's path, relative to
    /// the lesson's folder, is also its path in the site, where `build` copies the file.
    static func images(of lesson: Lesson) -> [(url: String, path: String, line: Int)] { images(in: Markdown.outline(lesson.markdown).links) }

    static func images(in links: [Markdown.Link]) -> [(url: String, path: String, line: Int)] {
        links.compactMap { link in
            guard link.kind == .image, isInternal(link.url) else { return nil }
            let path = String(split(link.url).path.prefix { $0 != "?" })
            return path.isEmpty ? nil : (link.url, path, link.line)
        }
    }

    /// Names the site itself writes: an image may not take one.
    static func isReserved(_ path: String) -> Bool {
        let first = path.split(separator: "/").first.map(String.init) ?? path
        return ["downloads", "fonts", "style.css", "site.js", "search-index.js", Site.stamp].contains(first) || path.hasSuffix(".html")
    }

    /// Every image of `lessons` must be a regular file inside the lessons folder, with an image's
    /// extension and a path the site does not use itself.
    /// `lessonsDirectory` (default: the lesson's folder) is the folder an image may not leave.
    static func checkImages(_ lesson: Lesson, _ images: [(url: String, path: String, line: Int)], lessonsDirectory: String?) -> [Check] {
        let folder = (lesson.path as NSString).deletingLastPathComponent
        let root = Site.resolved(lessonsDirectory ?? (folder.isEmpty ? "." : folder))
        var checks: [Check] = []
        do {
            for image in images {
                let name = "image \(image.url)"
                func fail(_ message: String) {
                    checks.append(.failed(Diagnostic(stage: .render, file: lesson.path, line: image.line, message,
                                                     hint: "put the image in the lessons folder (or a folder in it) and give its path relative to the lesson"), name))
                }
                let file = (folder.isEmpty ? "." : folder) + "/" + image.path
                var isDir: ObjCBool = false
                let ext = (image.path as NSString).pathExtension.lowercased()
                if image.path.hasPrefix("/") || image.path.split(separator: "/").contains("..") {
                    fail("image '\(image.url)' must be a path inside the lessons folder, without '..'")
                } else if !imageExtensions.contains(ext) {
                    fail("image '\(image.url)' is not an image file (\(imageExtensions.sorted().joined(separator: ", ")))")
                } else if isReserved(image.path) {
                    fail("image '\(image.url)' takes a name the site writes itself; move it into a folder such as images/")
                } else if !FileManager.default.fileExists(atPath: file, isDirectory: &isDir) || isDir.boolValue {
                    fail("image '\(image.url)' is missing: there is no file \(file)")
                } else if !Site.contains(root, Site.resolved(file)) {
                    fail("image '\(image.url)' leads out of the lessons folder")
                } else {
                    checks.append(.passed(lesson.path, image.line, name))
                }
            }
        }
        return checks
    }

    /// Anchors a lesson's page has: heading ids and `cell-N`.
    static func anchors(of lesson: Lesson) -> Set<String> {
        Set(Markdown.outline(lesson.markdown).headings.map(\.id) + lesson.cells.map { "cell-\($0.index + 1)" })
    }
}
