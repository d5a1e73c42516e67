// Callouts: GitHub's alert syntax (`> [!NOTE]`, TIP, IMPORTANT, WARNING, CAUTION) rendered as a
// box with a title, so a lesson reads the same on GitHub and on the site. `Markdown.html` finds
// them; the CSS is Resources/frontend/xref.css.

enum Callouts {
    enum Kind: String, CaseIterable {
        case note = "NOTE", tip = "TIP", important = "IMPORTANT", warning = "WARNING", caution = "CAUTION"

        var title: String { rawValue.prefix(1) + rawValue.dropFirst().lowercased() }

        /// A 16x16 outline icon (decorative: the title says what the box is).
        var icon: String {
            let path = switch self {
            case .note: "<circle cx=\"8\" cy=\"8\" r=\"6.5\"/><path d=\"M8 7.5v4M8 4.5v.5\"/>"
            case .tip: "<path d=\"M5.5 11.5h5M6.5 14h3M8 1.5a4.5 4.5 0 0 0-2.5 8.2v1.8h5V9.7A4.5 4.5 0 0 0 8 1.5z\"/>"
            case .important: "<path d=\"M2 2.5h12v8.5H7l-3 3v-3H2z\"/><path d=\"M8 4.5v3.5M8 9.5v.5\"/>"
            case .warning: "<path d=\"M8 1.8 14.6 13.5H1.4z\"/><path d=\"M8 6v3.5M8 11v.5\"/>"
            case .caution: "<path d=\"M5.2 1.5h5.6l3.7 3.7v5.6l-3.7 3.7H5.2l-3.7-3.7V5.2z\"/><path d=\"M8 4.5v4M8 10.5v.5\"/>"
            }
            return "<svg class=\"callout-icon\" viewBox=\"0 0 16 16\" width=\"16\" height=\"16\" aria-hidden=\"true\" focusable=\"false\">\(path)</svg>"
        }
    }

    /// A `role="note"` region named by its visible title.
    static func open(_ kind: Kind) -> String {
        "<div class=\"callout callout-\(kind.rawValue.lowercased())\" role=\"note\" aria-label=\"\(kind.title)\">\n"
            + "<p class=\"callout-title\" aria-hidden=\"true\">\(kind.icon)\(kind.title)</p>\n"
    }

    static let close = "</div>\n"
}
