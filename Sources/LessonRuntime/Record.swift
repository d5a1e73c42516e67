// Record: the channel between a lesson program and the tool, in one place. The program writes its
// cells' output to stdout; records between the text mark its structure. Every record is
//
//     \u{1E}AFL:<nonce>:<kind>[:<payload>]\u{1E}\n
//
// where the nonce is fresh per run and reaches the program in ARCFACE_LESSON_NONCE, so no text a
// cell prints can forge a record. The writers (LessonRuntime, ReplRuntime) encode with
// `Record.encoded(nonce:)`; the readers (verify's Execute stage, its per-cell clock, the REPL) all
// decode with `RecordReader`. docs/architecture.md lists the kinds.

import Foundation

public enum Record: Sendable, Equatable {
    /// Cell i starts.
    case cell(Int)
    /// Prose value k is about to be evaluated (so a trap is placed at its line).
    case inlineBegin(Int)
    /// Prose value k's result, as `print` shows it.
    case inline(Int, String)
    /// A `show(...)`: a table, plot or slider.
    case rich(RichResult)
    /// A `traps` cell completed without trapping.
    case notrap
    /// A `traps` cell trapped with this signal (0: it exited with a non-zero status).
    case trapped(Int32)
    /// The program finished.
    case end
    /// REPL: the lesson process `pid` waits for a command before cell `cell`.
    case ready(pid: Int32, cell: Int)
    /// REPL: an input library could not be loaded.
    case loadError(String)
    /// REPL: a step trapped or was stopped; the snapshot from before it took over.
    case restored

    /// The environment variable that carries the run's nonce to the program.
    public static let nonceVariable = "ARCFACE_LESSON_NONCE"

    /// A fresh nonce for one run.
    public static func makeNonce() -> String { String(UInt64.random(in: 1...UInt64.max), radix: 16) }

    /// What starts every record of the run with this nonce.
    public static func marker(nonce: String) -> [UInt8] { Array("\u{1E}AFL:\(nonce):".utf8) }

    static let terminator: UInt8 = 0x1E

    /// The record as the program writes it, line end included.
    public func encoded(nonce: String) -> String { "\u{1E}AFL:\(nonce):\(body)\u{1E}\n" }

    /// `<kind>[:<payload>]`.
    var body: String {
        switch self {
        case .cell(let i): "cell:\(i)"
        case .inlineBegin(let k): "inline-begin:\(k)"
        case .inline(let k, let text): "inline:\(k):" + Record.json([text])
        case .rich(let result): "rich:" + Record.json(result)
        case .notrap: "notrap"
        case .trapped(let signal): "trapped:\(signal)"
        case .end: "end"
        case .ready(let pid, let cell): "ready:\(pid):\(cell)"
        case .loadError(let message): "loaderror:" + Record.json([message])
        case .restored: "restored"
        }
    }

    /// Decodes a record's body; nil for an unknown kind or a malformed payload (dropped by readers).
    init?(body: some StringProtocol) {
        let kind = body.prefix(while: { $0 != ":" })
        let payload = body.count > kind.count ? String(body.dropFirst(kind.count + 1)) : ""
        switch kind {
        case "cell": guard let i = Int(payload) else { return nil }; self = .cell(i)
        case "inline-begin": guard let k = Int(payload) else { return nil }; self = .inlineBegin(k)
        case "inline":
            let k = payload.prefix(while: { $0 != ":" })
            guard let index = Int(k), let texts = Record.decode([String].self, payload.dropFirst(k.count + 1)),
                  let text = texts.first else { return nil }
            self = .inline(index, text)
        case "rich": guard let result = Record.decode(RichResult.self, payload) else { return nil }; self = .rich(result)
        case "notrap": self = .notrap
        case "trapped": self = .trapped(Int32(payload) ?? 0)
        case "end": self = .end
        case "ready":
            let parts = payload.split(separator: ":")
            guard parts.count == 2, let pid = Int32(parts[0]), let cell = Int(parts[1]) else { return nil }
            self = .ready(pid: pid, cell: cell)
        case "loaderror": self = .loadError(Record.decode([String].self, payload)?.first ?? payload)
        case "restored": self = .restored
        default: return nil
        }
    }

    private static func json<T: Encodable>(_ value: T) -> String {
        String(decoding: (try? ChannelJSON.encoder().encode(value)) ?? Data("[]".utf8), as: UTF8.self)
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ text: some StringProtocol) -> T? {
        try? ChannelJSON.decoder().decode(type, from: Data(text.utf8))
    }
}

/// The channel's one JSON rule, for its writers and its readers (and the tool's result cache): rich
/// results may hold inf and nan (a loss that overflowed), which JSON cannot, so they travel as the
/// strings "inf", "-inf" and "nan"; keys are sorted so the bytes are stable.
public enum ChannelJSON {
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }
}

/// Splits a lesson program's output, as it arrives, into text and records.
public struct RecordReader {
    public enum Piece: Equatable {
        case text(String)
        case record(Record)
    }

    private let marker: [UInt8]
    private var pending: [UInt8] = []
    /// Bytes of `pending` already handed out (dropped in bulk, not one piece at a time).
    private var start = 0
    /// A record ended at the end of what had arrived: its line end may be the next byte.
    private var lineEndDue = false

    public init(nonce: String) { marker = Record.marker(nonce: nonce) }

    public mutating func append(_ bytes: some Sequence<UInt8>) { pending.append(contentsOf: bytes) }

    /// The next text before a record, or the next record; nil when more input is needed. Text that
    /// no record follows yet stays pending (`flush` hands it out). A malformed record is dropped.
    public mutating func next() -> Piece? {
        skipDueLineEnd()
        while let m = findMarker(from: start) {
            if m > start { return .text(take(upTo: m)) }
            let bodyStart = m + marker.count
            guard let close = pending[bodyStart...].firstIndex(of: Record.terminator) else { return nil }
            let record = Record(body: String(decoding: pending[bodyStart..<close], as: UTF8.self))
            start = close + 1
            lineEndDue = true
            skipDueLineEnd()
            compact()
            if let record { return .record(record) }
        }
        return nil
    }

    /// Text that cannot be part of a record: everything when `final` (the program ended; a record
    /// cut off by its death loses only its marker), else all but a possible record start and an
    /// incomplete UTF-8 sequence at the end. Call after `next()` returned nil.
    public mutating func flush(final: Bool) -> String? {
        skipDueLineEnd()
        guard start < pending.count else { return nil }
        if final {
            if findMarker(from: start) == start { start += marker.count }
            return start < pending.count ? take(upTo: pending.count) : nil
        }
        if findMarker(from: start) != nil { return nil }   // a record still being written
        var cut = pending.count
        // A marker's prefix at the end may be the start of a record.
        if let s = pending[start...].lastIndex(of: Record.terminator), pending.count - s < marker.count,
           Array(pending[s...]) == Array(marker.prefix(pending.count - s)) { cut = s }
        // Do not split a UTF-8 sequence: hold back an incomplete one.
        var j = cut - 1, continuation = 0
        while j >= start && continuation < 3 && pending[j] & 0xC0 == 0x80 { j -= 1; continuation += 1 }
        if j >= start && pending[j] >= 0xC0 {
            let length = pending[j] >= 0xF0 ? 4 : pending[j] >= 0xE0 ? 3 : 2
            if continuation + 1 < length { cut = j }
        }
        return cut > start ? take(upTo: cut) : nil
    }

    private mutating func skipDueLineEnd() {
        guard lineEndDue, start < pending.count else { return }
        if pending[start] == 10 { start += 1 }
        lineEndDue = false
    }

    private mutating func take(upTo end: Int) -> String {
        let text = String(decoding: pending[start..<end], as: UTF8.self)
        start = end
        compact()
        return text
    }

    private mutating func compact() {
        if start == pending.count { pending.removeAll(keepingCapacity: true); start = 0 }
        else if start > 1 << 16 && start > pending.count / 2 { pending.removeSubrange(0..<start); start = 0 }
    }

    private func findMarker(from: Int) -> Int? {
        var i = from
        while i + marker.count <= pending.count {
            guard let s = pending[i...].firstIndex(of: Record.terminator) else { return nil }
            guard s + marker.count <= pending.count else { return nil }
            if pending[s..<(s + marker.count)].elementsEqual(marker) { return s }
            i = s + 1
        }
        return nil
    }
}
