// Matrix products: mm and matmul, forward and backward side by side. The GEMM is PortableMath's
// (one sum per element, in index order), not a BLAS: BLAS kernels sum in CPU-dependent orders.

extension Float {
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        PortableMath.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                          b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
}

extension Double {
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                            a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                            beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        PortableMath.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                          b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
}

/// op(A) * op(B) for row-major matrices held in tensors: (m, k) x (k, n) -> (m, n).
@_specialize(where Scalar == Float)
func gemm<Scalar>(_ a: TensorOf<Scalar>, transposed ta: Bool, _ b: TensorOf<Scalar>, transposed tb: Bool) -> TensorOf<Scalar> {
    let (m, k) = ta ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
    let (k2, n) = tb ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
    check(k == k2, "mat1 and mat2 shapes cannot be multiplied (\(m)x\(k) and \(k2)x\(n))")
    var out = [Scalar](repeating: 0, count: m * n)
    if m > 0 && n > 0 && k > 0 {
        a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { pc in
                    Scalar.gemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1,
                                a: pa.baseAddress!, lda: a.shape[1], b: pb.baseAddress!, ldb: b.shape[1],
                                beta: 0, c: pc.baseAddress!, ldc: n)
                }
            }
        }
    }
    return TensorOf(shape: [m, n], scalars: out)
}

extension TensorOf {
    /// `torch.mm(self, other)`: (n, k) @ (k, m) -> (n, m).
    @_specialize(where Scalar == Float)
    public func mm(_ other: TensorOf) -> TensorOf {
        check(dim == 2 && other.dim == 2, "mm: expected 2-D tensors, got \(shape) and \(other.shape)")
        let a = self, b = other
        return gemm(a, transposed: false, b, transposed: false).recorded("MmBackward0", [a, b]) { g in
            // out = a @ b:  da = g @ b^T (n, k),  db = a^T @ g (k, m)
            [a.requiresGrad ? gemm(g, transposed: false, b, transposed: true) : nil,
             b.requiresGrad ? gemm(a, transposed: true, g, transposed: false) : nil]
        }
    }

    /// `torch.matmul`: mm for 2-D x 2-D, matrix-vector and vector-matrix through unsqueeze, dot for 1-D x 1-D.
    @_specialize(where Scalar == Float)
    public func matmul(_ other: TensorOf) -> TensorOf {
        switch (dim, other.dim) {
        case (2, 2): return mm(other)
        case (2, 1): return mm(other.unsqueeze(1)).squeeze(1)
        case (1, 2): return unsqueeze(0).mm(other).squeeze(0)
        case (1, 1): return unsqueeze(0).mm(other.unsqueeze(1)).reshape([])
        default: checkFailure("matmul: shapes \(shape) and \(other.shape) are not supported (1-D and 2-D only)")
        }
    }
}

