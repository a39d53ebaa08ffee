import CPNG
import Foundation

/// PNG through libpng (`Sources/CPNG/shim.h` holds the setjmp-guarded C side).
///
/// Decoding keeps the file's channels (gray, gray+alpha, RGB, RGBA), expands palettes to RGB
/// (RGBA when a tRNS chunk gives them transparency, as Pillow's `convert("RGBA")` does) and
/// scales 1/2/4-bit gray to 8 bits by bit replication (libpng `png_set_expand_gray_1_2_4_to_8`,
/// the same values Pillow gives). A tRNS chunk on gray or RGB images is ignored, as Pillow
/// keeps those in mode L/RGB. Gamma and colour-profile chunks are ignored (as Pillow does):
/// samples are the stored code values.
enum PNGCodec {
    static func decode(_ data: Data, name: String) throws -> Image {
        try decodeSamples(data, name: name).image()
    }

    /// The file's samples as libpng gives them (interleaved, 8-bit or big-endian 16-bit).
    static func decodeSamples(_ data: Data, name: String) throws -> DecodedSamples {
        var result = vitrel_png_decoded()
        data.withUnsafeBytes { raw in
            let base = raw.bindMemory(to: UInt8.self).baseAddress
            vitrel_png_decode(base, raw.count, ImageIO.maximumPixelCount, &result)
        }
        var owned = false
        defer { if !owned { vitrel_png_free(result.pixels) } }
        let message = withUnsafeBytes(of: &result.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        switch Int(result.status) {
        case VITREL_PNG_OK: break
        case VITREL_PNG_TRUNCATED:
            throw ImageError.truncated(file: name, format: .png, detail: "libpng: \(message)")
        case VITREL_PNG_TOO_LARGE:
            throw ImageError.tooLarge(file: name, width: Int(pngDimension(data, at: 16)), height: Int(pngDimension(data, at: 20)))
        case VITREL_PNG_NO_MEMORY:
            throw ImageError.unreadable(file: name, reason: "out of memory while decoding PNG")
        default:
            throw ImageError.corrupt(file: name, format: .png, detail: "libpng: \(message)")
        }
        let width = Int(result.width), height = Int(result.height), channels = Int(result.channels)
        let bitDepth = Int(result.bit_depth) == 16 ? 16 : 8
        owned = true
        return DecodedSamples(
            width: width, height: height, channels: channels, bitDepth: bitDepth,
            bytes: UnsafeBufferPointer(start: result.pixels, count: result.pixel_bytes), release: { vitrel_png_free($0) })
    }

    /// Width or height from the IHDR chunk (big-endian at byte 16 / 20), for error messages.
    private static func pngDimension(_ data: Data, at offset: Int) -> UInt32 {
        guard data.count >= offset + 4 else { return 0 }
        return data.dropFirst(offset).prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Encodes samples clamped to [0, 1] at 8 or 16 bits; 1–4 channels map to gray,
    /// gray+alpha, RGB, RGBA.
    static func encode(_ image: Image, bitDepth: Int, name: String) throws -> Data {
        guard bitDepth == 8 || bitDepth == 16 else {
            throw ImageError.unwritable(file: name, reason: "PNG bit depth \(bitDepth) (8 or 16 are written)")
        }
        guard (1...4).contains(image.channels) else {
            throw ImageError.unwritable(file: name, reason: "\(image.channels) channels (PNG holds 1 to 4)")
        }
        let interleaved = InterleavedSamples.bytes(of: image, bitDepth: bitDepth)
        var encoded: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = interleaved.withUnsafeBufferPointer { pixels in
            vitrel_png_encode(
                pixels.baseAddress, Int32(image.width), Int32(image.height), Int32(image.channels), Int32(bitDepth),
                &encoded, &size, &message, message.count)
        }
        defer { vitrel_png_free(encoded) }
        guard Int(status) == VITREL_PNG_OK, let encoded else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw ImageError.unwritable(file: name, reason: "libpng: \(text)")
        }
        return Data(bytes: encoded, count: size)
    }
}
