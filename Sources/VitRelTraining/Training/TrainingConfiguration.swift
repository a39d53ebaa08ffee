/// Everything that decides a training run besides the model and the data. Two runs with
/// equal configurations, models and data produce bit-identical weights; a resume state is
/// only accepted by a trainer with the same configuration.
public struct TrainingConfiguration: Codable, Equatable, Sendable {
    public var epochs: Int
    public var batchSize: Int
    /// Peak learning rate reached after warm-up.
    public var learningRate: Double
    /// Learning rate the cosine schedule approaches at the last step.
    public var minimumLearningRate: Double
    /// Optimiser steps of linear warm-up.
    public var warmupSteps: Int
    public var optimizer: AdamWHyperparameters
    /// Global gradient-norm limit; nil disables clipping.
    public var maximumGradientNorm: Double?
    /// Per-class loss weights for single-label data (class balancing; see
    /// `SoftmaxCrossEntropy.balancedClassWeights`); nil for uniform.
    public var classWeights: [Double]?
    /// Label smoothing ε of the softmax cross-entropy.
    public var labelSmoothing: Double
    /// Per-class positive weights of the sigmoid BCE for multi-hot data; nil for uniform.
    public var positiveWeights: [Double]?
    /// Augment training batches (the data source's augmentation).
    public var augment: Bool
    /// Images per forward pass during validation.
    public var validationBatchSize: Int
    /// Seed of every random draw of the run: shuffling and augmentation.
    public var seed: UInt64
    /// Rate r of layer-wise learning-rate decay (`LayerwiseLearningRateDecay`); nil trains
    /// every layer at the scheduled rate. Absent from states saved before it existed.
    public var layerDecay: Double?
    /// Precision of the blocks' Linear products in the training steps' forward and backward
    /// passes (`VisionTransformer.forward(_:attentionOffsets:precision:)`): bf16 rounds their
    /// operands to bfloat16 and keeps Float32 sums, weights, gradients and optimiser state
    /// (mixed precision); validation always runs at fp32. States saved before it existed
    /// decode as fp32, the precision they were trained at.
    public var precision: ProductPrecision

    public init(
        epochs: Int = 10, batchSize: Int = 32, learningRate: Double = 5e-4, minimumLearningRate: Double = 1e-6,
        warmupSteps: Int = 0, optimizer: AdamWHyperparameters = AdamWHyperparameters(),
        maximumGradientNorm: Double? = 1.0, classWeights: [Double]? = nil, labelSmoothing: Double = 0,
        positiveWeights: [Double]? = nil, augment: Bool = true, validationBatchSize: Int? = nil, seed: UInt64 = 0,
        layerDecay: Double? = nil, precision: ProductPrecision = .fp32
    ) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.minimumLearningRate = minimumLearningRate
        self.warmupSteps = warmupSteps
        self.optimizer = optimizer
        self.maximumGradientNorm = maximumGradientNorm
        self.classWeights = classWeights
        self.labelSmoothing = labelSmoothing
        self.positiveWeights = positiveWeights
        self.augment = augment
        self.validationBatchSize = validationBatchSize ?? batchSize
        self.seed = seed
        self.layerDecay = layerDecay
        self.precision = precision
    }

    private enum CodingKeys: String, CodingKey {
        case epochs, batchSize, learningRate, minimumLearningRate, warmupSteps, optimizer, maximumGradientNorm
        case classWeights, labelSmoothing, positiveWeights, augment, validationBatchSize, seed, layerDecay, precision
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        epochs = try c.decode(Int.self, forKey: .epochs)
        batchSize = try c.decode(Int.self, forKey: .batchSize)
        learningRate = try c.decode(Double.self, forKey: .learningRate)
        minimumLearningRate = try c.decode(Double.self, forKey: .minimumLearningRate)
        warmupSteps = try c.decode(Int.self, forKey: .warmupSteps)
        optimizer = try c.decode(AdamWHyperparameters.self, forKey: .optimizer)
        maximumGradientNorm = try c.decodeIfPresent(Double.self, forKey: .maximumGradientNorm)
        classWeights = try c.decodeIfPresent([Double].self, forKey: .classWeights)
        labelSmoothing = try c.decode(Double.self, forKey: .labelSmoothing)
        positiveWeights = try c.decodeIfPresent([Double].self, forKey: .positiveWeights)
        augment = try c.decode(Bool.self, forKey: .augment)
        validationBatchSize = try c.decode(Int.self, forKey: .validationBatchSize)
        seed = try c.decode(UInt64.self, forKey: .seed)
        layerDecay = try c.decodeIfPresent(Double.self, forKey: .layerDecay)
        precision = try c.decodeIfPresent(ProductPrecision.self, forKey: .precision) ?? .fp32
    }

    /// Checks the numbers; returns a description of the first problem.
    public func validationProblem() -> String? {
        if epochs <= 0 { return "epochs must be positive, got \(epochs)" }
        if batchSize <= 0 || validationBatchSize <= 0 { return "batch sizes must be positive" }
        if !(learningRate > 0) || minimumLearningRate < 0 { return "learning rates must be positive (minimum ≥ 0)" }
        if warmupSteps < 0 { return "warm-up steps must be ≥ 0" }
        if let norm = maximumGradientNorm, !(norm > 0) { return "maximum gradient norm must be positive" }
        if !(0..<1).contains(labelSmoothing) { return "label smoothing must be in [0, 1)" }
        if let layerDecay, !(layerDecay > 0 && layerDecay <= 1) { return "layer decay must be in (0, 1], got \(layerDecay)" }
        let h = optimizer
        if !(0..<1).contains(h.beta1) || !(0..<1).contains(h.beta2) { return "AdamW betas must be in [0, 1)" }
        if !(h.epsilon > 0) || h.weightDecay < 0 { return "AdamW epsilon must be positive and weight decay ≥ 0" }
        return nil
    }

    /// Optimiser steps per epoch for `itemCount` training items (the last batch may be short).
    public func stepsPerEpoch(itemCount: Int) -> Int { (itemCount + batchSize - 1) / batchSize }

    /// The learning-rate schedule of a run over `itemCount` training items.
    public func schedule(itemCount: Int) -> WarmupCosineSchedule {
        WarmupCosineSchedule(
            baseLearningRate: learningRate, minimumLearningRate: minimumLearningRate, warmupSteps: warmupSteps,
            totalSteps: epochs * stepsPerEpoch(itemCount: itemCount))
    }
}
