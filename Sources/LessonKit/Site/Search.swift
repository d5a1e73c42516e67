// Search: a client-side index of every lesson's sections and the small script that queries it.
// The index is a script (not JSON fetched at run time) so that it works from file:// too.

import Foundation

enum Search {
    struct Entry: Encodable {
        var url: String
        var page: String
        var section: String
        var text: String
    }

    /// `search-index.js`: `window.ARCFACE_SEARCH = [...]`, one entry per section of every lesson.
    static func index(_ runs: [LessonRun]) -> String {
        var entries: [Entry] = []
        for run in runs {
            let lesson = run.lesson
            let numbering = Numbering(run)
            for s in Markdown.sections(lesson.markdown) {
                let text = CrossReferences.plain(MathSpans.restore(s.text, lesson.math), lesson, numbering, run.bibliography).collapsingWhitespace
                    .trimmingCharacters(in: .whitespaces)
                let section = CrossReferences.plain(MathSpans.restore(s.title, lesson.math), lesson, numbering)
                guard !text.isEmpty || !section.isEmpty else { continue }
                let anchor = s.id.isEmpty || section == lesson.title ? "" : "#" + s.id
                entries.append(Entry(url: lesson.slug + ".html" + anchor, page: lesson.title,
                                     section: section == lesson.title ? "" : section, text: String(text.prefix(2000))))
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(entries)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        return "window.ARCFACE_SEARCH = \(json);\n"
    }
}
