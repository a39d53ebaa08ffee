import Foundation

/// Directory listing for the dataset readers: sorted, hidden files skipped, so every index
/// is built in the same order on every machine.
enum DatasetFiles {
    /// File extensions read as images (compared lower-cased); `dcm` is DICOM.
    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "dcm"]

    static func isDirectory(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Names in `directory`, hidden ones skipped, sorted by Unicode scalar values.
    static func names(in directory: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }
            .sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
    }

    /// Subdirectories of `directory`, sorted.
    static func subdirectories(of directory: URL) -> [URL] {
        names(in: directory).map { directory.appendingPathComponent($0) }.filter(isDirectory)
    }

    /// Image files directly in `directory` (by extension, not by content), sorted.
    static func imageFiles(in directory: URL) -> [URL] {
        names(in: directory).map { directory.appendingPathComponent($0) }
            .filter { imageExtensions.contains($0.pathExtension.lowercased()) && !isDirectory($0) }
    }

    /// Files the operating systems leave in image folders; never data.
    static let systemFiles: Set<String> = ["thumbs.db", "desktop.ini"]

    /// Regular files directly in `directory` that are neither images (by extension) nor
    /// hidden or system files, sorted: the strays a strict layout reports.
    static func nonImageFiles(in directory: URL) -> [URL] {
        names(in: directory).filter { !systemFiles.contains($0.lowercased()) }
            .map { directory.appendingPathComponent($0) }
            .filter { !imageExtensions.contains($0.pathExtension.lowercased()) && !isDirectory($0) }
    }

    /// The masks in `directory` by image file name: an exact name match first, else the same
    /// stem with another image extension (`x.jpg` ↔ `x.png`).
    struct MaskLookup {
        var byName: [String: URL] = [:]
        var byStem: [String: URL] = [:]

        init(directory: URL) {
            for file in DatasetFiles.imageFiles(in: directory) {
                byName[file.lastPathComponent] = file
                let stem = file.deletingPathExtension().lastPathComponent
                if byStem[stem] == nil { byStem[stem] = file }
            }
        }

        func mask(for image: URL) -> URL? {
            byName[image.lastPathComponent] ?? byStem[image.deletingPathExtension().lastPathComponent]
        }
    }

    /// `url`'s path relative to `root`, with "/" separators ("COVID/images/COVID-1.png").
    static func relativePath(of url: URL, under root: URL) -> String {
        let rootComponents = root.standardizedFileURL.pathComponents
        let components = url.standardizedFileURL.pathComponents
        guard components.starts(with: rootComponents) else { return url.path }
        return components.dropFirst(rootComponents.count).joined(separator: "/")
    }
}
