import Foundation
import VitRel

/// Where the model shipped in Models/ lives, for commands run without `--model`: the
/// command's policy (the environment, the executable's place, the working directory), so it
/// lives here and the library only loads the folder it is given.
///
/// Looked for, in order: `$VITREL_MODEL`; `Models/<defaultName>` beside the executable
/// (a copied tarball); `<prefix>/share/vitrel/Models/<defaultName>` for an executable in
/// `<prefix>/bin` (an installed build); then `Models/<defaultName>` in the executable's folder's
/// parents (a build in `.build/release` finds its repository's) and in the working directory
/// and its parents. The executable is the running one (`/proc/self/exe`), not `argv[0]`, which
/// is a bare `vitrel` when it was found on `PATH`.
enum ShippedModel {
    /// Folder name of the default model inside Models/.
    static let defaultName = "vit-radiography-dinov2-112-ld"
    /// How many parent folders the upward searches climb.
    static let parentLevels = 5

    /// The shipped model's folder, or nil (`notFoundMessage` says where it looked).
    static func locate(
        executable: URL? = runningExecutable, currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> URL? {
        if let path = environment["VITREL_MODEL"], !path.isEmpty { return URL(fileURLWithPath: path) }
        let fileManager = FileManager.default
        return searchPlaces(executable: executable, currentDirectory: currentDirectory).flatMap(\.folders).first {
            fileManager.fileExists(atPath: $0.appendingPathComponent("config.json").path)
        }
    }

    /// A place searched: a folder that may hold the model, or `Models/<defaultName>` in a
    /// folder and its parents.
    struct SearchPlace {
        var start: URL
        var climbs: Bool
        var folders: [URL] {
            guard climbs else { return [start] }
            var folders = [URL](), directory = start
            for _ in 0...ShippedModel.parentLevels {
                folders.append(directory.appendingPathComponent("Models").appendingPathComponent(ShippedModel.defaultName))
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
            return folders
        }
        var description: String {
            climbs ? "Models/\(ShippedModel.defaultName) in \(start.path) and up to \(ShippedModel.parentLevels) folders above it" : start.path
        }
    }

    static func searchPlaces(executable: URL?, currentDirectory: URL) -> [SearchPlace] {
        var places = [SearchPlace]()
        if let executable {
            let folder = executable.deletingLastPathComponent().standardizedFileURL
            places.append(SearchPlace(start: folder.appendingPathComponent("Models").appendingPathComponent(defaultName), climbs: false))
            places.append(SearchPlace(
                start: folder.deletingLastPathComponent().appendingPathComponent("share/vitrel/Models").appendingPathComponent(defaultName),
                climbs: false))
            places.append(SearchPlace(start: folder.deletingLastPathComponent(), climbs: true))
        }
        places.append(SearchPlace(start: currentDirectory.standardizedFileURL, climbs: true))
        return places
    }

    /// The one-line error when `locate` finds nothing: every place it looked.
    static func notFoundMessage(
        executable: URL? = runningExecutable, currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    ) -> String {
        let places = searchPlaces(executable: executable, currentDirectory: currentDirectory).map(\.description)
        return "no --model given and the shipped model \(defaultName) was not found; looked in \(places.joined(separator: "; "))"
            + " (pass --model DIR or set VITREL_MODEL)"
    }

    /// The running executable: `/proc/self/exe` on Linux, else `argv[0]` made absolute.
    static var runningExecutable: URL? {
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: target)
        }
        guard let first = CommandLine.arguments.first, first.contains("/") else { return nil }
        return URL(fileURLWithPath: first).resolvingSymlinksInPath()
    }
}
