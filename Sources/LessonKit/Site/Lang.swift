// Lang: Chinese runs in the prose (the study note's quotations) marked `lang="zh"`, so that screen
// readers switch voice and browsers pick CJK fonts and line breaking. A post-pass over a page's HTML:
// only text outside tags, never inside code, pre, math, svg, script or style.

enum Lang {
    /// Elements whose text is left alone.
    static let skipped: Set<String> = ["pre", "code", "script", "style", "math", "svg", "textarea", "title"]

    /// Han ideographs, CJK punctuation and full-width forms.
    static func isChinese(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x3000...0x303F, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0xFF00...0xFFEF: true
        default: false
        }
    }

    /// A stretch of other characters between two Chinese ones stays inside the run when it is short
    /// or has no space (`w.renorm`, ` 0-1 `, `maxnorm ,`): embedded identifiers, not English prose.
    static func joins(_ gap: Substring.UnicodeScalarView) -> Bool {
        gap.count <= 16 || !gap.contains(" ")
    }

    static func mark(_ html: String) -> String {
        guard html.unicodeScalars.contains(where: isChinese) else { return html }
        var out = ""
        out.reserveCapacity(html.utf8.count + 256)
        var skipDepth: [String] = []
        var i = html.startIndex
        while i < html.endIndex {
            if html[i] == "<" {
                let end = html[i...].firstIndex(of: ">").map { html.index(after: $0) } ?? html.endIndex
                let tag = html[i..<end]
                out += tag
                let closing = tag.hasPrefix("</")
                let name = tag.dropFirst(closing ? 2 : 1).prefix { $0.isLetter || $0.isNumber }.lowercased()
                if skipped.contains(name) && !tag.hasSuffix("/>") {
                    if closing { if skipDepth.last == name { skipDepth.removeLast() } } else { skipDepth.append(name) }
                }
                i = end
                continue
            }
            let end = html[i...].firstIndex(of: "<") ?? html.endIndex
            let text = html[i..<end]
            out += skipDepth.isEmpty ? markText(text) : String(text)
            i = end
        }
        return out
    }

    /// One text node: each Chinese run wrapped in `<span lang="zh">`.
    static func markText(_ text: Substring) -> String {
        let scalars = text.unicodeScalars
        guard scalars.contains(where: isChinese) else { return String(text) }
        var out = ""
        var i = scalars.startIndex
        while i < scalars.endIndex {
            guard let start = scalars[i...].firstIndex(where: isChinese) else {
                out += String(Substring(scalars[i...]))
                break
            }
            out += String(Substring(scalars[i..<start]))
            var last = start
            var j = scalars.index(after: start)
            while j < scalars.endIndex {
                guard let next = scalars[j...].firstIndex(where: isChinese) else { break }
                if next != j && !joins(scalars[j..<next]) { break }
                last = next
                j = scalars.index(after: next)
            }
            let runEnd = scalars.index(after: last)
            out += "<span lang=\"zh\">" + String(Substring(scalars[start..<runEnd])) + "</span>"
            i = runEnd
        }
        return out
    }
}
