import VitRelImaging

/// Superpixels that are exactly the Vision Transformer's input patches: label = patch index,
/// row-major (the token order after the class token, Dosovitskiy et al. 2021).
///
/// With these, LIME's features are the tokens the model sees, so its weights line up with
/// attention- and relevance-based maps at patch resolution. An image whose side is not a
/// multiple of `patchSize` gets narrower patches on the right and bottom edges.
public struct PatchGrid: Sendable, Equatable {
    public var patchSize: Int

    public init(patchSize: Int = 16) {
        self.patchSize = patchSize
    }

    /// Patches per row and per column of a `width` × `height` image.
    public func gridSize(width: Int, height: Int) -> (columns: Int, rows: Int) {
        ((width + patchSize - 1) / patchSize, (height + patchSize - 1) / patchSize)
    }

    public func segment(width: Int, height: Int) throws -> Segmentation {
        guard patchSize >= 1 else {
            throw SuperpixelError.invalidParameter(name: "PatchGrid.patchSize", value: "\(patchSize)", requirement: "at least 1")
        }
        let columns = gridSize(width: width, height: height).columns
        var labels = [Int32](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width { labels[y * width + x] = Int32((y / patchSize) * columns + x / patchSize) }
        }
        let grid = gridSize(width: width, height: height)
        return Segmentation(width: width, height: height, labels: labels, count: grid.columns * grid.rows)
    }

    public func segment(_ image: Image) throws -> Segmentation {
        try segment(width: image.width, height: image.height)
    }
}
