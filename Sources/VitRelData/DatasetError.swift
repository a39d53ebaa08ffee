import Foundation

/// What can be wrong with a dataset on disk. Each message is one line that names the path
/// and the problem, so the CLI can print it as is.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    /// The root (or a folder the layout needs) does not exist.
    case notFound(URL)
    /// The root is neither a COVID-QU-Ex tree nor a folder of class folders.
    case unrecognizedLayout(URL)
    /// The requested COVID-QU-Ex subset folder is missing under the root.
    case missingSubset(URL)
    /// A class folder without any image (.png, .jpg, .jpeg, .dcm).
    case emptyClassFolder(URL)
    /// An image whose mask is required but absent; `expected` is where it was looked for.
    case missingMask(image: URL, kind: MaskKind, expected: URL)
    /// A data class the model does not know.
    case unknownClass(name: String, directory: URL, modelClasses: [String])
    /// A folder where the layout allows none (`expected` says what belongs there).
    case unexpectedFolder(URL, expected: String)
    /// Two folders naming the same split (`val` and `validation`).
    case duplicateSplit(URL, URL)
    /// A file in a class folder that is not an image (.png, .jpg, .jpeg, .dcm).
    case notAnImage(URL)
    /// A dataset writer refusing to mix its output with files already there.
    case outputNotEmpty(URL)

    public var description: String {
        switch self {
        case .notFound(let url):
            return "\(url.path): no such directory"
        case .unrecognizedLayout(let url):
            return "\(url.path): matches none of the dataset layouts: COVID-QU-Ex (<root>/{Lung,Infection} Segmentation Data/"
                + "{Train,Val,Test}/<class>/images/*.png), split folders (<root>/{train,val,test}/<class>/*.png|jpg|jpeg) "
                + "or class folders (<root>/<class>/*.png|jpg|jpeg)"
        case .missingSubset(let url):
            return "\(url.path): COVID-QU-Ex subset folder not found"
        case .emptyClassFolder(let url):
            return "\(url.path): class folder has no images (.png, .jpg, .jpeg, .dcm)"
        case .missingMask(let image, let kind, let expected):
            return "\(image.path): no \(kind.folderName.dropLast()) for this image (expected \(expected.path))"
        case .unknownClass(let name, let directory, let modelClasses):
            return "unknown class \"\(name)\" in \(directory.path); the model knows: \(modelClasses.joined(separator: ", "))"
        case .unexpectedFolder(let url, let expected):
            return "\(url.path): unexpected folder; expected \(expected)"
        case .duplicateSplit(let first, let second):
            return "\(second.path): names the same split as \(first.path); keep one of them"
        case .notAnImage(let url):
            return "\(url.path): not an image (.png, .jpg, .jpeg, .dcm) in a class folder; move or remove it"
        case .outputNotEmpty(let url):
            return "\(url.path): already exists and is not empty; write synthetic data into a new folder"
        }
    }
}
