import Foundation

/// A dataset split decoded and preprocessed into one input tensor, ready to train or evaluate.
public struct PreparedSplit: Sendable {
    public var items: [LabelledImage]
    /// [N, 3, H, W] model inputs
    public var inputs: Tensor<Float>
    public var labels: [Int]
    /// Files that could not be decoded (path and reason); they are left out.
    public var skipped: [SkippedFile]

    /// Decodes (DICOM files with `options`' window) and preprocesses `items` of `index`
    /// (unreadable files are skipped and listed).
    public static func prepare(
        _ index: DatasetIndex, split: DatasetSplit, preprocessing: Preprocessing, options: ImageReadOptions = .fileDefaults,
        limit: Int? = nil
    ) -> PreparedSplit {
        var items = index.items(in: split)
        if let limit { items = Array(items.prefix(limit)) }
        // An image preprocessing cannot resize is skipped as an unreadable one is.
        let report = index.loadImages(items) { url in
            let image = try ImageIO.read(url, options: options)
            try preprocessing.checkResize(width: image.width, height: image.height, file: url.path)
            return image
        }
        let inputs = preprocessing.apply(batch: report.loaded.map(\.image))
        return PreparedSplit(
            items: report.loaded.map(\.item), inputs: inputs, labels: report.loaded.map(\.item.classIndex),
            skipped: report.skipped)
    }

    public var count: Int { labels.count }

    /// A training data source over these inputs.
    public func dataSource(augmentation: ImageAugmentation = .standard) throws -> InMemoryDataSource {
        try InMemoryDataSource(images: inputs, targets: .classes(labels), augmentation: augmentation)
    }
}
