import Foundation
import VitRelCore

/// LIME's neighbourhood of an image in interpretable space: which superpixels each sample
/// keeps (Ribeiro et al., "Why Should I Trust You?", KDD 2016, §3.3), with lime_image's
/// choices: every bit independent with p = ½, and row 0 all ones (the image itself).
///
/// The draws come from `SeededGenerator(seed:)`: the same seed gives the same matrix on
/// every machine and thread count (lime's numpy stream cannot be reproduced, nor needs to be).
public struct LIMESampleMatrix: Equatable, Sendable {
    public let sampleCount: Int
    public let featureCount: Int
    /// Row-major [sampleCount, featureCount]; 1 keeps the superpixel, 0 hides it.
    public let values: [UInt8]

    /// Bernoulli(½) samples from `seed`; row 0 is all ones.
    public init(sampleCount: Int, featureCount: Int, seed: UInt64) {
        precondition(sampleCount >= 1 && featureCount >= 1, "sample matrix \(sampleCount)x\(featureCount)")
        var generator = SeededGenerator(seed: seed)
        var values = [UInt8](repeating: 1, count: sampleCount * featureCount)
        var bits: UInt64 = 0
        var remaining = 0
        for i in featureCount..<values.count {
            if remaining == 0 {
                bits = generator.next()
                remaining = 64
            }
            values[i] = UInt8(truncatingIfNeeded: bits & 1)
            bits >>= 1
            remaining -= 1
        }
        self.init(sampleCount: sampleCount, featureCount: featureCount, values: values)
    }

    /// A given matrix (for instance lime's own, to compare surrogates).
    public init(sampleCount: Int, featureCount: Int, values: [UInt8]) {
        precondition(values.count == sampleCount * featureCount, "\(values.count) values for \(sampleCount)x\(featureCount)")
        precondition(values.allSatisfy { $0 <= 1 }, "sample values must be 0 or 1")
        self.sampleCount = sampleCount
        self.featureCount = featureCount
        self.values = values
    }

    public subscript(sample: Int, feature: Int) -> UInt8 { values[sample * featureCount + feature] }

    /// Number of superpixels kept in each sample.
    public var keptCounts: [Int] {
        (0..<sampleCount).map { s in
            var k = 0
            for f in 0..<featureCount { k += Int(values[s * featureCount + f]) }
            return k
        }
    }

    /// Cosine distance of every sample to row 0 (all ones), as lime_image's
    /// `pairwise_distances(..., metric='cosine')`: with k of n kept, d = 1 − sqrt(k/n); a sample
    /// with nothing kept has d = 1 (scikit-learn leaves zero rows unnormalised).
    public func cosineDistances() -> [Double] {
        keptCounts.map { 1 - (Double($0) / Double(featureCount)).squareRoot() }
    }

    /// lime's default kernel, π(d) = sqrt(exp(−d²/w²)) = exp(−d²/(2w²)), with its default
    /// width w = 0.25 for images (so π = exp(−8d²)).
    public static func kernelWeights(distances: [Double], width: Double = 0.25) -> [Double] {
        distances.map { (exp(-($0 * $0) / (width * width))).squareRoot() }
    }
}
