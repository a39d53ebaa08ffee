import Foundation

/// A dataset split decoded and preprocessed into one input tensor, ready to train or evaluate.
public struct PreparedSplit: Sendable {
    public var items: [LabelledImage]
    /// [N, 3, H, W] model inputs
    public var inputs: Tensor<Float>
    /// Each image's picture after the transform's geometry (`Preprocessing.geometry`: resized
    /// and cropped, samples in [0, 1]), from which its row of `inputs` was normalised; a gray
    /// picture is kept as one plane (`Image.collapsingReplicatedGray`). Nil unless asked for
    /// (`keepingPictures`): training and evaluation need only the inputs, and three planes per
    /// image would double their memory.
    public var pictures: [Image]?
    public var labels: [Int]
    /// Files that could not be decoded (path and reason); they are left out.
    public var skipped: [SkippedFile]

    /// Decodes (DICOM files with `options`' window) and preprocesses `items` of `index`
    /// (unreadable files are skipped and listed). With `keepingPictures`, each image's
    /// geometry-step picture is kept in `pictures` and `inputs` is normalised from them (the
    /// same bits: `normalise(geometry(x))` is `apply(to: x)`).
    public static func prepare(
        _ index: DatasetIndex, split: DatasetSplit, preprocessing: Preprocessing, options: ImageReadOptions = .fileDefaults,
        limit: Int? = nil, keepingPictures: Bool = false
    ) -> PreparedSplit {
        var items = index.items(in: split)
        if let limit { items = Array(items.prefix(limit)) }
        // An image preprocessing cannot resize is skipped as an unreadable one is.
        let report = index.loadImages(items) { url in
            let image = try ImageIO.read(url, options: options)
            try preprocessing.checkResize(width: image.width, height: image.height, file: url.path)
            return image
        }
        let images = report.loaded.map(\.image)
        var pictures: [Image]?
        let inputs: Tensor<Float>
        if keepingPictures {
            pictures = Parallel.map(images.count) { preprocessing.geometry(images[$0]).collapsingReplicatedGray() }
            inputs = preprocessing.normalise(batch: pictures!)
        } else {
            inputs = preprocessing.apply(batch: images)
        }
        return PreparedSplit(
            items: report.loaded.map(\.item), inputs: inputs, pictures: pictures, labels: report.loaded.map(\.item.classIndex),
            skipped: report.skipped)
    }

    public var count: Int { labels.count }

    /// A training data source over these inputs.
    public func dataSource(augmentation: ImageAugmentation = .standard) throws -> InMemoryDataSource {
        try InMemoryDataSource(images: inputs, targets: .classes(labels), augmentation: augmentation)
    }
}
