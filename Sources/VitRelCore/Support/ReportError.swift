import Foundation

/// Why a report document (SVG figure, HTML page, notebook) could not be written. One line
/// naming the file, so the CLI prints it as is (the style guide's "errors are types"). In the
/// core because both the figures (Rendering) and the documents built on them (Reporting) write
/// files through it, and Reporting sits above Rendering.
public enum ReportError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file could not be written (missing folder, no permission, a full disk).
    case unwritable(file: String, reason: String)

    public var description: String {
        switch self {
        case .unwritable(let file, let reason):
            return "\(file): cannot write: \(reason)".split(whereSeparator: \.isNewline).joined(separator: " ")
        }
    }

    /// Writes `data` to `url` atomically, turning Foundation's error into `.unwritable`.
    package static func write(_ data: Data, to url: URL) throws {
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw ReportError.unwritable(file: url.path, reason: (error as NSError).localizedDescription)
        }
    }
}
