// Browser: a small Chrome DevTools Protocol client for the browser tests. It runs headless Chromium
// with `--remote-debugging-pipe` (CDP JSON messages, each ended by a NUL byte: we write to the
// browser's fd 3 and read from its fd 4), opens one page and attaches to it with a flat session.
// Everything is synchronous: a call writes its message, then reads (poll with a deadline) until
// the answer with its id arrives; events read meanwhile are queued and the page's problems
// (console errors, exceptions, failed loads, requests) are recorded. Every wait has a timeout, so
// a hung browser fails a test instead of hanging it; `close` kills the browser's process group.

import Foundation
import LessonKit
#if canImport(Glibc)
import Glibc
#endif

struct BrowserError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

final class Browser {
    static var executable: String { ProcessInfo.processInfo.environment["CHROMIUM"] ?? "/usr/bin/chromium" }
    static let missingHint = "run `scripts/install-deps.sh --browser` (installs chromium and fonts-stix)"

    /// Seconds any single wait may take.
    var timeout: Double = 20
    private let pid: pid_t
    private var toBrowser: Int32
    private var fromBrowser: Int32
    private let profile: String
    private var nextId = 1
    private var buffer = Data()
    private var chunk = [UInt8](repeating: 0, count: 1 << 20)
    private var responses: [Int: [String: Any]] = [:]
    /// Every event of the page's session since the last `resetRecords`, in order.
    private(set) var events: [[String: Any]] = []
    private(set) var session = ""
    private var closed = false

    /// Console errors, uncaught exceptions, error log entries and failed loads, as readable lines.
    private(set) var problems: [String] = []
    /// The URL of every request the page sent.
    private(set) var requests: [String] = []
    private var requestURLs: [String: String] = [:]

    /// Starts Chromium and opens a blank page (Page, Runtime, Log and Network domains enabled).
    static func launch(width: Int = 1100, height: Int = 800) throws -> Browser {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw BrowserError("chromium is not installed (\(executable) is not an executable file): \(missingHint)")
        }
        let browser = try Browser(executable: executable)
        do {
            try browser.openPage()
            try browser.setViewport(width: width, height: height)
        } catch {
            browser.close()
            throw error
        }
        return browser
    }

    private init(executable: String) throws {
        signal(SIGPIPE, SIG_IGN)  // a browser that died must make write() fail, not kill the tests
        var template = Array((NSTemporaryDirectory() + "/browser-tests-XXXXXX").utf8CString)
        guard let p = mkdtemp(&template) else { throw BrowserError("cannot create a temporary directory") }
        profile = String(cString: p)

        // Close-on-exec at creation (other tests spawn processes meanwhile); the browser gets its
        // ends by mapping, whatever their numbers (Spawn does not let the mapping onto 3 and 4 clobber them).
        let commands = try Spawn.pipe()  // we write, the browser reads on fd 3
        let answers: (read: Int32, write: Int32)
        do { answers = try Spawn.pipe() } catch {
            Glibc.close(commands.read); Glibc.close(commands.write)
            throw error
        }  // the browser writes on fd 4, we read

        let arguments = [
            executable, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
            "--user-data-dir=\(profile)/profile", "--no-first-run", "--no-default-browser-check",
            "--allow-file-access-from-files", "--disable-dev-shm-usage", "--hide-scrollbars",
            "--disable-background-networking", "--disable-extensions", "--disable-sync", "--mute-audio",
            "--force-color-profile=srgb", "about:blank",
        ]
        let env = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }.sorted()
        let child: pid_t
        do {
            child = try Spawn.process(arguments, environment: env, actions: [
                .open(profile + "/chromium.log", on: [1, 2]),
                .map(commands.read, to: 3),
                .map(answers.write, to: 4),
            ])
        } catch {
            for fd in [commands.read, commands.write, answers.read, answers.write] { Glibc.close(fd) }
            try? FileManager.default.removeItem(atPath: profile)
            throw BrowserError("\((error as? EnvironmentError)?.message ?? "\(error)"); \(Self.missingHint)")
        }
        Glibc.close(commands.read)
        Glibc.close(answers.write)
        pid = child
        toBrowser = commands.write
        fromBrowser = answers.read
    }

    deinit { close() }

    /// Kills the browser and everything it started, and removes its profile folder.
    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(toBrowser)
        Glibc.close(fromBrowser)
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        kill(-pid, SIGKILL)  // anything the browser forked that was still starting
        try? FileManager.default.removeItem(atPath: profile)
    }

    /// The end of the browser's own output, for error messages.
    var logTail: String {
        let text = (try? String(contentsOfFile: profile + "/chromium.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(8).joined(separator: "\n")
    }

    // MARK: Protocol

    /// Sends a command (to the page's session unless `browserLevel`) and returns its result.
    @discardableResult
    func call(_ method: String, _ params: [String: Any] = [:], browserLevel: Bool = false,
              timeout: Double? = nil) throws -> [String: Any] {
        let id = nextId
        nextId += 1
        var message: [String: Any] = ["id": id, "method": method, "params": params]
        if !browserLevel { message["sessionId"] = session }
        var data = try JSONSerialization.data(withJSONObject: message)
        data.append(0)
        try write(data)
        try wait(for: "the answer to \(method)", timeout: timeout) { self.responses[id] != nil }
        let response = responses.removeValue(forKey: id)!
        if let error = response["error"] as? [String: Any] {
            throw BrowserError("\(method) failed: \(error["message"] ?? "?") \(error["data"] ?? "")")
        }
        return response["result"] as? [String: Any] ?? [:]
    }

    /// Waits until an event of the page's session named `method` arrives after event number `after`.
    @discardableResult
    func waitForEvent(_ method: String, after: Int, timeout: Double? = nil) throws -> [String: Any] {
        var found: [String: Any]?
        try wait(for: "the event \(method)", timeout: timeout) {
            found = self.events[min(after, self.events.count)...].first { $0["method"] as? String == method }
            return found != nil
        }
        return found!["params"] as? [String: Any] ?? [:]
    }

    /// Reads messages until `condition` holds; throws when `timeout` seconds pass or the browser exits.
    func wait(for what: String, timeout: Double? = nil, _ condition: () -> Bool) throws {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64((timeout ?? self.timeout) * 1e9)
        while !condition() {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else {
                throw BrowserError("timed out after \(timeout ?? self.timeout) s waiting for \(what)\n\(logTail)")
            }
            try readAvailable(milliseconds: Int32(min(100, (deadline - now) / 1_000_000 + 1)))
        }
    }

    /// Reads and handles whatever arrives within `milliseconds` (for late console errors).
    func drain(milliseconds: Int) throws {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(milliseconds) * 1_000_000
        while true {
            let now = DispatchTime.now().uptimeNanoseconds
            if now >= deadline { break }
            try readAvailable(milliseconds: Int32((deadline - now) / 1_000_000 + 1))
        }
    }

    private func write(_ data: Data) throws {
        guard !closed else { throw BrowserError("the browser is closed") }
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(toBrowser, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw BrowserError("cannot write to the browser: \(String(cString: strerror(errno)))\n\(logTail)") }
                offset += n
            }
        }
    }

    private func readAvailable(milliseconds: Int32) throws {
        guard !closed else { throw BrowserError("the browser is closed") }
        var pfd = pollfd(fd: fromBrowser, events: Int16(POLLIN), revents: 0)
        let ready = poll(&pfd, 1, max(0, milliseconds))
        if ready < 0 && errno == EINTR { return }
        guard ready > 0 else { return }
        let size = chunk.count
        let n = read(fromBrowser, &chunk, size)
        if n < 0 && (errno == EINTR || errno == EAGAIN) { return }
        guard n > 0 else { throw BrowserError("the browser exited\n\(logTail)") }
        // Only the new bytes are searched for the NUL ending a message (screenshots are megabytes).
        var start = 0
        for i in 0..<n where chunk[i] == 0 {
            buffer.append(contentsOf: chunk[start..<i])
            start = i + 1
            guard let object = try? JSONSerialization.jsonObject(with: buffer) as? [String: Any] else {
                throw BrowserError("the browser sent something that is not a JSON object: \(String(decoding: buffer.prefix(200), as: UTF8.self))")
            }
            buffer.removeAll(keepingCapacity: true)
            handle(object)
        }
        buffer.append(contentsOf: chunk[start..<n])
    }

    private func handle(_ message: [String: Any]) {
        if let id = message["id"] as? Int {
            responses[id] = message
            return
        }
        guard let method = message["method"] as? String else { return }
        // Browser-level events (targets appearing) and other sessions are not the page's business.
        guard message["sessionId"] as? String == session, !session.isEmpty else { return }
        events.append(message)
        let params = message["params"] as? [String: Any] ?? [:]
        switch method {
        case "Runtime.consoleAPICalled":
            let type = params["type"] as? String ?? ""
            guard type == "error" || type == "assert" else { break }
            let args = (params["args"] as? [[String: Any]] ?? []).map { arg in
                arg["value"].map { "\($0)" } ?? (arg["description"] as? String) ?? (arg["type"] as? String ?? "?")
            }
            problems.append("console.\(type): \(args.joined(separator: " "))")
        case "Runtime.exceptionThrown":
            let details = params["exceptionDetails"] as? [String: Any] ?? [:]
            let exception = (details["exception"] as? [String: Any])?["description"] as? String
            let place = (details["url"] as? String).map { " at \($0):\((details["lineNumber"] as? Int ?? -1) + 1)" } ?? ""
            problems.append("uncaught exception: \(exception ?? details["text"] as? String ?? "?")\(place)")
        case "Log.entryAdded":
            let entry = params["entry"] as? [String: Any] ?? [:]
            guard entry["level"] as? String == "error" else { break }
            let url = (entry["url"] as? String).map { " (\($0))" } ?? ""
            problems.append("log error [\(entry["source"] ?? "?")]: \(entry["text"] ?? "?")\(url)")
        case "Network.requestWillBeSent":
            let url = (params["request"] as? [String: Any])?["url"] as? String ?? "?"
            requests.append(url)
            if let id = params["requestId"] as? String { requestURLs[id] = url }
        case "Network.loadingFailed":
            let url = (params["requestId"] as? String).flatMap { requestURLs[$0] } ?? "?"
            problems.append("failed request: \(url): \(params["errorText"] ?? "?")\(params["canceled"] as? Bool == true ? " (canceled)" : "")")
        default:
            break
        }
    }

    // MARK: Page

    private func openPage() throws {
        let target = try call("Target.createTarget", ["url": "about:blank"], browserLevel: true)
        guard let targetId = target["targetId"] as? String else { throw BrowserError("Target.createTarget gave no targetId") }
        let attached = try call("Target.attachToTarget", ["targetId": targetId, "flatten": true], browserLevel: true)
        guard let sessionId = attached["sessionId"] as? String else { throw BrowserError("Target.attachToTarget gave no sessionId") }
        session = sessionId
        for domain in ["Page", "Runtime", "Log", "Network"] { try call("\(domain).enable") }
    }

    /// Forgets recorded events, problems and requests.
    func resetRecords() {
        events.removeAll()
        problems.removeAll()
        requests.removeAll()
        requestURLs.removeAll()
    }

    /// Opens `url`, waits for its load event, web fonts and two frames, then for stragglers.
    func navigate(_ url: String) throws {
        let mark = events.count
        let result = try call("Page.navigate", ["url": url])
        if let error = result["errorText"] as? String { throw BrowserError("cannot open \(url): \(error)") }
        try waitForEvent("Page.loadEventFired", after: mark)
        _ = try evaluate("""
            document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true)))))
            """)
        try drain(milliseconds: 50)
    }

    /// Evaluates JavaScript in the page (promises awaited) and returns its value as JSON gives it.
    @discardableResult
    func evaluate(_ expression: String) throws -> Any? {
        let result = try call("Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true])
        if let details = result["exceptionDetails"] as? [String: Any] {
            let description = (details["exception"] as? [String: Any])?["description"] as? String
            throw BrowserError("JavaScript failed: \(description ?? details["text"] as? String ?? "?")\nin: \(expression.prefix(300))")
        }
        return (result["result"] as? [String: Any])?["value"]
    }

    func setViewport(width: Int, height: Int) throws {
        try call("Emulation.setDeviceMetricsOverride", ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": false])
    }

    /// Emulates `prefers-color-scheme: dark` (or light).
    func setColorScheme(dark: Bool) throws {
        try call("Emulation.setEmulatedMedia", ["features": [["name": "prefers-color-scheme", "value": dark ? "dark" : "light"]]])
    }

    /// The page's height in CSS pixels (beyond the viewport).
    func pageHeight() throws -> Double {
        let metrics = try call("Page.getLayoutMetrics")
        let content = metrics["cssContentSize"] as? [String: Any] ?? metrics["contentSize"] as? [String: Any] ?? [:]
        return max(1, (content["height"] as? Double) ?? 800)
    }

    /// A PNG of the page from `y` down, `height` pixels tall, at the viewport's width.
    func screenshot(y: Double, height: Double) throws -> Data {
        let metrics = try call("Page.getLayoutMetrics")
        let viewport = metrics["cssLayoutViewport"] as? [String: Any] ?? [:]
        let width = (viewport["clientWidth"] as? Double) ?? 1100
        let shot = try call("Page.captureScreenshot", [
            "format": "png", "captureBeyondViewport": true,
            "clip": ["x": 0, "y": y, "width": width, "height": height, "scale": 1],
        ], timeout: 30)
        guard let base64 = shot["data"] as? String, let png = Data(base64Encoded: base64) else {
            throw BrowserError("Page.captureScreenshot gave no image")
        }
        return png
    }

    /// A PNG of the whole page (beyond the viewport), at the viewport's width.
    func screenshot() throws -> Data {
        let metrics = try call("Page.getLayoutMetrics")
        let content = metrics["cssContentSize"] as? [String: Any] ?? metrics["contentSize"] as? [String: Any] ?? [:]
        let viewport = metrics["cssLayoutViewport"] as? [String: Any] ?? [:]
        let width = (viewport["clientWidth"] as? Double) ?? (content["width"] as? Double) ?? 1100
        let height = max(1, (content["height"] as? Double) ?? 800)
        let shot = try call("Page.captureScreenshot", [
            "format": "png", "captureBeyondViewport": true,
            "clip": ["x": 0, "y": 0, "width": width, "height": height, "scale": 1],
        ], timeout: 30)
        guard let base64 = shot["data"] as? String, let png = Data(base64Encoded: base64) else {
            throw BrowserError("Page.captureScreenshot gave no image")
        }
        return png
    }
}

extension Browser {
    /// Presses and releases a key as a user would (trusted events, to the focused element):
    /// "ArrowDown", "ArrowUp", "ArrowLeft", "ArrowRight", "Enter", "Escape".
    func press(_ key: String) throws {
        let codes = ["ArrowLeft": 37, "ArrowUp": 38, "ArrowRight": 39, "ArrowDown": 40, "Enter": 13, "Escape": 27]
        var event: [String: Any] = ["key": key, "code": key, "windowsVirtualKeyCode": codes[key] ?? 0, "nativeVirtualKeyCode": codes[key] ?? 0]
        if key == "Enter" { event["text"] = "\r" }
        try call("Input.dispatchKeyEvent", event.merging(["type": key == "Enter" ? "keyDown" : "rawKeyDown"]) { $1 })
        try call("Input.dispatchKeyEvent", event.merging(["type": "keyUp"]) { $1 })
    }

    /// Clicks the element `selector` finds (scrolled into view) with the mouse: a trusted click, with
    /// the user activation that copying to the clipboard needs. Returns false when there is none.
    @discardableResult
    func click(_ selector: String) throws -> Bool {
        let quoted = String(decoding: try JSONSerialization.data(withJSONObject: [selector]), as: UTF8.self)
        let point: [Double] = try value("""
            (() => { const e = document.querySelector(\(quoted)[0]); if (!e) return [];
                     e.scrollIntoView({ block: 'center' }); const r = e.getBoundingClientRect();
                     return [r.left + r.width / 2, r.top + r.height / 2]; })()
            """)
        guard point.count == 2 else { return false }
        for type in ["mouseMoved", "mousePressed", "mouseReleased"] {
            try call("Input.dispatchMouseEvent", ["type": type, "x": point[0], "y": point[1], "button": "left", "clickCount": 1])
        }
        return true
    }

    /// Presses `key` and waits for the page it opens to load; returns the new location.
    func pressAndWaitForNavigation(_ key: String) throws -> String {
        let mark = events.count
        try press(key)
        try waitForEvent("Page.loadEventFired", after: mark, timeout: 15)
        return try value("location.href")
    }

    /// Evaluates `expression` (a value or a promise of one) and decodes its JSON into `T`.
    func value<T: Decodable>(_ expression: String, as type: T.Type = T.self) throws -> T {
        let json = try evaluate("Promise.resolve(\(expression)).then(v => JSON.stringify(v === undefined ? null : v))")
        guard let text = json as? String else { throw BrowserError("no JSON from: \(expression.prefix(300))") }
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw BrowserError("cannot decode \(T.self) from \(text.prefix(300)): \(error)")
        }
    }
}
