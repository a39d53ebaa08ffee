import COpenBLAS
import RealModule

/// Element type of vitrel tensors: `Float` for speed, `Double` for exact checks.
///
/// The same generic model code runs in both precisions (llm.c's habit of one code path,
/// swift-numerics' habit of generic real arithmetic). Everything per element lives in
/// `Kernels`, whose functions are specialised for both types, so generic glue code pays
/// one dynamic dispatch per kernel call, never per element.
public protocol TensorScalar: Real, BinaryFloatingPoint, Codable, Sendable, CustomStringConvertible
where Self.RawSignificand: FixedWidthInteger {
    /// C ← α·op(A)·op(B) + β·C, row-major, on the calling thread alone: one oneDNN `dnnl_sgemm`
    /// (Float) or OpenBLAS `cblas_dgemm` (Double) call, the library held to one thread (see
    /// `Parallel`). Callers use `gemm`, which cuts large products into blocks for vitrel's threads.
    static func blasGEMM(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int,
        b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    /// Name used in file formats (`F32`, `F64`).
    static var safetensorsDType: String { get }
}

extension Float: TensorScalar {
    @inlinable
    public static func blasGEMM(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        switch MatrixLibrary.current {
        case .oneDNN:
            OneDNNGEMM.sgemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        case .openBLAS:
            OpenBLASGEMM.sgemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
    }
    public static var safetensorsDType: String { "F32" }
}

extension Double: TensorScalar {
    @inlinable
    public static func blasGEMM(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
    public static var safetensorsDType: String { "F64" }
}
