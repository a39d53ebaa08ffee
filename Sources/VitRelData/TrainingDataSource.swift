/// What a batch is labelled with, which also decides the loss.
public enum TrainingTargets: Equatable, Sendable {
    /// One class index per image: softmax cross-entropy.
    case classes([Int])
    /// One multi-hot row (values in [0, 1]) per image: sigmoid binary cross-entropy.
    case multiHot([[Float]])

    public var count: Int {
        switch self {
        case .classes(let labels): return labels.count
        case .multiHot(let rows): return rows.count
        }
    }
}

/// A mini-batch ready for the model.
public struct TrainingBatch: Sendable {
    /// [B, 3, H, W], preprocessed exactly as at inference.
    public var images: Tensor<Float>
    public var targets: TrainingTargets

    public init(images: Tensor<Float>, targets: TrainingTargets) {
        self.images = images
        self.targets = targets
    }
}

/// Where the trainer gets its images: the dataset readers (COVID-QU-Ex, class folders,
/// synthetic phantoms) conform to this, and so does `InMemoryDataSource` for tests.
///
/// `batch` must be a pure function of (indices, augment, generator state): the trainer hands it
/// a generator derived from the run's seed, epoch and step, and reproducible training (and
/// bit-exact resuming) depends on the source drawing every random number from it.
public protocol TrainingDataSource {
    /// Number of items; valid indices are 0..<count.
    var count: Int { get }
    /// The images and targets of `indices`, in that order; augmented when `augment` is true.
    func batch(indices: [Int], augment: Bool, generator: inout SeededGenerator) throws -> TrainingBatch
}
