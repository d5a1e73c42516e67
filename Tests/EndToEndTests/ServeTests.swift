// `arcface-lessons serve` as a user runs it: the built tool on a temporary course, its pages fetched
// over HTTP, a prose edit and a cell edit seen on the page with a reload event on the stream, a broken
// number drawn as a draft, and Ctrl-C leaving no process and no temporary folder behind.

import Foundation
import Testing
@testable import LessonKit
@testable import TestSupport
#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct ServeTests {
    static let lesson = """
        # Thirds

        Intro prose ALPHA.

        ```swift
        let third = 1.0 / 3.0
        print(third)
        ```

        ```output
        0.3333
        ```

        A third is `{swift} third ~ 0.3333`.

        """

    @Test func servesRebuildsOnEditReloadsAndDraftsFailuresThenStopsOnCtrlC() throws {
        let dir = try Support.project(["01-thirds.md": Self.lesson])
        let file = dir + "/lessons/01-thirds.md"
        let tmp = dir + "/tmp"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        let tool = try ServeProcess(in: dir, tmp: tmp)
        defer { tool.stop() }
        let port = try #require(tool.waitForPort(timeout: 60), "\(tool.output)")
        // Listening at once; the pages come with the first build.
        let building = try HTTPGet.fetch(port, "/01-thirds.html")
        #expect(building.status == 503 || tool.output.contains("built in"))
        #expect(tool.waitFor("built in", timeout: 240), "\(tool.output)")

        // Pages, files, content types, 404s.
        let page = try HTTPGet.fetch(port, "/01-thirds.html")
        #expect(page.status == 200 && page.header("content-type") == "text/html; charset=utf-8")
        #expect(page.text.contains("Intro prose ALPHA.") && page.text.contains("/_serve/live.js") && !page.text.contains("draft-banner"))
        #expect(try HTTPGet.fetch(port, "/").text.contains("Thirds"))
        #expect(try HTTPGet.fetch(port, "/style.css").header("content-type") == "text/css; charset=utf-8")
        #expect(try HTTPGet.fetch(port, "/site.js").header("content-type") == "text/javascript; charset=utf-8")
        #expect(try HTTPGet.fetch(port, "/fonts/latinmodern-math.otf").header("content-type") == "font/otf")
        for bad in ["/../lessons/01-thirds.md", "/%2e%2e/%2e%2e/etc/passwd", "/fonts/../index.html", "/nope.html", "//etc/passwd", "/lessons/01-thirds.md"] {
            let r = try HTTPGet.fetch(port, bad)
            #expect(r.status == 404, "\(bad)")
            #expect(r.text.contains("<h1>Not found</h1>"), "\(bad)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/site"), "serve never writes the site")

        let events = try EventStream(port: port)
        defer { events.close() }
        #expect(events.wait(for: "event: hello", timeout: 10))

        /// After an edit: reload events until the page shows `what` (nil: timed out), and when the first of them came.
        func reloaded(until what: (String) -> Bool, timeout: Double) throws -> (page: String, seconds: Double)? {
            let started = Date()
            var first: Double?
            while Date().timeIntervalSince(started) < timeout {
                guard events.wait(for: "event: reload", timeout: timeout - Date().timeIntervalSince(started)) else { return nil }
                first = first ?? Date().timeIntervalSince(started)
                let page = try HTTPGet.fetch(port, "/01-thirds.html").text
                if what(page) { return (page, first!) }
            }
            return nil
        }

        // A prose edit: the page changes and a reload event arrives.
        try Self.lesson.replacingOccurrences(of: "ALPHA", with: "BETA").write(toFile: file, atomically: true, encoding: .utf8)
        let prose = try #require(try reloaded(until: { $0.contains("Intro prose BETA.") }, timeout: 10), "\(tool.output)").seconds

        // A broken number and a broken prose value: the draft page shows both, in place and in the banner.
        try Self.lesson.replacingOccurrences(of: "0.3333\n```", with: "0.3334\n```").replacingOccurrences(of: "~ 0.3333", with: "~ 0.3999")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let draft = try #require(try reloaded(until: { $0.contains("draft-banner") }, timeout: 10), "\(tool.output)").page
        #expect(draft.contains("<strong>2 checks failed</strong>"), "\(draft)")
        #expect(draft.contains("<a href=\"#draft-1\">lessons/01-thirds.md:11:"))
        #expect(draft.contains("<div class=\"draft-fail draft-box\" id=\"draft-1\""))
        #expect(draft.contains("<p>expected</p><pre>0.3334"))
        #expect(draft.contains("<mark class=\"draft-fail\" id=\"draft-2\">"))
        #expect(draft.contains("expected 0.3999"))
        #expect(tool.output.contains("lessons/01-thirds.md:11:"), "the failures are printed too")

        // A one-cell edit: compiled and run again.
        try Self.lesson.replacingOccurrences(of: "print(third)", with: "print(third * 1.0)").write(toFile: file, atomically: true, encoding: .utf8)
        let (fixed, cell) = try #require(try reloaded(until: { $0.contains("(third * <span class=\"t-num\">1.0</span>)") }, timeout: 120), "\(tool.output)")
        #expect(!fixed.contains("draft-banner"))
        print(String(format: "serve: edit to reload event: prose %.3f s, one cell %.3f s", prose, cell))

        // Ctrl-C: exit 130, nothing of it left.
        let pid = tool.pid
        kill(pid, SIGINT)
        let status = tool.wait(timeout: 30)
        #expect(status == 130, "\(tool.output)")
        #expect(tool.output.contains("interrupted; lesson processes stopped, temporary files removed"))
        #expect(ProcFS.children(of: pid).isEmpty)
        #expect(processes(containing: dir).isEmpty, "a process of the course is left")
        #expect(try FileManager.default.subpathsOfDirectory(atPath: tmp).isEmpty)

        // What build writes is what serve served, less the two tags serve adds.
        let built = try Support.run([Support.tool, "build"], in: dir)
        #expect(built.status == 0, "\(built.output)")
        let generation = try #require(fixed.range(of: "data-generation=\"").map { Int(fixed[$0.upperBound...].prefix { $0.isNumber }) ?? 0 })
        let served = ServedSite.inject(try String(contentsOfFile: dir + "/site/01-thirds.html", encoding: .utf8), generation: generation)
        #expect(served == fixed)
    }

    /// A real browser: the injected script reloads the page on a save, and the page has no errors.
    @Test func anOpenPageInChromiumReloadsItselfOnASave() throws {
        let dir = try Support.project(["01-thirds.md": Self.lesson])
        let tmp = dir + "/tmp"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        let tool = try ServeProcess(in: dir, tmp: tmp)
        defer { tool.stop() }
        let port = try #require(tool.waitForPort(timeout: 60), "\(tool.output)")
        #expect(tool.waitFor("built in", timeout: 240), "\(tool.output)")
        let browser = try Browser.launch()
        defer { browser.close() }
        try browser.navigate("http://127.0.0.1:\(port)/01-thirds.html")
        // The stream is open once the server counts a listener; a mark that a reload wipes out.
        _ = try browser.evaluate("window.notReloaded = true")
        try browser.drain(milliseconds: 300)
        let started = Date()
        try Self.lesson.replacingOccurrences(of: "ALPHA", with: "GAMMA").write(toFile: dir + "/lessons/01-thirds.md", atomically: true, encoding: .utf8)
        var text = ""
        try browser.wait(for: "the page to reload with the edit", timeout: 20) {
            text = (try? browser.evaluate("window.notReloaded ? '' : document.body.innerText")) as? String ?? ""
            return text.contains("Intro prose GAMMA.")
        }
        print(String(format: "serve: prose edit to reloaded page in Chromium: %.3f s", Date().timeIntervalSince(started)))
        // The browser's own favicon request (the site has none) and the event stream it cancels on reload are no problem.
        let problems = browser.problems.filter { !$0.contains("/favicon.ico") && !($0.contains("/_serve/events") && $0.contains("ERR_ABORTED")) }
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test func aBusyPortIsAnErrorAndAWrongPortAUsageError() throws {
        let dir = try Support.project(["01-thirds.md": Self.lesson])
        // A port this test holds.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in
            bind(fd, p, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, p, &length) == 0
        } }
        let busy = UInt16(bigEndian: addr.sin_port)
        let held = try Support.run([Support.tool, "serve", "--port", "\(busy)"], in: dir, timeout: 60)
        #expect(held.status == 2 && held.output.contains("port \(busy) on 127.0.0.1 is in use"), "\(held.output)")
        let r = try Support.run([Support.tool, "serve", "--port", "70000"], in: dir)
        #expect(r.status == 2 && r.output.contains("--port must be from 0 to 65535"), "\(r.output)")
    }
}

/// The tool's `serve` as a child process, its output collected.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    private let pipe = Pipe()
    private let lock = NSLock()
    private var collected = Data()

    init(in dir: String, tmp: String, arguments: [String] = ["--port", "0"]) throws {
        process.executableURL = URL(fileURLWithPath: Support.tool)
        process.arguments = ["serve"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        var env = ProcessInfo.processInfo.environment
        env["TMPDIR"] = tmp
        env["GITHUB_ACTIONS"] = nil
        process.environment = env
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { [weak self] h in
            let d = h.availableData
            self?.lock.withLock { self?.collected.append(d) }
        }
        try process.run()
    }

    var pid: pid_t { process.processIdentifier }
    var output: String { lock.withLock { String(decoding: collected, as: UTF8.self) } }

    /// The port of the `Serving ... at http://127.0.0.1:PORT/` line.
    func waitForPort(timeout: Double) -> UInt16? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline && process.isRunning {
            if let r = output.range(of: "at http://127.0.0.1:") {
                let digits = output[r.upperBound...].prefix { $0.isNumber }
                if output[r.upperBound...].dropFirst(digits.count).hasPrefix("/"), let p = UInt16(digits) { return p }
            }
            usleep(20_000)
        }
        return nil
    }

    func waitFor(_ text: String, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline && !output.contains(text) { usleep(20_000) }
        return output.contains(text)
    }

    func wait(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        guard !process.isRunning else { return nil }
        process.waitUntilExit()
        return process.terminationReason == .exit ? process.terminationStatus : -process.terminationStatus
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        pipe.fileHandleForReading.readabilityHandler = nil
    }
}

/// A blocking HTTP/1.1 GET over a socket to 127.0.0.1, the path sent as given (no normalising).
enum HTTPGet {
    struct Response {
        var status: Int
        var headers: [(String, String)]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name }?.1 }
    }

    static func connect(_ port: UInt16) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let r = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard r == 0 else { close(fd); throw EnvironmentError("cannot connect to port \(port)") }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    static func send(_ fd: Int32, _ path: String) {
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        _ = request.withCString { write(fd, $0, strlen($0)) }
    }

    static func fetch(_ port: UInt16, _ path: String) throws -> Response {
        let fd = try connect(port)
        defer { close(fd) }
        send(fd, path)
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        func headerEnd() -> Range<Data.Index>? { data.range(of: Data("\r\n\r\n".utf8)) }
        while headerEnd() == nil {
            let n = read(fd, &buffer, buffer.count)
            guard n > 0 else { throw EnvironmentError("connection closed before the headers: \(path)") }
            data.append(contentsOf: buffer[0..<n])
        }
        let end = headerEnd()!
        let head = String(decoding: data[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(head[0].split(separator: " ")[1]) ?? 0
        let headers = head.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = Int(headers.first { $0.0.lowercased() == "content-length" }?.1 ?? "0") ?? 0
        var body = Data(data[end.upperBound...])
        while body.count < length {
            let n = read(fd, &buffer, buffer.count)
            guard n > 0 else { break }
            body.append(contentsOf: buffer[0..<n])
        }
        return Response(status: status, headers: headers, body: body)
    }
}

/// The server-sent event stream, read on a thread of its own.
final class EventStream: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()
    private var text = ""
    private var consumed: String.Index?

    init(port: UInt16) throws {
        fd = try HTTPGet.connect(port)
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        HTTPGet.send(fd, "/_serve/events")
        let fd = self.fd
        Thread.detachNewThread { [weak self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = read(fd, &buffer, buffer.count)
                if n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) { return }
                guard let self else { return }
                if n > 0 { self.lock.withLock { self.text += String(decoding: buffer[0..<n], as: UTF8.self) } }
            }
        }
    }

    /// Waits for `marker` to arrive after what earlier waits consumed.
    func wait(for marker: String, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let found = lock.withLock { () -> Bool in
                let from = consumed ?? text.startIndex
                guard let r = text.range(of: marker, range: from..<text.endIndex) else { return false }
                consumed = r.upperBound
                return true
            }
            if found { return true }
            usleep(5_000)
        }
        return false
    }

    func close() { shutdown(fd, Int32(SHUT_RDWR)); Glibc.close(fd) }
}
