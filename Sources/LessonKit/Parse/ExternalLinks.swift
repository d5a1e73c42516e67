// ExternalLinks: `--check-external` asks every http(s) link and image of the selected lessons
// whether it answers (HEAD, then GET where HEAD is refused), a few at a time, each within 15 s.
// Off by default: a course's verify must not depend on the network.

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

enum ExternalLinks {
    static func check(_ lessons: [Lesson], log: (String) -> Void, timeout: Double = 15) -> [Check] {
        var uses: [(lesson: Lesson, url: String, line: Int)] = []
        for lesson in lessons {
            for link in Markdown.outline(lesson.markdown).links where link.kind != .rawHTML {
                if let scheme = Links.scheme(link.url), scheme == "http" || scheme == "https" { uses.append((lesson, link.url, link.line)) }
            }
        }
        let urls = Array(Set(uses.map(\.url))).sorted()
        guard !urls.isEmpty else { return [] }
        log("checking \(urls.count) external link(s)")
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: min(8, urls.count)) { worker in
            var i = worker
            while i < urls.count {
                results.set(urls[i], answer(urls[i], timeout: timeout))
                i += min(8, urls.count)
            }
        }
        return uses.map { use in
            let name = "external link \(use.url)"
            let problem = results.get(use.url) ?? "did not answer"
            if problem.isEmpty { return .passed(use.lesson.path, use.line, name) }
            return .failed(Diagnostic(stage: .render, file: use.lesson.path, line: use.line, "external link '\(use.url)' \(problem)",
                                      hint: "fix or remove the link; --check-external is off by default"), name)
        }
    }

    /// "" when the URL answers with a status below 400, else what went wrong.
    static func answer(_ url: String, timeout: Double) -> String {
        guard let u = URL(string: url) else { return "is not a valid URL" }
        func ask(_ method: String) -> (Int?, String?) {
            var request = URLRequest(url: u, timeoutInterval: timeout)
            request.httpMethod = method
            let done = DispatchSemaphore(value: 0)
            let box = Results()
            let task = URLSession.shared.dataTask(with: request) { _, response, error in
                if let error { box.set("error", error.localizedDescription) }
                box.set("status", (response as? HTTPURLResponse).map { String($0.statusCode) } ?? "")
                done.signal()
            }
            task.resume()
            if done.wait(timeout: .now() + timeout + 1) == .timedOut { task.cancel(); return (nil, "did not answer within \(Int(timeout)) s") }
            return (Int(box.get("status") ?? ""), box.get("error"))
        }
        var (status, error) = ask("HEAD")
        if let s = status, s == 405 || s == 403 || s == 501 { (status, error) = ask("GET") }
        if let s = status { return s < 400 ? "" : "answered \(s)" }
        return error.map { "could not be reached: \($0)" } ?? "could not be reached"
    }

    private final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [String: String] = [:]
        func set(_ key: String, _ value: String) { lock.withLock { values[key] = value } }
        func get(_ key: String) -> String? { lock.withLock { values[key] } }
    }
}
