// Images a lesson shows are checked at their line and copied into the site; external links are
// asked only with --check-external (here against a local server: CI must not need the network).

import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import LessonKit
@testable import TestSupport

@Suite(.serialized) struct AssetTests {
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3])

    @Test func anImageIsCopiedIntoTheSiteAtThePathThePageUses() throws {
        let dir = try Support.project(["01-a.md": "# A\n\n![the loss](images/loss.png)\n"])
        try FileManager.default.createDirectory(atPath: dir + "/lessons/images", withIntermediateDirectories: true)
        try Self.png.write(to: URL(fileURLWithPath: dir + "/lessons/images/loss.png"))
        let r = try Support.run([Support.tool, "build"], in: dir)
        #expect(r.status == 0, "\(r.output)")
        #expect(FileManager.default.contents(atPath: dir + "/site/images/loss.png") == Self.png)
        #expect(try String(contentsOfFile: dir + "/site/01-a.html", encoding: .utf8).contains("src=\"images/loss.png\""))
    }

    @Test(arguments: [
        ("![x](images/none.png)", "image 'images/none.png' is missing"),
        ("![x](../escape.png)", "must be a path inside the lessons folder"),
        ("![x](notes.txt)", "is not an image file"),
        ("![x](style.css.png/../style.css)", "must be a path inside the lessons folder"),
    ])
    func aBadImageFailsVerifyAtItsLine(_ markdown: String, _ message: String) throws {
        let dir = try Support.project(["01-a.md": "# A\n\nText.\n\n" + markdown + "\n"])
        try "x".write(toFile: dir + "/lessons/notes.txt", atomically: true, encoding: .utf8)
        let r = try Support.run([Support.tool, "verify"], in: dir)
        #expect(r.status == 1)
        #expect(r.output.hasPrefix("lessons/01-a.md:5:1: error: ") && r.output.contains(message), "\(r.output)")
    }

    @Test func externalLinksAreAskedOnlyWithCheckExternal() throws {
        guard let python = Subprocess.which("python3") else { print("skipped: no python3 for a local HTTP server"); return }
        let www = try Pipeline.temporaryDirectory()
        try "ok".write(toFile: www + "/here.html", atomically: true, encoding: .utf8)
        let port = Int.random(in: 20000...40000)
        let server = try Spawn.process([python, "-m", "http.server", "\(port)", "--bind", "127.0.0.1", "--directory", www],
                                       environment: ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" },
                                       actions: [.open("/dev/null", on: [1, 2])])
        defer {
            kill(server, SIGKILL)
            var status: Int32 = 0
            waitpid(server, &status, 0)
            try? FileManager.default.removeItem(atPath: www)
        }
        // Wait until it listens (a busy machine starts python slowly).
        let wait = "import socket, time\nfor _ in range(300):\n    try:\n        socket.create_connection(('127.0.0.1', \(port)), 1).close(); break\n    except OSError: time.sleep(0.1)\n"
        _ = try Support.run([python, "-c", wait], in: www, timeout: 60)
        let dir = try Support.project(["01-a.md": "# A\n\nSee [here](http://127.0.0.1:\(port)/here.html).\n\nAnd [gone](http://127.0.0.1:\(port)/gone.html).\n"])
        let offline = try Support.run([Support.tool, "verify"], in: dir)
        #expect(offline.status == 0, "without the flag nothing is asked: \(offline.output)")
        let online = try Support.run([Support.tool, "verify", "--check-external"], in: dir)
        #expect(online.status == 1, "\(online.output)")
        #expect(online.output.contains("lessons/01-a.md:5:1: error: external link 'http://127.0.0.1:\(port)/gone.html' answered 404"), "\(online.output)")
        #expect(!online.output.contains("here.html' answered"), "\(online.output)")
    }
}
