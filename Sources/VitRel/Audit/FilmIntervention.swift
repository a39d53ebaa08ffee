import Foundation

/// A change to a film that removes one kind of non-clinical evidence while keeping the lungs:
/// the interventions of the shortcut audit. If a model's accuracy or class probabilities move
/// when only the film's edges or its text change, the model used them (DeGrave et al., Nat.
/// Mach. Intell. 2021, made the same test with saliency maps and generated counterfactuals).
///
/// Interventions act on the picture the model sees (`Preprocessing.geometry`'s output: after
/// resize and crop, before normalisation), which is then normalised (`InterventionRun`), so
/// they are exact in the model's own pixels: what an intervention leaves alone keeps the bits
/// of the unaltered input.
public enum FilmIntervention: Hashable, Codable, Sendable, CustomStringConvertible {
    /// The film as it is.
    case none
    /// The band `fraction` of each side deep along the edges set to black: text markers,
    /// collimation edges and borders gone, the lungs untouched.
    case blankBorder(fraction: Double)
    /// The central rectangle inside that band, enlarged back to the input size (bicubic): the
    /// edges gone and the anatomy magnified, as a tighter crop would show it.
    case cropCentre(fraction: Double)
    /// Burned-in text and markers (`BurnedInTextDetector`) painted over with the median of the
    /// pixels around each one.
    case maskText(BurnedInTextDetector)

    public var description: String {
        switch self {
        case .none: return "none"
        case .blankBorder(let fraction): return "blank border \(fraction)"
        case .cropCentre(let fraction): return "crop centre \(fraction)"
        case .maskText: return "mask text"
        }
    }

    /// Short machine name for tables and files.
    public var name: String {
        switch self {
        case .none: return "none"
        case .blankBorder: return "blank-border"
        case .cropCentre: return "crop-centre"
        case .maskText: return "mask-text"
        }
    }

    /// The picture after the intervention, plane by plane (a gray picture is one plane, a
    /// colour one three): the band blanked or the centre enlarged in each plane; text found on
    /// the picture's `film(of:)` and painted over in each plane with that plane's local median.
    /// Pixels the intervention leaves alone keep their bits.
    public func apply(to picture: Image) -> Image {
        let height = picture.height, width = picture.width, plane = height * width
        if self == .none { return picture }
        let mask: [Bool]?
        if case .maskText(let detector) = self { mask = detector.detect(Self.film(of: picture), height: height, width: width) } else { mask = nil }
        var pixels = [Float]()
        pixels.reserveCapacity(picture.pixels.count)
        for c in 0..<picture.channels {
            let channel = Array(picture.pixels[(c * plane)..<((c + 1) * plane)])
            if let mask {
                pixels += Self.paintedOver(channel, mask: mask, height: height, width: width)
            } else {
                pixels += apply(channel, height: height, width: width)
            }
        }
        return Image(width: width, height: height, channels: picture.channels, pixels: pixels, sourceBitDepth: picture.sourceBitDepth)
    }

    /// The gray film of a picture, row-major [height, width]: its one plane when it is gray (one
    /// channel, or three equal ones: a gray X-ray as the transform replicates it), its luma
    /// (`Image.gray`) when it has colour.
    public static func film(of picture: Image) -> [Float] {
        picture.collapsingReplicatedGray().gray().pixels
    }

    /// The film after the intervention: `pixels` row-major [height, width], values in [0, 1].
    public func apply(_ pixels: [Float], height: Int, width: Int) -> [Float] {
        switch self {
        case .none:
            return pixels
        case .blankBorder(let fraction):
            let border = GroundTruthMask.border(fraction: fraction).region(height: height, width: width)!
            return zip(pixels, border).map { $1 ? 0 : $0 }
        case .cropCentre(let fraction):
            let rows = max(1, Int((fraction * Double(height)).rounded())), columns = max(1, Int((fraction * Double(width)).rounded()))
            let image = Image(width: width, height: height, channels: 1, pixels: pixels)
            return image.cropped(top: rows, left: columns, height: height - 2 * rows, width: width - 2 * columns)
                .resized(width: width, height: height, filter: .bicubic).pixels
        case .maskText(let detector):
            return Self.paintedOver(pixels, mask: detector.detect(pixels, height: height, width: width), height: height, width: width)
        }
    }

    /// `pixels` with each masked pixel replaced by the median of the unmasked pixels within 4
    /// pixels of its component's bounding box (the local background).
    static func paintedOver(_ pixels: [Float], mask: [Bool], height: Int, width: Int) -> [Float] {
        var result = pixels
        for component in ConnectedComponent.all(in: mask, height: height, width: width) {
            var background = [Float]()
            for y in max(0, component.top - 4)...min(height - 1, component.bottom + 4) {
                for x in max(0, component.left - 4)...min(width - 1, component.right + 4) where !mask[y * width + x] {
                    background.append(pixels[y * width + x])
                }
            }
            let fill = background.isEmpty ? 0 : background.sorted()[background.count / 2]
            for index in component.pixels { result[index] = fill }
        }
        return result
    }
}
