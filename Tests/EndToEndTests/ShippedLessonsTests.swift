// The repository's own lessons: they pass, and a changed expected number fails at its line.

import Foundation
import Testing
@testable import LessonKit
@testable import TestSupport

@Suite(.serialized) struct ShippedLessonsTests {
    static let lessons = Support.repositoryRoot.appendingPathComponent("lessons").path

    static func copyOfLessons() throws -> String { try Support.copyOfShippedLessons() }

    /// The course as other machines run it: OpenBLAS forced to other kernels and thread counts, and
    /// glibc's libm without its AVX2/FMA variants (`GLIBC_TUNABLES`; they round differently, measured).
    /// Every build passes and writes the committed site/ byte for byte: no number depends on the CPU.
    /// (`make test` then verifies the course once more with this machine's defaults, `--check-site`.)
    @Test func theCourseBuildsTheCommittedSiteBitForBitUnderOtherBLASKernelsAndLibmPaths() throws {
        let avx512 = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.contains(" avx512f ") ?? false
        let machines: [[String: String]] = [
            ["OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_NUM_THREADS": "1", "GLIBC_TUNABLES": "glibc.cpu.hwcaps=-AVX2,-FMA"],
            // SkylakeX needs AVX-512; without it, Prescott (the SSE3 kernels): with the machine's own
            // default in `make test`'s verify, three kernel families either way.
            ["OPENBLAS_CORETYPE": avx512 ? "SkylakeX" : "Prescott", "OPENBLAS_NUM_THREADS": "2"],
        ]
        if !avx512 { print("no AVX-512 on this CPU: the SkylakeX kernels are skipped, Prescott runs instead") }
        let committed = Support.repositoryRoot.appendingPathComponent("site").path
        let want = try Self.files(under: committed)
        #expect(want.count > 5)
        for env in machines {
            let out = try Pipeline.temporaryDirectory() + "/site"
            // Cold: compile and run every lesson (no cache); generous limit for a busy CI runner.
            let r = try Support.run([Support.tool, "build", "--no-cache", "--timeout", "900", "--out", out], in: Support.repositoryRoot.path,
                                    environment: env, timeout: 1800)
            #expect(r.status == 0, "\(env): \(r.output.suffix(2000))")
            let got = try Self.files(under: out)
            #expect(got.keys.sorted() == want.keys.sorted(), "\(env): other files")
            for (name, bytes) in want where got[name] != bytes {
                Issue.record("\(env): site/\(name) differs from the committed one")
            }
        }
    }

    /// Every regular file under `root` by relative path.
    static func files(under root: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let e = FileManager.default.enumerator(atPath: root)
        while let name = e?.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + name, isDirectory: &isDir), !isDir.boolValue {
                out[name] = try Data(contentsOf: URL(fileURLWithPath: root + "/" + name))
            }
        }
        return out
    }

    /// Adds 1 to every number of every output block and expects each block to fail at the first
    /// line holding a number: no expected number in the course goes unchecked.
    @Test func changingAnyExpectedNumberMakesVerifyFailAtThatLine() throws {
        let dir = try Self.copyOfLessons()
        var expectedFailures: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: dir + "/lessons").sorted() where name.hasSuffix(".md") {
            let path = dir + "/lessons/" + name
            let source = LessonSource(path: path, slug: "x", number: 0, text: try String(contentsOfFile: path, encoding: .utf8))
            let lesson = try #require(Parse.lesson(source).lesson)
            var lines = source.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for cell in lesson.cells {
                guard let e = cell.expected else { continue }
                var first: Int?
                for i in e.textLine..<(e.textLine + Compare.lines(e.text).count) {
                    let tokens = Compare.tokens(lines[i - 1])
                    guard tokens.contains(where: { if case .number(let v, _, _) = $0 { v.isFinite } else { false } }) else { continue }
                    first = first ?? i
                    lines[i - 1] = tokens.map {
                        switch $0 {
                        case .text(let t): t
                        case .number(let v, let w, _) where v.isFinite: bumped(w)
                        case .number(_, let w, _): w
                        }
                    }.joined()
                }
                if let first { expectedFailures.append("\(name):\(first)") }
            }
            try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        #expect(!expectedFailures.isEmpty)
        let report = try Support.verify(dir)
        let failures = report.diagnostics.filter { $0.severity == .error }.map { "\(($0.file! as NSString).lastPathComponent):\($0.line)" }
        #expect(failures == expectedFailures)
    }

    /// `0.2673` -> `1.2673`, `-3` -> `-4`, `1e-5` -> `2e-5`: the written format stays, the value moves by >= 1 unit.
    func bumped(_ written: String) -> String {
        var chars = Array(written)
        guard let i = chars.firstIndex(where: { $0.isNumber }) else { return written }
        var j = i
        while j + 1 < chars.count && chars[j + 1].isNumber { j += 1 }
        let digits = String(chars[i...j])
        let bumpedDigits = String(Int(digits)! + 1)
        chars.replaceSubrange(i...j, with: Array(bumpedDigits))
        return String(chars)
    }
}
