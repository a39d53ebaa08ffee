import Foundation
import XCTest
import VitRelCore
@testable import VitRelImaging
import VitRelTestSupport

/// `PillowResampler` and the `.pillow` eval transform against Pillow 13 and timm 1.0.31: the
/// same uint8 codes for every filter and kind of resize, the same model input, the same logits.
final class PillowResizeTests: XCTestCase {
    /// An 8-bit PNG's samples as planar codes.
    private func codes(_ image: Image) -> [UInt8] {
        XCTAssertEqual(image.sourceBitDepth, 8)
        return image.pixels.map { UInt8(($0 * 255).rounded()) }
    }

    func testEveryFilterMatchesPillowBitForBit() throws {
        let manifest = try PillowResizeManifest.load()
        XCTAssertEqual(Set(manifest.resize.map(\.filter)), Set(ResampleFilter.allCases.map(\.rawValue)), "every filter")
        XCTAssertEqual(manifest.resize.count, 8 * 6 + 5 * 6 + 3 * 3)
        var differing = 0
        for item in manifest.resize {
            let image = try ImageIO.read(PillowResizeManifest.fixture(item.source))
            let filter = try XCTUnwrap(ResampleFilter(rawValue: item.filter))
            let ours = PillowResampler.resize(codes(image), channels: image.channels, height: image.height, width: image.width,
                                              toHeight: item.height, toWidth: item.width, filter: filter)
            let reference = try NPY.read(PillowResizeManifest.fixture(item.reference))
            let expected = try XCTUnwrap(reference.values(as: UInt8.self))
            // Pillow's arrays are interleaved [H, W, C]; ours planar [C, H, W].
            let plane = item.height * item.width
            XCTAssertEqual(reference.shape, image.channels == 1 ? [item.height, item.width] : [item.height, item.width, image.channels])
            let interleaved = (0..<ours.count).map { i in ours[(i % image.channels) * plane + i / image.channels] }
            let mismatches = zip(interleaved, expected).filter { $0 != $1 }.count
            XCTAssertEqual(mismatches, 0, "\(item.source) \(item.filter) → \(item.width)×\(item.height): \(mismatches) of \(expected.count) codes differ")
            // The float path (unrounded) lands elsewhere on most of these: the cases test the rounding.
            let floats = Resampler.resize(image.pixels, channels: image.channels, height: image.height, width: image.width,
                                          toHeight: item.height, toWidth: item.width, filter: filter, clampTo: 0...1)
            if zip(floats, ours).contains(where: { $0 != Float($1) / 255 }) { differing += 1 }
        }
        XCTAssertGreaterThan(differing, manifest.resize.count / 2, "most cases separate Pillow's arithmetic from float")
    }

    func testGrayResizedOnceEqualsEachPlaneOfItsRGBReplica() throws {
        let gray = codes(try ImageIO.read(PillowResizeManifest.fixture("gray_37x29.png")))
        for filter in ResampleFilter.allCases {
            let once = PillowResampler.resize(gray, channels: 1, height: 29, width: 37, toHeight: 20, toWidth: 25, filter: filter)
            let thrice = PillowResampler.resize(gray + gray + gray, channels: 3, height: 29, width: 37, toHeight: 20, toWidth: 25, filter: filter)
            XCTAssertEqual(thrice, once + once + once, "\(filter)")
        }
    }

    func testFixedPointWeightsAreRoundedHalfAwayFromZero() {
        // Bicubic 37 → 17 has negative lobes; each coefficient is weight · 2²² rounded half away from 0.
        let weights = Resampler.AxisWeights<Double>(inputSize: 37, outputSize: 17, filter: .bicubic)
        let fixed = PillowResampler.FixedPointAxis(inputSize: 37, outputSize: 17, filter: .bicubic)
        XCTAssertTrue(weights.weights.contains { $0 < 0 })
        for (w, k) in zip(weights.weights, fixed.coefficients) {
            XCTAssertEqual(Double(k), (w * 4_194_304).rounded(.toNearestOrAwayFromZero))
        }
        XCTAssertEqual(PillowResampler.clip8(-1), 0, "negative sums clip to 0 (arithmetic shift)")
        XCTAssertEqual(PillowResampler.clip8(Int32(300) << 22), 255)
        XCTAssertEqual(PillowResampler.clip8((Int32(7) << 22) + (1 << 21)), 7, "the 2²¹ rounding term is the caller's")
    }

    func testShorterSideSizesAreTorchvisionResizeOfAnInt() throws {
        for item in try PillowResizeManifest.load().shorterSide {
            let preprocessing = Preprocessing(inputHeight: item.size, inputWidth: item.size)
            let size = preprocessing.resizedSize(height: item.height, width: item.width)
            XCTAssertTrue(size == (item.resizedHeight, item.resizedWidth),
                          "\(item.height)×\(item.width) → \(size), torchvision \(item.resizedHeight)×\(item.resizedWidth)")
        }
    }

    func testSixteenBitFilesStayOnTheFloatPath() throws {
        let url = ImagingManifest.fixture("png/gray16.png")
        var pillow = Preprocessing(inputHeight: 10, inputWidth: 10, mean: [0, 0, 0], std: [1, 1, 1])
        let withPillow = try pillow.input(reading: url)
        pillow.resizeArithmetic = .float
        XCTAssertEqual(withPillow, try pillow.input(reading: url), "no 8-bit equivalent in timm's pipeline for 16-bit files")
        XCTAssertTrue(withPillow.scalars.contains { ($0 * 255).rounded() != $0 * 255 }, "16-bit precision kept")
    }

    func testARecordWithoutTheArithmeticDecodesAsTheFloatPathItWasMadeWith() throws {
        let old = #"{"inputHeight":32,"inputWidth":32,"interpolation":"bicubic","resizeMode":"resizeThenCenterCrop","cropPercent":0.9,"mean":[0.5,0.5,0.5],"std":[0.5,0.5,0.5]}"#
        let decoded = try JSONDecoder().decode(Preprocessing.self, from: Data(old.utf8))
        XCTAssertEqual(decoded.resizeArithmetic, .float)
        let current = Preprocessing(inputHeight: 32, inputWidth: 32, cropPercent: 0.9)
        XCTAssertEqual(try JSONDecoder().decode(Preprocessing.self, from: JSONEncoder().encode(current)), current)
    }
}
