/// A dataset held in memory as one [N, C, H, W] tensor with its targets; augmentation (when
/// asked for) is `ImageAugmentation.augmentBatch`.
public struct InMemoryDataSource: TrainingDataSource, Sendable {
    /// [N, C, H, W]
    public var images: Tensor<Float>
    public var targets: TrainingTargets
    public var augmentation: ImageAugmentation

    public init(images: Tensor<Float>, targets: TrainingTargets, augmentation: ImageAugmentation = .standard) throws {
        guard images.rank == 4, images.shape[0] == targets.count else {
            throw DataSourceError.shapeMismatch("images \(images.shape) for \(targets.count) targets")
        }
        if case .multiHot(let rows) = targets, let width = rows.first?.count, rows.contains(where: { $0.count != width }) {
            throw DataSourceError.shapeMismatch("multi-hot rows of different lengths")
        }
        self.images = images
        self.targets = targets
        self.augmentation = augmentation
    }

    public var count: Int { images.shape[0] }

    public func batch(indices: [Int], augment: Bool, generator: inout SeededGenerator) throws -> TrainingBatch {
        let imageSize = images.count / max(1, count)
        var scalars = [Float]()
        scalars.reserveCapacity(indices.count * imageSize)
        for index in indices {
            guard index >= 0 && index < count else {
                throw DataSourceError.shapeMismatch("index \(index) outside a data source of \(count) items")
            }
            scalars.append(contentsOf: images.scalars[(index * imageSize)..<((index + 1) * imageSize)])
        }
        var batchImages = Tensor(shape: [indices.count] + images.shape.dropFirst(), scalars: scalars)
        if augment { batchImages = augmentation.augmentBatch(batchImages, using: &generator) }
        switch targets {
        case .classes(let labels): return TrainingBatch(images: batchImages, targets: .classes(indices.map { labels[$0] }))
        case .multiHot(let rows): return TrainingBatch(images: batchImages, targets: .multiHot(indices.map { rows[$0] }))
        }
    }
}
