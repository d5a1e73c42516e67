// Inputs: the files a lesson lists under `inputs:`. Their contents key the cache, so each must be
// something that can be read to its end quickly: a regular file, or a folder of them, in the lesson's
// folder. A device (/dev/zero), FIFO or socket would hang the hash; a missing file would silently
// make the key meaningless.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

enum Inputs {
    /// Total bytes the inputs of one lesson may hold (they are hashed on every run).
    static let sizeLimit: Int64 = 64 << 20
    /// Files a lesson's input folders may hold in all.
    static let fileLimit = 10_000

    /// Resolves `inputs:` entries against the lesson file's folder (an absolute path must lie in it);
    /// returns the paths to hash (a folder expanded to its files, sorted) or the first error.
    static func resolve(_ entries: [String], lessonPath: String) -> Result<[String], InputError> {
        let folder = (lessonPath as NSString).deletingLastPathComponent
        let base = folder.isEmpty ? "." : folder
        guard let realBase = realPath(base) else { return .failure(InputError("cannot resolve the lesson's folder '\(base)'")) }
        var files: [String] = []
        var bytes: Int64 = 0
        for entry in entries {
            let path = entry.hasPrefix("/") ? entry : base + "/" + entry
            guard let real = realPath(path) else {
                return .failure(InputError("input '\(entry)' does not exist (looked for '\(path)'; inputs are relative to the lesson's folder)"))
            }
            // What it is first (a link to /dev/zero is a device, whatever folder it is in), then where.
            var s = stat()
            if stat(path, &s) == 0, let kind = unreadable(s.st_mode) {
                return .failure(InputError("input '\(entry)' is \(kind); inputs must be regular files or folders of them"))
            }
            guard real == realBase || real.hasPrefix(realBase + "/") else {
                return .failure(InputError("input '\(entry)' is outside the lesson's folder '\(base)'"))
            }
            switch collect(path, inside: realBase, into: &files, bytes: &bytes, depth: 0) {
            case .some(let e): return .failure(e)
            case .none: break
            }
        }
        return .success(files)
    }

    struct InputError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    private static func collect(_ path: String, inside base: String, into files: inout [String], bytes: inout Int64, depth: Int) -> InputError? {
        var s = stat()
        guard stat(path, &s) == 0 else { return InputError("cannot read input '\(path)': \(String(cString: strerror(errno)))") }
        // A link in an input folder may not lead out of the lesson's folder either.
        if depth > 0, let real = realPath(path), real != base && !real.hasPrefix(base + "/") {
            return InputError("input '\(path)' leads outside the lesson's folder")
        }
        switch s.st_mode & S_IFMT {
        case S_IFREG:
            bytes += Int64(s.st_size)
            files.append(path)
            if bytes > sizeLimit {
                return InputError("inputs are larger than \(sizeLimit >> 20) MiB (at '\(path)'); they are hashed on every run")
            }
            if files.count > fileLimit { return InputError("inputs hold more than \(fileLimit) files (at '\(path)')") }
        case S_IFDIR:
            guard depth < 32 else { return InputError("input folder '\(path)' is nested too deeply") }
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
                return InputError("cannot read input folder '\(path)'")
            }
            for name in names.sorted() {
                if let e = collect(path + "/" + name, inside: base, into: &files, bytes: &bytes, depth: depth + 1) { return e }
            }
        default:
            return InputError("input '\(path)' is \(unreadable(s.st_mode) ?? "not a regular file"); inputs must be regular files or folders of them")
        }
        return nil
    }

    /// What a file that cannot be hashed to its end is, or nil for a regular file or folder.
    private static func unreadable(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG, S_IFDIR: nil
        case S_IFCHR, S_IFBLK: "a device"
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        default: "not a regular file"
        }
    }

    private static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }
}
