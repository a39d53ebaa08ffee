import Foundation

/// The images of a dataset on disk, labelled and split, with their masks when present.
///
/// Two layouts are read:
/// - COVID-QU-Ex (Tahir et al. 2021): `<root>/{Lung Segmentation Data,Infection Segmentation
///   Data}/{Train,Val,Test}/{COVID-19,Non-COVID,Normal}/{images,lung masks,infection masks}/`
///   — see `covidQuEx(root:subset:requiredMasks:)`;
/// - split folders (ImageFolder with splits, as most Kaggle copies ship):
///   `<root>/{train,val,test}/<class>/*.png|jpg|jpeg` — see `splitFolders(root:)`;
/// - class folders (COVID-19 Radiography Database style): `<root>/<class>/*.png|jpg|jpeg` or
///   `<root>/<class>/images/*`, split deterministically — see `classFolders(root:seed:fractions:)`.
///
/// `classNames` is in a fixed canonical order and `items` in a fixed order (class, then path),
/// so the same tree always gives the same index.
public struct DatasetIndex: Sendable {
    public enum Layout: String, Codable, Sendable {
        case covidQuEx
        case classFolders
        case splitFolders
    }

    public var root: URL
    public var layout: Layout
    public var classNames: [String]
    public var items: [LabelledImage]
    /// The first folder each class was read from, for messages about that class.
    public var classDirectories: [String: URL]

    public init(root: URL, layout: Layout, classNames: [String], items: [LabelledImage], classDirectories: [String: URL]) {
        self.root = root
        self.layout = layout
        self.classNames = classNames
        self.items = items
        self.classDirectories = classDirectories
    }

    /// Reads `root` in whichever layout it has: COVID-QU-Ex when it holds a subset folder (or
    /// is one), split folders when a subfolder names a split, class folders otherwise.
    public static func open(
        _ root: URL, subset: CovidQuExSubset = .infection, requiredMasks: Set<MaskKind> = [],
        splitSeed: UInt64 = 0, splitFractions: SplitFractions = .standard
    ) throws -> DatasetIndex {
        guard DatasetFiles.isDirectory(root) else { throw DatasetError.notFound(root) }
        if CovidQuExSubset.allFolderNames.contains(where: { DatasetFiles.isDirectory(root.appendingPathComponent($0)) }) {
            return try covidQuEx(root: root, subset: subset, requiredMasks: requiredMasks)
        }
        if let named = CovidQuExSubset.allCases.first(where: { $0 != .both && $0.folderNames == [root.lastPathComponent] }) {
            return try covidQuEx(root: root.deletingLastPathComponent(), subset: named, requiredMasks: requiredMasks)
        }
        if hasSplitFolders(root) { return try splitFolders(root: root) }
        return try classFolders(root: root, seed: splitSeed, fractions: splitFractions)
    }

    /// The items of `split`, in index order.
    public func items(in split: DatasetSplit) -> [LabelledImage] {
        items.filter { $0.split == split }
    }

    /// `url`'s path under the dataset root, with "/" separators ("val/COVID/COVID-1.png"); the
    /// full path for a file elsewhere.
    public func relativePath(of url: URL) -> String {
        DatasetFiles.relativePath(of: url, under: root)
    }

    /// The splits that hold images, with their image counts: "Train (4136), Val (801)".
    public var splitSummary: String {
        let counts = DatasetSplit.allCases.map { split in (split, items.filter { $0.split == split }.count) }.filter { $0.1 > 0 }
        return counts.isEmpty ? "no images" : counts.map { "\($0.0.rawValue) (\($0.1))" }.joined(separator: ", ")
    }

    /// The same dataset restricted to `split` (class names unchanged).
    public func restricted(to split: DatasetSplit) -> DatasetIndex {
        var copy = self
        copy.items = items(in: split)
        return copy
    }

    /// Number of items per class, indexed like `classNames`.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classNames.count)
        for item in items { counts[item.classIndex] += 1 }
        return counts
    }

    /// The class names in canonical order: sorted by Unicode scalars (locale-independent),
    /// which is also each dataset's own order — COVID-QU-Ex's COVID-19, Non-COVID, Normal
    /// (`ChestXRayClass`) and the COVID-19 Radiography Database's COVID, Lung_Opacity,
    /// Normal, Viral Pneumonia.
    static func canonicalOrder(_ names: Set<String>) -> [String] {
        names.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
    }

    /// Relabels the index with a model's class names: each data class is matched to the
    /// model class of the same name, ignoring case and punctuation ("Non-COVID" = "non_covid"),
    /// after applying `aliases` (data name → model name, e.g. ["COVID-19": "COVID"]). The
    /// result's `classNames` are the model's, in the model's order, and every item's
    /// `classIndex` is the model's output index.
    ///
    /// - Throws: `DatasetError.unknownClass` for the first data class the model lacks.
    public func mapped(toModelClasses modelClasses: [String], aliases: [String: String] = [:]) throws -> DatasetIndex {
        func key(_ name: String) -> String {
            String(name.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) })
        }
        var modelIndexByKey: [String: Int] = [:]
        for (index, name) in modelClasses.enumerated() where modelIndexByKey[key(name)] == nil {
            modelIndexByKey[key(name)] = index
        }
        var mapping: [Int] = []
        for name in classNames {
            guard let index = modelIndexByKey[key(aliases[name] ?? name)] else {
                throw DatasetError.unknownClass(name: name, directory: classDirectories[name] ?? root, modelClasses: modelClasses)
            }
            mapping.append(index)
        }
        var copy = self
        copy.classNames = modelClasses
        copy.items = items.map { item in
            var relabelled = item
            relabelled.classIndex = mapping[item.classIndex]
            relabelled.className = modelClasses[relabelled.classIndex]
            return relabelled
        }
        copy.classDirectories = [:]
        for (name, directory) in classDirectories {
            if let index = classNames.firstIndex(of: name) { copy.classDirectories[modelClasses[mapping[index]]] = directory }
        }
        return copy
    }
}
