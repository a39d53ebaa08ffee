/// The colours the charts give their series, in order: matplotlib's default property cycle
/// ("tab10", the Tableau 10 palette of Stone 2016), so the first method is the same blue and
/// the second the same orange as in the matplotlib figures of the papers users compare with.
public enum ChartPalette {
    /// `matplotlib.colormaps["tab10"].colors`: #1f77b4, #ff7f0e, #2ca02c, #d62728, #9467bd,
    /// #8c564b, #e377c2, #7f7f7f, #bcbd22, #17becf.
    public static let tab10: [RGBColor] = [
        0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf,
    ].map(color(hex:))

    /// The colour of a 24-bit 0xRRGGBB value.
    static func color(hex: Int) -> RGBColor {
        let red = Float((hex >> 16) & 0xff), green = Float((hex >> 8) & 0xff), blue = Float(hex & 0xff)
        return RGBColor(red: red / 255, green: green / 255, blue: blue / 255)
    }

    /// The colour of series `index`, cycling after ten as matplotlib does.
    public static func color(_ index: Int) -> RGBColor {
        precondition(index >= 0, "series index \(index) is negative")
        return tab10[index % tab10.count]
    }
}
