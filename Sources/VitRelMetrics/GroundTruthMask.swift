import Foundation

/// Where a localisation metric (relevance mass, relevance rank, pointing game) looks for
/// relevance: a dataset's own masks, a geometric region of the model input, or masks the user
/// supplies.
///
/// The geometric regions serve the shortcut audit of composite COVID data (DeGrave, Janizek
/// and Lee, Nat. Mach. Intell. 2021): burned-in text, laterality markers and collimation edges
/// sit in the border band and the corners of a film, the lungs in its centre, so the share of
/// positive relevance there, set against the region's share of the area, says how much an
/// explanation rests on the film's edges.
///
/// The text form (`description`, and `init(argument:)` for `--mask`) is `infection`, `lung`,
/// `shortcut`, `border[:fraction]`, `corners[:fraction]`, `centre[:fraction]` or `folder:DIR`;
/// a parsed value prints with its fraction, so `border` and `border:0.1` are one setting.
public enum GroundTruthMask: Hashable, Codable, Sendable, CustomStringConvertible {
    /// COVID-QU-Ex's infection masks.
    case infection
    /// COVID-QU-Ex's lung masks.
    case lung
    /// The square `vitrel synth --shortcut` burns in: relevance there is relevance on a shortcut.
    case shortcut
    /// The band along all four edges, `fraction` of the height (top and bottom) and of the
    /// width (left and right) deep.
    case border(fraction: Double)
    /// The four corner rectangles, each `fraction` of the height by `fraction` of the width.
    case corners(fraction: Double)
    /// The complement of `border(fraction)`: the central rectangle.
    case centre(fraction: Double)
    /// One mask image per data image in the folder, found by the image's path under the data
    /// root, else its file name, else its stem with any image extension (see `MaskFolder`).
    case folder(String)

    /// 10% of each side: a band 12.8 pixels deep at 128 × 128, where burned-in labels and
    /// laterality markers sit, while the lungs seldom reach it (36% of the area).
    public static let defaultBorderFraction = 0.1
    /// 20% of each side: corner rectangles of 4% of the area each (16% together), where the
    /// COVID-19 Radiography Database's films carry their text.
    public static let defaultCornerFraction = 0.2

    public static let datasetMasks: [GroundTruthMask] = [.infection, .lung, .shortcut]

    /// Parses the `--mask` text form; the error message lists the accepted forms.
    public init(argument: String) throws {
        let parts = argument.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let name = parts[0].lowercased(), value = parts.count > 1 ? parts[1] : nil
        func fraction(_ fallback: Double) throws -> Double {
            guard let value else { return fallback }
            guard let parsed = Double(value), parsed > 0, parsed < 0.5 else {
                throw MetricError.invalidParameter("--mask \(argument)", "the fraction must be a number in (0, 0.5)")
            }
            return parsed
        }
        switch name {
        case "infection" where value == nil: self = .infection
        case "lung" where value == nil: self = .lung
        case "shortcut" where value == nil: self = .shortcut
        case "border": self = .border(fraction: try fraction(Self.defaultBorderFraction))
        case "corners": self = .corners(fraction: try fraction(Self.defaultCornerFraction))
        case "centre", "center": self = .centre(fraction: try fraction(Self.defaultBorderFraction))
        case "folder":
            guard let value, !value.isEmpty else { throw MetricError.invalidParameter("--mask \(argument)", "folder:DIR needs a folder") }
            self = .folder(value)
        default:
            throw MetricError.invalidParameter(
                "--mask \(argument)", "choose infection, lung, shortcut, border[:fraction], corners[:fraction], centre[:fraction] or folder:DIR")
        }
    }

    public var description: String {
        switch self {
        case .infection: return "infection"
        case .lung: return "lung"
        case .shortcut: return "shortcut"
        case .border(let fraction): return "border:\(fraction)"
        case .corners(let fraction): return "corners:\(fraction)"
        case .centre(let fraction): return "centre:\(fraction)"
        case .folder(let path): return "folder:\(path)"
        }
    }

    /// The dataset mask this reads, for the dataset masks.
    public var datasetMask: MaskKind? {
        switch self {
        case .infection: return .infection
        case .lung: return .lung
        case .shortcut: return .shortcut
        default: return nil
        }
    }

    /// The region on a `height` × `width` input, row-major, for the geometric masks; nil for
    /// masks that come from files.
    ///
    /// A band or corner `fraction` of a side deep covers round(fraction · side) rows or
    /// columns (at least one), so the regions are exact and symmetric on every input size.
    public func region(height: Int, width: Int) -> [Bool]? {
        func depth(_ fraction: Double, _ side: Int) -> Int { max(1, Int((fraction * Double(side)).rounded())) }
        switch self {
        case .border(let fraction), .centre(let fraction):
            let rows = depth(fraction, height), columns = depth(fraction, width)
            let inBorder = { (y: Int, x: Int) in y < rows || y >= height - rows || x < columns || x >= width - columns }
            let wantBorder: Bool = { if case .border = self { return true } else { return false } }()
            return (0..<(height * width)).map { inBorder($0 / width, $0 % width) == wantBorder }
        case .corners(let fraction):
            let rows = depth(fraction, height), columns = depth(fraction, width)
            return (0..<(height * width)).map { index in
                let y = index / width, x = index % width
                return (y < rows || y >= height - rows) && (x < columns || x >= width - columns)
            }
        default:
            return nil
        }
    }
}
