// Bibliography: `references.bib` next to the lessons, the works the prose cites as `[@key]`.
// A small BibTeX subset: @article, @inproceedings, @misc, @online (and @comment, skipped); values
// in braces, in quotes, or bare numbers; fields author, title, journal, booktitle, year, url, doi,
// note (a few more common ones are read and ignored). Every error is at references.bib:line.

import Foundation

public struct BibEntry: Sendable, Equatable {
    public var type: String
    public var key: String
    /// Line of the `@type{` that starts it.
    public var line: Int
    /// Known fields by lower-case name, values with TeX braces and simple escapes resolved.
    public var fields: [String: String]

    /// The author field as written (braces kept: `{PyTorch Contributors}` is one name).
    public var author: String? { fields["author"] }
    public var title: String? { fields["title"] }
    public var year: String? { fields["year"] }
    /// Journal or booktitle: where the work appeared.
    public var venue: String? { fields["journal"] ?? fields["booktitle"] }

    /// Each author as (family name, full name shown): BibTeX's `Last, First` turned into
    /// `First Last`; a name in braces is an organisation, shown as it is.
    public var names: [(family: String, full: String)] {
        Bibliography.splitAuthors(author ?? "").map { raw in
            let name = Bibliography.clean(raw)
            if raw.hasPrefix("{") && raw.hasSuffix("}") && Bibliography.clean(String(raw.dropFirst().dropLast())) == name
                && !raw.dropFirst().dropLast().contains("}") {
                return (name, name)
            }
            let parts = name.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 { return (parts[0], parts[1].isEmpty ? parts[0] : parts[1] + " " + parts[0]) }
            return (name.split(separator: " ").last.map(String.init) ?? name, name)
        }
    }

    /// "Deng et al., 2019", for a citation's tooltip.
    public var shortName: String {
        let families = names.map(\.family)
        let who = switch families.count {
        case 0: title ?? key
        case 1: families[0]
        case 2: "\(families[0]) and \(families[1])"
        default: "\(families[0]) et al."
        }
        return year.map { "\(who), \($0)" } ?? who
    }
}

public struct Bibliography: Sendable, Equatable {
    public static let fileName = "references.bib"
    public var path: String
    public var entries: [String: BibEntry] = [:]

    static let types: Set<String> = ["article", "inproceedings", "misc", "online"]
    static let fields: Set<String> = ["author", "title", "journal", "booktitle", "year", "url", "doi", "note"]
    /// Read and not shown: common in exported BibTeX, so a pasted entry is not an error.
    static let ignoredFields: Set<String> = ["pages", "volume", "number", "publisher", "month", "eprint", "archiveprefix",
                                             "primaryclass", "urldate", "organization", "editor", "address", "isbn", "issn",
                                             "abstract", "keywords", "series", "howpublished", "langid", "file"]

    /// `references.bib` of the lessons folder: nil (and no error) when there is none.
    public static func load(lessonsDirectory directory: String) -> (Bibliography?, [Diagnostic]) {
        let path = directory.hasSuffix("/") ? directory + fileName : directory + "/" + fileName
        guard FileManager.default.fileExists(atPath: path) else { return (nil, []) }
        guard let data = FileManager.default.contents(atPath: path) else {
            return (nil, [Diagnostic(stage: .load, file: path, "cannot read \(fileName): \(Load.readFailure(path) ?? "unreadable")")])
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            return (nil, [Diagnostic(stage: .load, file: path, line: Load.firstInvalidUTF8Line(data), "\(fileName) is not valid UTF-8")])
        }
        return parse(Load.normalize(text), path: path)
    }

    /// Parses BibTeX text; entries with errors are left out and each error is a diagnostic at its line.
    public static func parse(_ text: String, path: String) -> (Bibliography, [Diagnostic]) {
        var bib = Bibliography(path: path)
        var diagnostics: [Diagnostic] = []
        let chars = Array(text)
        var i = 0, line = 1
        func error(_ at: Int, _ message: String, hint: String? = nil) {
            diagnostics.append(Diagnostic(stage: .load, file: path, line: at, message, hint: hint))
        }
        func advance() {
            if chars[i] == "\n" { line += 1 }
            i += 1
        }
        func skipSpace() { while i < chars.count, chars[i].isWhitespace { advance() } }
        func word() -> String {
            var w = ""
            while i < chars.count, chars[i].isLetter || chars[i].isNumber || "_-:./+".contains(chars[i]) { w.append(chars[i]); advance() }
            return w
        }
        /// Skips to the end of the entry (its braces balanced) after an error.
        func skipEntry(depth start: Int) {
            var depth = start
            while i < chars.count, depth > 0 {
                if chars[i] == "{" { depth += 1 } else if chars[i] == "}" { depth -= 1 }
                advance()
            }
        }

        while i < chars.count {
            // Text outside entries is a comment, as in BibTeX.
            guard chars[i] == "@" else { advance(); continue }
            let entryLine = line
            advance()
            let type = word().lowercased()
            skipSpace()
            guard i < chars.count, chars[i] == "{" else {
                error(entryLine, "expected '{' after @\(type)", hint: "write @\(type.isEmpty ? "article" : type){key, field = {value}, ...}")
                continue
            }
            advance()
            if type == "comment" { skipEntry(depth: 1); continue }
            guard types.contains(type) else {
                error(entryLine, "unsupported entry type '@\(type)'", hint: "use @article, @inproceedings, @misc or @online")
                skipEntry(depth: 1)
                continue
            }
            skipSpace()
            let key = word()
            skipSpace()
            guard !key.isEmpty, i < chars.count, chars[i] == "," else {
                error(entryLine, key.isEmpty ? "@\(type) entry has no key" : "expected ',' after the key '\(key)'",
                      hint: "write @\(type){key, field = {value}, ...}")
                skipEntry(depth: 1)
                continue
            }
            advance()
            var fields: [String: String] = [:]
            var fieldLines: [String: Int] = [:]
            var failed = false, closed = false, unclosed = false
            while !failed {
                skipSpace()
                guard i < chars.count else { break }
                if chars[i] == "}" { advance(); closed = true; break }
                let fieldLine = line
                let name = word().lowercased()
                skipSpace()
                guard !name.isEmpty, i < chars.count, chars[i] == "=" else {
                    error(fieldLine, name.isEmpty ? "expected a field name in '\(key)'" : "expected '=' after the field '\(name)'",
                          hint: "write name = {value}, fields separated by commas")
                    failed = true
                    break
                }
                advance()
                skipSpace()
                guard i < chars.count else { break }
                var value = ""
                if chars[i] == "{" || chars[i] == "\"" {
                    let quote = chars[i] == "\""
                    let valueLine = line
                    advance()
                    var depth = 0, ended = false
                    while i < chars.count {
                        let c = chars[i]
                        if c == "\\", i + 1 < chars.count { value.append(c); advance(); value.append(chars[i]); advance(); continue }
                        if c == "{" { depth += 1 } else if c == "}" {
                            if depth == 0 && !quote { advance(); ended = true; break }
                            depth -= 1
                            if depth < 0 { break }
                        } else if c == "\"" && quote && depth == 0 { advance(); ended = true; break }
                        value.append(c)
                        advance()
                    }
                    guard ended else {
                        error(valueLine, "the value of '\(name)' in '\(key)' is never closed",
                              hint: quote ? "end it with a '\"' (braces inside balanced)" : "balance its braces")
                        failed = true
                        break
                    }
                } else if chars[i].isNumber {
                    value = word()
                } else {
                    error(fieldLine, "the value of '\(name)' must be in braces, in quotes or a number",
                          hint: "write \(name) = {...}; string macros and # are not supported")
                    failed = true
                    break
                }
                if fields[name] != nil {
                    error(fieldLine, "field '\(name)' is given twice in '\(key)' (first at line \(fieldLines[name]!))")
                } else if Self.fields.contains(name) {
                    fields[name] = name == "author" ? value : clean(value)
                    fieldLines[name] = fieldLine
                } else if !ignoredFields.contains(name) {
                    error(fieldLine, "unknown field '\(name)' in '\(key)'",
                          hint: "fields shown: \(Self.fields.sorted().joined(separator: ", "))")
                }
                skipSpace()
                if i < chars.count, chars[i] == "," { advance(); continue }
                if i < chars.count, chars[i] == "}" { advance(); closed = true; break }
                if i < chars.count, chars[i] == "@" {
                    // The next entry begins: this one lacks its closing brace.
                    error(entryLine, "entry '\(key)' is never closed (the next entry starts at line \(line))", hint: "end it with '}'")
                    unclosed = true
                    break
                }
                if i < chars.count {
                    error(line, "expected ',' or '}' after the field '\(name)' in '\(key)'")
                    failed = true
                }
            }
            if unclosed { continue }
            if failed { skipEntry(depth: 1); continue }
            guard closed else {
                error(entryLine, "entry '\(key)' is never closed", hint: "end it with '}'")
                break
            }
            var required = ["title"]
            switch type {
            case "article": required += ["author", "journal", "year"]
            case "inproceedings": required += ["author", "booktitle", "year"]
            case "online": required += ["url"]
            default: break
            }
            let missing = required.filter { fields[$0] == nil }
            if !missing.isEmpty {
                error(entryLine, "@\(type) entry '\(key)' needs \(missing.joined(separator: ", "))")
                continue
            }
            if let url = fields["url"], !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
                error(fieldLines["url"]!, "url of '\(key)' must start with https:// or http://, got '\(url)'")
                continue
            }
            if let first = bib.entries[key] {
                error(entryLine, "key '\(key)' is used twice (first at line \(first.line))", hint: "give each entry its own key")
                continue
            }
            bib.entries[key] = BibEntry(type: type, key: key, line: entryLine, fields: fields)
        }
        return (bib, diagnostics)
    }

    /// `A and B and {C and D}` -> ["A", "B", "{C and D}"]: an `and` inside braces does not split.
    static func splitAuthors(_ author: String) -> [String] {
        var names: [String] = [], current = "", depth = 0
        let words = author.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
        for w in words {
            if depth == 0 && w.lowercased() == "and" {
                names.append(current)
                current = ""
                continue
            }
            current += current.isEmpty ? String(w) : " " + w
            depth += w.filter { $0 == "{" }.count - w.filter { $0 == "}" }.count
        }
        names.append(current)
        return names.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// A field's value as text: braces dropped, `\&` and friends and `--` resolved, white space collapsed.
    static func clean(_ value: String) -> String {
        var out = ""
        var chars = Array(value)[...]
        while let c = chars.popFirst() {
            switch c {
            case "{", "}": continue
            case "\\":
                if let n = chars.first, "&%$#_{}~".contains(n) { out.append(n); chars.removeFirst() } else { out.append(c) }
            case "~": out.append("\u{A0}")
            case "-" where chars.first == "-":
                chars.removeFirst()
                if chars.first == "-" { chars.removeFirst(); out.append("\u{2014}") } else { out.append("\u{2013}") }
            default: out.append(c)
            }
        }
        return out.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).joined(separator: " ")
    }
}
