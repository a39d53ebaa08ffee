/// An opaque colour with red, green and blue in [0, 1], as figures are drawn and PNGs stored.
public struct RGBColor: Equatable, Hashable, Sendable {
    public var red: Float
    public var green: Float
    public var blue: Float

    public init(red: Float, green: Float, blue: Float) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// A gray level: equal red, green and blue.
    public init(gray: Float) {
        self.init(red: gray, green: gray, blue: gray)
    }

    public static let black = RGBColor(gray: 0)
    public static let white = RGBColor(gray: 1)
    /// skimage `mark_boundaries`' default colour, which lime_image's figures use for superpixels.
    public static let yellow = RGBColor(red: 1, green: 1, blue: 0)
    /// Text and axis lines of the figures: near-black, softer than pure black on white.
    public static let ink = RGBColor(gray: 0.12)
    /// Secondary text (subtitles, tick labels).
    public static let mutedInk = RGBColor(gray: 0.38)

    /// (1 − t)·self + t·other, channel by channel: t = 0 gives self, t = 1 gives other.
    public func mixed(with other: RGBColor, _ t: Float) -> RGBColor {
        RGBColor(
            red: red + t * (other.red - red), green: green + t * (other.green - green),
            blue: blue + t * (other.blue - blue))
    }
}
