// TEMPORARY: replaced by the imaging branch (ImageIO with libpng/libjpeg). Delete at merge.
//
// Just enough PNG for the synthetic-data code to run before the real ImageIO lands: the writer
// emits uncompressed PNGs (zlib stored blocks, filter 0), and the reader reads only those.
import Foundation

public enum ImageIO {
    struct StubError: Error, CustomStringConvertible {
        var description: String
    }

    /// Reads a PNG written by `writePNG` (stored zlib blocks, filter 0, 8 or 16 bits).
    public static func read(_ url: URL) throws -> Image {
        let bytes = [UInt8](try Data(contentsOf: url))
        func fail(_ why: String) -> StubError { StubError(description: "\(url.path): \(why)") }
        let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]
        guard bytes.count > 8, Array(bytes[0..<8]) == signature else { throw fail("not a PNG file") }
        var offset = 8
        var width = 0, height = 0, bitDepth = 0, channels = 0
        var compressed: [UInt8] = []
        func be32(_ at: Int) -> Int {
            Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
        }
        while offset + 12 <= bytes.count {
            let length = be32(offset)
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let body = offset + 8
            guard body + length + 4 <= bytes.count else { throw fail("truncated \(type) chunk") }
            switch type {
            case "IHDR":
                width = be32(body)
                height = be32(body + 4)
                bitDepth = Int(bytes[body + 8])
                switch bytes[body + 9] {
                case 0: channels = 1
                case 4: channels = 2
                case 2: channels = 3
                case 6: channels = 4
                default: throw fail("colour type \(bytes[body + 9]) is not supported by the stub reader")
                }
                guard bitDepth == 8 || bitDepth == 16, bytes[body + 12] == 0 else {
                    throw fail("bit depth \(bitDepth) or interlacing is not supported by the stub reader")
                }
            case "IDAT":
                compressed += bytes[body..<(body + length)]
            default:
                break
            }
            offset = body + length + 4
            if type == "IEND" { break }
        }
        guard width > 0, height > 0, channels > 0 else { throw fail("no IHDR chunk") }
        // zlib: 2-byte header, stored blocks only, Adler-32 trailer.
        var raw: [UInt8] = []
        var position = 2
        var final = false
        while !final {
            guard position + 5 <= compressed.count else { throw fail("truncated zlib stream") }
            let header = compressed[position]
            final = header & 1 == 1
            guard (header >> 1) & 3 == 0 else { throw fail("compressed PNG data is not supported by the stub reader") }
            let length = Int(compressed[position + 1]) | Int(compressed[position + 2]) << 8
            position += 5
            guard position + length <= compressed.count else { throw fail("truncated stored block") }
            raw += compressed[position..<(position + length)]
            position += length
        }
        let bytesPerSample = bitDepth / 8
        let stride = width * channels * bytesPerSample
        guard raw.count == height * (stride + 1) else { throw fail("image data size mismatch") }
        let scale = Float(bitDepth == 8 ? 255 : 65535)
        var pixels = [Float](repeating: 0, count: width * height * channels)
        for y in 0..<height {
            let row = y * (stride + 1)
            guard raw[row] == 0 else { throw fail("PNG filter \(raw[row]) is not supported by the stub reader") }
            for x in 0..<width {
                for c in 0..<channels {
                    let at = row + 1 + (x * channels + c) * bytesPerSample
                    let value = bytesPerSample == 1 ? Int(raw[at]) : Int(raw[at]) << 8 | Int(raw[at + 1])
                    pixels[(c * height + y) * width + x] = Float(value) / scale
                }
            }
        }
        return Image(width: width, height: height, channels: channels, pixels: pixels, sourceBitDepth: bitDepth)
    }

    /// Writes an uncompressed PNG (8 or 16 bits; gray, gray+alpha, RGB or RGBA by channel count).
    public static func writePNG(_ image: Image, to url: URL, bitDepth: Int = 8) throws {
        precondition(bitDepth == 8 || bitDepth == 16, "bit depth \(bitDepth) is not 8 or 16")
        let colourType: UInt8 = [1: 0, 2: 4, 3: 2, 4: 6][image.channels] ?? 0
        precondition(image.channels <= 4, "\(image.channels) channels cannot be stored in a PNG")
        let bytesPerSample = bitDepth / 8
        let maximum = Float(bitDepth == 8 ? 255 : 65535)
        var raw: [UInt8] = []
        raw.reserveCapacity(image.height * (1 + image.width * image.channels * bytesPerSample))
        for y in 0..<image.height {
            raw.append(0)
            for x in 0..<image.width {
                for c in 0..<image.channels {
                    let sample = image.pixels[(c * image.height + y) * image.width + x]
                    let value = Int((min(max(sample, 0), 1) * maximum).rounded())
                    if bytesPerSample == 2 { raw.append(UInt8(value >> 8)) }
                    raw.append(UInt8(value & 0xFF))
                }
            }
        }
        var zlib: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let length = min(65535, raw.count - start)
            let isFinal = start + length == raw.count
            zlib += [isFinal ? 1 : 0, UInt8(length & 0xFF), UInt8(length >> 8),
                     UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            zlib += raw[start..<(start + length)]
            start += length
        } while start < raw.count
        zlib += bigEndian(adler32(raw))

        var png: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]
        func chunk(_ type: String, _ body: [UInt8]) {
            let typeBytes = Array(type.utf8)
            png += bigEndian(UInt32(body.count))
            png += typeBytes
            png += body
            png += bigEndian(crc32(typeBytes + body))
        }
        chunk("IHDR", bigEndian(UInt32(image.width)) + bigEndian(UInt32(image.height))
            + [UInt8(bitDepth), colourType, 0, 0, 0])
        chunk("IDAT", zlib)
        chunk("IEND", [])
        try Data(png).write(to: url)
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    private static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return b << 16 | a
    }

    private static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes { c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
