// Search: a client-side index of every lesson's sections and the small script that queries it.
// The index is a script (not JSON fetched at run time) so that it works from file:// too.

import Foundation

enum Search {
    struct Entry: Encodable, Equatable {
        var url: String
        var page: String
        var section: String
        var text: String
    }

    /// One entry per section of the lesson.
    static func entries(_ run: LessonRun) -> [Entry] {
        let lesson = run.lesson
        let numbering = Numbering(run)
        var entries: [Entry] = []
        for s in Markdown.sections(lesson.markdown) {
            let text = CrossReferences.plain(MathSpans.restore(s.text, lesson.math), lesson, numbering, run.bibliography).collapsingWhitespace
                .trimmingCharacters(in: .whitespaces)
            let section = CrossReferences.plain(MathSpans.restore(s.title, lesson.math), lesson, numbering)
            guard !text.isEmpty || !section.isEmpty else { continue }
            let anchor = s.id.isEmpty || section == lesson.title ? "" : "#" + s.id
            entries.append(Entry(url: lesson.slug + ".html" + anchor, page: lesson.title,
                                 section: section == lesson.title ? "" : section, text: String(text.prefix(2000))))
        }
        return entries
    }

    /// `search-index.js`: `window.ARCFACE_SEARCH = [...]`, the entries of every lesson in course order.
    static func script(_ entries: [Entry]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(entries)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        return "window.ARCFACE_SEARCH = \(json);\n"
    }
}
