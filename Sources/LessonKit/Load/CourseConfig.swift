// CourseConfig: `course.yml` at the course's root, found by walking up from the working folder as
// git finds `.git`. Its folders are relative to the file, so every subcommand works from anywhere
// inside the course. Real YAML (Yams); an unknown key, a key given twice or a value of the wrong
// type is an error at course.yml:line:column.

import Foundation
import Yams

public struct CourseConfig: Sendable, Equatable {
    public static let fileName = "course.yml"

    /// The course.yml read, nil when the course has none (then folders are the working folder's).
    public var file: String?
    public var title = "ArcFace, computed"
    public var description: String?
    public var author: String?
    public var repository: String?
    /// The pages' `lang`.
    public var language = "en"
    /// Folders, resolved against the file's folder.
    public var lessons = "lessons"
    public var output = "site"
    public var cache = ".lessons-cache"
    public var theme: String?
    /// Defaults of the flags of the same names.
    public var jobs: Int?
    public var timeout: Double?
    public var cellTimeout: Double?

    public init() {}

    /// Every key, with what its value must be.
    static let keys: [(name: String, type: String)] = [
        ("title", "text"), ("description", "text"), ("author", "text"), ("repository", "a URL"), ("language", "a language tag"),
        ("lessons", "a folder"), ("output", "a folder"), ("cache", "a folder"), ("theme", "a folder"),
        ("jobs", "a whole number from 1 to 256"), ("timeout", "seconds"), ("cell_timeout", "seconds"),
    ]

    /// The nearest course.yml at or above `directory`.
    public static func find(from directory: String) -> String? {
        var url = URL(fileURLWithPath: directory).standardizedFileURL
        while true {
            let candidate = url.appendingPathComponent(fileName).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            if url.path == "/" { return nil }
            url.deleteLastPathComponent()
        }
    }

    /// The configuration for a run started in `directory`: its course.yml's, or the defaults.
    public static func discover(from directory: String = FileManager.default.currentDirectoryPath) throws -> CourseConfig {
        guard let path = find(from: directory) else { return CourseConfig() }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw Diagnostic(stage: .load, file: path, "cannot read \(fileName): \(Load.reason(error))")
        }
        return try parse(text, path: path)
    }

    /// `path` relative to the working folder when that is shorter (`lessons/01-x.md:3:1` in errors
    /// rather than the absolute path; `../lessons` from a subfolder), else as it is.
    static func shortest(_ path: String) -> String {
        let target = URL(fileURLWithPath: path).standardizedFileURL.pathComponents
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.pathComponents
        var common = 0
        while common < min(target.count, here.count) && target[common] == here[common] { common += 1 }
        guard common > 1 else { return path }   // only "/" in common
        let ups = here.count - common
        let relative = Array(repeating: "..", count: ups) + target[common...]
        return relative.isEmpty ? "." : (ups > 2 ? path : relative.joined(separator: "/"))
    }

    /// Parses course.yml's text; `path` names it in errors and anchors its folders.
    public static func parse(_ text: String, path: String) throws -> CourseConfig {
        var config = CourseConfig()
        config.file = path
        let folder = (path as NSString).deletingLastPathComponent
        // The defaults are the file's folder's too: `verify` from lessons/deeper/ finds ../lessons.
        func anchored(_ t: String) -> String { t.hasPrefix("/") || folder.isEmpty ? t : shortest(folder + "/" + t) }
        (config.lessons, config.output, config.cache) = (anchored(config.lessons), anchored(config.output), anchored(config.cache))
        func fail(_ mark: Mark?, _ message: String, hint: String? = nil) -> Diagnostic {
            Diagnostic(stage: .load, file: path, line: mark?.line ?? 1, column: mark?.column ?? 1, message, hint: hint)
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let YamlError.scanner(context, problem, mark, _), let YamlError.parser(context, problem, mark, _) {
            throw fail(mark, "\(fileName) is not valid YAML: \(problem)" + (context.map { " (\($0.text))" } ?? ""))
        } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
            throw fail(context.mark, "key '\(duplicates.first ?? "?")' is given twice", hint: "keep one of them")
        } catch {
            throw fail(nil, "\(fileName) is not valid YAML: \(error)")
        }
        guard let root else { return config }   // an empty file: the defaults
        guard case .mapping(let mapping) = root else {
            throw fail(root.mark, "\(fileName) must be a mapping of keys to values (like `title: My course`)")
        }
        var seen: [String: Int] = [:]
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else { throw fail(keyNode.mark, "a key must be text") }
            if let first = seen[key] {
                throw fail(keyNode.mark, "key '\(key)' is given twice (first at line \(first))", hint: "keep one of them")
            }
            seen[key] = keyNode.mark?.line ?? 1
            guard let type = keys.first(where: { $0.name == key })?.type else {
                throw fail(keyNode.mark, "unknown key '\(key)'", hint: "known keys: \(keys.map(\.name).joined(separator: ", "))")
            }
            func wrong() -> Diagnostic { fail(value.mark, "'\(key)' must be \(type)") }
            func text() throws -> String {
                guard case .scalar = value, let t = value.string, !t.isEmpty else { throw wrong() }
                return t
            }
            func directory() throws -> String { anchored(try text()) }
            func seconds() throws -> Double {
                guard case .scalar = value, let s = value.float ?? value.int.map(Double.init), Parse.validSeconds(s) else {
                    throw fail(value.mark, "'\(key)' must be a positive number of seconds up to \(Int(Parse.maxSeconds))")
                }
                return s
            }
            switch key {
            case "title": config.title = try text()
            case "description": config.description = try text()
            case "author": config.author = try text()
            case "repository":
                let t = try text()
                guard t.hasPrefix("https://") || t.hasPrefix("http://") else { throw wrong() }
                config.repository = t
            case "language":
                let t = try text()
                guard t.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else { throw wrong() }
                config.language = t
            case "lessons": config.lessons = try directory()
            case "output": config.output = try directory()
            case "cache": config.cache = try directory()
            case "theme": config.theme = try directory()
            case "jobs":
                guard case .scalar = value, let n = value.int, (1...256).contains(n) else { throw wrong() }
                config.jobs = n
            case "timeout": config.timeout = try seconds()
            case "cell_timeout": config.cellTimeout = try seconds()
            default: break
            }
        }
        return config
    }
}
