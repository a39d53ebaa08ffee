import Foundation

/// The resampling kernels, as Pillow defines them (`src/libImaging/Resample.c`: `box_filter`,
/// `bilinear_filter`, `hamming_filter`, `bicubic_filter`, `lanczos_filter` and their supports
/// in `struct filter`).
///
/// Both resize paths weigh input samples with these: `Resampler` (floats) and
/// `PillowResampler` (Pillow's 8-bit fixed point, which needs the very same doubles before it
/// rounds them, so the formulas keep Pillow's operation order and its float constants).
extension Preprocessing.Interpolation {
    /// Half-width of the kernel at scale 1 (Pillow's `filter.support`); widened by the scale
    /// factor when downscaling. Nearest has no kernel (Pillow resizes it by index, see
    /// `Resampler.AxisWeights`).
    public var support: Double {
        switch self {
        case .nearest: return 0
        case .box: return 0.5
        case .bilinear, .hamming: return 1
        case .bicubic: return 2
        case .lanczos: return 3
        }
    }

    /// The kernel's value at `x` input samples from the output sample's centre.
    public func kernel(_ x: Double) -> Double {
        switch self {
        case .nearest, .box:
            // Half-open on the left, so exactly one of two samples 0.5 away counts.
            return x > -0.5 && x <= 0.5 ? 1 : 0
        case .bilinear:
            let x = abs(x)
            return x < 1 ? 1 - x : 0
        case .hamming:
            let x = abs(x)
            if x == 0 { return 1 }
            if x >= 1 { return 0 }
            let t = x * Double.pi
            // Pillow writes the window's constants as C floats (0.54f, 0.46f), promoted to double.
            return sin(t) / t * (Double(Float(0.54)) + Double(Float(0.46)) * cos(t))
        case .bicubic:
            // Keys 1981 cubic convolution with a = −0.5 (Pillow `bicubic_filter`).
            let a = -0.5
            let x = abs(x)
            if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
            if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
            return 0
        case .lanczos:
            // Sinc windowed by a 3× wider sinc, truncated to [−3, 3) (Pillow `lanczos_filter`).
            return -3 <= x && x < 3 ? Self.sinc(x) * Self.sinc(x / 3) : 0
        }
    }

    private static func sinc(_ x: Double) -> Double {
        if x == 0 { return 1 }
        let t = x * Double.pi
        return sin(t) / t
    }
}
