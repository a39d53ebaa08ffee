import Foundation

/// How density becomes brightness on one film: window (offset, gain), display gamma and
/// quantum noise — the acquisition and post-processing variation between hospitals.
///
/// The curve is tabulated once per image (gamma needs `pow`, too slow per pixel) and read
/// with linear interpolation; the table is fine enough (step < 0.001) that interpolation
/// never moves a value by a quantisation level.
struct PhantomExposure: Sendable {
    var offset: Float
    var gain: Float
    var gamma: Float
    var noiseSigma: Float
    private var table: [Float]
    private static let densityLow: Float = -0.5
    private static let densityHigh: Float = 1.5
    private static let tableSize = 2049

    init(parameters: PhantomParameters, generator g: inout SeededGenerator) {
        offset = g.drawFloat(parameters.exposureOffsetRange)
        gain = g.drawFloat(parameters.contrastRange)
        gamma = g.drawFloat(parameters.gammaRange)
        noiseSigma = g.drawFloat(parameters.noiseSigmaRange)
        let step = (Self.densityHigh - Self.densityLow) / Float(Self.tableSize - 1)
        let (offset, gain, gamma) = (offset, gain, gamma)
        table = (0..<Self.tableSize).map { i in
            let value = min(1, max(0, offset + gain * (Self.densityLow + Float(i) * step)))
            return powf(Self.filmCurve(value), gamma)
        }
    }

    /// The film's characteristic curve (Hurter–Driffield): contrast is highest in the dark
    /// range (aerated lung) and compressed in the bright range, which is why ribs stand out
    /// over lung and fade over the mediastinum and abdomen. Maps [0, 1] onto [0, 1].
    static func filmCurve(_ value: Float) -> Float {
        let k: Float = 1.2
        return (1 - expf(-k * value)) / (1 - expf(-k))
    }

    /// Brightness in [0, 1] of `density` (before noise).
    @inline(__always) func brightness(_ density: Float) -> Float {
        let position = (density - Self.densityLow) * (Float(Self.tableSize - 1) / (Self.densityHigh - Self.densityLow))
        let clamped = min(Float(Self.tableSize - 1) - 0.001, max(0, position))
        let index = Int(clamped)
        let fraction = clamped - Float(index)
        return table.withUnsafeBufferPointer { t in t[index] + (t[index + 1] - t[index]) * fraction }
    }

    /// One noise sample: an Irwin–Hall sum of four 16-bit uniforms from a single draw,
    /// rescaled to variance σ² (close enough to Gaussian for film grain, and 4× cheaper).
    @inline(__always) func noise(_ g: inout SeededGenerator) -> Float {
        let bits = g.next()
        let sum = Float(bits & 0xFFFF) + Float((bits >> 16) & 0xFFFF) + Float((bits >> 32) & 0xFFFF) + Float(bits >> 48)
        return (sum * (1 / 65536) - 2) * (3 as Float).squareRoot() * noiseSigma
    }
}
