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
    nonisolated(unsafe) private static let registered: Void = cmark_gfm_core_extensions_ensure_registered()

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
        var searchFrom = lines.startIndex
        func walk(_ n: OpaquePointer) {
            for c in children(of: n) {
                if cmark_node_get_type(c) == CMARK_NODE_CODE {
                    let code = string(cmark_node_get_literal(c))
                    guard code.hasPrefix("{swift}") else { continue }
                    var line = firstLine, column = 1
                    for i in searchFrom..<lines.endIndex {
                        if let r = lines[i].range(of: "{swift}") {
                            line = i + 1
                            column = lines[i].distance(from: lines[i].startIndex, to: r.lowerBound)  // 1-based column of the opening backtick
                            searchFrom = i
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

    /// Renders `text` to HTML; each top-level code block whose fence starts on a line in
    /// `replacements` is replaced by that HTML verbatim (a custom block's on_enter text is emitted
    /// as is, even with the UNSAFE option off).
    static func html(_ text: String, replacements: [Int: String]) -> String {
        let (doc, parser) = parse(text)
        defer { cmark_node_free(doc); cmark_parser_free(parser) }
        for node in children(of: doc) where cmark_node_get_type(node) == CMARK_NODE_CODE_BLOCK {
            guard let html = replacements[Int(cmark_node_get_start_line(node))] else { continue }
            if !html.isEmpty {
                let custom = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK)!
                cmark_node_set_on_enter(custom, html)
                cmark_node_insert_before(node, custom)
            }
            cmark_node_free(node)
        }
        let rendered = cmark_render_html(doc, options, cmark_parser_get_syntax_extensions(parser))!
        defer { free(rendered) }
        return String(cString: rendered)
    }
}
