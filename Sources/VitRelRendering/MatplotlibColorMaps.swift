/// The matplotlib colour maps vitrel draws with, from matplotlib's own segment data
/// (`matplotlib/_cm.py`, `_cm.py` ColorBrewer lists), sampled to matplotlib's 256 entries.
extension ColorMap {
    /// matplotlib 'jet' (`_jet_data`): the map of Chefer et al.'s figures and of most ViT
    /// relevance figures in the COVID literature; used for non-negative maps in [0, 1].
    public static let jet = ColorMap(
        name: "jet",
        red: Segments([(0, 0, 0), (0.35, 0, 0), (0.66, 1, 1), (0.89, 1, 1), (1, 0.5, 0.5)]),
        green: Segments([(0, 0, 0), (0.125, 0, 0), (0.375, 1, 1), (0.64, 1, 1), (0.91, 0, 0), (1, 0, 0)]),
        blue: Segments([(0, 0.5, 0.5), (0.11, 1, 1), (0.34, 1, 1), (0.65, 0, 0), (1, 0, 0)]))

    /// matplotlib 'bwr' (`_bwr_data`): blue – white – red, evenly spaced.
    public static let bwr = ColorMap(
        name: "bwr",
        evenlySpaced: [(0, 0, 1), (1, 1, 1), (1, 0, 0)])

    /// matplotlib 'RdBu' (ColorBrewer's 11-class RdBu, `_RdBu_data`): red – near-white – blue.
    public static let rdBu = ColorMap(
        name: "RdBu",
        evenlySpaced: [
            (0.403921568627451, 0.0, 0.12156862745098039), (0.6980392156862745, 0.09411764705882353, 0.16862745098039217),
            (0.8392156862745098, 0.3764705882352941, 0.30196078431372547), (0.9568627450980393, 0.6470588235294118, 0.5098039215686274),
            (0.9921568627450981, 0.8588235294117647, 0.7803921568627451), (0.9686274509803922, 0.9686274509803922, 0.9686274509803922),
            (0.8196078431372549, 0.8980392156862745, 0.9411764705882353), (0.5725490196078431, 0.7725490196078432, 0.8705882352941177),
            (0.2627450980392157, 0.5764705882352941, 0.7647058823529411), (0.12941176470588237, 0.4, 0.6745098039215687),
            (0.0196078431372549, 0.18823529411764706, 0.3803921568627451),
        ])

    /// matplotlib 'RdBu_r': blue for negative, near-white at zero, red for positive. The
    /// diverging map vitrel uses for signed relevance in [−1, 1] (zero at the centre), as LRP
    /// figures commonly show evidence against (blue) and for (red) the class.
    public static let rdBuReversed = rdBu.reversed()
}
