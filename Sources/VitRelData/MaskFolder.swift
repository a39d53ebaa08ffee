import Foundation

/// Masks a user supplies for a dataset (`--mask folder:DIR`): hand-drawn text regions, device
/// borders, or any region to measure relevance in. One mask image per data image, found by
///
/// 1. the image's path under the data root (`DIR/validation/COVID/COVID-1.png`), so a folder
///    can mirror the dataset's tree;
/// 2. else its file name directly in DIR (`DIR/COVID-1.png`);
/// 3. else its stem with any image extension (`DIR/COVID-1.jpg`).
///
/// Masks are read like the dataset's own: gray values ≥ 0.5 after the image's geometry
/// (resize, crop) are inside.
public struct MaskFolder: Sendable {
    public let directory: URL
    private let topLevel: DatasetFiles.MaskLookup

    /// - Throws: `DatasetError.notFound` when `directory` is not a folder.
    public init(directory: URL) throws {
        guard DatasetFiles.isDirectory(directory) else { throw DatasetError.notFound(directory) }
        self.directory = directory
        topLevel = DatasetFiles.MaskLookup(directory: directory)
    }

    /// The mask file for `image` of a dataset rooted at `root`, if the folder has one.
    public func maskURL(for image: URL, root: URL) -> URL? {
        let mirrored = directory.appendingPathComponent(DatasetFiles.relativePath(of: image, under: root))
        if FileManager.default.fileExists(atPath: mirrored.path), !DatasetFiles.isDirectory(mirrored) { return mirrored }
        return topLevel.mask(for: image)
    }
}
