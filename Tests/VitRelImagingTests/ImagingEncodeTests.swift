import Foundation
import XCTest
import VitRelTestSupport
import VitRelCore
@testable import VitRelImaging

final class ImagingEncodeTests: XCTestCase {
    /// An image whose samples are exact codes at `bitDepth`, covering 0 and the maximum.
    private func codeImage(channels: Int, bitDepth: Int, width: Int = 7, height: Int = 5) -> Image {
        let maximum = bitDepth == 16 ? 65535 : 255
        var generator = SeededGenerator(seed: UInt64(channels * 100 + bitDepth))
        var pixels = (0..<channels * width * height).map { _ in Float(Int(generator.next() % UInt64(maximum + 1))) / Float(maximum) }
        pixels[0] = 0
        pixels[pixels.count - 1] = 1
        return Image(width: width, height: height, channels: channels, pixels: pixels, sourceBitDepth: bitDepth)
    }

    func testWriteThenReadGivesTheSameSamplesForEveryChannelCountAndDepth() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        for bitDepth in [8, 16] {
            for channels in 1...4 {
                let image = codeImage(channels: channels, bitDepth: bitDepth)
                let url = directory.appendingPathComponent("c\(channels)-\(bitDepth).png")
                try ImageIO.writePNG(image, to: url, bitDepth: bitDepth)
                let back = try ImageIO.read(url)
                XCTAssertEqual(back, image, "\(channels) channels, \(bitDepth) bits")
                // PNG IHDR: bit depth at byte 24, colour type at 25 (0 gray, 4 gray+alpha, 2 RGB, 6 RGBA).
                let header = [UInt8](try Data(contentsOf: url).prefix(26))
                XCTAssertEqual(Int(header[24]), bitDepth)
                XCTAssertEqual(Int(header[25]), [0, 4, 2, 6][channels - 1])
            }
        }
    }

    func testSamplesAreClampedAndRoundedToTheNearestCode() throws {
        let image = Image(width: 5, height: 1, channels: 1, pixels: [-0.5, 1.7, .nan, 0.5 / 255 + 1e-4, 0.499 / 255])
        let back = try ImageIO.decode(try ImageIO.encodePNG(image), name: "memory")
        XCTAssertEqual(back.pixels, [0, 1, 0, 1 / 255, 0])
    }

    func testSixteenBitKeepsWhatEightBitCannot() throws {
        let image = Image(width: 2, height: 1, channels: 1, pixels: [1000 / 65535, 1001 / 65535])
        let deep = try ImageIO.decode(try ImageIO.encodePNG(image, bitDepth: 16), name: "deep")
        XCTAssertEqual(deep.pixels.map { Int(($0 * 65535).rounded()) }, [1000, 1001])
        let shallow = try ImageIO.decode(try ImageIO.encodePNG(image), name: "shallow")
        XCTAssertEqual(shallow.pixels[0], shallow.pixels[1])
    }

    func testUnsupportedEncodingsThrowNamingTheFile() throws {
        let url = try TestPaths.temporaryDirectory(self).appendingPathComponent("out.png")
        let five = Image(width: 1, height: 1, channels: 5, pixels: [0, 0, 0, 0, 0])
        XCTAssertThrowsError(try ImageIO.writePNG(five, to: url)) { error in
            guard case .unwritable(let file, _)? = error as? ImageError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, url.path)
        }
        XCTAssertThrowsError(try ImageIO.writePNG(codeImage(channels: 1, bitDepth: 8), to: url, bitDepth: 12))
        let unwritable = URL(fileURLWithPath: "/nonexistent-directory/out.png")
        XCTAssertThrowsError(try ImageIO.writePNG(codeImage(channels: 1, bitDepth: 8), to: unwritable)) { error in
            XCTAssertTrue("\(error)".hasPrefix(unwritable.path))
        }
    }
}
