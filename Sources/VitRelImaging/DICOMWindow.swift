/// A DICOM VOI window (PS3.3 C.11.2.1.2): centre and width in the units of the modality
/// values (after Rescale Slope/Intercept), as a radiologist sets it on a viewer.
///
/// The linear function maps values up to c − 0.5 − (w − 1)/2 to black, values above
/// c − 0.5 + (w − 1)/2 to white, and the rest linearly between; that is why the standard
/// requires w ≥ 1 (at w = 1 it is a threshold at c − 0.5).
///
///     let lungs = try DICOMWindow(parsing: "-600,1500")   // centre -600, width 1500
public struct DICOMWindow: Equatable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var center: Double
    public var width: Double

    /// `width` must be at least 1 and both finite (see the type's note).
    public init(center: Double, width: Double) throws {
        guard center.isFinite && width.isFinite else { throw DICOMWindowError.notFinite(center: center, width: width) }
        guard width >= 1 else { throw DICOMWindowError.widthBelowOne(width) }
        self.center = center
        self.width = width
    }

    /// "C,W": centre, then width (spaces around either are ignored).
    public init(parsing text: String) throws {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let center = Double(parts[0]), let width = Double(parts[1]) else {
            throw DICOMWindowError.notCenterWidth(text)
        }
        try self.init(center: center, width: width)
    }

    /// "C,W", the form `init(parsing:)` reads ("1500,800", "40.5,350").
    public var description: String { "\(Self.format(center)),\(Self.format(width))" }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}

/// Why a window was refused; one line, without the flag (the CLI names it).
public enum DICOMWindowError: Error, CustomStringConvertible, Equatable, Sendable {
    case notCenterWidth(String)
    case notFinite(center: Double, width: Double)
    case widthBelowOne(Double)

    public var description: String {
        switch self {
        case .notCenterWidth(let text): return "expected CENTER,WIDTH (two numbers), got \"\(text)\""
        case .notFinite(let center, let width): return "centre and width must be finite numbers, got \(center),\(width)"
        case .widthBelowOne(let width): return "the width must be at least 1 (DICOM PS3.3 C.11.2.1.2), got \(width)"
        }
    }
}
