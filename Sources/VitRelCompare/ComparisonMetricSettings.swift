import VitRel

/// How a comparison configures its metrics beyond the suite's defaults (Quantus 0.6.0, one ViT
/// patch per step for the feature-wise metrics): the region perturbation asked for, what the
/// localisation metrics read, one seed for every random draw, and the batch of perturbed inputs.
public struct ComparisonMetricSettings: Equatable {
    /// Side of the region perturbation's squares in pixels; nil: the model's patch size.
    public var regionSize: Int?
    public var regionOrder: RegionPerturbation.Order
    public var regions: Int
    public var perturbation: PerturbationBaseline
    /// The localisation metrics read positive relevance only (Arras et al. 2022), or the signed
    /// map as Quantus does.
    public var localisationPositiveOnly: Bool
    /// Seed of the metrics' random draws (noise, random orders, the MPRT's redraws, the bootstrap).
    public var seed: UInt64
    /// Perturbed inputs per forward pass.
    public var batchSize: Int

    public init(
        regionSize: Int? = nil, regionOrder: RegionPerturbation.Order = .morf, regions: Int = 100,
        perturbation: PerturbationBaseline, localisationPositiveOnly: Bool = true, seed: UInt64 = 42, batchSize: Int = 32
    ) {
        self.regionSize = regionSize
        self.regionOrder = regionOrder
        self.regions = regions
        self.perturbation = perturbation
        self.localisationPositiveOnly = localisationPositiveOnly
        self.seed = seed
        self.batchSize = batchSize
    }

    /// The metric suite of a model with `patchSize`-pixel patches.
    package func suite(patchSize: Int) -> MetricSuite {
        var suite = MetricSuite.vit(patchSize: patchSize, channels: 3)
        suite[.regionPerturbation] = RegionPerturbation(
            patchSize: regionSize ?? patchSize, order: regionOrder, regions: regions, baseline: perturbation, seed: seed)
        let localisationPreprocessing = AttributionPreprocessing(normalise: true, absolute: false, positiveOnly: localisationPositiveOnly)
        suite[.relevanceMass, as: RelevanceMassAccuracy.self].preprocessing = localisationPreprocessing
        suite[.relevanceRank, as: RelevanceRankAccuracy.self].preprocessing = localisationPreprocessing
        suite[.pointingGame, as: PointingGame.self].preprocessing = localisationPreprocessing
        suite.seed(seed)
        return suite
    }
}
