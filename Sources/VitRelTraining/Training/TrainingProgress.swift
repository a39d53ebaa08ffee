/// Reported after every optimiser step, enough for the CLI to draw a progress bar.
public struct TrainingProgress: Sendable {
    /// 1-based epoch and total epochs.
    public var epoch: Int
    public var epochs: Int
    /// 1-based step within the epoch.
    public var step: Int
    public var stepsPerEpoch: Int
    /// Mean loss over this epoch's examples so far.
    public var runningLoss: Double
    /// Fraction correct over this epoch's examples so far (training mode, augmented).
    public var runningAccuracy: Double
    public var learningRate: Double
    /// Training throughput since this `train` call started.
    public var imagesPerSecond: Double
    /// Estimated seconds until the last step of the run (validation not included).
    public var etaSeconds: Double
}

/// Validation metrics of one epoch.
public struct ValidationSummary: Codable, Equatable, Sendable {
    public var loss: Double
    public var accuracy: Double
    /// Mean per-class recall: the metric the best checkpoint is chosen by.
    public var macroRecall: Double
    public var macroAUROC: Double?
    /// The full report (single-label data only).
    public var report: ClassificationReport?
}

/// What one epoch did; the trainer keeps them all (`history`) and saves them in its state.
public struct EpochSummary: Codable, Equatable, Sendable {
    /// 1-based.
    public var epoch: Int
    public var trainingLoss: Double
    public var trainingAccuracy: Double
    /// Learning rate of the epoch's last step.
    public var learningRate: Double
    public var validation: ValidationSummary?
    /// Whether this epoch's validation macro recall is the best so far (and was saved).
    public var isBest: Bool
    /// Wall-clock seconds of the epoch's training steps (not reproducible, informational).
    public var seconds: Double
}
