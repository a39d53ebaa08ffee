/// An image as its codec decoded it: interleaved 8-bit or big-endian 16-bit samples, rows top
/// to bottom, in the codec's own buffer (released with the value).
///
/// A 2500 × 2000 RGB radiograph is 15 MB of samples here and 60 MB as `Image`'s planar floats;
/// an image that is about to be downscaled to 128² never needs the floats, so the model-input
/// path (`Preprocessing.input(reading:)`) converts only the rows the resize reads, one at a time.
final class DecodedSamples {
    let width: Int
    let height: Int
    let channels: Int
    /// 8 or 16.
    let bitDepth: Int
    let bytes: UnsafeBufferPointer<UInt8>
    private let release: (UnsafeMutablePointer<UInt8>?) -> Void

    init(width: Int, height: Int, channels: Int, bitDepth: Int, bytes: UnsafeBufferPointer<UInt8>,
         release: @escaping (UnsafeMutablePointer<UInt8>?) -> Void) {
        precondition(bytes.count == width * height * channels * (bitDepth == 16 ? 2 : 1), "sample buffer size")
        self.width = width
        self.height = height
        self.channels = channels
        self.bitDepth = bitDepth
        self.bytes = bytes
        self.release = release
    }

    deinit { release(UnsafeMutablePointer(mutating: bytes.baseAddress)) }

    /// All samples as `Image`'s planar floats in [0, 1].
    func image() -> Image {
        let planar = InterleavedSamples.planarFloats(bytes, width: width, height: height, channels: channels, bigEndian16: bitDepth == 16)
        return Image(width: width, height: height, channels: channels, pixels: planar, sourceBitDepth: bitDepth)
    }

    /// Row `y` of `channel` as floats in [0, 1] into `out` (`width` samples): the very values
    /// `image()` holds there (v / 255 or v / 65535, by division).
    func row(channel: Int, y: Int, into out: UnsafeMutablePointer<Float>) {
        let start = y * width * channels + channel
        if bitDepth == 16 {
            for x in 0..<width {
                let at = 2 * (start + x * channels)
                out[x] = Float(UInt16(bytes[at]) << 8 | UInt16(bytes[at + 1])) / 65535
            }
        } else {
            for x in 0..<width { out[x] = Float(bytes[start + x * channels]) / 255 }
        }
    }

    /// Row `y` of `channel` of an 8-bit image as its codes into `out` (`width` samples): what
    /// Pillow resizes (`PillowResampler`).
    func codes(channel: Int, y: Int, into out: UnsafeMutablePointer<UInt8>) {
        precondition(bitDepth == 8, "codes of a \(bitDepth)-bit image")
        let start = y * width * channels + channel
        for x in 0..<width { out[x] = bytes[start + x * channels] }
    }
}
