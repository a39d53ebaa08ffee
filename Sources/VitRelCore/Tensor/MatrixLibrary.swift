/// The library behind vitrel's single-precision matrix products.
///
/// oneDNN's `dnnl_sgemm` picks its kernels for the CPU at run time (AVX-512 here, AVX2 or SSE4.1
/// elsewhere; `ONEDNN_MAX_CPU_ISA` caps it), where the OpenBLAS on these machines is held to its
/// Haswell (AVX2) kernels by `OPENBLAS_CORETYPE`. OpenBLAS stays for Float64 products and
/// LAPACK, and as the alternative `vitrel bench` measures against. Both run single-threaded per
/// block of `GEMMBlocks`, so either gives the same bits with any `--threads`; the two libraries
/// give different bits from each other (different summation orders), within the same error
/// bound.
public enum MatrixLibrary: String, CaseIterable, Sendable {
    case oneDNN = "onednn"
    case openBLAS = "openblas"

    /// The library `Float.blasGEMM` calls. oneDNN unless a benchmark selects OpenBLAS to compare.
    public static var current: MatrixLibrary = .oneDNN

    /// Its name as its makers write it.
    public var displayName: String {
        switch self {
        case .oneDNN: return "oneDNN"
        case .openBLAS: return "OpenBLAS"
        }
    }
}
