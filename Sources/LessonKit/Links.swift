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

    static func isInternal(_ url: String) -> Bool {
        !url.isEmpty && !url.contains("://") && !url.hasPrefix("//") && !url.hasPrefix("mailto:")
    }

    static func split(_ url: String) -> (path: String, fragment: String?) {
        guard let hash = url.firstIndex(of: "#") else { return (url, nil) }
        return (String(url[..<hash]), String(url[url.index(after: hash)...]))
    }

    /// Checks every internal link of `lessons` against the pages of the course (`pages`: every
    /// lesson's slug, with the anchors its page will have).
    static func check(_ lessons: [Lesson], pages: [String: Set<String>]) -> [Check] {
        var checks: [Check] = []
        for lesson in lessons {
            for link in Markdown.outline(lesson.markdown).links where isInternal(link.url) {
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

    /// Anchors a lesson's page has: heading ids and `cell-N`.
    static func anchors(of lesson: Lesson) -> Set<String> {
        Set(Markdown.outline(lesson.markdown).headings.map(\.id) + lesson.cells.map { "cell-\($0.index + 1)" })
    }
}
