// Server: `serve`'s HTTP side, on FlyingFox (the only file that imports it). GET of a site file
// from memory (ServedSite), a 404 page for anything else, and the server-sent event stream the
// pages' reload script listens to. Bound to 127.0.0.1 only.

import FlyingFox
import FlyingSocks
import Foundation
#if canImport(Glibc)
import Glibc
#endif

package final class SiteServer: @unchecked Sendable {
    package let port: UInt16
    private let server: HTTPServer
    private let task: Task<Void, Error>

    /// Starts serving `site` on 127.0.0.1: on `port`, or with nil the first free one from 3000 on
    /// (0: any free port). Returns once it listens.
    package static func start(_ site: ServedSite, port requested: UInt16?) throws -> SiteServer {
        let port: UInt16
        if let requested {
            guard requested == 0 || canBind(requested) else {
                throw EnvironmentError("port \(requested) on 127.0.0.1 is in use", hint: "pick another with --port N, or --port 0 for any free one")
            }
            port = requested
        } else {
            guard let free = (3000..<3100).first(where: canBind) else {
                throw EnvironmentError("no free port from 3000 to 3099 on 127.0.0.1", hint: "pick one with --port N, or --port 0 for any free one")
            }
            port = free
        }
        let server = HTTPServer(address: try sockaddr_in.inet(ip4: "127.0.0.1", port: port), timeout: 3600, logger: .disabled,
                                handler: Handler(site: site))
        let task = Task { try await server.run() }
        let started = Box<Result<UInt16, Error>>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                try await server.waitUntilListening(timeout: 10)
                guard case .ip4(_, let bound)? = await server.listeningAddress else { throw EnvironmentError("the server is not listening") }
                started.value = .success(bound)
            } catch {
                started.value = .failure(error)
            }
            done.signal()
        }
        done.wait()
        switch started.value! {
        case .success(let bound): return SiteServer(port: bound, server: server, task: task)
        case .failure(let error):
            task.cancel()
            throw EnvironmentError("cannot serve on 127.0.0.1:\(port): \(error)")
        }
    }

    private init(port: UInt16, server: HTTPServer, task: Task<Void, Error>) {
        (self.port, self.server, self.task) = (port, server, task)
    }

    package var url: String { "http://127.0.0.1:\(port)/" }

    /// Whether a listening socket could be bound to 127.0.0.1:port now.
    static func canBind(_ port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return bound == 0 && listen(fd, 1) == 0
    }

    struct Handler: HTTPHandler {
        let site: ServedSite

        func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
            guard request.method == .GET || request.method == .HEAD else {
                return HTTPResponse(statusCode: HTTPStatusCode(405, phrase: "Method Not Allowed"), headers: [HTTPHeader("Allow"): "GET, HEAD"])
            }
            let target = request.target.path(percentEncoded: true)
            if target == "/" + ServedSite.eventsPath { return events() }
            let (status, type, body) = site.response(for: target)
            let headers: HTTPHeaders = [.contentType: type, HTTPHeader("Cache-Control"): "no-store"]
            let code = status == 200 ? HTTPStatusCode.ok : status == 503 ? HTTPStatusCode(503, phrase: "Service Unavailable") : .notFound
            if request.method == .HEAD {
                var h = headers
                h[.contentLength] = String(body.count)
                return HTTPResponse(statusCode: code, headers: h, body: HTTPBodySequence())
            }
            return HTTPResponse(statusCode: code, headers: headers, body: body)
        }

        /// `text/event-stream`: `hello` with the current generation at once, `reload` with each new one.
        func events() -> HTTPResponse {
            let (stream, continuation) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .bufferingNewest(16))
            let (id, generation) = site.listen { g in continuation.yield(Array("event: reload\ndata: \(g)\n\n".utf8)) }
            continuation.yield(Array("retry: 500\nevent: hello\ndata: \(generation)\n\n".utf8))
            continuation.onTermination = { [site] _ in site.stopListening(id) }
            let headers: HTTPHeaders = [.contentType: "text/event-stream", HTTPHeader("Cache-Control"): "no-store"]
            return HTTPResponse(statusCode: .ok, headers: headers, body: HTTPBodySequence(from: EventBytes(stream: stream)))
        }
    }

    /// The event stream as the bytes FlyingFox sends (chunked: each event goes out as it comes).
    struct EventBytes: AsyncBufferedSequence {
        typealias Element = UInt8
        let stream: AsyncStream<[UInt8]>
        func makeAsyncIterator() -> Iterator { Iterator(events: stream.makeAsyncIterator()) }

        struct Iterator: AsyncBufferedIteratorProtocol {
            var events: AsyncStream<[UInt8]>.Iterator
            var pending: [UInt8] = []
            mutating func next() async throws -> UInt8? {
                guard let b = try await nextBuffer(suggested: 1) else { return nil }
                return b.first
            }
            mutating func nextBuffer(suggested count: Int) async throws -> [UInt8]? {
                if pending.isEmpty { guard let event = await events.next() else { return nil }; pending = event }
                let n = Swift.min(Swift.max(1, count), pending.count)
                defer { pending.removeFirst(n) }
                return Array(pending.prefix(n))
            }
        }
    }
}

private final class Box<T>: @unchecked Sendable {
    var value: T?
}
