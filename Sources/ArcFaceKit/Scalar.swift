// TensorScalar: the element types a tensor can hold (Float32, torch's default, and Float64 for
// checks), with the elementary functions and the GEMM each one uses: PortableMath's, never the
// platform's libm or BLAS, so that a lesson prints the same bits on every machine.

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
    /// C = alpha * op(A) * op(B) + beta * C, row-major, in PortableMath's fixed order; see Linalg.swift.
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self,
                     a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
}

extension Float: TensorScalar {
    public static var dtypeName: String { "torch.float32" }
    // In Double and rounded once: within about half an ulp of float, and the same on every machine.
    @inlinable public static func exp(_ x: Float) -> Float { PortableMath.exp(x) }
    @inlinable public static func log(_ x: Float) -> Float { PortableMath.log(x) }
    @inlinable public static func pow(_ x: Float, _ y: Float) -> Float { PortableMath.pow(x, y) }
    @inlinable public static func cos(_ x: Float) -> Float { PortableMath.cos(x) }
    @inlinable public static func sin(_ x: Float) -> Float { PortableMath.sin(x) }
    @inlinable public static func acos(_ x: Float) -> Float { PortableMath.acos(x) }
    @inlinable public static func tanh(_ x: Float) -> Float { PortableMath.tanh(x) }
}

extension Double: TensorScalar {
    public static var dtypeName: String { "torch.float64" }
    @inlinable public static func exp(_ x: Double) -> Double { PortableMath.exp(x) }
    @inlinable public static func log(_ x: Double) -> Double { PortableMath.log(x) }
    @inlinable public static func pow(_ x: Double, _ y: Double) -> Double { PortableMath.pow(x, y) }
    @inlinable public static func cos(_ x: Double) -> Double { PortableMath.cos(x) }
    @inlinable public static func sin(_ x: Double) -> Double { PortableMath.sin(x) }
    @inlinable public static func acos(_ x: Double) -> Double { PortableMath.acos(x) }
    @inlinable public static func tanh(_ x: Double) -> Double { PortableMath.tanh(x) }
}

/// The default tensor: Float32, as `torch.tensor` gives for Python floats.
public typealias Tensor = TensorOf<Float>
/// Float64 tensors, for finite-difference checks and high-precision reference computations.
public typealias DoubleTensor = TensorOf<Double>
