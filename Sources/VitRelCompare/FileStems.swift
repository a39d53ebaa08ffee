import Foundation

/// Letters, digits, '-', '_' and '.' kept; anything else (spaces, slashes, brackets) becomes '_'.
package func safeFileName(_ name: String) -> String {
    let safe = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "_" })
    return safe.isEmpty ? "_" : safe
}

/// The file name of `path` without its extension, made safe for file names and unique among
/// `taken` (a second "a.png" from another folder becomes "a-2"): the stem of the files an
/// image's explanation or figure grid is written to.
package func uniqueStem(for path: String, taken: inout Set<String>) -> String {
    let stem = safeFileName(URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)
    var candidate = stem, n = 2
    while taken.contains(candidate) {
        candidate = "\(stem)-\(n)"
        n += 1
    }
    taken.insert(candidate)
    return candidate
}

/// One line naming the file: image errors already do, others get it in front.
package func message(for error: Error, path: String) -> String {
    let text = "\(error)"
    return text.contains(path) ? text : "\(path): \(text)"
}
