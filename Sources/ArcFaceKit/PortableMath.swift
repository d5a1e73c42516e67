// PortableMath: the elementary functions and the GEMM every composed op uses, with one fixed
// evaluation order (Sources/CPortableMath), so a lesson's numbers are the same bits on any CPU, any
// BLAS, any core count, and any libm (glibc picks FMA variants at load time; macOS has its own).
// Float functions are computed in Double and rounded once: within about half a float ulp.
//
// Lesson programs get these under the usual names (`exp`, `cos`, `pow`, ...): the generated program
// declares forwarding functions (LessonKit's Program.portableMathPrelude), which shadow libm's.

import CPortableMath
import Dispatch

public enum PortableMath {
    @inlinable public static func exp(_ x: Double) -> Double { pm_exp(x) }
    @inlinable public static func expm1(_ x: Double) -> Double { pm_expm1(x) }
    @inlinable public static func log(_ x: Double) -> Double { pm_log(x) }
    @inlinable public static func log1p(_ x: Double) -> Double { pm_log1p(x) }
    @inlinable public static func log2(_ x: Double) -> Double { pm_log2(x) }
    @inlinable public static func log10(_ x: Double) -> Double { pm_log10(x) }
    @inlinable public static func pow(_ x: Double, _ y: Double) -> Double { pm_pow(x, y) }
    @inlinable public static func sin(_ x: Double) -> Double { pm_sin(x) }
    @inlinable public static func cos(_ x: Double) -> Double { pm_cos(x) }
    @inlinable public static func tan(_ x: Double) -> Double { pm_tan(x) }
    @inlinable public static func asin(_ x: Double) -> Double { pm_asin(x) }
    @inlinable public static func acos(_ x: Double) -> Double { pm_acos(x) }
    @inlinable public static func atan(_ x: Double) -> Double { pm_atan(x) }
    @inlinable public static func atan2(_ y: Double, _ x: Double) -> Double { pm_atan2(y, x) }
    @inlinable public static func sinh(_ x: Double) -> Double { pm_sinh(x) }
    @inlinable public static func cosh(_ x: Double) -> Double { pm_cosh(x) }
    @inlinable public static func tanh(_ x: Double) -> Double { pm_tanh(x) }

    @inlinable public static func exp(_ x: Float) -> Float { Float(pm_exp(Double(x))) }
    @inlinable public static func expm1(_ x: Float) -> Float { Float(pm_expm1(Double(x))) }
    @inlinable public static func log(_ x: Float) -> Float { Float(pm_log(Double(x))) }
    @inlinable public static func log1p(_ x: Float) -> Float { Float(pm_log1p(Double(x))) }
    @inlinable public static func log2(_ x: Float) -> Float { Float(pm_log2(Double(x))) }
    @inlinable public static func log10(_ x: Float) -> Float { Float(pm_log10(Double(x))) }
    @inlinable public static func pow(_ x: Float, _ y: Float) -> Float { Float(pm_pow(Double(x), Double(y))) }
    @inlinable public static func sin(_ x: Float) -> Float { Float(pm_sin(Double(x))) }
    @inlinable public static func cos(_ x: Float) -> Float { Float(pm_cos(Double(x))) }
    @inlinable public static func tan(_ x: Float) -> Float { Float(pm_tan(Double(x))) }
    @inlinable public static func asin(_ x: Float) -> Float { Float(pm_asin(Double(x))) }
    @inlinable public static func acos(_ x: Float) -> Float { Float(pm_acos(Double(x))) }
    @inlinable public static func atan(_ x: Float) -> Float { Float(pm_atan(Double(x))) }
    @inlinable public static func atan2(_ y: Float, _ x: Float) -> Float { Float(pm_atan2(Double(y), Double(x))) }
    @inlinable public static func sinh(_ x: Float) -> Float { Float(pm_sinh(Double(x))) }
    @inlinable public static func cosh(_ x: Float) -> Float { Float(pm_cosh(Double(x))) }
    @inlinable public static func tanh(_ x: Float) -> Float { Float(pm_tanh(Double(x))) }

    /// The names above, for code generators: each is declared for Double and Float.
    public static let unaryFunctions = ["exp", "expm1", "log", "log1p", "log2", "log10", "sin", "cos", "tan",
                                        "asin", "acos", "atan", "sinh", "cosh", "tanh"]
    public static let binaryFunctions = ["pow", "atan2"]

    /// Row-major C = alpha op(A) op(B) + beta C, each element one sum over k in index order from zero
    /// (CPortableMath/gemm.c). `threads` > 1 splits the rows of C: no element is shared, so the bits
    /// do not depend on it.
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int = 1) {
        forEachRowRange(m, threads: threads) { r0, r1 in
            pm_sgemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, r0, r1)
        }
    }

    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                            a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                            beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int, threads: Int = 1) {
        forEachRowRange(m, threads: threads) { r0, r1 in
            pm_dgemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, r0, r1)
        }
    }

    /// Calls body(r0, r1) for `threads` contiguous shares of 0..<m, concurrently when threads > 1.
    static func forEachRowRange(_ m: Int, threads: Int, _ body: (Int, Int) -> Void) {
        let parts = max(1, min(threads, m))
        if parts == 1 { body(0, m); return }
        // The shares write disjoint rows of C: no data is shared between the threads.
        nonisolated(unsafe) let share = body
        DispatchQueue.concurrentPerform(iterations: parts) { i in share(i * m / parts, (i + 1) * m / parts) }
    }
}
