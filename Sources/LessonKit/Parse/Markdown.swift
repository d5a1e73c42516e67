// All cmark-gfm calls live here: Markdown text in, Swift values (MarkdownBlock) or HTML out.

import CCmarkGFM
#if canImport(Glibc)
import Glibc
#endif

/// A top-level block of a Markdown document, as the parser stage needs it.
struct MarkdownBlock: Equatable {
    enum Kind: Equatable {
        /// A fenced code block; `closed` is false when the file ended before its closing fence.
        case fencedCode(info: String, literal: String, closed: Bool)
        case heading(level: Int, text: String)
        case other
    }
    var kind: Kind
    var startLine: Int
    var endLine: Int
    /// Code spans in this block whose text starts with `{swift}`, with the line they appear on.
    var swiftCodeSpans: [(line: Int, column: Int, code: String)] = []

    static func == (a: MarkdownBlock, b: MarkdownBlock) -> Bool {
        a.kind == b.kind && a.startLine == b.startLine && a.endLine == b.endLine
            && a.swiftCodeSpans.map(\.code) == b.swiftCodeSpans.map(\.code)
    }
}

enum Markdown {
    /// GFM extensions every parse uses; registering them is global and must happen once.
    private static let extensionNames = ["table", "strikethrough", "autolink", "tagfilter"]
    private static let registered: Void = cmark_gfm_core_extensions_ensure_registered()

    private static let options = CMARK_OPT_DEFAULT | CMARK_OPT_FOOTNOTES

    /// Parses `text` with the GFM extensions attached; the caller frees the document.
    private static func parse(_ text: String) -> (doc: OpaquePointer, parser: OpaquePointer) {
        _ = registered
        let parser = cmark_parser_new(options)!
        for name in extensionNames {
            if let ext = cmark_find_syntax_extension(name) { cmark_parser_attach_syntax_extension(parser, ext) }
        }
        var text = text
        text.withUTF8 { buf in
            buf.withMemoryRebound(to: CChar.self) { cmark_parser_feed(parser, $0.baseAddress, buf.count) }
        }
        return (cmark_parser_finish(parser)!, parser)
    }

    private static func children(of node: OpaquePointer) -> [OpaquePointer] {
        var result: [OpaquePointer] = []
        var child = cmark_node_first_child(node)
        while let c = child {
            result.append(c)
            child = cmark_node_next(c)
        }
        return result
    }

    private static func string(_ p: UnsafePointer<CChar>?) -> String { p.map { String(cString: $0) } ?? "" }

    /// Plain text of a node's inline content (for headings and titles).
    private static func plainText(_ node: OpaquePointer) -> String {
        var out = ""
        for c in children(of: node) {
            switch cmark_node_get_type(c) {
            case CMARK_NODE_TEXT, CMARK_NODE_CODE: out += string(cmark_node_get_literal(c))
            case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK: out += " "
            default: out += plainText(c)
            }
        }
        return out
    }

    /// Finds `{swift}` code spans below `node`; cmark gives no line for inline nodes, so the line
    /// is found by searching the block's own source lines.
    private static func swiftCodeSpans(in node: OpaquePointer, lines: ArraySlice<Substring>, firstLine: Int)
        -> [(line: Int, column: Int, code: String)]
    {
        var found: [(line: Int, column: Int, code: String)] = []
        var searchLine = lines.startIndex, searchColumn = 0  // where the next span can start
        func walk(_ n: OpaquePointer) {
            for c in children(of: n) {
                if cmark_node_get_type(c) == CMARK_NODE_CODE {
                    let code = string(cmark_node_get_literal(c))
                    guard code.hasPrefix("{swift}") else { continue }
                    var line = firstLine, column = 1
                    for i in searchLine..<lines.endIndex {
                        let text = lines[i]
                        let from = text.index(text.startIndex, offsetBy: i == searchLine ? min(searchColumn, text.count) : 0)
                        if let r = text.range(of: "{swift}", range: from..<text.endIndex) {
                            line = i + 1
                            column = text.distance(from: text.startIndex, to: r.lowerBound)  // 1-based column of the opening backtick
                            (searchLine, searchColumn) = (i, column + 7)
                            break
                        }
                    }
                    found.append((line, column, code))
                } else {
                    walk(c)
                }
            }
        }
        walk(node)
        return found
    }

    /// The top-level blocks of a document, with 1-based line numbers.
    static func blocks(_ text: String) -> [MarkdownBlock] {
        let (doc, parser) = parse(text)
        defer { cmark_node_free(doc); cmark_parser_free(parser) }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var result: [MarkdownBlock] = []
        for node in children(of: doc) {
            let start = Int(cmark_node_get_start_line(node)), end = Int(cmark_node_get_end_line(node))
            var block = MarkdownBlock(kind: .other, startLine: start, endLine: end)
            switch cmark_node_get_type(node) {
            case CMARK_NODE_CODE_BLOCK:
                // Out-parameters must be real: passing nil crashes (measured).
                var length: Int32 = 0, offset: Int32 = 0, char: CChar = 0
                if cmark_node_get_fenced(node, &length, &offset, &char) != 0 {
                    let closed = end <= lines.count && end > start
                        && isClosingFence(lines[end - 1], char: Character(UnicodeScalar(UInt8(bitPattern: char))),
                                          length: Int(length))
                    block.kind = .fencedCode(info: string(cmark_node_get_fence_info(node)),
                                             literal: string(cmark_node_get_literal(node)), closed: closed)
                }
            case CMARK_NODE_HEADING:
                block.kind = .heading(level: Int(cmark_node_get_heading_level(node)), text: plainText(node))
            default:
                break
            }
            if start >= 1 && start <= lines.count {
                block.swiftCodeSpans = swiftCodeSpans(in: node, lines: lines[(start - 1)..<min(end, lines.count)],
                                                      firstLine: start)
            }
            result.append(block)
        }
        return result
    }

    private static func isClosingFence(_ line: Substring, char: Character, length: Int) -> Bool {
        let trimmed = line.drop(while: { $0 == " " })
        guard line.count - trimmed.count <= 3 else { return false }
        let fence = trimmed.prefix(while: { $0 == char })
        return fence.count >= length && trimmed.dropFirst(fence.count).allSatisfy { $0 == " " || $0 == "\t" }
    }

    /// A heading with the id its page anchor gets.
    struct Heading: Equatable {
        var level: Int
        var text: String
        var id: String
        var line: Int
    }

    /// A link in the prose, with the line of the block it is in (cmark gives inline nodes no line).
    struct Link: Equatable {
        enum Kind: Equatable { case link, image, rawHTML }
        var url: String
        var line: Int
        /// A Markdown link (or autolink), an image, or an href/src attribute of raw HTML.
        var kind: Kind = .link
    }

    /// Headings (with their anchor ids) and links of a document, for navigation and link checks.
    static func outline(_ text: String) -> (headings: [Heading], links: [Link]) {
        let (doc, parser) = parse(text)
        defer { cmark_node_free(doc); cmark_parser_free(parser) }
        var headings: [Heading] = [], links: [Link] = []
        var ids = AnchorIDs()
        func walk(_ node: OpaquePointer, line: Int) {
            for c in children(of: node) {
                let blockLine = cmark_node_get_start_line(c) > 0 ? Int(cmark_node_get_start_line(c)) : line
                switch cmark_node_get_type(c) {
                case CMARK_NODE_HEADING:
                    let text = plainText(c)
                    headings.append(Heading(level: Int(cmark_node_get_heading_level(c)), text: text, id: ids.next(text), line: blockLine))
                case CMARK_NODE_LINK:
                    links.append(Link(url: string(cmark_node_get_url(c)), line: blockLine))
                case CMARK_NODE_IMAGE:
                    links.append(Link(url: string(cmark_node_get_url(c)), line: blockLine, kind: .image))
                case CMARK_NODE_HTML_BLOCK, CMARK_NODE_HTML_INLINE:
                    for url in Links.htmlURLs(string(cmark_node_get_literal(c))) {
                        links.append(Link(url: url, line: blockLine, kind: .rawHTML))
                    }
                default:
                    break
                }
                walk(c, line: blockLine)
            }
        }
        walk(doc, line: 1)
        return (headings, links)
    }

    /// The prose of a document by section (a heading and the text under it, code left out), for
    /// the search index. The first section (before any level-2 heading) has the title's id.
    static func sections(_ text: String) -> [(id: String, title: String, text: String)] {
        let (doc, parser) = parse(text)
        defer { cmark_node_free(doc); cmark_parser_free(parser) }
        var ids = AnchorIDs()
        var result: [(id: String, title: String, text: String)] = []
        for node in children(of: doc) {
            switch cmark_node_get_type(node) {
            case CMARK_NODE_HEADING:
                let title = plainText(node)
                result.append((ids.next(title), title, ""))
            case CMARK_NODE_CODE_BLOCK, CMARK_NODE_HTML_BLOCK, CMARK_NODE_THEMATIC_BREAK:
                continue
            default:
                if result.isEmpty { result.append(("", "", "")) }
                result[result.count - 1].text += plainText(node) + " "
            }
        }
        return result
    }

    /// GitHub-style anchor ids: lower case, letters, digits, '-' and '_' kept, spaces to '-',
    /// repeats numbered (`intro`, `intro-1`). Unique on the page: a numbered id that a heading
    /// already has (`Intro 1` after two `Intro`s), the page template's own ids and the cells'
    /// `cell-N` are skipped to the next number.
    struct AnchorIDs {
        private var used: [String: Int] = [:]
        private var taken: Set<String> = ["content", "search-input", "search-results"]
        mutating func next(_ text: String) -> String {
            // Formulas (placeholders here) do not go into ids.
            let text = text.replacingOccurrences(of: #"AFL(MATH|REF)\d+X"#, with: "", options: .regularExpression)
            var base = String(text.lowercased().compactMap { ch -> Character? in
                if ch == " " { return "-" }
                return ch.isLetter || ch.isNumber || ch == "-" || ch == "_" ? ch : nil
            })
            if base.isEmpty { base = "section" }
            var n = used[base, default: 0], id = base
            while true {
                id = n == 0 ? base : "\(base)-\(n)"
                let cell = id.hasPrefix("cell-") && !id.dropFirst(5).isEmpty && id.dropFirst(5).allSatisfy(\.isASCII) && Int(id.dropFirst(5)) != nil
                if !taken.contains(id) && !cell { break }
                n += 1
            }
            used[base] = n + 1
            taken.insert(id)
            return id
        }
    }

    /// What `html` substitutes while rendering.
    struct Substitutions {
        /// Top-level code blocks by fence line: replaced by this HTML verbatim ("" drops the block).
        var blocks: [Int: String] = [:]
        /// `{swift}` code spans in document order: replaced by this HTML.
        var inline: [String] = []
        /// Keep raw HTML (the lesson opted in); otherwise it is shown as text.
        var rawHTML = false
        /// MathML of each formula placeholder, by number.
        var math: [String] = []
        /// Rewrites a link target (`02-softmax.md#x` -> `02-softmax.html#x`).
        var link: (String) -> String = { $0 }
        /// HTML for other fenced listings (info string, code), e.g. highlighted Python; nil: cmark's own.
        var listing: (String, String) -> String? = { _, _ in nil }
        /// HTML of each cross-reference and citation placeholder, by number (`References.placeholder`).
        var references: [String] = []
    }

    /// Splits text at formula (`AFLMATH3X`) and reference (`AFLREF2X`) placeholders: (text
    /// before, which placeholder) pieces, then the rest.
    static func placeholderPieces(_ text: String) -> (parts: [(text: String, reference: Bool, index: Int)], rest: String) {
        guard text.contains("AFL") else { return ([], text) }
        var parts: [(text: String, reference: Bool, index: Int)] = []
        var rest = Substring(text), before = ""
        while let r = rest.range(of: "AFL") {
            let after = rest[r.upperBound...]
            let reference = after.hasPrefix("REF")
            guard reference || after.hasPrefix("MATH") else {
                before += rest[..<r.upperBound]
                rest = after
                continue
            }
            let digitsStart = after.index(after.startIndex, offsetBy: reference ? 3 : 4)
            let digits = after[digitsStart...].prefix { $0.isASCII && $0.isNumber }
            let end = after.index(digitsStart, offsetBy: digits.count)
            guard !digits.isEmpty, end < after.endIndex, after[end] == "X", let k = Int(digits) else {
                before += rest[..<r.upperBound]
                rest = after
                continue
            }
            parts.append((before + rest[..<r.lowerBound], reference, k))
            before = ""
            rest = after[after.index(after: end)...]
        }
        return (parts, before + rest)
    }

    /// The alert kind of a block quote whose first line is `[!NOTE]` (`TIP`, `IMPORTANT`,
    /// `WARNING`, `CAUTION`; any case, as GitHub reads them), with that line taken out of the tree.
    private static func calloutKind(_ quote: OpaquePointer) -> Callouts.Kind? {
        guard let p = cmark_node_first_child(quote), cmark_node_get_type(p) == CMARK_NODE_PARAGRAPH else { return nil }
        var firstLine: [OpaquePointer] = [], text = ""
        var breakNode: OpaquePointer?
        for n in children(of: p) {
            let type = cmark_node_get_type(n)
            if type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK { breakNode = n; break }
            guard type == CMARK_NODE_TEXT else { return nil }
            firstLine.append(n)
            text += string(cmark_node_get_literal(n))
        }
        let marker = text.trimmingCharacters(in: .whitespaces)
        guard marker.hasPrefix("[!"), marker.hasSuffix("]"),
              let kind = Callouts.Kind(rawValue: marker.dropFirst(2).dropLast().uppercased()) else { return nil }
        for n in firstLine { cmark_node_free(n) }
        if let breakNode { cmark_node_free(breakNode) }
        if cmark_node_first_child(p) == nil { cmark_node_free(p) }
        return kind
    }

    /// Renders `text` to HTML with the substitutions. Custom nodes carry the replacement HTML: their
    /// on_enter text is emitted as is, even with the UNSAFE option off (measured). Headings get ids.
    static func html(_ text: String, _ subs: Substitutions) -> String {
        let (doc, parser) = parse(text)
        defer { cmark_node_free(doc); cmark_parser_free(parser) }
        let extensions = cmark_parser_get_syntax_extensions(parser)
        // Raw HTML of the author becomes text below unless the lesson opted in, so UNSAFE only lets
        // through the HTML this renderer inserts itself.
        let renderOptions = options | CMARK_OPT_UNSAFE
        /// An inline HTML node: a table cell may not contain custom inline nodes (cmark-gfm's table
        /// extension refuses them), but it takes inline HTML.
        func inlineHTML(_ html: String) -> OpaquePointer {
            let n = cmark_node_new(CMARK_NODE_HTML_INLINE)!
            cmark_node_set_literal(n, html)
            return n
        }
        func replace(_ node: OpaquePointer, with html: String, block: Bool) {
            if !html.isEmpty {
                let custom: OpaquePointer
                if block {
                    custom = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK)!
                    cmark_node_set_on_enter(custom, html)
                } else {
                    custom = inlineHTML(html)
                }
                cmark_node_insert_before(node, custom)
            }
            cmark_node_free(node)
        }
        func asText(_ node: OpaquePointer) {
            let t = cmark_node_new(CMARK_NODE_TEXT)!
            cmark_node_set_literal(t, cmark_node_get_literal(node))
            cmark_node_insert_before(node, t)
            cmark_node_free(node)
        }
        var inlineIndex = 0
        var ids = AnchorIDs()
        func walk(_ node: OpaquePointer, topLevel: Bool) {
            for c in children(of: node) {
                switch cmark_node_get_type(c) {
                case CMARK_NODE_CODE_BLOCK where topLevel:
                    if let html = subs.blocks[Int(cmark_node_get_start_line(c))] {
                        replace(c, with: html, block: true)
                    } else if let html = subs.listing(string(cmark_node_get_fence_info(c)), string(cmark_node_get_literal(c))) {
                        replace(c, with: html, block: true)
                    }
                case CMARK_NODE_CODE where string(cmark_node_get_literal(c)).hasPrefix("{swift}"):
                    let html = inlineIndex < subs.inline.count ? subs.inline[inlineIndex] : ""
                    inlineIndex += 1
                    replace(c, with: html, block: false)
                case CMARK_NODE_HTML_BLOCK where !subs.rawHTML:
                    // Shown as text (escaped) rather than dropped, so the author sees what happened.
                    let p = cmark_node_new(CMARK_NODE_PARAGRAPH)!
                    let t = cmark_node_new(CMARK_NODE_TEXT)!
                    cmark_node_set_literal(t, cmark_node_get_literal(c))
                    cmark_node_append_child(p, t)
                    cmark_node_insert_before(c, p)
                    cmark_node_free(c)
                case CMARK_NODE_HTML_INLINE where !subs.rawHTML:
                    asText(c)
                case CMARK_NODE_HTML_BLOCK, CMARK_NODE_HTML_INLINE:
                    // Kept raw (the lesson opted in), but no script URL survives in href or src.
                    cmark_node_set_literal(c, Links.inertHTML(string(cmark_node_get_literal(c))))
                case CMARK_NODE_LINK, CMARK_NODE_IMAGE:
                    // UNSAFE rendering turns cmark's own URL filter off: ours allows http(s), mailto
                    // and relative URLs; anything else becomes an empty href (verify reports it).
                    let url = string(cmark_node_get_url(c))
                    cmark_node_set_url(c, Links.isSafe(url) ? subs.link(url) : "")
                    walk(c, topLevel: false)
                case CMARK_NODE_TEXT where !subs.math.isEmpty || !subs.references.isEmpty:
                    // Formula and reference placeholders inside the text become MathML and links.
                    let (parts, rest) = placeholderPieces(string(cmark_node_get_literal(c)))
                    guard !parts.isEmpty else { continue }
                    for part in parts {
                        if !part.text.isEmpty {
                            let t = cmark_node_new(CMARK_NODE_TEXT)!
                            cmark_node_set_literal(t, part.text)
                            cmark_node_insert_before(c, t)
                        }
                        let html = part.reference ? (part.index < subs.references.count ? subs.references[part.index] : "")
                                                  : (part.index < subs.math.count ? subs.math[part.index] : "")
                        cmark_node_insert_before(c, inlineHTML(html))
                    }
                    if rest.isEmpty { cmark_node_free(c) } else { cmark_node_set_literal(c, rest) }
                case CMARK_NODE_BLOCK_QUOTE:
                    // `> [!NOTE]` (GitHub's alerts): a callout box around the quote's other blocks.
                    guard let kind = calloutKind(c) else { walk(c, topLevel: false); continue }
                    let box = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK)!
                    cmark_node_set_on_enter(box, Callouts.open(kind))
                    cmark_node_set_on_exit(box, Callouts.close)
                    for child in children(of: c) { cmark_node_append_child(box, child) }
                    cmark_node_insert_before(c, box)
                    cmark_node_free(c)
                    walk(box, topLevel: false)
                case CMARK_NODE_HEADING:
                    let id = ids.next(plainText(c))
                    walk(c, topLevel: false)
                    let rendered = cmark_render_html(c, renderOptions, extensions)!
                    var html = String(cString: rendered)
                    free(rendered)
                    let level = cmark_node_get_heading_level(c)
                    html = html.replacingOccurrences(of: "<h\(level)>", with: "<h\(level) id=\"\(Render.escape(id))\"><a class=\"anchor\" href=\"#\(Render.escape(id))\" aria-hidden=\"true\">#</a>")
                    replace(c, with: html, block: true)
                default:
                    walk(c, topLevel: false)
                }
            }
        }
        walk(doc, topLevel: true)
        let rendered = cmark_render_html(doc, renderOptions, extensions)!
        defer { free(rendered) }
        return String(cString: rendered)
    }
}
