import COpenBLAS
import CVitRelKernels

/// vitrel's version, printed by `vitrel --version` and written into every report.
public enum VitRel {
    public static let version = "0.1.0"

    /// The OpenBLAS build vitrel runs on (`openblas_get_config()`: version, target, threading),
    /// for reports, since speed and the last bits of a result depend on it.
    public static var blasConfiguration: String { String(cString: openblas_get_config()) }

    /// Which copy of vitrel's C kernels (GELU, softmax) this CPU runs. Both give the same bits;
    /// only the speed differs.
    public static var kernelInstructionSet: String { vitrel_has_avx2() != 0 ? "AVX2" : "baseline (SSE2)" }
}
