/// Whole-array GEMM shorthands for row-major matrices held in Swift arrays.
public enum MatrixProducts {
    /// C[m, n] = A[m, k] · B[n, k]ᵀ
    @inlinable
    public static func timesTransposed<S: TensorScalar>(_ a: [S], _ b: [S], m: Int, k: Int, n: Int) -> [S] {
        precondition(a.count == m * k && b.count == n * k, "A·Bᵀ shapes")
        var c = [S].uninitialized(m * n)
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    S.gemm(transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1, a: ap.baseAddress!, lda: k,
                           b: bp.baseAddress!, ldb: k, beta: 0, c: cp.baseAddress!, ldc: n)
                }
            }
        }
        return c
    }

    /// C[m, n] = A[m, k] · B[k, n]
    @inlinable
    public static func times<S: TensorScalar>(_ a: [S], _ b: [S], m: Int, k: Int, n: Int) -> [S] {
        precondition(a.count == m * k && b.count == k * n, "A·B shapes")
        var c = [S].uninitialized(m * n)
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    S.gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: ap.baseAddress!, lda: k,
                           b: bp.baseAddress!, ldb: n, beta: 0, c: cp.baseAddress!, ldc: n)
                }
            }
        }
        return c
    }
}
