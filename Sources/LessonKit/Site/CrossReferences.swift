// CrossReferences: the page side of `References`: numbered tables, figures and equations, `@label`
// references as links ("Table 2", "Figure 1", "(3)"), `[@key]` citations as numbered links, the
// "References" list at the end of the page, and folded code (`swift fold`). CSS: xref.css.

import Foundation

enum CrossReferences {
    private static let esc = Render.escape

    /// A display formula with a label: the MathML with its number, anchored by the label.
    static func equation(_ span: MathSpan, _ numbering: Numbering) -> String {
        guard let label = span.label, let target = numbering.targets[label] else { return span.mathML }
        return "<span class=\"equation\" id=\"\(esc(label))\">\(span.mathML)<span class=\"equation-number\">\(target.text)</span></span>"
    }

    /// `@tab-x` as a link to its table, `[@a; @b]` as links into the references list.
    static func reference(_ r: ProseReference, _ numbering: Numbering, _ bibliography: Bibliography?) -> String {
        switch r.kind {
        case .label(let label):
            guard let target = numbering.targets[label] else {
                return "<span class=\"xref missing\">\(esc(r.source))</span>"  // verify reports it
            }
            return "<a class=\"xref\" href=\"#\(esc(label))\">\(target.text)</a>"
        case .citation(let keys, _):
            let links = keys.map { key -> String in
                guard let entry = bibliography?.entries[key], let n = numbering.citation(key) else { return "?" }
                return "<a href=\"#ref-\(esc(key))\" role=\"doc-biblioref\" title=\"\(esc(entry.shortName))\">\(n)</a>"
            }
            return "<span class=\"citation\">[" + links.joined(separator: ", ") + "]</span>"
        }
    }

    /// Text with reference placeholders as plain text ("Table 2", "[1, 2]"): the table of
    /// contents and the search index.
    static func plain(_ text: String, _ lesson: Lesson, _ numbering: Numbering, _ bibliography: Bibliography? = nil) -> String {
        References.replacing(text) { k in
            guard k < lesson.references.count else { return nil }
            let r = lesson.references[k]
            switch r.kind {
            case .label(let label): return numbering.targets[label]?.text ?? r.source
            case .citation(let keys, _):
                return "[" + keys.map { numbering.citation($0).map(String.init) ?? "?" }.joined(separator: ", ") + "]"
            }
        }
    }

    /// A rendered table or figure (or slider) given its label as id and its number in the caption.
    static func numbered(_ html: String, _ label: String?, _ numbering: Numbering?) -> String {
        guard let label, let target = numbering?.targets[label] else { return html }
        var out = html
        // The id goes on the outermost element.
        if let open = out.range(of: #"^<[a-z]+"#, options: .regularExpression) {
            out.insert(contentsOf: " id=\"\(esc(label))\"", at: open.upperBound)
        }
        let number = "<span class=\"xref-number\">\(target.text)</span>"
        if target.kind == .table {
            if let caption = out.range(of: "<caption>") {
                out.insert(contentsOf: number + ": ", at: caption.upperBound)
            } else if let table = out.range(of: #"<table[^>]*>\n?"#, options: .regularExpression) {
                out.insert(contentsOf: "<caption>\(number)</caption>\n", at: table.upperBound)
            }
            return out
        }
        // Every figure (each slide of a slider) carries the number in its caption.
        var result = "", rest = Substring(out)
        while let figure = rest.range(of: #"<figure[^>]*>\n?"#, options: .regularExpression) {
            result += rest[..<figure.upperBound]
            rest = rest[figure.upperBound...]
            if let caption = rest.range(of: #"^<figcaption[^>]*>"#, options: .regularExpression) {
                result += rest[..<caption.upperBound] + number + ": "
                rest = rest[caption.upperBound...]
            } else {
                result += "<figcaption class=\"plot-title\">\(number)</figcaption>\n"
            }
        }
        return result + rest
    }

    /// Code of a `fold` cell: collapsed, opened by "Show code".
    static func folded(_ code: String) -> String {
        "<details class=\"fold\">\n<summary>Show code</summary>\n\(code)</details>\n"
    }

    /// The "References" section: the works cited on the page, in the order first cited. Nil when
    /// the page cites none. `taken`: the page's heading ids.
    static func list(_ numbering: Numbering, _ bibliography: Bibliography?, taken: Set<String>) -> (id: String, html: String)? {
        guard let bibliography, !numbering.cited.isEmpty else { return nil }
        var id = "references", n = 1
        while taken.contains(id) { id = "references-\(n)"; n += 1 }
        var html = "<section class=\"references\" role=\"doc-bibliography\" aria-labelledby=\"\(id)\">\n"
        html += "<h2 id=\"\(id)\"><a class=\"anchor\" href=\"#\(id)\" aria-hidden=\"true\">#</a>References</h2>\n<ol>\n"
        for (i, key) in numbering.cited.enumerated() {
            guard let entry = bibliography.entries[key] else { continue }
            html += "<li id=\"ref-\(esc(key))\" value=\"\(i + 1)\">\(self.entry(entry))</li>\n"
        }
        return (id, html + "</ol>\n</section>\n")
    }

    /// One work: authors, title (linked to its URL), venue, year, note, DOI.
    static func entry(_ e: BibEntry) -> String {
        var parts: [String] = []
        let names = e.names.map(\.full)
        if !names.isEmpty {
            parts.append(esc(names.count <= 2 ? names.joined(separator: " and ") : names.dropLast().joined(separator: ", ") + " and " + names.last!))
        }
        let title = esc(e.title ?? e.key)
        parts.append(e.fields["url"].map { "<a href=\"\(esc($0))\"><cite>\(title)</cite></a>" } ?? "<cite>\(title)</cite>")
        let venue = [e.venue.map { "<i>\(esc($0))</i>" }, e.year.map(esc)].compactMap { $0 }.joined(separator: ", ")
        if !venue.isEmpty { parts.append(venue) }
        if let note = e.fields["note"] { parts.append(esc(note)) }
        if let doi = e.fields["doi"] {
            parts.append("doi: <a href=\"https://doi.org/\(esc(doi))\">\(esc(doi))</a>")
        }
        return parts.map { $0.hasSuffix(".") ? $0 : $0 + "." }.joined(separator: " ")
    }
}
