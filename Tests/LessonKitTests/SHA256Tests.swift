// SHA256: the NIST vectors, incremental updates against one-shot hashing, and file hashing.

import Foundation
import Testing
@testable import LessonKit

struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func theNISTVectorsHashToTheirPublishedDigests(input: String, digest: String) {
        #expect(SHA256.hex(input) == digest)
        #expect(SHA256.hex(Data(input.utf8)) == digest)
    }

    @Test func oneMillionLetterAsHashToThePublishedDigest() {
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        #expect(SHA256.hex(String(repeating: "a", count: 1_000_000)) == expected)
        // Fed as many uneven pieces, through every kind of update.
        var hasher = SHA256()
        var left = 1_000_000, size = 1
        while left > 0 {
            let n = min(size, left)
            switch size % 3 {
            case 0: hasher.update([UInt8](repeating: 0x61, count: n))
            case 1: hasher.update(data: Data(repeating: 0x61, count: n))
            default: hasher.update(string: String(repeating: "a", count: n))
            }
            left -= n
            size = size * 7 % 1000 + 1
        }
        #expect(SHA256.hex(digest: hasher.finalize()) == expected)
    }

    @Test func updatesSplitAtAnyBoundaryEqualTheOneShotDigest() {
        for length in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 130] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let oneShot = SHA256.hex(Data(bytes))
            for split in 0...length {
                var hasher = SHA256()
                hasher.update(bytes[..<split])
                hasher.update(bytes[split...])
                #expect(SHA256.hex(digest: hasher.finalize()) == oneShot, "length \(length) split at \(split)")
            }
        }
        // A sequence without contiguous storage goes through the chunked path.
        let bytes = (0..<130).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        var lazy = SHA256()
        lazy.update(bytes.lazy.map { $0 })
        #expect(SHA256.hex(digest: lazy.finalize()) == SHA256.hex(Data(bytes)))
    }

    @Test func finalizingLeavesTheHasherReadyForMoreInput() {
        var hasher = SHA256()
        hasher.update(string: "ab")
        #expect(SHA256.hex(digest: hasher.finalize()) == SHA256.hex("ab"))
        hasher.update(string: "c")
        #expect(SHA256.hex(digest: hasher.finalize()) == SHA256.hex("abc"))
    }

    @Test func hashingAFileEqualsHashingItsContents() throws {
        let dir = try Pipeline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Larger than the 1 MiB read buffer and not a multiple of the block size.
        var generator = SystemRandomNumberGenerator()
        let data = Data((0..<(3 << 20) + 77).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try data.write(to: URL(fileURLWithPath: dir + "/big.bin"))
        try Data().write(to: URL(fileURLWithPath: dir + "/empty.bin"))
        #expect(try SHA256.hexOfFile(atPath: dir + "/big.bin") == SHA256.hex(data))
        #expect(try SHA256.hexOfFile(atPath: dir + "/empty.bin") == SHA256.hex(""))
        #expect(throws: SHA256.FileError.self) { try SHA256.hexOfFile(atPath: dir + "/missing.bin") }
    }
}
