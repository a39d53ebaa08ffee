/// The optional class-correlated shortcut: a small white square ("hospital tag") in a corner
/// that depends on the class, present on a random subset of images.
///
/// The rule, stated once: with probability `PhantomParameters.shortcutProbability`, drawn
/// per image independently of everything else, a filled white (255) square of side
/// max(3, size/32) is burned in, inset size/32 from the corner of the class that
/// `PhantomParameters.shortcutPlacement` names (the image's own class, or with `.swapped` the
/// next one) —
///
/// | class     | corner       |
/// |-----------|--------------|
/// | COVID-19  | top right    |
/// | Non-COVID | bottom left  |
/// | Normal    | bottom right |
///
/// It mimics site-specific markers that let a model tell hospitals (and hence prevalence)
/// apart instead of reading the lungs (DeGrave et al., "AI for radiographic COVID-19
/// detection selects shortcuts over signal", Nature Machine Intelligence 2021). The square is
/// not evidence, so it is never part of the infection mask. Top left is left to the
/// projection markers.
public enum PhantomShortcut {
    /// The class whose corner carries the tag on an image of class `label`.
    public static func taggedClass(for label: ChestXRayClass, placement: ShortcutPlacement) -> ChestXRayClass {
        switch placement {
        case .matched: return label
        case .swapped: return ChestXRayClass(rawValue: (label.rawValue + 1) % ChestXRayClass.allCases.count)!
        }
    }

    /// The square's pixel rectangle for `label` in a `size`×`size` image.
    public static func square(for label: ChestXRayClass, size: Int) -> (x: Int, y: Int, side: Int) {
        let side = max(3, size / 32)
        let inset = size / 32
        let far = size - inset - side
        switch label {
        case .covid19: return (far, inset, side)
        case .nonCovid: return (inset, far, side)
        case .normal: return (far, far, side)
        }
    }

    /// The square for `label` as a 0/1 mask (`size`×`size`, one channel).
    public static func mask(for label: ChestXRayClass, size: Int) -> Image {
        var pixels = [Float](repeating: 0, count: size * size)
        let square = square(for: label, size: size)
        for y in square.y..<(square.y + square.side) {
            for x in square.x..<(square.x + square.side) { pixels[y * size + x] = 1 }
        }
        return Image(width: size, height: size, channels: 1, pixels: pixels)
    }

    /// Burns the square for `label` into an 8-bit image (row-major, `size`×`size`).
    static func draw(for label: ChestXRayClass, into pixels: UnsafeMutablePointer<UInt8>, size: Int) {
        let square = square(for: label, size: size)
        for y in square.y..<(square.y + square.side) {
            for x in square.x..<(square.x + square.side) { pixels[y * size + x] = 255 }
        }
    }
}

/// Where `PhantomShortcut` puts the tag relative to the image's class.
public enum ShortcutPlacement: String, CaseIterable, Codable, Sendable {
    /// At the image's own class's corner: the tag predicts the label (training data with a
    /// shortcut, and the matching test set).
    case matched
    /// At the next class's corner (COVID-19 → Non-COVID's, Non-COVID → Normal's, Normal →
    /// COVID-19's): a test set on which a model that reads the tag is wrong and one that reads
    /// the lungs is right (the "swapped markers" test of shortcut learning).
    case swapped
}
