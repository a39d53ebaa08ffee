import Foundation

/// The images a command is given, as paths: files as named, folders expanded to every image
/// file under them (PNG, JPEG, DICOM by extension; hidden files and folders skipped; depth
/// first, names sorted, so every machine lists them in the same order, which `--shard`
/// partitions), then the lines of a list file (one path a line; blank lines and lines starting
/// with `#` skipped; relative paths taken from the current folder, as on a command line).
public enum ImageList {
    /// The expanded list, in the order given.
    ///
    /// - Throws: `DatasetError`-style one-line errors: a list file that cannot be read, a
    ///   folder with no image under it.
    public static func expand(_ entries: [String], listFile: String? = nil) throws -> [String] {
        var paths = [String]()
        for entry in entries {
            let url = URL(fileURLWithPath: entry)
            guard DatasetFiles.isDirectory(url) else {
                paths.append(entry)
                continue
            }
            let found = imageFiles(under: url)
            guard !found.isEmpty else { throw ImageListError.emptyFolder(entry) }
            paths += found.map { entry.hasSuffix("/") ? entry + $0 : entry + "/" + $0 }
        }
        if let listFile {
            let text: String
            do { text = try String(contentsOfFile: listFile, encoding: .utf8) } catch {
                throw ImageListError.unreadableList(listFile, (error as NSError).localizedDescription)
            }
            paths += text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        }
        return paths
    }

    /// Paths of the image files under `folder`, relative to it.
    private static func imageFiles(under folder: URL, prefix: String = "") -> [String] {
        var found = [String]()
        for name in DatasetFiles.names(in: folder) {
            let url = folder.appendingPathComponent(name)
            if DatasetFiles.isDirectory(url) {
                found += imageFiles(under: url, prefix: prefix + name + "/")
            } else if DatasetFiles.imageExtensions.contains(url.pathExtension.lowercased()) {
                found.append(prefix + name)
            }
        }
        return found
    }
}

/// A folder or list of images that gives no image.
public enum ImageListError: Error, Equatable, CustomStringConvertible {
    case emptyFolder(String)
    case unreadableList(String, String)

    public var description: String {
        switch self {
        case .emptyFolder(let folder): return "\(folder): no PNG, JPEG or DICOM file in this folder or below"
        case .unreadableList(let file, let reason): return "\(file): cannot read the image list (\(reason))"
        }
    }
}
