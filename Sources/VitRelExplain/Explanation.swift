/// What an explanation method gives: one value from the model to the files (PNG, NPY, JSON)
/// and the comparison rows, whichever method made it.
///
/// It has one row per explained input and class: row k explains `targets[k]`. `Explainer`
/// makes a row per image of a batch; `PixelExplainer` makes a row per class of one image (the
/// image repeated, so a single forward and backward pass serve every class). Each row's map is
/// kept on the method's own grid (`maps`: the patch grid of token-level methods, the input
/// size otherwise) and read at the input size through `pixelMaps`, so the token map written
/// to `*.tokens.npy` and the upsampled one drawn and measured come from the same numbers.
public struct Explanation: Sendable {
    public var method: ExplanationMethod
    /// The class each row explains.
    public var targets: [Int]
    /// One raw (unnormalised) map per row on the method's own grid.
    public var maps: [Heatmap]
    /// Height and width of the input the maps explain.
    public var inputHeight: Int
    public var inputWidth: Int
    /// Per row: the conservation ledger, for LRP methods that propagate to the pixels.
    public var ledgers: [ConservationLedger]?
    /// Per row: Σ attributions − (F(x) − F(baseline)) of the target logit: integrated
    /// gradients' completeness gap (quadrature error), DeepLIFT's summation-to-delta gap
    /// (rounding only).
    public var completenessGaps: [Double]?
    /// LIME: the whole explanation (segmentation, one surrogate per target).
    public var lime: LIMEExplanation?
    /// Wall time of the explanation, in seconds.
    public var seconds: Double

    public init(
        method: ExplanationMethod, targets: [Int], maps: [Heatmap], inputHeight: Int, inputWidth: Int,
        ledgers: [ConservationLedger]? = nil, completenessGaps: [Double]? = nil, lime: LIMEExplanation? = nil, seconds: Double
    ) {
        precondition(maps.count == targets.count, "\(maps.count) maps for \(targets.count) targets")
        self.method = method
        self.targets = targets
        self.maps = maps
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.ledgers = ledgers
        self.completenessGaps = completenessGaps
        self.lime = lime
        self.seconds = seconds
    }

    public var isTokenLevel: Bool { method.isTokenLevel }

    /// Row k's map at the input size: a token-grid map upsampled bilinearly (align_corners =
    /// false), as Chefer et al. 2021 draw them; a pixel-level map (LRP to the pixels,
    /// gradients, LIME) as it is.
    public func pixelMap(_ k: Int) -> Heatmap { maps[k].resized(width: inputWidth, height: inputHeight) }

    /// Every row's map at the input size (`pixelMap(_:)`).
    public var pixelMaps: [Heatmap] { maps.indices.map(pixelMap) }
}
