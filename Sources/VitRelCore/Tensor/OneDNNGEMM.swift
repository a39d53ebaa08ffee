import CDNNL

/// oneDNN's single-precision GEMM (`dnnl_sgemm`, row-major like cblas_sgemm), held to the
/// calling thread.
///
/// Debian's oneDNN threads with OpenMP: left alone, each call would start OpenMP's own workers
/// beside vitrel's pool (two pools on two cores, the oversubscription `Parallel` exists to
/// avoid) and would cut the product by its thread count, so the bits would move with it.
/// OpenMP's thread-count setting belongs to the thread that sets it, so every thread that
/// calls in sets its own to one first; `squareProductWithOwnThreads` lifts it for the GEMM
/// yardstick only.
public enum OneDNNGEMM {
    /// C ← α·op(A)·op(B) + β·C, row-major, on the calling thread alone (`Float.blasGEMM`).
    @inlinable
    public static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            // dnnl_sgemm refuses k = 0 (its leading dimensions must be ≥ 1): C ← β·C by hand.
            for row in 0..<m {
                let line = c + row * ldc
                for column in 0..<n { line[column] = beta == 0 ? 0 : beta * line[column] }
            }
            return
        }
        if omp_get_max_threads() != 1 { omp_set_num_threads(1) }
        unpinnedSGEMM(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b,
            ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// `dnnl_sgemm` on whatever OpenMP thread count the calling thread has (m, n, k ≥ 1).
    @inlinable
    static func unpinnedSGEMM(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let status = dnnl_sgemm(
            operation(transposeA), operation(transposeB), dnnl_dim_t(m), dnnl_dim_t(n), dnnl_dim_t(k), alpha,
            a, dnnl_dim_t(lda), b, dnnl_dim_t(ldb), beta, c, dnnl_dim_t(ldc))
        precondition(status == dnnl_success, "dnnl_sgemm failed (status \(status.rawValue)) on \(m)×\(n)×\(k)")
    }

    /// BLAS's operation letter: "T" (transposed) or "N".
    @inlinable
    static func operation(_ transposed: Bool) -> CChar { CChar(UInt8(ascii: transposed ? "T" : "N")) }

    /// One n×n×n product with oneDNN's own OpenMP threading at `threads` threads, the calling
    /// thread held to one again afterwards. Only for measuring oneDNN itself (`GemmRate`).
    public static func squareProductWithOwnThreads(
        _ threads: Int, n: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>
    ) {
        guard n > 0 else { return }
        omp_set_num_threads(Int32(max(1, threads)))
        defer { omp_set_num_threads(1) }
        unpinnedSGEMM(transposeA: false, transposeB: false, m: n, n: n, k: n, alpha: 1, a: a, lda: n, b: b, ldb: n,
                      beta: 0, c: c, ldc: n)
    }

    /// The instruction set oneDNN dispatches to on this machine (after any `ONEDNN_MAX_CPU_ISA` cap).
    public static var instructionSet: String {
        let isa = dnnl_get_effective_cpu_isa()
        let names: [(dnnl_cpu_isa_t, String)] = [
            (dnnl_cpu_isa_avx512_core_amx, "AVX-512 with AMX"), (dnnl_cpu_isa_avx512_core_bf16, "AVX-512 with BF16"),
            (dnnl_cpu_isa_avx512_core_vnni, "AVX-512 with VNNI"), (dnnl_cpu_isa_avx512_core, "AVX-512"),
            (dnnl_cpu_isa_avx2_vnni, "AVX2 with VNNI"), (dnnl_cpu_isa_avx2, "AVX2"), (dnnl_cpu_isa_avx, "AVX"),
            (dnnl_cpu_isa_sse41, "SSE4.1"),
        ]
        return names.first { $0.0 == isa }?.1 ?? "isa \(isa.rawValue)"
    }

    /// oneDNN's version, "2.6.3".
    public static var version: String {
        guard let v = dnnl_version()?.pointee else { return "unknown" }
        return "\(v.major).\(v.minor).\(v.patch)"
    }
}
