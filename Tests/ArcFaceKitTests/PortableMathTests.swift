// PortableMath (CPortableMath): accuracy against 60-digit values (Reference/portable_math.txt,
// written by tools/gen_portable_math_reference.py with mpmath), C99 Annex F special values, the same
// bits for every thread count and tiling of the GEMM, and a fingerprint of every result bit that any
// machine must reproduce.

import CPortableMath
import Foundation
import Testing
@testable import ArcFaceKit

@Suite struct PortableMathTests {
    struct Sample { var name: String; var x: Double; var y: Double?; var hi: Double; var lo: Double }

    static let samples: [Sample] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Reference/portable_math.txt")
        let text = try! String(contentsOf: url, encoding: .utf8)
        return text.split(separator: "\n").map { line in
            let f = line.split(separator: " ").map(String.init)
            return Sample(name: f[0], x: Double(f[1])!, y: f[2] == "-" ? nil : Double(f[2])!, hi: Double(f[3])!, lo: Double(f[4])!)
        }
    }()

    static let double: [String: @Sendable (Double, Double?) -> Double] = [
        "exp": { x, _ in PortableMath.exp(x) }, "expm1": { x, _ in PortableMath.expm1(x) },
        "log": { x, _ in PortableMath.log(x) }, "log1p": { x, _ in PortableMath.log1p(x) },
        "log2": { x, _ in PortableMath.log2(x) }, "log10": { x, _ in PortableMath.log10(x) },
        "sin": { x, _ in PortableMath.sin(x) }, "cos": { x, _ in PortableMath.cos(x) }, "tan": { x, _ in PortableMath.tan(x) },
        "asin": { x, _ in PortableMath.asin(x) }, "acos": { x, _ in PortableMath.acos(x) }, "atan": { x, _ in PortableMath.atan(x) },
        "sinh": { x, _ in PortableMath.sinh(x) }, "cosh": { x, _ in PortableMath.cosh(x) }, "tanh": { x, _ in PortableMath.tanh(x) },
        "pow": { x, y in PortableMath.pow(x, y!) }, "atan2": { x, y in PortableMath.atan2(x, y!) },
    ]
    static let float: [String: @Sendable (Float, Float?) -> Float] = [
        "exp": { x, _ in PortableMath.exp(x) }, "expm1": { x, _ in PortableMath.expm1(x) },
        "log": { x, _ in PortableMath.log(x) }, "log1p": { x, _ in PortableMath.log1p(x) },
        "log2": { x, _ in PortableMath.log2(x) }, "log10": { x, _ in PortableMath.log10(x) },
        "sin": { x, _ in PortableMath.sin(x) }, "cos": { x, _ in PortableMath.cos(x) }, "tan": { x, _ in PortableMath.tan(x) },
        "asin": { x, _ in PortableMath.asin(x) }, "acos": { x, _ in PortableMath.acos(x) }, "atan": { x, _ in PortableMath.atan(x) },
        "sinh": { x, _ in PortableMath.sinh(x) }, "cosh": { x, _ in PortableMath.cosh(x) }, "tanh": { x, _ in PortableMath.tanh(x) },
        "pow": { x, y in PortableMath.pow(x, y!) }, "atan2": { x, y in PortableMath.atan2(x, y!) },
    ]

    /// |got - (hi + lo)| in units of the last place of the exact value (hi's ulp; subnormals: the
    /// smallest subnormal).
    static func ulps(_ got: Double, _ hi: Double, _ lo: Double) -> Double {
        if got == hi && lo == 0 { return 0 }
        let ulp = hi.ulp
        return abs((got - hi) - lo) / ulp
    }

    @Test func everyDoubleFunctionIsWithinAboutOneUlpOfSixtyDigitValues() {
        var worst: [String: (Double, Double)] = [:]
        for s in Self.samples {
            let got = Self.double[s.name]!(s.x, s.y)
            let e = Self.ulps(got, s.hi, s.lo)
            if e > (worst[s.name]?.0 ?? -1) { worst[s.name] = (e, s.x) }
        }
        #expect(Set(worst.keys) == Set(Self.double.keys))
        let report = worst.sorted { $0.key < $1.key }.map { String(format: "%@ %.3f", $0.key, $0.value.0) }.joined(separator: ", ")
        print("PortableMath, max error in ulps (double):", report)
        for (name, (e, x)) in worst {
            // Measured 0.50 to 0.78 here and in a sweep of 6000 points per function; 1 leaves room.
            #expect(e <= 1.0, "\(name)(\(x)): \(e) ulps")
        }
    }

    /// Float functions are the Double ones rounded once: within half a float ulp plus the Double
    /// result's error (about 2^-29 float ulps).
    @Test func everyFloatFunctionIsCorrectlyRoundedButForDoubleRounding() {
        var checked = 0
        for s in Self.samples {
            guard let x = Float(exactly: s.x), s.y.map({ Float(exactly: $0) != nil }) ?? true else { continue }
            let exact = s.hi + s.lo
            guard abs(exact) < Double(Float.greatestFiniteMagnitude), abs(exact) >= Double(Float.leastNormalMagnitude) else { continue }
            let got = Self.float[s.name]!(x, s.y.map { Float($0) })
            let e = abs((Double(got) - s.hi) - s.lo) / Double(Float(exact).ulp)
            #expect(e <= 0.5001, "\(s.name)(\(x)): \(e) float ulps")
            checked += 1
        }
        #expect(checked > 2000)
    }

    @Test func specialValuesFollowC99AnnexF() {
        let inf = Double.infinity, nan = Double.nan, tiny = Double.leastNonzeroMagnitude
        func same(_ a: Double, _ b: Double) -> Bool { a.isNaN ? b.isNaN : a.bitPattern == b.bitPattern }
        let cases: [(String, Double, Double)] = [
            ("exp(-inf)", PortableMath.exp(-inf), 0), ("exp(inf)", PortableMath.exp(inf), inf), ("exp(nan)", PortableMath.exp(nan), nan),
            ("exp(0)", PortableMath.exp(0), 1), ("exp(-0)", PortableMath.exp(-0.0), 1), ("exp(710)", PortableMath.exp(710), inf),
            ("exp(-746)", PortableMath.exp(-746), 0), ("exp(-745)", PortableMath.exp(-745), tiny),
            ("exp(tiny)", PortableMath.exp(tiny), 1), ("expm1(-0)", PortableMath.expm1(-0.0), -0.0),
            ("expm1(-inf)", PortableMath.expm1(-inf), -1), ("expm1(tiny)", PortableMath.expm1(tiny), tiny),
            ("log(0)", PortableMath.log(0), -inf), ("log(-0)", PortableMath.log(-0.0), -inf), ("log(-1)", PortableMath.log(-1), nan),
            ("log(1)", PortableMath.log(1), 0), ("log(inf)", PortableMath.log(inf), inf), ("log(tiny)", PortableMath.log(tiny), -744.4400719213812),
            ("log2(8)", PortableMath.log2(8), 3), ("log2(tiny)", PortableMath.log2(tiny), -1074), ("log10(1000)", PortableMath.log10(1000), 3),
            ("log10(1e-300)", PortableMath.log10(1e-300), -300), ("log1p(-1)", PortableMath.log1p(-1), -inf),
            ("log1p(-2)", PortableMath.log1p(-2), nan), ("log1p(-0)", PortableMath.log1p(-0.0), -0.0),
            ("sin(-0)", PortableMath.sin(-0.0), -0.0), ("sin(inf)", PortableMath.sin(inf), nan), ("cos(inf)", PortableMath.cos(-inf), nan),
            ("sin(tiny)", PortableMath.sin(tiny), tiny), ("cos(0)", PortableMath.cos(0), 1), ("tan(-0)", PortableMath.tan(-0.0), -0.0),
            ("sin(1e22)", PortableMath.sin(1e22), -0.8522008497671888), ("cos(max)", PortableMath.cos(.greatestFiniteMagnitude), -0.9999876894265599),
            ("asin(1)", PortableMath.asin(1), .pi / 2), ("asin(-1)", PortableMath.asin(-1), -.pi / 2), ("asin(1.5)", PortableMath.asin(1.5), nan),
            ("acos(1)", PortableMath.acos(1), 0), ("acos(-1)", PortableMath.acos(-1), .pi), ("acos(0)", PortableMath.acos(0), .pi / 2),
            ("acos(-1.0000001)", PortableMath.acos(-1.0000001), nan), ("atan(inf)", PortableMath.atan(inf), .pi / 2),
            ("atan(-inf)", PortableMath.atan(-inf), -.pi / 2), ("atan(-0)", PortableMath.atan(-0.0), -0.0),
            ("atan2(0, -0)", PortableMath.atan2(0, -0.0), .pi), ("atan2(-0, -0)", PortableMath.atan2(-0.0, -0.0), -.pi),
            ("atan2(-0, 1)", PortableMath.atan2(-0.0, 1), -0.0), ("atan2(1, 0)", PortableMath.atan2(1, 0), .pi / 2),
            ("atan2(inf, -inf)", PortableMath.atan2(inf, -inf), 3 * .pi / 4), ("atan2(-inf, inf)", PortableMath.atan2(-inf, inf), -.pi / 4),
            ("atan2(1, -inf)", PortableMath.atan2(1, -inf), .pi), ("atan2(-1, inf)", PortableMath.atan2(-1, inf), -0.0),
            ("atan2(1e300, 1e-300)", PortableMath.atan2(1e300, 1e-300), .pi / 2), ("atan2(1e-300, -1e300)", PortableMath.atan2(1e-300, -1e300), .pi),
            ("sinh(-0)", PortableMath.sinh(-0.0), -0.0), ("sinh(711)", PortableMath.sinh(711), inf), ("sinh(-inf)", PortableMath.sinh(-inf), -inf),
            ("cosh(-inf)", PortableMath.cosh(-inf), inf), ("cosh(0)", PortableMath.cosh(0), 1), ("tanh(inf)", PortableMath.tanh(inf), 1),
            ("tanh(-30)", PortableMath.tanh(-30), -1), ("tanh(-0)", PortableMath.tanh(-0.0), -0.0),
            ("pow(nan, 0)", PortableMath.pow(nan, 0), 1), ("pow(1, nan)", PortableMath.pow(1, nan), 1), ("pow(2, nan)", PortableMath.pow(2, nan), nan),
            ("pow(-0, -3)", PortableMath.pow(-0.0, -3), -inf), ("pow(-0, -2)", PortableMath.pow(-0.0, -2), inf),
            ("pow(-0, 3)", PortableMath.pow(-0.0, 3), -0.0), ("pow(-0, 0.5)", PortableMath.pow(-0.0, 0.5), 0),
            ("pow(-1, inf)", PortableMath.pow(-1, inf), 1), ("pow(0.5, -inf)", PortableMath.pow(0.5, -inf), inf),
            ("pow(2, -inf)", PortableMath.pow(2, -inf), 0), ("pow(0.5, inf)", PortableMath.pow(0.5, inf), 0),
            ("pow(-inf, -3)", PortableMath.pow(-inf, -3), -0.0), ("pow(-inf, 3)", PortableMath.pow(-inf, 3), -inf),
            ("pow(-inf, 2)", PortableMath.pow(-inf, 2), inf), ("pow(inf, -1)", PortableMath.pow(inf, -1), 0),
            ("pow(-2, 0.5)", PortableMath.pow(-2, 0.5), nan), ("pow(-2, 3)", PortableMath.pow(-2, 3), -8),
            ("pow(10, -3)", PortableMath.pow(10, -3), 0.001), ("pow(10, 22)", PortableMath.pow(10, 22), 1e22),
            ("pow(3, 33)", PortableMath.pow(3, 33), 5559060566555523), ("pow(2, -1074)", PortableMath.pow(2, -1074), tiny),
            ("pow(2, 1024)", PortableMath.pow(2, 1024), inf), ("pow(0.1, 2)", PortableMath.pow(0.1, 2), 0.1 * 0.1),
        ]
        for (name, got, want) in cases { #expect(same(got, want), "\(name) = \(got), expected \(want)") }
    }

    /// FNV-1a over the bits of every result for the reference arguments (and the Float results): a
    /// machine whose compiler fused a multiply-add, or reordered a sum, fails here first. After an
    /// intended change of CPortableMath, put the printed value here.
    @Test func theResultsHaveTheSameBitsOnEveryMachine() {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ v: UInt64) { for i in 0..<8 { h = (h ^ ((v >> (8 * UInt64(i))) & 0xff)) &* 0x100_0000_01b3 } }
        for s in Self.samples {
            mix(Self.double[s.name]!(s.x, s.y).bitPattern)
            mix(UInt64(Self.float[s.name]!(Float(s.x), s.y.map { Float($0) }).bitPattern))
        }
        print("PortableMath fingerprint: 0x" + String(h, radix: 16))
        #expect(h == 0xccea_0139_ca99_4b15, "fingerprint 0x\(String(h, radix: 16))")
    }

    // MARK: GEMM

    /// The order PortableMath promises, written as plainly as possible: one sum per element, p = 0 ..< k.
    static func naive<T: BinaryFloatingPoint>(_ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int, _ a: [T], _ b: [T]) -> [T] {
        var c = [T](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var acc: T = 0
                for p in 0..<k { acc += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]) }
                c[i * n + j] = acc
            }
        }
        return c
    }

    static func values<T: BinaryFloatingPoint>(_ count: Int, seed: Int) -> [T] {
        let g = Generator(seed: seed)
        // Spread over magnitudes, so that summation order would show in the last bits.
        return (0..<count).map { _ in T((Double(g.nextFloat()) - 0.5) * PortableMath.exp(Double(g.nextFloat()) * 8)) }
    }

    @Test(arguments: [(1, 1, 1), (3, 5, 7), (4, 8, 16), (13, 17, 33), (64, 9, 200), (5, 70, 1), (7, 3, 0)])
    func gemmEqualsTheNaiveLoopBitForBitForEveryThreadCountAndLayout(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let a: [Float] = Self.values(m * k, seed: 1), b: [Float] = Self.values(k * n, seed: 2)
            let want = Self.naive(ta, tb, m, n, k, a, b)
            let ad: [Double] = Self.values(m * k, seed: 3), bd: [Double] = Self.values(k * n, seed: 4)
            let wantD = Self.naive(ta, tb, m, n, k, ad, bd)
            for threads in [1, 2, 3, 8] {
                var c = [Float](repeating: .nan, count: m * n)
                PortableMath.gemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1, a: a, lda: ta ? m : k, b: b, ldb: tb ? k : n,
                                  beta: 0, c: &c, ldc: n, threads: threads)
                #expect(c.map(\.bitPattern) == want.map(\.bitPattern), "float \(shape) ta=\(ta) tb=\(tb) threads=\(threads)")
                var cd = [Double](repeating: .nan, count: m * n)
                PortableMath.gemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1, a: ad, lda: ta ? m : k, b: bd, ldb: tb ? k : n,
                                  beta: 0, c: &cd, ldc: n, threads: threads)
                #expect(cd.map(\.bitPattern) == wantD.map(\.bitPattern), "double \(shape) ta=\(ta) tb=\(tb) threads=\(threads)")
            }
        }
    }

    /// Rows computed one call at a time (the smallest possible share) equal the whole product.
    @Test func gemmByRowRangesEqualsTheWholeProduct() {
        let (m, n, k) = (11, 19, 23)
        let a: [Float] = Self.values(m * k, seed: 5), b: [Float] = Self.values(k * n, seed: 6)
        var whole = [Float](repeating: 0, count: m * n), rows = [Float](repeating: 0, count: m * n)
        pm_sgemm(0, 0, m, n, k, 1, a, k, b, n, 0, &whole, n, 0, m)
        for i in 0..<m { pm_sgemm(0, 0, m, n, k, 1, a, k, b, n, 0, &rows, n, i, i + 1) }
        #expect(whole.map(\.bitPattern) == rows.map(\.bitPattern))
    }

    /// alpha and beta as BLAS: C = alpha (A B) + beta C, one rounding each.
    @Test func gemmScalesAndAccumulatesLikeBLAS() {
        let a: [Double] = [1, 2, 3, 4], b: [Double] = [5, 6, 7, 8]
        var c: [Double] = [1, 1, 1, 1]
        PortableMath.gemm(transA: false, transB: false, m: 2, n: 2, k: 2, alpha: 2, a: a, lda: 2, b: b, ldb: 2, beta: 3, c: &c, ldc: 2)
        #expect(c == [41, 47, 89, 103])
        var n: [Double] = [.nan, .nan, .nan, .nan]
        PortableMath.gemm(transA: false, transB: false, m: 2, n: 2, k: 2, alpha: 1, a: a, lda: 2, b: b, ldb: 2, beta: 0, c: &n, ldc: 2)
        #expect(n == [19, 22, 43, 50])
    }

    /// Reductions are one pass in index order, in Double: sum() and sum(dim:) equal the plain loop.
    @Test func sumIsOneSequentialPassInIndexOrder() {
        let v: [Float] = Self.values(12_000, seed: 7)
        var acc = 0.0
        for x in v { acc += Double(x) }
        #expect(Tensor(v).sum().item() == Float(acc))
        let rows = Tensor(shape: [3, 4000], scalars: v).sum(dim: 1).scalars
        for r in 0..<3 {
            var a = 0.0
            for x in v[(r * 4000)..<((r + 1) * 4000)] { a += Double(x) }
            #expect(rows[r] == Float(a))
        }
    }

    /// The library lesson programs link calls no libm elementary function and no BLAS: what it
    /// computes cannot depend on the platform's versions of them.
    @Test func theLessonLibraryLinksNoLibmMathAndNoBLAS() throws {
        #if os(Linux)
        let bin = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/libArcFaceKit.so").path
        try #require(FileManager.default.fileExists(atPath: bin), "no \(bin): build the kit first")
        let nm = ["/opt/swift/usr/bin/llvm-nm", "/usr/bin/llvm-nm", "/usr/bin/nm"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let tool = try #require(nm, "no nm to read the library's symbols")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = ["-D", "--undefined-only", bin]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let symbols = out.split(separator: "\n").compactMap { $0.split(separator: " ").last.map { String($0.split(separator: "@").first!) } }
        #expect(symbols.count > 10)
        let libm = ["exp", "expf", "expm1", "log", "logf", "log1p", "log2", "log10", "pow", "powf", "sin", "sinf", "cos", "cosf",
                    "tan", "asin", "acos", "acosf", "atan", "atan2", "sinh", "cosh", "tanh", "tanhf", "sincos", "sincosf"]
        let found = symbols.filter { libm.contains($0) || $0.hasPrefix("cblas_") || $0.hasPrefix("openblas") || $0.hasPrefix("afk_") }
        #expect(found == [], "libArcFaceKit.so calls \(found)")
        #endif
    }
}
