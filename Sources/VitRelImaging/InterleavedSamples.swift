/// Conversions between interleaved integer samples (as codecs store them) and `Image`'s
/// planar floats in [0, 1].
enum InterleavedSamples {
    /// Interleaved 8-bit or big-endian 16-bit samples → planar [C, H, W] floats.
    /// v / 255 (or v / 65535) is computed by division, as torchvision's `ToTensor` does, so
    /// 8-bit images give the very floats PyTorch pipelines see.
    static func planarFloats(
        _ bytes: UnsafeBufferPointer<UInt8>, width: Int, height: Int, channels: Int, bigEndian16: Bool
    ) -> [Float] {
        let plane = width * height
        precondition(bytes.count == plane * channels * (bigEndian16 ? 2 : 1), "sample buffer size")
        var planar = [Float](repeating: 0, count: plane * channels)
        planar.withUnsafeMutableBufferPointer { out in
            if bigEndian16 {
                for i in 0..<plane {
                    for c in 0..<channels {
                        let at = 2 * (i * channels + c)
                        out[c * plane + i] = Float(UInt16(bytes[at]) << 8 | UInt16(bytes[at + 1])) / 65535
                    }
                }
            } else {
                for i in 0..<plane {
                    for c in 0..<channels { out[c * plane + i] = Float(bytes[i * channels + c]) / 255 }
                }
            }
        }
        return planar
    }

    /// Planar floats → interleaved 8-bit or big-endian 16-bit samples, clamped to [0, 1]
    /// and rounded to the nearest code (NaN becomes 0).
    static func bytes(of image: Image, bitDepth: Int) -> [UInt8] {
        let plane = image.width * image.height
        let channels = image.channels
        let bytesPerSample = bitDepth == 16 ? 2 : 1
        let maximum: Float = bitDepth == 16 ? 65535 : 255
        var out = [UInt8](repeating: 0, count: plane * channels * bytesPerSample)
        image.pixels.withUnsafeBufferPointer { planar in
            out.withUnsafeMutableBufferPointer { out in
                for c in 0..<channels {
                    for i in 0..<plane {
                        let x = planar[c * plane + i]
                        let clamped = x.isNaN ? 0 : min(max(x, 0), 1)
                        let code = UInt16((clamped * maximum).rounded())
                        let at = (i * channels + c) * bytesPerSample
                        if bytesPerSample == 2 {
                            out[at] = UInt8(code >> 8)
                            out[at + 1] = UInt8(code & 0xFF)
                        } else {
                            out[at] = UInt8(code)
                        }
                    }
                }
            }
        }
        return out
    }
}
