import Foundation
import XCTest
import VitRelTestSupport
import VitRelCore
@testable import VitRelImaging

/// Decoded samples against Pillow's (fixtures from Tools/make_imaging_fixtures.py).
final class ImagingDecodeTests: XCTestCase {
    /// Integer codes of `image` in the reference's interleaved [H, W, C] order.
    static func interleavedCodes(_ image: Image, bitDepth: Int) -> [Int] {
        let maximum: Float = bitDepth == 16 ? 65535 : 255
        let plane = image.width * image.height
        var codes = [Int](repeating: 0, count: plane * image.channels)
        for c in 0..<image.channels {
            for i in 0..<plane { codes[i * image.channels + c] = Int((image.pixels[c * plane + i] * maximum).rounded()) }
        }
        return codes
    }

    func testEveryPNGAndJPEGVariantDecodesToPillowsSamples() throws {
        let manifest = try ImagingManifest.load()
        XCTAssertGreaterThanOrEqual(manifest.decode.count, 18)
        for item in manifest.decode {
            let image = try ImageIO.read(ImagingManifest.fixture(item.file))
            let reference = try ImagingManifest.array(item.reference)
            let expectedShape = item.channels == 1 ? [image.height, image.width] : [image.height, image.width, item.channels]
            XCTAssertEqual(reference.shape, expectedShape, item.file)
            XCTAssertEqual(image.channels, item.channels, item.file)
            XCTAssertEqual(image.sourceBitDepth, item.bitDepth, item.file)
            XCTAssertTrue(image.pixels.allSatisfy { $0 >= 0 && $0 <= 1 }, item.file)
            let codes = Self.interleavedCodes(image, bitDepth: item.bitDepth)
            let expected = reference.doubles().map { Int($0) }
            let worst = zip(codes, expected).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThanOrEqual(worst, item.tolerance, "\(item.file): largest difference \(worst) codes")
        }
    }

    func testEightBitSamplesAreExactlyCodeOver255AsToTensorGives() throws {
        let image = try ImageIO.read(ImagingManifest.fixture("png/rgb8.png"))
        let reference = try ImagingManifest.array("png/rgb8.npy").values(as: UInt8.self)!
        // torchvision ToTensor: uint8 → float32, then / 255.
        let plane = image.width * image.height
        for i in stride(from: 0, to: plane, by: 7) {
            XCTAssertEqual(image.pixels[plane + i], Float(reference[i * 3 + 1]) / 255)
        }
    }

    func testSixteenBitSamplesKeepTheirLowBytes() throws {
        let image = try ImageIO.read(ImagingManifest.fixture("png/rgba16.png"))
        let codes = Self.interleavedCodes(image, bitDepth: 16)
        XCTAssertTrue(codes.contains { $0 % 256 != 0 && $0 % 257 != 0 }, "not 8-bit values scaled up")
        XCTAssertEqual(codes.first, 0)
        XCTAssertEqual(Self.interleavedCodes(try ImageIO.read(ImagingManifest.fixture("png/gray16.png")), bitDepth: 16).last, 65535)
    }

    func testFormatComesFromMagicBytesNotTheFileName() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let misnamed = directory.appendingPathComponent("actually-a-png.jpg")
        try FileManager.default.copyItem(at: ImagingManifest.fixture("png/gray8.png"), to: misnamed)
        let image = try ImageIO.read(misnamed)
        XCTAssertEqual(image, try ImageIO.read(ImagingManifest.fixture("png/gray8.png")))
        let jpegNamedPNG = directory.appendingPathComponent("photo.png")
        try FileManager.default.copyItem(at: ImagingManifest.fixture("jpeg/gray.jpg"), to: jpegNamedPNG)
        XCTAssertEqual(try ImageIO.read(jpegNamedPNG).channels, 1)
    }

    func testSHA256MatchesFIPSExamples() {
        XCTAssertEqual(SHA256.hexDigest(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hexDigest([]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hexDigest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func testTheTwelveRealXRaysDecodeToPillowsPixelsByDigest() throws {
        let root = try TestPaths.covidSamples()
        let xrays = try ImagingManifest.load().xrays.files
        XCTAssertEqual(xrays.count, 12)
        for item in xrays {
            let image = try ImageIO.read(root.appendingPathComponent(item.file))
            XCTAssertEqual(item.mode, "L")
            XCTAssertEqual([image.channels, image.width, image.height], [1, item.width, item.height], item.file)
            let bytes = Self.interleavedCodes(image, bitDepth: 8).map { UInt8($0) }
            XCTAssertEqual(SHA256.hexDigest(bytes), item.sha256, item.file)
        }
    }
}
