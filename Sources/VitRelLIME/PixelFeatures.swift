import Foundation
import VitRelImaging

/// Which colour values the superpixel algorithms compare.
public enum SuperpixelColorSpace: String, Sendable, CaseIterable, Codable {
    /// CIELAB from sRGB (D65, 2° observer), as scikit-image's `rgb2lab`. A gray image (1 or 2
    /// channels) is first replicated to RGB, as lime_image does with `gray2rgb`; a fourth
    /// (alpha) channel is ignored. L spans 0…100, so colour differences dominate space.
    case lab
    /// The channel values as given: scikit-image with `convert2lab=False`, or SLIC with
    /// `channel_axis=None` for a plain gray image. Values in [0, 1] weigh about 100× less than
    /// Lab, so the same compactness makes far more regular superpixels.
    case intensity
}

/// Invalid parameters of a superpixel algorithm (one-line messages naming the parameter).
public enum SuperpixelError: Error, CustomStringConvertible, Equatable {
    case invalidParameter(name: String, value: String, requirement: String)

    public var description: String {
        switch self {
        case let .invalidParameter(name, value, requirement):
            return "superpixels: \(name) = \(value) is invalid; it must be \(requirement)"
        }
    }
}

/// The per-pixel colour vectors that SLIC and quickshift cluster: interleaved
/// [height, width, channels] Double (the layout scikit-image's Cython loops read).
///
/// Double throughout, like scikit-image on float64 input, so that the fixture comparisons see
/// the same numbers: an `Image` holds Float32 samples, and the fixture script feeds
/// scikit-image those same Float32 values widened to float64.
struct PixelFeatures {
    let width: Int
    let height: Int
    let channels: Int
    /// Interleaved [height, width, channels].
    var values: [Double]

    /// Reads `image` (planar [C, H, W]) into interleaved colour vectors.
    ///
    /// - `stretch`: SLIC's min–max rescale of all samples to [0, 1] (before any conversion).
    /// - `colorSpace`: `.lab` converts (gray replicated to RGB first); `.intensity` keeps the
    ///   image's channels.
    init(image: Image, colorSpace: SuperpixelColorSpace, stretch: Bool) {
        width = image.width
        height = image.height
        let planeSize = image.width * image.height
        var planar = image.pixels.map(Double.init)
        if stretch, let low = planar.min(), let high = planar.max() {
            for i in planar.indices { planar[i] -= low }
            if high != low {
                let range = high - low
                for i in planar.indices { planar[i] /= range }
            }
        }
        switch colorSpace {
        case .intensity:
            channels = image.channels
            values = [Double](repeating: 0, count: planeSize * channels)
            for c in 0..<channels {
                for p in 0..<planeSize { values[p * channels + c] = planar[c * planeSize + p] }
            }
        case .lab:
            channels = 3
            values = [Double](repeating: 0, count: planeSize * 3)
            let (red, green, blue) = image.channels >= 3 ? (0, 1, 2) : (0, 0, 0)
            for p in 0..<planeSize {
                let lab = CIELab.fromSRGB(
                    planar[red * planeSize + p], planar[green * planeSize + p], planar[blue * planeSize + p])
                values[p * 3] = lab.l
                values[p * 3 + 1] = lab.a
                values[p * 3 + 2] = lab.b
            }
        }
    }

    /// Gaussian smoothing of each channel with standard deviation `sigma` pixels along both
    /// axes, as `scipy.ndimage.gaussian_filter` (which scikit-image's `gaussian` calls):
    /// truncated at 4σ, mirror ('reflect', d c b a | a b c d) borders, rows then columns.
    mutating func blur(sigma: Double) {
        guard sigma > 0 else { return }
        let radius = Int(4 * sigma + 0.5)
        var kernel = (-radius...radius).map { offset -> Double in
            exp(-0.5 * Double(offset * offset) / (sigma * sigma))
        }
        let total = kernel.reduce(0, +)
        kernel = kernel.map { $0 / total }
        func reflect(_ i: Int, _ n: Int) -> Int {
            // Half-sample symmetric extension; the period is 2n.
            var j = i % (2 * n)
            if j < 0 { j += 2 * n }
            return j < n ? j : 2 * n - 1 - j
        }
        var output = values
        // Along y (axis 0).
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    var sum = 0.0
                    for k in 0..<kernel.count {
                        let yy = reflect(y + k - radius, height)
                        sum += kernel[k] * values[(yy * width + x) * channels + c]
                    }
                    output[(y * width + x) * channels + c] = sum
                }
            }
        }
        values = output
        // Along x (axis 1).
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    var sum = 0.0
                    for k in 0..<kernel.count {
                        let xx = reflect(x + k - radius, width)
                        sum += kernel[k] * values[(y * width + xx) * channels + c]
                    }
                    output[(y * width + x) * channels + c] = sum
                }
            }
        }
        values = output
    }

    /// Multiplies every colour value by `factor` (SLIC's 1/compactness, quickshift's ratio).
    mutating func scale(by factor: Double) {
        for i in values.indices { values[i] *= factor }
    }
}

/// sRGB → CIELAB, following scikit-image's `rgb2lab` (IEC 61966-2-1 linearisation, the
/// `xyz_from_rgb` matrix, D65 white (0.95047, 1, 1.08883), and the CIE f(t) with its linear
/// segment below 0.008856).
enum CIELab {
    static func fromSRGB(_ red: Double, _ green: Double, _ blue: Double) -> (l: Double, a: Double, b: Double) {
        @inline(__always) func linear(_ v: Double) -> Double {
            v > 0.04045 ? pow((v + 0.055) / 1.055, 2.4) : v / 12.92
        }
        let r = linear(red), g = linear(green), b = linear(blue)
        let x = 0.412453 * r + 0.357580 * g + 0.180423 * b
        let y = 0.212671 * r + 0.715160 * g + 0.072169 * b
        let z = 0.019334 * r + 0.119193 * g + 0.950227 * b
        @inline(__always) func f(_ t: Double) -> Double {
            t > 0.008856 ? cbrt(t) : 7.787 * t + 16.0 / 116.0
        }
        let fx = f(x / 0.95047), fy = f(y / 1.0), fz = f(z / 1.08883)
        return (116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz))
    }
}
