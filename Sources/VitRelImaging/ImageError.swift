/// Why an image could not be read or written. Every message is one line that names the
/// file, so the CLI can print it as is (the style guide's "errors are types").
public enum ImageError: Error, CustomStringConvertible, Equatable, Sendable {
    case fileNotFound(file: String)
    /// The path exists but cannot be read (a directory, no permission, an I/O error).
    case unreadable(file: String, reason: String)
    case emptyFile(file: String)
    /// The data stops before the image does (a cut-off download or copy).
    case truncated(file: String, format: ImageFormat, detail: String)
    /// The decoder rejected the data: a bad CRC, a broken zlib or Huffman stream, garbage.
    case corrupt(file: String, format: ImageFormat, detail: String)
    /// Not PNG, JPEG or DICOM (GIF, BMP, text, ...), or a PNG/JPEG variant vitrel does not read.
    case unsupportedFormat(file: String, detail: String)
    /// A DICOM file vitrel does not turn into a radiograph: no pixel data, several frames,
    /// colour, or compressed in a syntax DCMTK cannot decode (JPEG 2000).
    case unsupportedDICOM(file: String, detail: String)
    /// More pixels than `ImageIO.maximumPixelCount` (a guard against decompression bombs).
    case tooLarge(file: String, width: Int, height: Int)
    /// Preprocessing would resize the image past `Preprocessing.maximumResizedPixelCount`
    /// (a 1,000,000 × 1 strip whose shorter side is scaled up to the model's).
    case tooLargeToResize(file: String, width: Int, height: Int, resizedWidth: Int, resizedHeight: Int)
    /// The image cannot be encoded as asked (channel count, bit depth) or the file not written.
    case unwritable(file: String, reason: String)

    public var description: String {
        let text: String
        switch self {
        case .fileNotFound(let file):
            text = "\(file): no such file"
        case .unreadable(let file, let reason):
            text = "\(file): cannot read: \(reason)"
        case .emptyFile(let file):
            text = "\(file): empty file (0 bytes)"
        case .truncated(let file, let format, let detail):
            text = "\(file): truncated \(format.rawValue) (\(detail))"
        case .corrupt(let file, let format, let detail):
            text = "\(file): corrupt \(format.rawValue) data (\(detail))"
        case .unsupportedFormat(let file, let detail):
            text = "\(file): unsupported image format: \(detail)"
        case .unsupportedDICOM(let file, let detail):
            text = "\(file): unsupported DICOM: \(detail)"
        case .tooLarge(let file, let width, let height):
            text = "\(file): image of \(width)×\(height) pixels exceeds the limit of \(ImageIO.maximumPixelCount) pixels"
        case .tooLargeToResize(let file, let width, let height, let resizedWidth, let resizedHeight):
            text = "\(file): a \(width)×\(height) image would be resized to \(resizedWidth)×\(resizedHeight) for the model,"
                + " past the limit of \(Preprocessing.maximumResizedPixelCount) pixels"
        case .unwritable(let file, let reason):
            text = "\(file): cannot write image: \(reason)"
        }
        // Library messages are single lines already; this keeps the promise if one is not.
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
