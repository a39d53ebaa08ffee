import Foundation

/// A split of a dataset; the raw value is COVID-QU-Ex's folder name.
public enum DatasetSplit: String, CaseIterable, Codable, Sendable {
    case train = "Train"
    case validation = "Val"
    case test = "Test"

    /// The split a folder name denotes ("Train", "val", "Validation", "TEST", …), if any.
    public init?(folderName: String) {
        switch folderName.lowercased() {
        case "train", "training": self = .train
        case "val", "valid", "validation": self = .validation
        case "test", "testing": self = .test
        default: return nil
        }
    }
}

/// The masks a COVID-QU-Ex image can have; the raw value is the mask folder's name.
public enum MaskKind: String, CaseIterable, Codable, Sendable {
    case lung
    case infection
    /// Not part of COVID-QU-Ex: `vitrel synth --shortcut` marks where it burned in its
    /// class-correlated square, so localisation metrics can measure relevance on a shortcut.
    case shortcut

    /// The folder beside `images` that holds these masks (`lung masks`, `infection masks`).
    public var folderName: String { "\(rawValue) masks" }
}

/// One image of a dataset with its label, its masks (when the dataset has them) and its split.
/// Nothing is decoded here: unreadable files surface in `DatasetIndex.loadImages`.
public struct LabelledImage: Hashable, Sendable {
    public var imageURL: URL
    /// Index into the owning `DatasetIndex.classNames`.
    public var classIndex: Int
    public var className: String
    public var lungMaskURL: URL?
    public var infectionMaskURL: URL?
    public var shortcutMaskURL: URL?
    public var split: DatasetSplit

    public init(imageURL: URL, classIndex: Int, className: String, lungMaskURL: URL? = nil,
                infectionMaskURL: URL? = nil, shortcutMaskURL: URL? = nil, split: DatasetSplit) {
        self.imageURL = imageURL
        self.classIndex = classIndex
        self.className = className
        self.lungMaskURL = lungMaskURL
        self.infectionMaskURL = infectionMaskURL
        self.shortcutMaskURL = shortcutMaskURL
        self.split = split
    }

    /// The mask of `kind`, if the dataset has one for this image.
    public func maskURL(_ kind: MaskKind) -> URL? {
        switch kind {
        case .lung: return lungMaskURL
        case .infection: return infectionMaskURL
        case .shortcut: return shortcutMaskURL
        }
    }
}
