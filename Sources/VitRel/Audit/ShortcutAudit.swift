import Foundation

/// The shortcut audit of a chest X-ray classifier trained on composite data (DeGrave, Janizek
/// and Lee, "AI for radiographic COVID-19 detection selects shortcuts over signal", Nat. Mach.
/// Intell. 3, 2021). Two kinds of evidence, on the same films:
///
/// - **Interventions** (`InterventionRun`): accuracy and class probabilities when the film's
///   border band is blanked, when it is cropped to its centre, and when its burned-in text is
///   painted over. A model that reads only the lungs does not care.
/// - **Explanations**: for each method, the share of positive relevance in the border band,
///   the corners and the centre (`RegionShares`), and how well the border share of each film
///   predicts the probability its prediction loses when the border is blanked (Spearman ρ
///   over films): an explanation that shows a shortcut the model really uses is one whose
///   border relevance goes with the intervention's effect.
public struct ShortcutAudit {
    public var model: ClassifierModel
    public var borderFraction: Double
    public var cornerFraction: Double
    public var textDetector: BurnedInTextDetector
    public var batchSize: Int

    public init(
        model: ClassifierModel, borderFraction: Double = GroundTruthMask.defaultBorderFraction,
        cornerFraction: Double = GroundTruthMask.defaultCornerFraction, textDetector: BurnedInTextDetector = BurnedInTextDetector(),
        batchSize: Int = 32
    ) {
        precondition(borderFraction > 0 && borderFraction < 0.5 && cornerFraction > 0 && cornerFraction < 0.5, "fractions must lie in (0, 0.5)")
        self.model = model
        self.borderFraction = borderFraction
        self.cornerFraction = cornerFraction
        self.textDetector = textDetector
        self.batchSize = batchSize
    }

    /// The interventions the audit runs, in report order.
    public var interventions: [FilmIntervention] {
        Self.interventions(borderFraction: borderFraction, textDetector: textDetector)
    }

    /// Blank the band, crop inside it, paint text over: the audit's three, in report order.
    public static func interventions(borderFraction: Double, textDetector: BurnedInTextDetector) -> [FilmIntervention] {
        [.blankBorder(fraction: borderFraction), .cropCentre(fraction: borderFraction), .maskText(textDetector)]
    }

    /// One explained film: its label and prediction, each method's region shares, and what the
    /// interventions did to the predicted class's probability.
    public struct ExplainedFilm: Codable, Sendable {
        public var image: String
        public var label: Int
        public var predicted: Int
        public var probability: Double
        /// By intervention name: the predicted class's probability after it.
        public var probabilityAfter: [String: Double]
        /// By method name.
        public var shares: [String: RegionShares]
        /// Share of the film's pixels the text detector marked.
        public var textArea: Double
    }

    /// The border band and corner regions at the model's input size.
    public var regions: (border: [Bool], corners: [Bool]) {
        let height = model.config.imageHeight, width = model.config.imageWidth
        return (GroundTruthMask.border(fraction: borderFraction).region(height: height, width: width)!,
                GroundTruthMask.corners(fraction: cornerFraction).region(height: height, width: width)!)
    }

    /// Explains one film (`film`, prepared by the model's preprocessing: its picture and its
    /// input) with each explainer for its predicted class and measures what each intervention
    /// does to that class's probability. The interventions change the picture and LIME
    /// perturbs it; the text detector reads it.
    public func explain(
        image: String, film: PreparedImage, label: Int, explainers: [PixelExplainer]
    ) throws -> ExplainedFilm {
        let height = film.pixels.height, width = film.pixels.width
        let variants = [FilmIntervention.none] + interventions
        let variantInputs = variants.map { InterventionRun.intervened([film.pixels], by: $0, preprocessing: model.preprocessing).slice(0) }
        let inputs = Tensor.stack(variantInputs)  // [1 + interventions, 3, H, W]
        let logits = try model.network(inputs)
        let classes = model.classNames.count
        let probabilities = (0..<variants.count).map { softmaxProbabilities(Array(logits.scalars[($0 * classes)..<(($0 + 1) * classes)])) }
        let predicted = probabilities[0].indexOfMaximum!
        var after = [String: Double]()
        for (v, variant) in variants.enumerated().dropFirst() {
            // A film the intervention leaves as it is keeps its probability exactly: rows of one
            // batch can differ in their last bits, which would rank untouched films by noise.
            after[variant.name] = variantInputs[v].scalars == variantInputs[0].scalars ? probabilities[0][predicted] : probabilities[v][predicted]
        }
        let (border, corners) = regions
        var shares = [String: RegionShares]()
        for explainer in explainers {
            let map = try explainer.explain(film, targets: [predicted], model: model).pixelMap(0).values
            shares[explainer.method.rawValue] = RegionShares(map: map, border: border, corners: corners)
        }
        let text = textDetector.detect(FilmIntervention.film(of: film.pixels), height: height, width: width)
        return ExplainedFilm(
            image: image, label: label, predicted: predicted, probability: probabilities[0][predicted],
            probabilityAfter: after, shares: shares, textArea: Double(text.filter { $0 }.count) / Double(text.count))
    }

    /// Spearman ρ over `films` between a method's border share and the probability the
    /// prediction loses when the border is blanked (NaN with fewer than 3 films with both).
    public static func borderAgreement(_ films: [ExplainedFilm], method: String, intervention: String) -> Double {
        var shares = [Double](), drops = [Double]()
        for film in films {
            guard let share = film.shares[method]?.border, share.isFinite, let after = film.probabilityAfter[intervention] else { continue }
            shares.append(share)
            drops.append(film.probability - after)
        }
        return shares.count >= 3 ? Statistics.spearman(shares, drops) : .nan
    }
}
