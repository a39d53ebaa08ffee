import Foundation

/// FNV-1a (64-bit) of files' bytes, as 16 hex digits: what tells a comparison's rows (and its
/// run record's weights) apart from files changed since. Cheap — one pass, no allocation
/// beyond a memory map — and enough to notice an edited image or a retrained model; it is not
/// a security hash.
public enum ContentChecksum {
    /// The checksum of the files' bytes in order, each followed by its length (so moving a
    /// byte from one file to the next changes it).
    public static func of(_ urls: [URL]) throws -> String {
        var hash = FNV1a()
        for url in urls {
            let data: Data
            do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
                throw Failure.unreadable(file: url.path, reason: (error as NSError).localizedDescription)
            }
            data.withUnsafeBytes { hash.mix($0) }
            if urls.count > 1 { withUnsafeBytes(of: UInt64(data.count).littleEndian) { hash.mix($0) } }
        }
        return hash.hex
    }

    /// The checksum of a text's UTF-8 bytes (settings written as one string).
    public static func of(text: String) -> String {
        var hash = FNV1a()
        for byte in text.utf8 { hash.mix(byte) }
        return hash.hex
    }

    /// The 64-bit FNV-1a state (Fowler, Noll, Vo: offset basis and prime of the 64-bit variant).
    private struct FNV1a {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325

        mutating func mix(_ byte: UInt8) {
            value ^= UInt64(byte)
            value &*= 0x0000_0100_0000_01b3
        }

        mutating func mix(_ bytes: UnsafeRawBufferPointer) {
            for byte in bytes { mix(byte) }
        }

        var hex: String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
    }

    /// Why a file could not be checksummed: one line naming the file, worded as the image
    /// reader words the same failure (the files are mostly images and masks, and the CLI
    /// prints the message as is).
    public enum Failure: Error, CustomStringConvertible, Equatable, Sendable {
        /// The file is missing or cannot be read (a directory, no permission, an I/O error).
        case unreadable(file: String, reason: String)

        public var description: String {
            switch self {
            case .unreadable(let file, let reason):
                return "\(file): cannot read: \(reason)".split(whereSeparator: \.isNewline).joined(separator: " ")
            }
        }
    }
}
