import Foundation

/// Which half of COVID-QU-Ex to read (the CLI's `--subset`).
///
/// COVID-QU-Ex ships two trees: `Lung Segmentation Data` (all 33,920 images, lung masks) and
/// `Infection Segmentation Data` (5,826 images with lung and infection masks).
public enum CovidQuExSubset: String, CaseIterable, Codable, Sendable {
    case lung
    case infection
    case both

    /// The subset folders this choice reads, in reading order.
    public var folderNames: [String] {
        switch self {
        case .lung: return ["Lung Segmentation Data"]
        case .infection: return ["Infection Segmentation Data"]
        case .both: return ["Infection Segmentation Data", "Lung Segmentation Data"]
        }
    }

    static let allFolderNames = ["Lung Segmentation Data", "Infection Segmentation Data"]
}

extension DatasetIndex {
    /// Reads a COVID-QU-Ex tree: `<root>/<subset>/<split>/<class>/images/*.png`, with masks in
    /// the sibling `lung masks` and `infection masks` folders matched by file name (names keep
    /// their spaces and parentheses: `non_COVID (11905).png`).
    ///
    /// - `subset`: `.lung`, `.infection`, or `.both` (every subset folder present; an image
    ///   listed in both — same class and file name — is kept once, from the infection subset,
    ///   which has both masks, so it cannot land in two splits).
    /// - `requiredMasks`: masks every image must have; a missing one is an error. Other masks
    ///   are attached when present and left nil otherwise.
    /// - Split folders other than Train/Val/Test (and hidden files) are ignored.
    ///
    /// - Throws: `DatasetError` — `.notFound`, `.missingSubset`, `.emptyClassFolder` (no
    ///   `images` folder or no image in it), `.missingMask`, `.unrecognizedLayout` (no class
    ///   folders at all).
    public static func covidQuEx(
        root: URL, subset: CovidQuExSubset = .infection, requiredMasks: Set<MaskKind> = []
    ) throws -> DatasetIndex {
        guard DatasetFiles.isDirectory(root) else { throw DatasetError.notFound(root) }
        var subsetDirectories = subset.folderNames.map { root.appendingPathComponent($0) }
        if subset == .both { subsetDirectories = subsetDirectories.filter(DatasetFiles.isDirectory) }
        if subsetDirectories.isEmpty { throw DatasetError.missingSubset(root.appendingPathComponent(subset.folderNames[0])) }
        for directory in subsetDirectories where !DatasetFiles.isDirectory(directory) {
            throw DatasetError.missingSubset(directory)
        }

        struct Found { var className: String; var item: LabelledImage }
        var found: [Found] = []
        var seen: Set<String> = []               // "class/file name", for `.both`
        var classDirectories: [String: URL] = [:]
        for subsetDirectory in subsetDirectories {
            for splitDirectory in DatasetFiles.subdirectories(of: subsetDirectory) {
                guard let split = DatasetSplit(folderName: splitDirectory.lastPathComponent) else { continue }
                for classDirectory in DatasetFiles.subdirectories(of: splitDirectory) {
                    let className = classDirectory.lastPathComponent
                    if classDirectories[className] == nil { classDirectories[className] = classDirectory }
                    let imagesDirectory = classDirectory.appendingPathComponent("images")
                    let images = DatasetFiles.imageFiles(in: imagesDirectory)
                    guard !images.isEmpty else {
                        throw DatasetError.emptyClassFolder(DatasetFiles.isDirectory(imagesDirectory) ? imagesDirectory : classDirectory)
                    }
                    var lookups: [MaskKind: DatasetFiles.MaskLookup] = [:]
                    for kind in MaskKind.allCases {
                        lookups[kind] = DatasetFiles.MaskLookup(directory: classDirectory.appendingPathComponent(kind.folderName))
                    }
                    for image in images {
                        let key = className + "/" + image.lastPathComponent
                        guard seen.insert(key).inserted else { continue }
                        var masks: [MaskKind: URL] = [:]
                        for kind in MaskKind.allCases {
                            masks[kind] = lookups[kind]?.mask(for: image)
                            if masks[kind] == nil && requiredMasks.contains(kind) {
                                throw DatasetError.missingMask(
                                    image: image, kind: kind,
                                    expected: classDirectory.appendingPathComponent(kind.folderName)
                                        .appendingPathComponent(image.lastPathComponent))
                            }
                        }
                        found.append(Found(className: className, item: LabelledImage(
                            imageURL: image, classIndex: -1, className: className,
                            lungMaskURL: masks[.lung], infectionMaskURL: masks[.infection], shortcutMaskURL: masks[.shortcut], split: split)))
                    }
                }
            }
        }
        guard !found.isEmpty else { throw DatasetError.unrecognizedLayout(subsetDirectories[0]) }
        let classNames = canonicalOrder(Set(found.map(\.className)))
        let classIndex = Dictionary(uniqueKeysWithValues: classNames.enumerated().map { ($1, $0) })
        var items = found.map { entry -> LabelledImage in
            var item = entry.item
            item.classIndex = classIndex[entry.className]!
            return item
        }
        items = sortedForIndex(items, root: root)
        return DatasetIndex(root: root, layout: .covidQuEx, classNames: classNames, items: items,
                            classDirectories: classDirectories)
    }

    /// Index order: class, then path relative to the root.
    static func sortedForIndex(_ items: [LabelledImage], root: URL) -> [LabelledImage] {
        items.map { ($0, DatasetFiles.relativePath(of: $0.imageURL, under: root)) }
            .sorted { a, b in
                a.0.classIndex != b.0.classIndex
                    ? a.0.classIndex < b.0.classIndex
                    : a.1.unicodeScalars.lexicographicallyPrecedes(b.1.unicodeScalars)
            }
            .map(\.0)
    }
}
