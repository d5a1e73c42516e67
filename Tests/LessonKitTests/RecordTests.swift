// The channel between a lesson program and the tool: every record kind written by Record.encoded
// comes back from RecordReader as itself, however the bytes arrive, with nan and inf in tables and
// plots intact; text around records is kept to the byte, and no text can forge a record.

import Foundation
import LessonRuntime
import Testing

@Suite struct RecordTests {
    static let nonce = "5eed"

    static let nonFinite = Plot(title: "edges", series: [Series("s", x: [0, 1, 2, 3], y: [.nan, .infinity, -.infinity, 1e308])],
                                xRange: -Double.infinity...Double.infinity)
    static let table = Table(caption: "t", columns: ["a", "b"], rows: [["nan", "inf"], ["-inf", "1e-300"]])
    static let slider = PlotSlider(parameter: "m", values: [.nan, 0.5], plots: [nonFinite, nonFinite], initial: 1)

    /// One record of every kind.
    static let every: [Record] = [
        .cell(0), .cell(123), .inlineBegin(4), .inline(4, "0.5 \"quoted\" \u{1E} ✓"),
        .rich(.table(table)), .rich(.plot(nonFinite)), .rich(.slider(slider)),
        .notrap, .trapped(4), .trapped(0), .end, .ready(pid: 4242, cell: 7),
        .loadError("dlopen: /tmp/x.so: cannot open\nsecond line"), .restored,
    ]

    /// Records compared by their encoding: nan is not equal to itself, its encoding is.
    static func encodings(_ pieces: [RecordReader.Piece]) -> [String] {
        pieces.map { piece in
            switch piece {
            case .text(let t): "text:" + t
            case .record(let r): r.encoded(nonce: nonce)
            }
        }
    }

    static func read(_ bytes: [UInt8], chunk: Int) -> [RecordReader.Piece] {
        var reader = RecordReader(nonce: nonce)
        var pieces: [RecordReader.Piece] = []
        var i = 0
        while i < bytes.count {
            reader.append(bytes[i..<min(bytes.count, i + chunk)])
            i += chunk
            while let p = reader.next() { pieces.append(p) }
            if let t = reader.flush(final: false) { pieces.append(.text(t)) }
        }
        if let t = reader.flush(final: true) { pieces.append(.text(t)) }
        // Text split by chunking is one text to a reader of the whole.
        return pieces.reduce(into: []) { out, p in
            if case .text(let b) = p, case .text(let a)? = out.last { out[out.count - 1] = .text(a + b) } else { out.append(p) }
        }
    }

    @Test func everyRecordKindRoundTripsThroughTheReader() {
        let stream = Self.every.map { $0.encoded(nonce: Self.nonce) }.joined()
        let pieces = Self.read(Array(stream.utf8), chunk: 1 << 20)
        #expect(Self.encodings(pieces) == Self.every.map { $0.encoded(nonce: Self.nonce) })
    }

    @Test(arguments: [1, 2, 3, 7, 64, 4096])
    func recordsAndTextSurviveAnyChunking(chunk: Int) {
        var stream = "before ✓ é\n"
        var expected: [String] = ["text:before ✓ é\n"]
        for (k, r) in Self.every.enumerated() {
            stream += r.encoded(nonce: Self.nonce) + "text \(k) ünïcødé 漢字\n"
            expected += [r.encoded(nonce: Self.nonce), "text:text \(k) ünïcødé 漢字\n"]
        }
        #expect(Self.encodings(Self.read(Array(stream.utf8), chunk: chunk)) == expected)
    }

    @Test func nanAndInfinityInAPlotAndATableAreDecodedAsThemselves() throws {
        let pieces = Self.read(Array(Record.rich(.plot(Self.nonFinite)).encoded(nonce: Self.nonce).utf8), chunk: 5)
        guard case .record(.rich(.plot(let plot)))? = pieces.first else { Issue.record("no plot: \(pieces)"); return }
        #expect(plot.series[0].y[0].isNaN)
        #expect(plot.series[0].y[1] == .infinity && plot.series[0].y[2] == -.infinity && plot.series[0].y[3] == 1e308)
        #expect(plot.xRange == [-.infinity, .infinity])
        let encoded = Record.rich(.slider(Self.slider)).encoded(nonce: Self.nonce)
        #expect(encoded.contains("\"nan\"") && encoded.contains("\"-inf\""))
    }

    @Test func aRecordWithAnotherNonceIsText() {
        let forged = Record.end.encoded(nonce: "f00d")
        #expect(Self.encodings(Self.read(Array(("x" + forged).utf8), chunk: 3)) == ["text:x" + forged])
    }

    @Test func aMalformedOrUnknownRecordIsDroppedAndTheTextAroundItKept() {
        let bad = ["cell:x", "rich:{not json", "ready:1", "bogus:1", "inline:3:[1]"].map { "\u{1E}AFL:\(Self.nonce):\($0)\u{1E}\n" }
        let stream = "a" + bad.joined() + "b" + Record.end.encoded(nonce: Self.nonce)
        #expect(Self.encodings(Self.read(Array(stream.utf8), chunk: 4)) == ["text:ab", Record.end.encoded(nonce: Self.nonce)])
    }

    @Test func aRecordCutOffByTheProgramsDeathLosesOnlyItsMarker() {
        let marker = String(decoding: Record.marker(nonce: Self.nonce), as: UTF8.self)
        let pieces = Self.read(Array(("out\n" + marker + "cell:3").utf8), chunk: 2)
        #expect(Self.encodings(pieces) == ["text:out\ncell:3"])
    }

    @Test func aPartialMarkerAtTheEndIsHeldBackUntilItsRecordIsComplete() {
        var reader = RecordReader(nonce: Self.nonce)
        let encoded = Array(Record.cell(2).encoded(nonce: Self.nonce).utf8)
        reader.append(Array("text".utf8) + encoded.prefix(4))
        #expect(reader.next() == nil)
        #expect(reader.flush(final: false) == "text")
        reader.append(encoded.dropFirst(4))
        #expect(reader.next() == .record(.cell(2)))
        #expect(reader.flush(final: true) == nil)
    }
}
