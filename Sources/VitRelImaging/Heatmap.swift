/// A relevance map on a grid (row-major [height, width]) and the post-processing that turns a
/// raw map into the picture's values, as in the figures of Chefer, Gur & Wolf, "Transformer
/// Interpretability Beyond Attention Visualization", CVPR 2021 (`generate_visualization` in
/// their ViT notebook):
///
/// 1. a token-grid map is upsampled to the input size with bilinear interpolation,
///    align_corners = false (torch `interpolate(scale_factor=patch, mode="bilinear")`);
/// 2. the map is min–max normalised to [0, 1] (`(m − min) / (max − min)`).
///
/// Signed maps (LRP to the pixels, gradient × input, integrated gradients, LIME) keep their
/// sign instead: divided by max |R| into [−1, 1], so zero stays zero and the colours of a
/// diverging map mean "for" and "against" the class.
///
/// ```swift
/// let grid = Heatmap(width: 14, height: 14, values: explanation.maps[0])
/// let shown = grid.resized(width: 224, height: 224).minMaxNormalised()   // values in [0, 1]
/// ```
public struct Heatmap: Equatable, Sendable {
    public var width: Int
    public var height: Int
    /// Row-major [height, width].
    public var values: [Float]

    public init(width: Int, height: Int, values: [Float]) {
        precondition(width > 0 && height > 0, "empty heatmap \(width)x\(height)")
        precondition(values.count == width * height, "heatmap has \(values.count) values, \(height)×\(width) needs \(width * height)")
        self.width = width
        self.height = height
        self.values = values
    }

    /// How a map's values are brought into the colour map's range.
    public enum Scaling: String, Sendable, CaseIterable, Codable {
        /// (m − min)/(max − min) into [0, 1] (Chefer et al. 2021); for non-negative maps.
        case minMax = "min-max"
        /// m / max|m| into [−1, 1]; for signed maps, zero stays at the centre.
        case symmetric = "max-abs"

        /// The range the scaled values lie in.
        public var range: ClosedRange<Float> { self == .minMax ? 0...1 : -1...1 }
    }

    /// Bilinear interpolation with align_corners = false, i.e. torch
    /// `F.interpolate(mode="bilinear", align_corners=False)` when enlarging: each output
    /// sample reads the input at ((i + 0.5)·in/out − 0.5), clamped to the border samples.
    /// (`Resampler`'s triangle kernel with border renormalisation gives exactly that when
    /// upsampling; when shrinking it averages, as torch's antialiased mode does.)
    public func resized(width newWidth: Int, height newHeight: Int) -> Heatmap {
        if newWidth == width && newHeight == height { return self }
        let out = Resampler.resize(
            values, channels: 1, height: height, width: width, toHeight: newHeight, toWidth: newWidth, filter: .bilinear,
            parallel: false)
        return Heatmap(width: newWidth, height: newHeight, values: out)
    }

    /// (m − min)/(max − min). A constant map has no contrast to show and becomes all zeros
    /// (the official code divides by zero there and draws NaN). Non-finite entries are left
    /// out of min and max and come out as NaN (drawn in the colour map's "bad" colour).
    public func minMaxNormalised() -> Heatmap {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return withNonFinite(as: .nan) { _ in 0 } }
        let span = high - low
        return withNonFinite(as: .nan) { span > 0 ? ($0 - low) / span : 0 }
    }

    /// m / max|m| into [−1, 1]; an all-zero map stays zero. Non-finite entries come out NaN.
    public func symmetricNormalised() -> Heatmap {
        let largest = values.lazy.filter(\.isFinite).map(abs).max() ?? 0
        return withNonFinite(as: .nan) { largest > 0 ? $0 / largest : 0 }
    }

    /// `minMaxNormalised()` or `symmetricNormalised()`.
    public func normalised(_ scaling: Scaling) -> Heatmap {
        scaling == .minMax ? minMaxNormalised() : symmetricNormalised()
    }

    /// The whole post-processing of a raw map for a figure of a `width` × `height` input:
    /// upsampled (when smaller, e.g. a token grid) and then normalised.
    public func prepared(forWidth width: Int, height: Int, scaling: Scaling) -> Heatmap {
        resized(width: width, height: height).normalised(scaling)
    }

    /// Σ of the values, in Double (e.g. Σ relevance, to compare with the explained output).
    public var sum: Double { values.reduce(0.0) { $0 + Double($1) } }

    private func withNonFinite(as replacement: Float, _ transform: (Float) -> Float) -> Heatmap {
        Heatmap(width: width, height: height, values: values.map { $0.isFinite ? transform($0) : replacement })
    }
}
