// Site: writes the rendered files into a fresh folder and swaps it in, so that a failed or killed
// build never leaves a half-written or missing site.

import Foundation
import Synchronization

public enum Site {
    /// How `write` put the new site in place.
    public enum Swap: Sendable, Equatable {
        /// There was no site yet: a plain rename.
        case created
        /// Old and new exchanged in one step (Linux `renameat2` with `RENAME_EXCHANGE`).
        case exchanged
        /// The filesystem cannot exchange: old moved aside, then new moved in (briefly no site).
        case renamedTwice
    }

    /// The file `build` puts in every site it writes, so that a later build knows the folder is
    /// its own to replace.
    public static let stamp = ".arcface-lessons-site"
    static let stampText = "This folder is written by `arcface-lessons build`, which replaces it whole.\n"

    /// Where `build --out` may write: the resolved folder (a symlink is followed, so its target is
    /// replaced and the link kept). Refuses, as a usage error, every folder whose replacement would
    /// lose work: the empty path, `/`, the home folder, the current folder or one containing it,
    /// the lessons folder or one containing it, a file, and a non-empty folder that is not a site.
    public static func checkedOut(_ out: String, lessonsDirectory: String) throws -> String {
        func refuse(_ why: String) -> EnvironmentError {
            EnvironmentError("refusing --out '\(out)': \(why)")
        }
        guard !out.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw refuse("the path is empty (an unset variable?); name the site folder, e.g. --out site")
        }
        var link = stat(), followed = stat()
        if lstat(out, &link) == 0 && link.st_mode & S_IFMT == S_IFLNK && stat(out, &followed) != 0 {
            throw refuse("it is a symbolic link to nothing")
        }
        let target = resolved(out)
        let cwd = resolved(FileManager.default.currentDirectoryPath)
        let lessons = resolved(lessonsDirectory)
        let home = ProcessInfo.processInfo.environment["HOME"].map(resolved)
        if target == "/" { throw refuse("it is the root folder") }
        if target == home { throw refuse("it is your home folder") }
        if contains(target, lessons) { throw refuse("it is or contains the lessons folder '\(lessonsDirectory)'") }
        if contains(target, cwd) { throw refuse("it is or contains the current folder") }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target, isDirectory: &isDir) else { return target }
        guard isDir.boolValue else { throw refuse("it is a file, not a folder") }
        let entries = try FileManager.default.contentsOfDirectory(atPath: target)
        if !entries.isEmpty && !looksLikeSite(entries) {
            throw refuse("it holds files that are not a site written by arcface-lessons (no \(stamp)); use a new or empty folder")
        }
        return target
    }

    /// A folder build may replace: it has the stamp, or (a site written before the stamp existed)
    /// the four files every site has and nothing a project keeps (Markdown, .git).
    static func looksLikeSite(_ entries: [String]) -> Bool {
        if entries.contains(stamp) { return true }
        let names = Set(entries)
        return ["index.html", "style.css", "site.js", "search-index.js"].allSatisfy(names.contains)
            && !entries.contains { $0 == ".git" || $0.hasSuffix(".md") }
    }

    /// `ancestor` is `path` or a folder above it (both resolved).
    static func contains(_ ancestor: String, _ path: String) -> Bool {
        path == ancestor || path.hasPrefix(ancestor == "/" ? "/" : ancestor + "/")
    }

    /// Absolute path with symlinks resolved; the part that does not exist yet is appended as written.
    static func resolved(_ path: String) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        if let r = realpath(absolute, nil) {
            defer { free(r) }
            return String(cString: r)
        }
        let parent = (absolute as NSString).deletingLastPathComponent
        guard parent != absolute else { return absolute }
        return (resolved(parent) as NSString).appendingPathComponent((absolute as NSString).lastPathComponent)
    }

    @discardableResult
    /// The files of the site at `out` (path -> bytes), empty when there is none.
    static func files(in out: String) -> [String: Data] {
        let fm = FileManager.default
        guard fm.fileExists(atPath: out + "/" + stamp) else { return [:] }
        var files: [String: Data] = [:]
        for path in fm.enumerator(atPath: out)?.allObjects as? [String] ?? [] {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: out + "/" + path, isDirectory: &isDir), !isDir.boolValue,
                  let data = fm.contents(atPath: out + "/" + path) else { continue }
            files[path] = data
        }
        return files
    }

    public static func write(_ files: [String: String], to out: String) throws -> Swap {
        try write(files.mapValues { Data($0.utf8) }, to: out)
    }

    /// Binary assets too. Disfavoured so that a `[:]` literal still picks the String overload.
    @_disfavoredOverload @discardableResult
    public static func write(_ files: [String: Data], to out: String) throws -> Swap {
        try write(files, to: out, exchange: true)
    }

    /// `exchange: false` forces the two-rename fallback (for tests).
    static func write(_ files: [String: Data], to out: String, exchange: Bool) throws -> Swap {
        let fm = FileManager.default
        let url = URL(fileURLWithPath: out).standardizedFileURL
        let parent = url.deletingLastPathComponent().path, name = url.lastPathComponent
        try fm.createDirectory(atPath: parent, withIntermediateDirectories: true)
        // pid for other processes' stale-check, plus a per-process number so two threads never share a folder.
        let id = InFlight.claim()
        defer { InFlight.release(id) }
        let staging = "\(parent)/.\(name).building-\(getpid())-\(id)"
        let aside = "\(parent)/.\(name).old-\(getpid())-\(id)"
        do {
            try fm.createDirectory(atPath: staging, withIntermediateDirectories: false)
            for (path, content) in files.sorted(by: { $0.key < $1.key }) {
                let target = URL(fileURLWithPath: staging + "/" + path).standardizedFileURL
                guard target.path.hasPrefix(staging + "/") else {
                    throw Diagnostic(stage: .write, file: nil, "refusing to write '\(path)' outside the site folder")
                }
                try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try content.write(to: target)
            }
            // Concurrent builds would otherwise interleave their renames (and the fallback's gap).
            return try withLock("\(parent)/.\(name).lock") {
                removeStale(in: parent, name: name)
                let swap = try install(staging, at: url.path, aside: aside, exchange: exchange)
                // The old site, now at the staging path (exchange) or moved aside (fallback).
                try? fm.removeItem(atPath: swap == .exchanged ? staging : aside)
                return swap
            }
        } catch {
            try? fm.removeItem(atPath: staging)
            throw error
        }
    }

    static func install(_ staging: String, at out: String, aside: String, exchange: Bool) throws -> Swap {
        if exchange, let renameat2 = Self.renameat2 {
            if renameat2(AT_FDCWD, staging, AT_FDCWD, out, 2 /* RENAME_EXCHANGE */) == 0 { return .exchanged }
            // ENOENT: no site yet. EINVAL/ENOSYS: no exchange on this filesystem or kernel.
            let code = errno
            guard [ENOENT, EINVAL, ENOSYS].contains(code) else { throw failure(code, "cannot swap in '\(out)'") }
        }
        if rename(staging, out) == 0 { return .created }
        guard errno == ENOTEMPTY || errno == EEXIST else { throw failure(errno, "cannot move the new site to '\(out)'") }
        guard rename(out, aside) == 0 else { throw failure(errno, "cannot move the old site '\(out)' aside") }
        guard rename(staging, out) == 0 else {
            let error = failure(errno, "cannot move the new site to '\(out)'")
            rename(aside, out)
            throw error
        }
        return .renamedTwice
    }

    typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32

    /// Looked up at run time: Glibc's Swift module hides `renameat2` (declared only with _GNU_SOURCE),
    /// and glibc before 2.28 lacks it. (RTLD_DEFAULT is 0 on glibc, hence `dlopen(nil)`.)
    static let renameat2: RenameAt2? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "renameat2") else { return nil }
        return unsafeBitCast(symbol, to: RenameAt2.self)
    }()

    /// Runs `body` holding an exclusive `flock` on `path`. flock belongs to the open file
    /// description, so this excludes other threads of this process as well as other processes.
    static func withLock<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(errno, "cannot open the lock file '\(path)'") }
        defer { close(fd) }  // releases the lock
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw failure(errno, "cannot lock '\(path)'") }
        }
        return try body()
    }

    /// Removes what killed builds left, `.<name>.building-<pid>[-<n>]` (and the fallback's `.old-`),
    /// when that process is gone, or is this one and no longer uses number n. Call with the lock held.
    static func removeStale(in parent: String, name: String) {
        let fm = FileManager.default
        for entry in (try? fm.contentsOfDirectory(atPath: parent)) ?? [] {
            let path = parent + "/" + entry
            for prefix in [".\(name).building-", ".\(name).old-"] where entry.hasPrefix(prefix) {
                let parts = entry.dropFirst(prefix.count).split(separator: "-", omittingEmptySubsequences: false)
                guard parts.count <= 2, let pid = parts.first.flatMap({ pid_t($0) }), pid > 0 else { continue }
                let id = parts.count == 2 ? Int(parts[1]) : nil
                let live = pid == getpid() ? id.map(InFlight.isActive) ?? false : isAlive(pid)
                if !live { try? fm.removeItem(atPath: path) }
            }
        }
    }

    /// EPERM means it exists but is someone else's: alive. Only ESRCH means gone.
    static func isAlive(_ pid: pid_t) -> Bool { kill(pid, 0) == 0 || errno != ESRCH }

    /// Takes the errno first, so that building the message cannot clobber it.
    static func failure(_ code: Int32, _ message: String) -> Diagnostic {
        Diagnostic(stage: .write, file: nil, "\(message): \(String(cString: strerror(code)))")
    }

    /// Numbers of this process's writes in progress, so stale-removal spares its own live folders.
    enum InFlight {
        static let state = Mutex<(next: Int, active: Set<Int>)>((0, []))
        static func claim() -> Int {
            state.withLock { s in
                defer { s.next += 1 }
                s.active.insert(s.next)
                return s.next
            }
        }
        static func release(_ id: Int) { _ = state.withLock { $0.active.remove(id) } }
        static func isActive(_ id: Int) -> Bool { state.withLock { $0.active.contains(id) } }
    }
}
