/// The knobs of `ChestPhantomGenerator`, saved in every synthetic dataset's manifest.
///
/// Ranges are drawn uniformly per image. Densities are in display units (1 = full white
/// before the exposure transform), so evidence amplitudes and exposure ranges can be compared
/// directly: the defaults keep the exposure variation (offset ±0.06, gain 0.88–1.15, lung air
/// depth ±0.03) comparable to the ground-glass contrast (0.14–0.22), so a classifier cannot
/// tell COVID-19 from Normal by global brightness and has to look inside the lungs.
public struct PhantomParameters: Codable, Equatable, Sendable {
    /// Width and height of the square output, in pixels.
    public var size: Int = 256

    // MARK: Pose (patient positioning)

    /// Largest in-plane rotation, in degrees (uniform in ±this).
    public var maxRotationDegrees: Double = 4
    /// Scale of the thorax relative to the canonical 256-pixel layout.
    public var scaleRange: ClosedRange<Double> = 0.93...1.05
    /// Largest shift of the thorax, as a fraction of the image size (uniform in ±this).
    public var maxShift: Double = 0.035

    // MARK: Exposure (tube settings, detector and post-processing)

    /// Added to the display value before gamma.
    public var exposureOffsetRange: ClosedRange<Double> = -0.06...0.06
    /// Multiplies the display value before gamma.
    public var contrastRange: ClosedRange<Double> = 0.88...1.15
    /// Display gamma (output = value^gamma).
    public var gammaRange: ClosedRange<Double> = 0.8...1.25
    /// Standard deviation of the per-pixel quantum noise.
    public var noiseSigmaRange: ClosedRange<Double> = 0.004...0.015
    /// How much darker aerated lung is than the soft tissue around it (inspiration, habitus).
    public var lungAirDepthRange: ClosedRange<Double> = 0.37...0.43

    // MARK: Class evidence

    /// Peak density of one COVID-19 ground-glass patch.
    public var groundGlassAmplitudeRange: ClosedRange<Double> = 0.14...0.22
    /// Ground-glass patches in each affected lung.
    public var groundGlassPatchesPerLung: ClosedRange<Int> = 2...3
    /// Probability that COVID-19 opacities touch both lungs (bilateral in ~90% of cases that
    /// show them on radiographs; Wong et al., Radiology 2020).
    public var covidBilateralProbability: Double = 0.9
    /// Plateau density of a Non-COVID lobar consolidation.
    public var consolidationAmplitudeRange: ClosedRange<Double> = 0.25...0.35
    /// Multiplies every opacity's density after it is drawn (1 = the ranges above, 0 = no
    /// evidence). Fainter evidence makes the disease harder to see, so a cheaper cue (the
    /// shortcut) wins; the random draws do not depend on it, so the same (seed, index) at two
    /// strengths is the same film with the same opacities, only fainter.
    public var evidenceStrength: Double = 1
    /// Probability that a Non-COVID pneumonia consolidates a lobe in each lung rather than one.
    public var nonCovidBilateralProbability: Double = 0.25
    /// A pixel belongs to the infection mask when the evidence raises it by more than this
    /// (in [0, 1] display units, after exposure, noise and 8-bit quantisation).
    public var infectionThreshold: Double = 0.03

    // MARK: Burned-in text

    /// Probability that an image carries projection markers ("L", "R", "A-P").
    public var markerProbability: Double = 0.35
    /// Probability that an image carries the class-correlated shortcut tag (see
    /// `PhantomShortcut`): 0 for honest data, > 0 to test whether explanations reveal it.
    public var shortcutProbability: Double = 0
    /// Whose corner the shortcut tag goes to: the image's own class (training data with a
    /// shortcut), or another class's (a test set that shows whether a model follows the tag).
    public var shortcutPlacement: ShortcutPlacement = .matched

    public init() {}

    /// The defaults with a different output size and shortcut probability.
    public init(size: Int, shortcutProbability: Double = 0) {
        precondition(size >= 32, "phantom size \(size) is below 32 pixels")
        precondition((0...1).contains(shortcutProbability), "shortcut probability \(shortcutProbability) is outside [0, 1]")
        self.size = size
        self.shortcutProbability = shortcutProbability
    }
}
