import Foundation
import VitRel

/// A folder the engine could not create, or a file it could not write or read back. One line
/// naming the path, so `vitrel` prints it as it is.
public enum OutputFileError: Error, Equatable, CustomStringConvertible {
    /// The folder a run writes into (`--out`).
    case outputFolderNotCreated(path: String, reason: String)
    /// A folder inside it (`figures/`).
    case folderNotCreated(path: String, reason: String)
    case unwritable(path: String, reason: String)
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .outputFolderNotCreated(let path, let reason): return "cannot create the output folder \(path): \(reason)"
        case .folderNotCreated(let path, let reason): return "cannot create \(path): \(reason)"
        case .unwritable(let path, let reason): return "cannot write \(path): \(reason)"
        case .unreadable(let path, let reason): return "cannot read \(path): \(reason)"
        }
    }

    /// Foundation's reason, as the messages quote it.
    static func reason(_ error: Error) -> String { (error as NSError).localizedDescription }
}

/// Creates `url` and its parents; `isOutputFolder` picks the message.
func createFolder(_ url: URL, isOutputFolder: Bool = false) throws {
    do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
        let reason = OutputFileError.reason(error)
        throw isOutputFolder
            ? OutputFileError.outputFolderNotCreated(path: url.path, reason: reason)
            : OutputFileError.folderNotCreated(path: url.path, reason: reason)
    }
}

/// Writes `text` to a file, with a one-line error naming it.
package func writeTextFile(_ text: String, to url: URL) throws {
    do { try text.write(to: url, atomically: true, encoding: .utf8) } catch {
        throw OutputFileError.unwritable(path: url.path, reason: OutputFileError.reason(error))
    }
}

/// Writes JSON (sorted keys, NaN as "nan") to a file, with a one-line error naming it.
package func writeJSON<T: Encodable>(_ value: T, to url: URL) throws {
    let text: String
    do { text = try jsonString(value, nonFiniteAsStrings: true) } catch {
        throw OutputFileError.unwritable(path: url.path, reason: OutputFileError.reason(error))
    }
    try writeTextFile(text + "\n", to: url)
}
