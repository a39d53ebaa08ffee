import COpenBLAS
import CVitRelKernels

/// vitrel's version, printed by `vitrel --version` and written into every report.
public enum VitRel {
    public static let version = "0.1.0"

    /// The matrix libraries vitrel runs on: oneDNN's version and the instruction set it
    /// dispatches to (single-precision products), and the OpenBLAS build (`openblas_get_config()`:
    /// version, target, threading; Float64 products and LAPACK), for reports, since speed and
    /// the last bits of a result depend on them.
    public static var blasConfiguration: String {
        (MatrixLibrary.current == .oneDNN ? "oneDNN \(OneDNNGEMM.version) (\(OneDNNGEMM.instructionSet))" : "OpenBLAS")
            + " for Float32 products; \(String(cString: openblas_get_config())) for Float64 products and LAPACK"
    }

    /// Which copy of vitrel's C kernels (GELU, softmax) this CPU runs. Both give the same bits;
    /// only the speed differs.
    public static var kernelInstructionSet: String { vitrel_has_avx2() != 0 ? "AVX2" : "baseline (SSE2)" }
}
