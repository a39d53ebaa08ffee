import Foundation

/// The blurred substrate of RISE's insertion game (Petsiuk et al. 2018, `evaluation.py`):
/// an 11×11 kernel, σ = 5, applied per channel with zero padding (`conv2d(padding=klen//2)`).
///
/// RISE builds its kernel as `scipy.ndimage.gaussian_filter` of a unit impulse in a klen×klen
/// array. That filter has radius ⌊4σ + 0.5⌋ = 20 > klen, and SciPy's default `reflect` border
/// folds the Gaussian's tails back into the window, so the kernel is flatter than a sampled
/// Gaussian and sums to 1. It is separable: the 2-D kernel is the outer product of the 1-D
/// reflected kernel with itself, which is what is computed here.
public enum GaussianBlur {
    /// The 1-D kernel of length `size` (odd) RISE's `gkern(size, sigma)` is the outer square of.
    public static func riseKernel(size: Int, sigma: Double) -> [Double] {
        precondition(size >= 1 && sigma > 0, "blur kernel size \(size), sigma \(sigma)")
        let radius = Int(4 * sigma + 0.5)  // SciPy: truncate = 4.0
        var taps = (-radius...radius).map { Foundation.exp(-0.5 * Double($0 * $0) / (sigma * sigma)) }
        let total = taps.reduce(0, +)
        taps = taps.map { $0 / total }
        let center = size / 2
        // SciPy "reflect" (d c b a | a b c d | d c b a): period 2n, mirrored about the edges.
        func reflect(_ j: Int) -> Int {
            let period = 2 * size
            let m = ((j % period) + period) % period
            return m < size ? m : period - 1 - m
        }
        var kernel = [Double](repeating: 0, count: size)
        for i in 0..<size {
            for k in -radius...radius where reflect(i + k) == center { kernel[i] += taps[k + radius] }
        }
        return kernel
    }

    /// Blurs planar [C, H, W] samples with the separable kernel `kernel ⊗ kernel`, zero padding.
    public static func blur(_ planes: [Float], shape: ImageShape, kernel: [Double]) -> [Float] {
        let half = kernel.count / 2
        let h = shape.height, w = shape.width
        var rows = [Double](repeating: 0, count: shape.count)
        for c in 0..<shape.channels {
            for y in 0..<h {
                let row = (c * h + y) * w
                for x in 0..<w {
                    var sum = 0.0
                    for k in 0..<kernel.count {
                        let source = x + k - half
                        if source >= 0 && source < w { sum += kernel[k] * Double(planes[row + source]) }
                    }
                    rows[row + x] = sum
                }
            }
        }
        var out = [Float](repeating: 0, count: shape.count)
        for c in 0..<shape.channels {
            for y in 0..<h {
                for x in 0..<w {
                    var sum = 0.0
                    for k in 0..<kernel.count {
                        let source = y + k - half
                        if source >= 0 && source < h { sum += kernel[k] * rows[(c * h + source) * w + x] }
                    }
                    out[(c * h + y) * w + x] = Float(sum)
                }
            }
        }
        return out
    }
}
