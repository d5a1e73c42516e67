// Load: find the lesson files, order them by their number prefix, and read them as UTF-8.

import Foundation

/// A lesson file as read from disk, before parsing.
public struct LessonSource: Sendable, Equatable {
    public var path: String
    public var slug: String
    public var number: Int
    public var text: String

    /// Every lesson's text goes through `Load.normalize` here, whoever reads the file.
    public init(path: String, slug: String, number: Int, text: String) {
        (self.path, self.slug, self.number, self.text) = (path, slug, number, Load.normalize(text))
    }
}

public enum Load {
    /// The lesson file a command line names, among the lessons folder's `paths`, as every
    /// subcommand reads it: a path names that very file (a copy elsewhere with a lesson's name is not
    /// that lesson); a bare word that is no file here is a file name (`04-margin.md`), a slug
    /// (`04-margin`) or a number (`4`, `04`).
    package static func lesson(named name: String, among paths: [String]) -> String? {
        if name.contains("/") || FileManager.default.fileExists(atPath: name) {
            let wanted = Site.resolved(name)
            return paths.first { Site.resolved($0) == wanted }
        }
        let file = { (path: String) in (path as NSString).lastPathComponent }
        let slug = { (path: String) in String(file(path).dropLast(file(path).hasSuffix(".md") ? 3 : 0)) }
        return paths.first { file($0) == name }
            ?? paths.first { slug($0) == name }
            ?? Int(name).flatMap { number in paths.first { Int(slug($0).prefix(while: \.isNumber)) == number } }
    }

    /// Lists `*.md` in `directory`, sorted by number prefix, and reads them. Problems with
    /// individual files (names, duplicates, encoding) come back as diagnostics.
    public static func lessons(in directory: String) throws -> (sources: [LessonSource], diagnostics: [Diagnostic]) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw EnvironmentError("lessons directory '\(directory)' does not exist",
                                   hint: "run from the repository root or pass --lessons DIR")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".md") }.sorted()
        } catch {
            throw EnvironmentError("cannot read the lessons directory '\(directory)': \(reason(error))")
        }
        guard !names.isEmpty else {
            throw EnvironmentError("lessons directory '\(directory)' has no .md files",
                                   hint: "a lesson is a file like \(directory)/01-intro.md")
        }
        var diagnostics: [Diagnostic] = []
        var sources: [LessonSource] = []
        var byNumber: [Int: String] = [:]
        for name in names {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            let slug = String(name.dropLast(3))
            guard let number = Int(slug.prefix(while: \.isNumber)), slug.first?.isNumber == true else {
                diagnostics.append(Diagnostic(stage: .load, file: path, "lesson file name must start with its number",
                                              hint: "rename it like 01-\(slug).md; the number orders the course"))
                continue
            }
            // The slug becomes site/<slug>.html: keep it to characters that cannot leave site/.
            guard slug.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }) else {
                diagnostics.append(Diagnostic(stage: .load, file: path, "lesson file name may use only letters, digits, '-', '_' and '.'"))
                continue
            }
            if let other = byNumber[number] {
                diagnostics.append(Diagnostic(stage: .load, file: path, "lesson number \(number) is also used by \(other)",
                                              hint: "each lesson needs its own number prefix"))
                continue
            }
            byNumber[number] = path
            // One unreadable file (permissions, a symlink loop, a folder named .md) is that file's
            // error; the other lessons still run.
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                diagnostics.append(Diagnostic(stage: .load, file: path, "cannot read the lesson: \(readFailure(path) ?? reason(error))"))
                continue
            }
            guard let text = String(validating: data, as: UTF8.self) else {
                let line = firstInvalidUTF8Line(data)
                diagnostics.append(Diagnostic(stage: .load, file: path, line: line, "file is not valid UTF-8",
                                              hint: "save the lesson as UTF-8"))
                continue
            }
            if text.allSatisfy(\.isWhitespace) {
                diagnostics.append(Diagnostic(stage: .load, file: path, "lesson file is empty"))
                continue
            }
            sources.append(LessonSource(path: path, slug: slug, number: number, text: text))
        }
        sources.sort { $0.number < $1.number }
        return (sources, diagnostics)
    }

    /// The one place lesson text is normalised: a leading byte order mark dropped, CRLF and lone CR
    /// made LF. Swift reads "\r\n" as one Character, so splitting on "\n" would see a CRLF file as
    /// one line. Tabs stay: a column counts characters, a tab is one, as swiftc counts it.
    public static func normalize(_ text: String) -> String {
        var t = Substring(text)
        if t.unicodeScalars.first == "\u{FEFF}" { t = Substring(t.unicodeScalars.dropFirst()) }
        guard t.utf8.contains(13) else { return String(t) }
        var out = String.UnicodeScalarView()
        var scalars = t.unicodeScalars.makeIterator()
        var pending = scalars.next()
        while let s = pending {
            pending = scalars.next()
            if s == "\r" {
                out.append("\n")
                if pending == "\n" { pending = scalars.next() }
            } else {
                out.append(s)
            }
        }
        return String(out)
    }

    /// Why reading `path` fails, from the system (Foundation's error often carries only code 256).
    static func readFailure(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        defer { close(fd) }
        var byte: UInt8 = 0
        return read(fd, &byte, 1) < 0 ? String(cString: strerror(errno)) : nil
    }

    /// The system's reason (`Permission denied`, `Too many levels of symbolic links`), not
    /// Foundation's NSCocoaErrorDomain dump.
    static func reason(_ error: Error) -> String {
        let e = error as NSError
        if let underlying = e.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if e.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(e.code))) }
        switch e.code {
        case NSFileReadNoPermissionError: return "Permission denied"
        case NSFileReadNoSuchFileError: return "No such file or directory"
        default: return e.localizedDescription
        }
    }

    /// Line of the first byte sequence that is not UTF-8, found by decoding line by line.
    static func firstInvalidUTF8Line(_ data: Data) -> Int {
        var line = 1
        for chunk in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            if String(validating: chunk, as: UTF8.self) == nil { return line }
            line += 1
        }
        return 1
    }
}
