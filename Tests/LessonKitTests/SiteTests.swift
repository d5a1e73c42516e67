// Site.write: a new site, a replaced one, a failed write that leaves the old site alone, leftovers of
// killed builds, and the guarantee that readers and concurrent writers only ever see a whole site.

import Foundation
import Synchronization
import Testing
@testable import LessonKit

struct SiteTests {
    /// A flat site of `count` files (index.html included) whose names and contents all carry `tag`.
    static func version(_ tag: String, count: Int = 50) -> [String: String] {
        var files = ["index.html": "<h1>\(tag)</h1>\n"]
        for i in 1..<count { files["\(tag)-\(i).html"] = "\(tag) page \(i)\n" }
        return files
    }

    /// Every file under `dir`, by relative path.
    static func contents(of dir: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: dir)
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: dir + "/" + path, isDirectory: &isDirectory)
            if !isDirectory.boolValue { files[path] = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + path)) }
        }
        return files
    }

    static func utf8(_ files: [String: String]) -> [String: Data] { files.mapValues { Data($0.utf8) } }

    /// What is next to the site besides the site and its lock file: staging or old folders.
    static func leftovers(_ parent: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: parent).filter { $0 != "site" && $0 != ".site.lock" }.sorted()
    }

    static func spawn(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        try process.run()
        return process
    }

    @Test func writesANewSite() throws {
        let dir = try Pipeline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = ["index.html": "<h1>Hi</h1>\n", "lessons/01-a.html": "a\n", "style.css": "body {}\n"]
        #expect(try Site.write(files, to: dir + "/site") == .created)
        #expect(try Self.contents(of: dir + "/site") == Self.utf8(files))
        #expect(try Self.leftovers(dir) == [])
    }

    @Test func replacesAnExistingSiteSoThatItsOtherFilesAreGone() throws {
        let dir = try Pipeline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Site.write(["index.html": "old\n", "old.html": "old\n", "sub/old.css": "old\n"], to: dir + "/site")
        let new = ["index.html": "new\n", "new.html": "new\n"]
        #expect(try Site.write(new, to: dir + "/site") == .exchanged)
        #expect(try Self.contents(of: dir + "/site") == Self.utf8(new))
        #expect(try Self.leftovers(dir) == [])
    }

    @Test func binaryAssetsAreWrittenByteForByte() throws {
        let dir = try Pipeline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = ["index.html": Data("<img src=\"a.png\">".utf8), "a.png": Data((0...255).map { UInt8($0) })]
        try Site.write(files, to: dir + "/site")
        #expect(try Self.contents(of: dir + "/site") == files)
    }

    @Test(arguments: [["../x.html": "escaped"], ["a.html": "new", "z/../../x.html": "escaped"]])
    func aFailingWriteLeavesTheOldSiteByteIdenticalAndNoStagingFolder(bad: [String: String]) throws {
        let dir = try Pipeline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let old = ["index.html": Data("old\n".utf8), "sub/logo.png": Data([0, 1, 2, 255])]
        try Site.write(old, to: dir + "/site")
        #expect(throws: Diagnostic.self) { try Site.write(bad, to: dir + "/site") }
        #expect(try Self.contents(of: dir + "/site") == old)
        #expect(try Self.leftovers(dir) == [])
    }

    @Test func aStagingFolderOfADeadBuildIsRemovedByTheNextWrite() throws {
        let dir = try Pipeline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let done = try Self.spawn(["/bin/true"])
        done.waitUntilExit()
        let pid = done.processIdentifier
        try #require(!Site.isAlive(pid))
        // Both the current naming and the plain `-<pid>` one, plus a killed fallback's old site.
        for stale in [".site.building-\(pid)", ".site.building-\(pid)-7", ".site.old-\(pid)-7"] {
            try FileManager.default.createDirectory(atPath: "\(dir)/\(stale)/sub", withIntermediateDirectories: true)
            try Data("half".utf8).write(to: URL(fileURLWithPath: "\(dir)/\(stale)/sub/half.html"))
        }
        try Site.write(["index.html": "new\n"], to: dir + "/site")
        #expect(try Self.leftovers(dir) == [])
    }

    @Test func aStagingFolderOfALiveBuildIsKept() throws {
        let dir = try Pipeline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sleeper = try Self.spawn(["/bin/sleep", "30"])
        defer { kill(sleeper.processIdentifier, SIGKILL); sleeper.waitUntilExit() }
        let live = ".site.building-\(sleeper.processIdentifier)-0"
        try FileManager.default.createDirectory(atPath: "\(dir)/\(live)", withIntermediateDirectories: true)
        // This process's own folder, from a number it is not using, counts as stale.
        let mine = ".site.building-\(getpid())-999999"
        try FileManager.default.createDirectory(atPath: "\(dir)/\(mine)", withIntermediateDirectories: true)
        try Site.write(["index.html": "new\n"], to: dir + "/site")
        #expect(try Self.leftovers(dir) == [live])
    }

    @Test func theExchangeIsAvailableOnThisMachine() throws {
        #expect(Site.renameat2 != nil)
        let dir = try Pipeline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try Site.write(["index.html": "a"], to: dir + "/site") == .created)
        #expect(try Site.write(["index.html": "b"], to: dir + "/site") == .exchanged)
    }

    @Test func withoutTheExchangeTheTwoRenameFallbackStillReplacesTheSite() throws {
        let dir = try Pipeline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try Site.write(Self.utf8(["index.html": "a", "a.html": "a"]), to: dir + "/site", exchange: false) == .created)
        #expect(try Site.write(Self.utf8(["index.html": "b"]), to: dir + "/site", exchange: false) == .renamedTwice)
        #expect(try Self.contents(of: dir + "/site") == Self.utf8(["index.html": "b"]))
        #expect(try Self.leftovers(dir) == [])
    }

    /// One look at `out` through a single directory descriptor: the version it holds, or why not.
    enum Look: Equatable { case whole(String), swappedDuringLook, broken(String) }

    static func look(at out: String, versions: [String: [String: String]]) -> Look {
        let fd = open(out, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return .broken("cannot open the site: \(String(cString: strerror(errno)))") }
        var opened = stat()
        fstat(fd, &opened)
        guard let stream = fdopendir(dup(fd)) else { close(fd); return .broken("fdopendir failed") }
        var names: [String] = [], read: [String: String] = [:], failed: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            names.append(name)
            let file = openat(fd, name, O_RDONLY | O_CLOEXEC)
            guard file >= 0 else { failed.append(name); continue }
            var bytes: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = buffer.withUnsafeMutableBytes { Glibc.read(file, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                bytes += buffer[..<n]
            }
            close(file)
            read[name] = String(decoding: bytes, as: UTF8.self)
        }
        closedir(stream)
        // Still the folder at `out`? (Holding fd, its inode cannot have been reused.)
        var now = stat()
        let stillThere = stat(out, &now) == 0 && now.st_ino == opened.st_ino && now.st_dev == opened.st_dev
        close(fd)
        // The version whose files these are (`index.html` is in both: it alone names none).
        guard let (tag, expected) = versions.first(where: { v in names.allSatisfy { v.value[$0] != nil } }),
              read.allSatisfy({ expected[$0.key] == $0.value }) else {
            return .broken("a mix of versions or wrong contents: \(names.sorted().prefix(5))…")
        }
        // A folder swapped away is being deleted by the writer: missing files there are expected.
        guard stillThere else { return .swappedDuringLook }
        guard failed.isEmpty, Set(names) == Set(expected.keys) else {
            return .broken("version \(tag) incomplete: \(names.count) files, failed to open \(failed.prefix(3))")
        }
        return .whole(tag)
    }

    @Test func aReaderAlwaysSeesAWholeSiteWhileItIsReplacedOverAndOver() throws {
        let dir = try Pipeline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = dir + "/site"
        let versions = ["A": Self.version("A"), "B": Self.version("B")]
        try Site.write(versions["A"]!, to: out)
        let finished = Atomic<Bool>(false)
        let writerError = Mutex<String?>(nil)
        let writer = DispatchSemaphore(value: 0)
        let order = (0..<200).map { $0 % 2 == 0 ? "B" : "A" }
        Thread.detachNewThread {
            for tag in order {
                do { try Site.write(versions[tag]!, to: out) } catch {
                    writerError.withLock { $0 = "\(error)" }
                    break
                }
            }
            finished.store(true, ordering: .releasing)
            writer.signal()
        }
        var seen: [String: Int] = [:], swapped = 0, broken: [String] = []
        while !finished.load(ordering: .acquiring) {
            switch Self.look(at: out, versions: versions) {
            case .whole(let tag): seen[tag, default: 0] += 1
            case .swappedDuringLook: swapped += 1
            case .broken(let why): broken.append(why)
            }
        }
        writer.wait()
        #expect(writerError.withLock { $0 } == nil)
        #expect(broken == [])
        // The reader really overlapped the swaps.
        #expect(seen["A", default: 0] > 0 && seen["B", default: 0] > 0, "seen \(seen), swapped \(swapped)")
        #expect(try Self.contents(of: out) == Self.utf8(versions[order.last!]!))
        #expect(try Self.leftovers(dir) == [])
    }

    @Test func twoConcurrentWritersEndWithOneWholeSiteAndNoLeftovers() throws {
        let dir = try Pipeline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = dir + "/site"
        let versions = ["A": Self.version("A"), "B": Self.version("B")]
        let errors = Mutex<[String]>([])
        let done = DispatchSemaphore(value: 0)
        for tag in ["A", "B"] {
            Thread.detachNewThread {
                for _ in 0..<50 {
                    do { try Site.write(versions[tag]!, to: out) } catch { errors.withLock { $0.append("\(error)") } }
                }
                done.signal()
            }
        }
        done.wait()
        done.wait()
        #expect(errors.withLock { $0 } == [])
        let final = try Self.contents(of: out)
        #expect(final == Self.utf8(versions["A"]!) || final == Self.utf8(versions["B"]!))
        #expect(try Self.leftovers(dir) == [])
    }
}
