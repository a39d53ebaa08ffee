import Foundation

extension ClassifierModel {
    /// How far two models' logits lie apart on the same inputs: the cost of a conversion
    /// (F16 or BF16 storage, a re-export) measured rather than assumed.
    public struct LogitChange: Sendable, Equatable {
        /// max |logit(self) − logit(reference)| over every input and class.
        public var largestChange: Double
        /// max |logit(reference)|, for scale.
        public var largestLogit: Double
    }

    /// Logit change against `reference` (same architecture) on `samples` seeded inputs drawn
    /// N(0, 1) per element: normalised pixels are of that order, and random inputs reach every
    /// weight, unlike a dataset's few images.
    public func largestLogitChange(from reference: ClassifierModel, samples: Int, seed: UInt64) throws -> LogitChange {
        precondition(config.imageHeight == reference.config.imageHeight && config.imageWidth == reference.config.imageWidth
                     && config.classCount == reference.config.classCount, "models of one architecture")
        var generator = SeededGenerator(seed: seed)
        let count = samples * config.channels * config.imageHeight * config.imageWidth
        let input = Tensor<Float>(
            shape: [samples, config.channels, config.imageHeight, config.imageWidth],
            scalars: (0..<count).map { _ in Float(generator.nextGaussian()) })
        let mine = try network(input).scalars, theirs = try reference.network(input).scalars
        var change = LogitChange(largestChange: 0, largestLogit: 0)
        for (a, b) in zip(mine, theirs) {
            change.largestChange = max(change.largestChange, abs(Double(a) - Double(b)))
            change.largestLogit = max(change.largestLogit, abs(Double(b)))
        }
        return change
    }
}
