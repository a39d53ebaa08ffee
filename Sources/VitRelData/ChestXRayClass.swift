/// The three COVID-QU-Ex classes, in the dataset's canonical order (Tahir et al. 2021).
///
/// The raw value is the class index used everywhere in vitrel (labels, logits, confusion
/// matrices), so the order is part of the data format: COVID-19, Non-COVID, Normal.
public enum ChestXRayClass: Int, CaseIterable, Codable, Sendable {
    case covid19 = 0
    case nonCovid = 1
    case normal = 2

    /// The class folder name in COVID-QU-Ex (`COVID-19`, `Non-COVID`, `Normal`).
    public var folderName: String {
        switch self {
        case .covid19: return "COVID-19"
        case .nonCovid: return "Non-COVID"
        case .normal: return "Normal"
        }
    }

    /// The file name the dataset itself uses for image `number` of this class:
    /// `covid_12.png`, `non_COVID (12).png`, `Normal (12).png` (spaces and parentheses included).
    public func datasetFileName(number: Int) -> String {
        switch self {
        case .covid19: return "covid_\(number).png"
        case .nonCovid: return "non_COVID (\(number)).png"
        case .normal: return "Normal (\(number)).png"
        }
    }

    /// The class whose folder is named `folderName`, if it is one of the three.
    public init?(folderName: String) {
        guard let match = Self.allCases.first(where: { $0.folderName == folderName }) else { return nil }
        self = match
    }
}
