// TensorScalar: the element types a tensor can hold (Float32, torch's default, and Float64 for
// checks), with the math and BLAS entry points each one needs.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public protocol TensorScalar: BinaryFloatingPoint, Sendable, Codable, CustomStringConvertible
where Self.RawSignificand: FixedWidthInteger {
    /// torch's dtype name, printed by `repr` when it is not the default (`torch.float64`).
    static var dtypeName: String { get }
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func pow(_ x: Self, _ y: Self) -> Self
    static func cos(_ x: Self) -> Self
    static func sin(_ x: Self) -> Self
    static func acos(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    /// C = alpha * op(A) * op(B) + beta * C, row-major (cblas_sgemm / cblas_dgemm); see Linalg.swift.
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self,
                     a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
}

extension Float: TensorScalar {
    public static var dtypeName: String { "torch.float32" }
    @inlinable public static func exp(_ x: Float) -> Float { expf(x) }
    @inlinable public static func log(_ x: Float) -> Float { logf(x) }
    @inlinable public static func pow(_ x: Float, _ y: Float) -> Float { powf(x, y) }
    @inlinable public static func cos(_ x: Float) -> Float { cosf(x) }
    @inlinable public static func sin(_ x: Float) -> Float { sinf(x) }
    @inlinable public static func acos(_ x: Float) -> Float { acosf(x) }
    @inlinable public static func tanh(_ x: Float) -> Float { tanhf(x) }
}

extension Double: TensorScalar {
    public static var dtypeName: String { "torch.float64" }
    @inlinable public static func exp(_ x: Double) -> Double { Glibc.exp(x) }
    @inlinable public static func log(_ x: Double) -> Double { Glibc.log(x) }
    @inlinable public static func pow(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
    @inlinable public static func cos(_ x: Double) -> Double { Glibc.cos(x) }
    @inlinable public static func sin(_ x: Double) -> Double { Glibc.sin(x) }
    @inlinable public static func acos(_ x: Double) -> Double { Glibc.acos(x) }
    @inlinable public static func tanh(_ x: Double) -> Double { Glibc.tanh(x) }
}

/// The default tensor: Float32, as `torch.tensor` gives for Python floats.
public typealias Tensor = TensorOf<Float>
/// Float64 tensors, for finite-difference checks and high-precision reference computations.
public typealias DoubleTensor = TensorOf<Double>
