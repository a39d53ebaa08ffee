import Foundation
import XCTest
import VitRelTestSupport
import VitRelCore
@testable import VitRelImaging

final class ImagingConversionTests: XCTestCase {
    func testRGBReplicatesGrayAndDropsAlphaAsPillowConvert() throws {
        let gray = try ImageIO.read(ImagingManifest.fixture("png/gray8.png"))
        let rgbFromGray = gray.rgb()
        XCTAssertEqual(rgbFromGray.channels, 3)
        for c in 0..<3 { XCTAssertEqual(rgbFromGray.plane(c), gray.plane(0)) }
        let grayAlpha = try ImageIO.read(ImagingManifest.fixture("png/gray_alpha8.png"))
        XCTAssertEqual(grayAlpha.rgb().plane(2), grayAlpha.plane(0))
        let rgba = try ImageIO.read(ImagingManifest.fixture("png/rgba8.png"))
        let rgb = rgba.rgb()
        XCTAssertEqual(rgb.channels, 3)
        XCTAssertEqual(rgb.pixels, Array(rgba.pixels[0..<3 * rgba.width * rgba.height]), "alpha dropped, not composited")
    }

    func testGrayIsITU601LumaWithinOneCodeOfPillow() throws {
        for item in try ImagingManifest.load().conversions {
            let image = try ImageIO.read(ImagingManifest.fixture(item.file))
            let luma = image.gray()
            XCTAssertEqual(luma.channels, 1)
            let reference = try ImagingManifest.array(item.reference).doubles()
            // Pillow computes in 16-bit fixed point and rounds; floats stay within half a code + ε.
            let worst = zip(luma.pixels, reference).map { abs(Double($0) * 255 - $1) }.max()!
            XCTAssertLessThan(worst, 0.51, item.file)
        }
        let pure = Image(width: 3, height: 1, channels: 3, pixels: [1, 0, 0, 0, 1, 0, 0, 0, 1])
        XCTAssertEqual(pure.gray().pixels.map(Double.init), [0.299, 0.587, 0.114], accuracy: 1e-7)
    }

    func testCropCopiesTheWindowAndZeroFillsOutside() {
        let image = Image(width: 4, height: 3, channels: 2, pixels: (0..<24).map { Float($0) / 24 })
        let inside = image.cropped(top: 1, left: 1, height: 2, width: 2)
        XCTAssertEqual(inside.pixels, [5, 6, 9, 10, 17, 18, 21, 22].map { Float($0) / 24 })
        let overhanging = image.cropped(top: -1, left: 3, height: 2, width: 2)
        XCTAssertEqual(overhanging.pixels, [0, 0, 3, 0, 0, 0, 15, 0].map { Float($0) / 24 })
    }

    func testCenterCropRoundsHalfToEvenAndPadsLikeTorchvision() {
        let image = Image(width: 5, height: 4, channels: 1, pixels: (0..<20).map { Float($0) })
        // (5 − 2) / 2 = 1.5 → 2 (half to even); (4 − 3) / 2 = 0.5 → 0.
        XCTAssertEqual(image.centerCropped(height: 3, width: 2).pixels, [2, 3, 7, 8, 12, 13])
        // (5 − 4) / 2 = 0.5 → 0; (4 − 1) / 2 = 1.5 → 2.
        XCTAssertEqual(image.centerCropped(height: 1, width: 4).pixels, [10, 11, 12, 13])
        // Larger than the image: (7 − 4) // 2 = 1 zero row above, 2 below.
        let padded = image.centerCropped(height: 7, width: 5)
        XCTAssertEqual(Array(padded.pixels[0..<5]), [0, 0, 0, 0, 0])
        XCTAssertEqual(Array(padded.pixels[5..<10]), [0, 1, 2, 3, 4])
        XCTAssertEqual(Array(padded.pixels[25..<35]), [Float](repeating: 0, count: 10))
    }

    func testShorterSideResizeKeepsAspectWithTorchvisionTruncation() {
        XCTAssertTrue(Image.shorterSideSize(height: 24, width: 32, shorterSide: 18) == (18, 24))
        XCTAssertTrue(Image.shorterSideSize(height: 24, width: 32, shorterSide: 16) == (16, 21))  // 21.33 → 21
        XCTAssertTrue(Image.shorterSideSize(height: 300, width: 200, shorterSide: 224) == (336, 224))
        let image = Image(width: 32, height: 24, channels: 1, pixels: [Float](repeating: 0.5, count: 768))
        let resized = image.resized(shorterSide: 16, filter: .bicubic)
        XCTAssertEqual([resized.height, resized.width], [16, 21])
        XCTAssertEqual(image.resized(shorterSide: 24, filter: .bicubic), image, "already that size: unchanged")
    }

    func testResizeWithAlphaDoesNotBleedTransparentColour() {
        // Left half opaque red, right half fully transparent but green: premultiplied resampling
        // keeps every visible pixel pure red.
        let width = 8, height = 4, plane = width * height
        var pixels = [Float](repeating: 0, count: 4 * plane)
        for y in 0..<height {
            for x in 0..<width {
                let opaque = x < width / 2
                pixels[y * width + x] = opaque ? 1 : 0              // R
                pixels[plane + y * width + x] = opaque ? 0 : 1      // G
                pixels[3 * plane + y * width + x] = opaque ? 1 : 0  // A
            }
        }
        let image = Image(width: width, height: height, channels: 4, pixels: pixels)
        let resized = image.resized(width: 5, height: 3, filter: .bicubic)
        let newPlane = 15
        for i in 0..<newPlane where resized.pixels[3 * newPlane + i] > 0.01 {
            XCTAssertEqual(resized.pixels[i], 1, accuracy: 1e-5, "red at \(i)")
            XCTAssertEqual(resized.pixels[newPlane + i], 0, accuracy: 1e-5, "green leaked at \(i)")
        }
        XCTAssertTrue(resized.pixels.allSatisfy { $0 >= 0 && $0 <= 1 })
    }
}

fileprivate func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
