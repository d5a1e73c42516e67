// SiteSettings: what a course says about itself on every page (course.yml's title, description,
// language, author, repository) and its theme folder, whose files replace the built-in front end's
// (Resources/templates/*.mustache, Resources/frontend/*.css|js) by the same relative path, as
// mdBook's theme/ does.

import Foundation
import Mustache

public struct SiteSettings: Sendable, Equatable {
    public var title = "ArcFace, computed"
    /// The index page's introduction as HTML (course.yml's `description`, Markdown); nil: the
    /// built-in one of the ArcFace course.
    public var leadHTML: String?
    public var language = "en"
    public var author: String?
    public var repository: String?
    public var theme: Theme? {
        didSet { templates = theme.flatMap { try? Render.library($0) } ?? Render.templates }
    }
    /// The page templates with the theme's in place, prepared once for the whole site.
    var templates = Render.templates

    public static let `default` = SiteSettings()

    /// The templates follow from the theme.
    public static func == (a: SiteSettings, b: SiteSettings) -> Bool {
        (a.title, a.leadHTML, a.language, a.author, a.repository) == (b.title, b.leadHTML, b.language, b.author, b.repository)
            && a.theme == b.theme
    }

    public init() {}

    /// From the course's configuration; a theme folder with a file the front end does not have is
    /// an error naming that file (a typo would otherwise be silently ignored).
    public init(_ config: CourseConfig) throws {
        title = config.title
        leadHTML = config.description.map { Markdown.html($0, Markdown.Substitutions()) }
        language = config.language
        author = config.author
        repository = config.repository
        if let folder = config.theme ?? config.file.map({ ($0 as NSString).deletingLastPathComponent + "/theme" }) {
            theme = try Theme.load(folder, required: config.theme != nil)
            templates = try Render.library(theme)   // observers do not run in an initializer
        }
    }
}

/// A course's replacements for front-end files, by path relative to Resources (`frontend/theme.css`,
/// `templates/page.mustache`).
public struct Theme: Sendable, Equatable {
    public var folder: String
    public var files: [String: String]

    /// Every file a theme may replace.
    public static let replaceable = FrontEnd.names.map { "frontend/" + $0 } + Render.templateNames.map { "templates/\($0).mustache" }

    /// Reads the overrides in `folder`; nil when it does not exist and is not `required`.
    static func load(_ folder: String, required: Bool) throws -> Theme? {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            if required { throw EnvironmentError("theme folder '\(folder)' does not exist", hint: "create it, or remove `theme:` from course.yml") }
            return nil
        }
        var files: [String: String] = [:]
        for path in (fm.enumerator(atPath: folder)?.allObjects as? [String] ?? []).sorted() {
            var dir: ObjCBool = false
            guard fm.fileExists(atPath: folder + "/" + path, isDirectory: &dir), !dir.boolValue,
                  !(path as NSString).lastPathComponent.hasPrefix(".") else { continue }
            guard replaceable.contains(path) else {
                throw EnvironmentError("'\(folder)/\(path)' is not a front-end file a theme can replace",
                                       hint: "a theme holds any of: \(replaceable.joined(separator: ", "))")
            }
            guard let text = try? String(contentsOfFile: folder + "/" + path, encoding: .utf8) else {
                throw EnvironmentError("cannot read '\(folder)/\(path)' as UTF-8 text")
            }
            if path.hasPrefix("templates/") {
                var library = MustacheLibrary()
                do { try library.register(text, named: "check") } catch {
                    throw EnvironmentError("'\(folder)/\(path)' is not a valid Mustache template: \(error)")
                }
            }
            files[path] = text
        }
        return Theme(folder: folder, files: files)
    }
}
