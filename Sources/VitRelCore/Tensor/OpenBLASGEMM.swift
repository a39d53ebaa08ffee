import COpenBLAS

/// OpenBLAS's single-precision GEMM (`cblas_sgemm`, row-major), on whatever threads OpenBLAS is
/// set to (one, see `Parallel`): the alternative to `OneDNNGEMM` that `vitrel bench` compares.
public enum OpenBLASGEMM {
    @inlinable
    public static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
