/// Image container formats, recognised by their leading bytes ("magic"), never by the file
/// name: X-ray exports often carry the wrong extension. (The one exception is DICOM without its
/// 128-byte preamble, a bare dataset with no magic at all: `ImageIO` reads a `.dcm` file that
/// is neither PNG nor JPEG as DICOM.)
public enum ImageFormat: String, Codable, Sendable, CaseIterable {
    case png = "PNG"
    case jpeg = "JPEG"
    case dicom = "DICOM"

    /// PNG signature (PNG spec §5.2).
    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// "DICM" after the 128-byte preamble (DICOM PS3.10 §7.1).
    static let dicomPrefix = (offset: 128, magic: Array("DICM".utf8))

    /// What the leading bytes say the data is.
    enum Detection: Equatable {
        case supported(ImageFormat)
        /// A prefix of a PNG or JPEG signature and nothing more: a cut-off file.
        case truncatedSignature(ImageFormat)
        /// Another image format (named) or something that is not an image at all.
        case unsupported(String)
    }

    static func detect<Bytes: Collection>(_ bytes: Bytes) -> Detection where Bytes.Element == UInt8 {
        let head = Array(bytes.prefix(16))
        func starts(with magic: [UInt8]) -> Bool { head.starts(with: magic) }
        if starts(with: pngSignature) { return .supported(.png) }
        // SOI (FF D8) followed by the first marker's FF.
        if starts(with: [0xFF, 0xD8, 0xFF]) { return .supported(.jpeg) }
        if !head.isEmpty && head.count < pngSignature.count && pngSignature.starts(with: head) {
            return .truncatedSignature(.png)
        }
        if !head.isEmpty && head.count < 3 && [0xFF, 0xD8, 0xFF].starts(with: head) {
            return .truncatedSignature(.jpeg)
        }
        let known: [(magic: [UInt8], name: String)] = [
            (Array("GIF87a".utf8), "GIF"), (Array("GIF89a".utf8), "GIF"),
            (Array("BM".utf8), "BMP"),
            ([0x49, 0x49, 0x2A, 0x00], "TIFF"), ([0x4D, 0x4D, 0x00, 0x2A], "TIFF"),
            ([0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20], "JPEG 2000"),
            ([0xFF, 0x4F, 0xFF, 0x51], "JPEG 2000 codestream"),
            (Array("\u{93}NUMPY".unicodeScalars.map { UInt8($0.value) }), "NumPy array"),
        ]
        // Before the other formats: the preamble is free-form (TIFF headers are allowed there).
        if Array(bytes.dropFirst(dicomPrefix.offset).prefix(dicomPrefix.magic.count)) == dicomPrefix.magic {
            return .supported(.dicom)
        }
        for entry in known where starts(with: entry.magic) { return .unsupported("\(entry.name) (only PNG, JPEG and DICOM are read)") }
        if head.count >= 12 && head.starts(with: Array("RIFF".utf8)) && Array(head[8..<12]) == Array("WEBP".utf8) {
            return .unsupported("WebP (only PNG, JPEG and DICOM are read)")
        }
        let printable = head.allSatisfy { ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        if printable {
            return .unsupported("text, not an image (starts with \"\(String(decoding: head.prefix(8), as: UTF8.self))\")")
        }
        let hex = head.prefix(8).map { String($0, radix: 16).leftPadded(to: 2) }.joined(separator: " ")
        return .unsupported("unrecognised data (first bytes \(hex))")
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
