import Foundation
import VitRel

/// Small synthetic radiograph-like PNGs for tests that need an image file.
public enum TestImages {
    /// A 40×40 gray "X-ray": a vertical ramp with a bright disc, written as an 8-bit PNG.
    public static func write(in directory: URL, name: String = "xray.png", brightness: Float = 0.9) throws -> URL {
        let side = 40
        let pixels = (0..<(side * side)).map { i -> Float in
            let x = Float(i % side), y = Float(i / side)
            let disc = (x - 14) * (x - 14) + (y - 22) * (y - 22) < 36 ? brightness : 0
            return min(1, 0.2 + 0.5 * y / Float(side) + disc * 0.5)
        }
        let url = directory.appendingPathComponent(name)
        try ImageIO.writePNG(Image(width: side, height: side, channels: 1, pixels: pixels), to: url)
        return url
    }
}
