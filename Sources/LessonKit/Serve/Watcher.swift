// Watcher: inotify on the folders that hold what a serve build reads (the lessons folder, each
// lesson's `inputs:`, course.yml). Folders, not files: editors save by writing a new file and
// renaming it over the old one, which a watch on the old file's inode would miss. An event counts
// when its name is one the build reads (`*.md` in the lessons folder, an input's name, course.yml),
// and a burst of them (an editor's save: write, rename, chmod) is one change.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

package final class Watcher {
    /// What to watch: per folder, the names that matter there (nil: every name, an input folder).
    package struct Plan: Equatable {
        package var folders: [String: Set<String>?] = [:]
        package init() {}
        package mutating func add(_ path: String) {
            let folder = (path as NSString).deletingLastPathComponent
            let name = (path as NSString).lastPathComponent
            let key = folder.isEmpty ? "." : folder
            if case .some(.none) = folders[key] { return }
            folders[key, default: Set<String>()]!.insert(name)
        }
        package mutating func addFolder(_ folder: String, names: Set<String>? = nil) {
            if let names, case .some(.some(let old)) = folders[folder] { folders[folder] = old.union(names) }
            else if names == nil || folders[folder] == nil { folders[folder] = names }
        }
        /// Whether an event for `name` in `folder` is a change the build would see.
        func matters(_ name: String, in folder: String) -> Bool {
            guard let entry = folders[folder] else { return false }
            guard let names = entry else { return !name.hasPrefix(".") }
            return names.contains(name) || (names.contains("*.md") && name.hasSuffix(".md") && !name.hasPrefix("."))
        }
    }

    private let fd: Int32
    private var watches: [Int32: String] = [:]
    private var plan = Plan()
    private static let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB
                                     | IN_DELETE_SELF | IN_MOVE_SELF)

    package init() throws {
        fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard fd >= 0 else { throw EnvironmentError("cannot watch files: inotify_init1: \(String(cString: strerror(errno)))") }
    }

    deinit { close(fd) }

    /// Watches what `plan` names (and stops watching what it no longer does). A folder that does not
    /// exist (yet) is skipped; the next plan tries again.
    package func watch(_ plan: Plan) {
        self.plan = plan
        let wanted = Set(plan.folders.keys)
        for (wd, folder) in watches where !wanted.contains(folder) {
            inotify_rm_watch(fd, wd)
            watches[wd] = nil
        }
        for folder in wanted where !watches.values.contains(folder) {
            let wd = inotify_add_watch(fd, folder, Self.mask)
            if wd >= 0 { watches[wd] = folder }
        }
    }

    /// Blocks until something the plan names changed, then waits for the burst to end (`quiet`
    /// seconds without a relevant event, at most `longest`); returns the changed paths.
    package func next(quiet: Double = 0.075, longest: Double = 1.0) -> (paths: [String], first: Date) {
        var changed: [String] = []
        // The first relevant event: wait as long as it takes.
        while changed.isEmpty { changed = read(timeout: -1) }
        let started = Date()
        while Date().timeIntervalSince(started) < longest {
            let more = read(timeout: Int32(quiet * 1000))
            if more.isEmpty { break }
            changed += more
        }
        var seen = Set<String>()
        return (changed.filter { seen.insert($0).inserted }, started)
    }

    /// Waits up to `timeout` ms (-1: forever) for events; the paths of the relevant ones (empty if none
    /// arrived, or only irrelevant ones).
    private func read(timeout: Int32) -> [String] {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let deadline = timeout < 0 ? nil : Date().addingTimeInterval(Double(timeout) / 1000)
        while true {
            let wait = deadline.map { max(0, Int32($0.timeIntervalSinceNow * 1000)) } ?? -1
            let r = poll(&p, 1, wait)
            if r < 0 && errno == EINTR { continue }
            if r <= 0 { return [] }
            let paths = drain()
            if !paths.isEmpty || deadline.map({ $0.timeIntervalSinceNow <= 0 }) ?? false { return paths }
        }
    }

    private func drain() -> [String] {
        var paths: [String] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            var offset = 0
            while offset + MemoryLayout<inotify_event>.size <= n {
                let (wd, mask, length) = buffer.withUnsafeBytes { raw -> (Int32, UInt32, Int) in
                    let e = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    return (e.wd, e.mask, Int(e.len))
                }
                let nameStart = offset + MemoryLayout<inotify_event>.size
                let nameBytes = buffer[nameStart..<min(n, nameStart + length)].prefix { $0 != 0 }
                let name = String(decoding: nameBytes, as: UTF8.self)
                offset = nameStart + length
                // The queue overflowed: something changed, no telling what.
                if mask & UInt32(IN_Q_OVERFLOW) != 0 { paths.append(plan.folders.keys.sorted().first ?? "."); continue }
                guard let folder = watches[wd] else { continue }
                if mask & UInt32(IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF) != 0 {
                    // The folder itself went away (or was replaced): watch it again on the next plan.
                    if mask & UInt32(IN_IGNORED) != 0 { watches[wd] = nil }
                    paths.append(folder)
                    continue
                }
                if plan.matters(name, in: folder) { paths.append(folder == "." ? name : folder + "/" + name) }
            }
        }
        return paths
    }
}
