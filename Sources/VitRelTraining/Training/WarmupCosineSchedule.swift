import Foundation

/// Learning rate per optimiser step: linear warm-up, then cosine annealing
/// (Loshchilov & Hutter 2017, SGDR, without restarts; warm-up as Goyal et al. 2017).
///
/// For step s (0-based, the step about to be taken), W warm-up steps and T total steps:
///
///     s < W:       lr = base · (s + 1) / W                          (base/W → base)
///     W ≤ s < T:   lr = min + ½(base − min)(1 + cos(π (s − W) / (T − W)))
///     s ≥ T:       lr = min
///
/// so the first step already moves (never a wasted step at lr 0), the last warm-up step and
/// the first cosine step both use the base rate, and the rate approaches `min` at T.
public struct WarmupCosineSchedule: Codable, Equatable, Sendable {
    public var baseLearningRate: Double
    public var minimumLearningRate: Double
    public var warmupSteps: Int
    public var totalSteps: Int

    public init(baseLearningRate: Double, minimumLearningRate: Double = 0, warmupSteps: Int = 0, totalSteps: Int) {
        precondition(warmupSteps >= 0 && totalSteps >= 0, "steps must be non-negative")
        self.baseLearningRate = baseLearningRate
        self.minimumLearningRate = minimumLearningRate
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
    }

    public func learningRate(atStep step: Int) -> Double {
        if step < warmupSteps { return baseLearningRate * Double(step + 1) / Double(warmupSteps) }
        if step >= totalSteps { return minimumLearningRate }
        let progress = Double(step - warmupSteps) / Double(totalSteps - warmupSteps)
        return minimumLearningRate + 0.5 * (baseLearningRate - minimumLearningRate) * (1 + Foundation.cos(Double.pi * progress))
    }
}
