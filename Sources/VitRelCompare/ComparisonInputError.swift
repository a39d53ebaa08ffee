import VitRel

/// Data a comparison could not use. A split without images stops the run; an image that cannot
/// be used does not: its problem is reported once and listed in the summary.
public enum ComparisonInputError: Error, Equatable, CustomStringConvertible {
    /// The split asked for has no images (`summary`: what the dataset has).
    case emptySplit(data: String, split: String, summary: String)
    /// The image or one of its dataset masks did not decode (or did not match).
    case unreadable(SkippedFile)
    /// A `--mask folder:DIR` mask whose size is not its image's.
    case maskSizeMismatch(mask: String, maskWidth: Int, maskHeight: Int, imageWidth: Int, imageHeight: Int)

    public var description: String {
        switch self {
        case .emptySplit(let data, let split, let summary):
            return "\(data): split \(split) has no images; the dataset has \(summary)"
        case .unreadable(let skipped):
            return "\(skipped)"
        case .maskSizeMismatch(let mask, let maskWidth, let maskHeight, let imageWidth, let imageHeight):
            return "\(mask): mask is \(maskWidth)×\(maskHeight), its image \(imageWidth)×\(imageHeight)"
        }
    }
}
