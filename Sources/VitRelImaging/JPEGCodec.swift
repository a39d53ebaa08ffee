import CJPEG
import Foundation

/// JPEG through libjpeg(-turbo) (`Sources/CJPEG/shim.h` holds the setjmp-guarded C side).
///
/// Gray JPEGs decode to one channel, YCbCr and RGB JPEGs to RGB, with libjpeg's defaults
/// (islow IDCT, fancy upsampling) — the settings Pillow uses, so with the same libjpeg-turbo
/// the samples are identical. CMYK/YCCK and 12-bit JPEGs are reported as unsupported.
/// A file that ends early is an error, not a grey-filled image: libjpeg only warns
/// (JWRN_JPEG_EOF) and pads, which would silently hand the model a damaged X-ray.
enum JPEGCodec {
    static func decode(_ data: Data, name: String) throws -> Image {
        try decodeSamples(data, name: name).image()
    }

    /// The file's 8-bit samples as libjpeg gives them (interleaved).
    static func decodeSamples(_ data: Data, name: String) throws -> DecodedSamples {
        var result = vitrel_jpeg_decoded()
        data.withUnsafeBytes { raw in
            let base = raw.bindMemory(to: UInt8.self).baseAddress
            vitrel_jpeg_decode(base, raw.count, ImageIO.maximumPixelCount, &result)
        }
        var owned = false
        defer { if !owned { vitrel_jpeg_free(result.pixels) } }
        let message = withUnsafeBytes(of: &result.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        switch Int(result.status) {
        case VITREL_JPEG_OK: break
        case VITREL_JPEG_TRUNCATED:
            throw ImageError.truncated(file: name, format: .jpeg, detail: "libjpeg: \(message)")
        case VITREL_JPEG_UNSUPPORTED:
            throw ImageError.unsupportedFormat(file: name, detail: "JPEG variant: \(message)")
        case VITREL_JPEG_TOO_LARGE:
            throw ImageError.tooLarge(file: name, width: Int(result.width), height: Int(result.height))
        case VITREL_JPEG_NO_MEMORY:
            throw ImageError.unreadable(file: name, reason: "out of memory while decoding JPEG")
        default:
            throw ImageError.corrupt(file: name, format: .jpeg, detail: "libjpeg: \(message)")
        }
        let width = Int(result.width), height = Int(result.height), channels = Int(result.channels)
        owned = true
        return DecodedSamples(
            width: width, height: height, channels: channels, bitDepth: 8,
            bytes: UnsafeBufferPointer(start: result.pixels, count: result.pixel_bytes), release: { vitrel_jpeg_free($0) })
    }
}
