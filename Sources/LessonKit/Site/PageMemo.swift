// PageMemo: `serve`'s memory of the lesson pages it rendered. A page is made of its lesson, its
// results, its place in the course (pager and sidebar), the site settings and its draft marks; when
// all of these equal the last rebuild's, Render.site takes the page, the downloads and the search
// entries from here instead of rendering them again, so a prose edit renders one page. `build`
// never uses one: its bytes come from rendering alone (and are the same).

import Foundation

public final class PageMemo: @unchecked Sendable {
    /// Everything a lesson's page, downloads and search entries are made of.
    struct Key: Equatable {
        struct Neighbour: Equatable { var slug: String; var number: Int; var title: String }
        var lesson: Lesson
        var cells: [CellResult]
        var inline: [Int: InlineOutcome]
        var bibliography: Bibliography?
        var previous: Neighbour?
        var next: Neighbour?
        var course: [Neighbour]
        var settings: SiteSettings
        /// The lesson's failed checks and how many did not run (a draft without failures draws nothing).
        var failures: [Check]
        var notRun: Int

        init(_ run: LessonRun, previous: Lesson?, next: Lesson?, course: [Lesson], settings: SiteSettings, draft: Draft?) {
            func neighbour(_ l: Lesson) -> Neighbour { Neighbour(slug: l.slug, number: l.number, title: l.title) }
            (lesson, cells, inline, bibliography) = (run.lesson, run.cells, run.inline, run.bibliography)
            (self.previous, self.next, self.course) = (previous.map(neighbour), next.map(neighbour), course.map(neighbour))
            self.settings = settings
            failures = draft?.failures.filter { $0.file == run.lesson.path } ?? []
            notRun = draft?.notRun[run.lesson.path] ?? 0
        }
    }

    struct Files {
        var page: Data
        var downloads: [(path: String, data: Data)]
        var search: [Search.Entry]
    }

    private let lock = NSLock()
    private var pages: [String: (key: Key, files: Files)] = [:]
    /// Pages rendered and pages reused, over the memo's life (serve's log, the tests).
    private(set) var rendered = 0
    private(set) var reused = 0

    public init() {}

    /// The lesson's files from the last rebuild when they were made of the same `key`, else `render`'s.
    func files(_ slug: String, _ key: Key, _ render: () -> Files) -> Files {
        let hit = lock.withLock { () -> Files? in
            guard let page = pages[slug], page.key == key else { return nil }
            reused += 1
            return page.files
        }
        if let hit { return hit }
        let files = render()
        lock.withLock {
            rendered += 1
            pages[slug] = (key, files)
        }
        return files
    }

    /// Forgets the lessons no longer in the course.
    func keep(_ slugs: Set<String>) {
        lock.withLock { pages = pages.filter { slugs.contains($0.key) } }
    }

    package var counts: (rendered: Int, reused: Int) { lock.withLock { (rendered, reused) } }
}
