// FrontEnd: the site's CSS and JavaScript as real files under Resources/frontend (like mdBook's
// front-end folder), so a designer edits them as CSS and JS. style.css is theme.css + plots.css +
// exercises.css + xref.css, ending with learner.css; site.js is search.js + slider.js + learner.js.
// System fonts for text and code, the shipped Latin Modern Math
// for formulas: the site loads nothing from the network.

import Foundation

enum FrontEnd {
    /// The page: colours (light and dark), layout, typography, code, tables, search box.
    static var themeCSS: String { builtIn["theme.css"]! }
    /// The rules the figures need; the page defines --fg, --muted, --rule, --bg (fallbacks given).
    static var plotsCSS: String { builtIn["plots.css"]! }
    /// Cross-reference numbers, citations and the references list, callouts, folded code.
    static var xrefCSS: String { builtIn["xref.css"]! }
    /// Matches every word of the query (prefix match, case-insensitive) against page titles, section
    /// titles and text; titles rank first; results link to the section.
    static var searchScript: String { builtIn["search.js"]! }
    /// An exercise's collapsed solution (`<details class="solution">`).
    static var exercisesCSS: String { builtIn["exercises.css"]! }
    /// Wires every `.plot-slider`: the range input's index shows that slide (the others get
    /// `hidden`) and puts its data-value into the `<output>`. Plain JS; no `<` or `&` in it, so it
    /// can also be inlined in a page.
    static var sliderScript: String { builtIn["slider.js"]! }
    /// The learner's conveniences: sidebar and its phone drawer, dark-mode toggle, table scroll cues
    /// and sticky first column, code-block toolbars (copy, the REPL command), the downloads box.
    static var learnerCSS: String { builtIn["learner.css"]! }
    /// Copy buttons (navigator.clipboard, else a hidden textarea and execCommand: file:// pages), the
    /// REPL command per Swift cell, the dark-mode toggle (localStorage), the sidebar drawer, table
    /// scroll cues, and ← / → for the previous and next lesson.
    static var learnerScript: String { builtIn["learner.js"]! }

    /// Every front-end file, in the order style.css and site.js concatenate them.
    static let stylesheets = ["theme.css", "plots.css", "exercises.css", "xref.css", "learner.css"]
    static let scripts = ["search.js", "slider.js", "learner.js"]
    static let names = stylesheets + scripts

    /// The site's style.css and site.js, with a course's theme files in place of the built-in ones.
    static func styleCSS(_ theme: Theme?) -> String { stylesheets.map { text($0, theme) }.joined() }
    static func siteJS(_ theme: Theme?) -> String { scripts.map { text($0, theme) }.joined() }

    static func text(_ name: String, _ theme: Theme?) -> String { theme?.files["frontend/" + name] ?? builtIn[name] ?? file(name) }

    private static let builtIn: [String: String] = Dictionary(uniqueKeysWithValues: names.map { ($0, file($0)) })
    /// `serve` only (never in a built site): reloads the page when the server says the site was
    /// rebuilt, over server-sent events; `draft.css` draws the failures of a draft page.
    static let liveReloadScript = file("live.js")
    static let draftCSS = file("draft.css")

    static func file(_ name: String) -> String {
        let ext = (name as NSString).pathExtension, base = (name as NSString).deletingPathExtension
        guard let url = Bundle.module.url(forResource: base, withExtension: ext, subdirectory: "Resources/frontend"),
              let text = try? String(contentsOf: url, encoding: .utf8) else {
            preconditionFailure("front-end file \(name) is missing from LessonKit's resources")
        }
        return text
    }
}
