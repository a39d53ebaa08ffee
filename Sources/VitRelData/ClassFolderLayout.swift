import Foundation

/// Train / validation / test fractions for datasets that are not split on disk.
public struct SplitFractions: Codable, Equatable, Sendable {
    public var train: Double
    public var validation: Double
    public var test: Double

    public init(train: Double, validation: Double, test: Double) {
        precondition(train >= 0 && validation >= 0 && test >= 0, "negative split fraction \(train)/\(validation)/\(test)")
        precondition(abs(train + validation + test - 1) < 1e-9, "split fractions \(train)/\(validation)/\(test) do not sum to 1")
        self.train = train
        self.validation = validation
        self.test = test
    }

    /// 70 / 15 / 15, as in the synthetic datasets.
    public static let standard = SplitFractions(train: 0.7, validation: 0.15, test: 0.15)

    /// The split of the file at `relativePath`: a uniform draw from a generator seeded by
    /// (seed, FNV-1a hash of the path), cut at the cumulative fractions. It depends on that
    /// file's path alone, so adding or removing other files never moves a file between
    /// splits, and renaming the root does not either.
    public func split(ofRelativePath relativePath: String, seed: UInt64) -> DatasetSplit {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in relativePath.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        var generator = SeededGenerator(seed: seed, stream: hash)
        let draw = generator.nextUnit()
        if draw < train { return .train }
        if draw < train + validation { return .validation }
        return .test
    }
}

extension DatasetIndex {
    /// Reads class folders: `<root>/<class>/*.png|jpg|jpeg`, or `<root>/<class>/images/*`
    /// (COVID-19 Radiography Database), with lung masks from a sibling `masks` or `lung masks`
    /// folder when present. Each image's split comes from `fractions.split(ofRelativePath:seed:)`.
    ///
    /// - Throws: `.notFound`; `.unrecognizedLayout` when no subfolder holds images;
    ///   `.emptyClassFolder` for a subfolder without images when others have them.
    public static func classFolders(root: URL, seed: UInt64 = 0, fractions: SplitFractions = .standard) throws -> DatasetIndex {
        guard DatasetFiles.isDirectory(root) else { throw DatasetError.notFound(root) }
        var imagesByClass: [(name: String, directory: URL, images: [URL], masks: DatasetFiles.MaskLookup?)] = []
        for classDirectory in DatasetFiles.subdirectories(of: root) {
            var images = DatasetFiles.imageFiles(in: classDirectory)
            let imagesDirectory = classDirectory.appendingPathComponent("images")
            images += DatasetFiles.imageFiles(in: imagesDirectory)
            let maskDirectory = ["masks", "lung masks"].map { classDirectory.appendingPathComponent($0) }
                .first(where: DatasetFiles.isDirectory)
            imagesByClass.append((classDirectory.lastPathComponent, classDirectory, images,
                                  maskDirectory.map(DatasetFiles.MaskLookup.init(directory:))))
        }
        guard imagesByClass.contains(where: { !$0.images.isEmpty }) else { throw DatasetError.unrecognizedLayout(root) }
        if let empty = imagesByClass.first(where: { $0.images.isEmpty }) {
            throw DatasetError.emptyClassFolder(empty.directory)
        }
        let classNames = canonicalOrder(Set(imagesByClass.map(\.name)))
        var items: [LabelledImage] = []
        var classDirectories: [String: URL] = [:]
        for entry in imagesByClass {
            let classIndex = classNames.firstIndex(of: entry.name)!
            classDirectories[entry.name] = entry.directory
            for image in entry.images {
                let relativePath = DatasetFiles.relativePath(of: image, under: root)
                items.append(LabelledImage(
                    imageURL: image, classIndex: classIndex, className: entry.name,
                    lungMaskURL: entry.masks?.mask(for: image),
                    split: fractions.split(ofRelativePath: relativePath, seed: seed)))
            }
        }
        return DatasetIndex(root: root, layout: .classFolders, classNames: classNames,
                            items: sortedForIndex(items, root: root), classDirectories: classDirectories)
    }
}
