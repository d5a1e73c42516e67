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
        let machines: [[String: String]] = [Self.firstMachine] + Self.otherMachines
        if !Self.avx512 { print("no AVX-512 on this CPU: the SkylakeX kernels are skipped, Prescott runs instead") }
        let committed = Support.repositoryRoot.appendingPathComponent("site").path
        let want = try Self.files(under: committed)
        #expect(want.count > 5)
        for (k, env) in machines.enumerated() {
            // The first machine's build is shared with the mutation test below (its results cache).
            let build = k == 0 ? try Self.firstMachineBuild.get() : try Self.coldBuild(environment: env)
            let r = (status: build.status, output: build.output)
            #expect(r.status == 0, "\(env): \(r.output.suffix(2000))")
            let got = try Self.files(under: build.site)
            #expect(got.keys.sorted() == want.keys.sorted(), "\(env): other files")
            for (name, bytes) in want where got[name] != bytes {
                Issue.record("\(env): site/\(name) differs from the committed one")
            }
        }
    }

    static let avx512 = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.contains(" avx512f ") ?? false
    static let firstMachine = ["OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_NUM_THREADS": "1", "GLIBC_TUNABLES": "glibc.cpu.hwcaps=-AVX2,-FMA"]
    // SkylakeX needs AVX-512; without it, Prescott (the SSE3 kernels): with the machine's own
    // default in `make test`'s verify, three kernel families either way.
    static let otherMachines = [["OPENBLAS_CORETYPE": avx512 ? "SkylakeX" : "Prescott", "OPENBLAS_NUM_THREADS": "2"]]

    static let coldBuildTimeout: Double = 900

    struct ColdBuild {
        /// The copy of the course that was built (its lessons/), the fresh results cache the build
        /// filled, the site it wrote.
        var directory: String, cache: String, site: String
        var status: Int32, output: String
    }

    /// Compiles and runs every lesson of a copy of the course in a fresh cache (cold, as
    /// `--no-cache`, but keeping the results) and writes its site; generous limit for a busy CI runner.
    static func coldBuild(environment: [String: String]) throws -> ColdBuild {
        let dir = try copyOfLessons()
        let (cache, out) = (dir + "/cold-cache", dir + "/site")
        let r = try Support.run([Support.tool, "build", "--lessons", dir + "/lessons", "--cache-dir", cache, "--timeout", "\(Int(coldBuildTimeout))", "--out", out],
                                in: Support.repositoryRoot.path, environment: environment, timeout: 1800)
        return ColdBuild(directory: dir, cache: cache, site: out, status: r.status, output: r.output)
    }

    /// The first machine's cold build, once per test process: the bit-for-bit test checks its site,
    /// the mutation test verifies its (then edited) lessons against its cache.
    static let firstMachineBuild = Result { try coldBuild(environment: firstMachine) }

    /// Points `options` at the first machine's cold build's results, with its limits (part of the
    /// key; the key leaves out the course's folder): another copy of the course is then not run
    /// again. `fallback`: the cache to use when that build could not run.
    static func reuseTheColdBuild(_ options: inout RunOptions, fallback: String) {
        options.cacheDirectory = (try? firstMachineBuild.get())?.cache ?? fallback
        options.timeout = coldBuildTimeout
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
    /// Expected blocks are not part of a lesson's program: the edited lessons' programs are those
    /// the first machine's cold build ran, so verify compares against its cached results (new
    /// comparisons, no new runs; a cache miss would run the lesson and still check the same).
    @Test func changingAnyExpectedNumberMakesVerifyFailAtThatLine() throws {
        let build = try Self.firstMachineBuild.get()
        try #require(build.status == 0, "the course does not build: \(build.output.suffix(2000))")
        let dir = build.directory
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
        var options = RunOptions()
        options.lessonsDirectory = dir + "/lessons"
        options.cacheDirectory = build.cache
        options.timeout = Self.coldBuildTimeout   // the limits are part of a result's key
        let report = try Pipeline.verify(options, toolchain: Support.toolchain())
        #expect(report.cached == report.runs.count, "expected every run from the cold build's cache")
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
