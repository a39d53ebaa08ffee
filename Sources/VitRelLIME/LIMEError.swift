/// Why a LIME explanation cannot be computed. Each message is one line that names the value
/// at fault and, where it helps, what to do.
public enum LIMEError: Error, CustomStringConvertible, Equatable {
    /// The segmentation has fewer than two superpixels: nothing to switch on and off.
    case tooFewSegments(count: Int)
    /// Fewer samples than the surrogate regression needs.
    case tooFewSamples(count: Int, minimum: Int)
    /// More features requested than there are superpixels.
    case tooManyFeatures(requested: Int, segments: Int)
    /// A hide colour whose length is neither 1 nor the image's channel count.
    case hideColorChannels(given: Int, imageChannels: Int)
    /// The classifier returned something other than [batch, classes] probabilities.
    case classifierOutputShape(got: [Int], expected: String)
    /// A given segmentation does not cover the image.
    case segmentationSize(segmentationWidth: Int, segmentationHeight: Int, imageWidth: Int, imageHeight: Int)
    /// An image tensor that is not [C, H, W].
    case imageShape([Int])
    /// A label to explain that the classifier does not output.
    case labelOutOfRange(label: Int, classCount: Int)
    /// A mask or heatmap asked for a label that was not explained.
    case labelNotExplained(label: Int, explained: [Int])
    case invalidParameter(name: String, value: String, requirement: String)

    public var description: String {
        switch self {
        case let .tooFewSegments(count):
            return "LIME: the segmentation has \(count) superpixel\(count == 1 ? "" : "s"); at least 2 are needed (use more segments or a smaller patch size)"
        case let .tooFewSamples(count, minimum):
            return "LIME: \(count) samples is too few; at least \(minimum) are needed"
        case let .tooManyFeatures(requested, segments):
            return "LIME: \(requested) features requested but the image has only \(segments) superpixels"
        case let .hideColorChannels(given, channels):
            return "LIME: the hide colour has \(given) values; give 1 or one per channel (\(channels))"
        case let .classifierOutputShape(got, expected):
            return "LIME: the classifier returned shape \(got); expected \(expected)"
        case let .segmentationSize(sw, sh, iw, ih):
            return "LIME: the segmentation is \(sw)x\(sh) but the image is \(iw)x\(ih)"
        case let .imageShape(shape):
            return "LIME: the image tensor has shape \(shape); expected [channels, height, width]"
        case let .labelOutOfRange(label, classes):
            return "LIME: label \(label) is outside the classifier's \(classes) classes (0..<\(classes))"
        case let .labelNotExplained(label, explained):
            return "LIME: label \(label) was not explained (explained: \(explained.map(String.init).joined(separator: ", ")))"
        case let .invalidParameter(name, value, requirement):
            return "LIME: \(name) = \(value) is invalid; it must be \(requirement)"
        }
    }
}
