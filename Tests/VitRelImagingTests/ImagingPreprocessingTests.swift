import Foundation
import XCTest
import VitRelTestSupport
import VitRelCore
@testable import VitRelImaging

/// `Preprocessing.apply` against the real Python eval transforms (timm, Hugging Face),
/// references written by Tools/make_imaging_fixtures.py as uint8 codes before normalisation.
final class ImagingPreprocessingTests: XCTestCase {
    /// The float path vs PIL's 8-bit one (rounded after each resize pass): 1.5 codes.
    static let floatTolerance = 1.5 / 255

    /// Pillow's arithmetic (the default) gives timm's codes exactly: the only difference left is
    /// Float(code) / 255 against the Double quotient, below 1e-7. transformers 5's
    /// `ViTImageProcessor` is the exception: it resizes uint8 tensors with torchvision's own
    /// antialiased fixed point, not PIL (checked when the fixture was made: 35 of 7680 codes
    /// differ from Pillow's, by 1), so it gets one code. The float path stays within
    /// `floatTolerance` (exactly for nearest).
    private func check(_ item: ImagingManifest.PreprocessCase, image: Image, file: StaticString = #filePath, line: UInt = #line) throws {
        let (height, width) = (item.config.inputHeight, item.config.inputWidth)
        let reference = try ImagingManifest.array(item.reference)
        let codes = reference.doubles()
        let plane = height * width
        // X-ray references hold one channel (PIL's three are equal), the RGB fixture three.
        let expected = reference.shape.count == 2 ? codes + codes + codes : codes
        XCTAssertEqual(expected.count, 3 * plane, file: file, line: line)
        for arithmetic in Preprocessing.ResizeArithmetic.allCases {
            var preprocessing = item.unnormalised
            preprocessing.resizeArithmetic = arithmetic
            let tensor = preprocessing.apply(to: image)
            XCTAssertEqual(tensor.shape, [3, height, width], file: file, line: line)
            let worst = zip(tensor.scalars, expected).map { abs(Double($0) - $1 / 255) }.max()!
            let torchvisionResize = item.note.hasPrefix("transformers")
            let limit = item.config.interpolation == .nearest ? 1e-7
                : arithmetic == .float ? Self.floatTolerance : torchvisionResize ? 1.0 / 255 + 1e-7 : 1e-7
            XCTAssertLessThanOrEqual(worst, limit, "\(item.reference), \(arithmetic): worst \(worst * 255) codes (\(item.note))", file: file, line: line)
        }
    }

    func testSyntheticRGBMatchesTimmEvalTransformIncludingRoundingAndPadding() throws {
        let cases = try ImagingManifest.load().preprocess.filter { !$0.source.hasPrefix("xray:") }
        XCTAssertEqual(cases.count, 3)
        for item in cases { try check(item, image: try ImageIO.read(ImagingManifest.fixture(item.source))) }
    }

    func testRealXRaysMatchTimmAndHuggingFaceTransforms() throws {
        let root = try TestPaths.covidSamples()
        let cases = try ImagingManifest.load().preprocess.filter { $0.source.hasPrefix("xray:") }
        XCTAssertEqual(Set(cases.map(\.config.resizeMode)), [.exact, .resizeThenCenterCrop])
        XCTAssertTrue(cases.contains { $0.config.inputHeight != $0.config.inputWidth }, "a non-square input")
        for item in cases {
            let image = try ImageIO.read(root.appendingPathComponent(String(item.source.dropFirst("xray:".count))))
            try check(item, image: image)
        }
    }

    func testNormalisationIsXMinusMeanOverStdPerChannel() {
        let image = Image(width: 2, height: 2, channels: 3, pixels: (0..<12).map { Float($0) / 11 })
        let plain = Preprocessing(inputHeight: 2, inputWidth: 2, resizeMode: .exact, mean: [0, 0, 0], std: [1, 1, 1])
        let normalised = Preprocessing(inputHeight: 2, inputWidth: 2, resizeMode: .exact,
                                       mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
        let x = plain.apply(to: image), y = normalised.apply(to: image)
        XCTAssertEqual(x.scalars, image.pixels, "same size: no resampling at all")
        for c in 0..<3 {
            for i in 0..<4 {
                let expected = (x.scalars[c * 4 + i] - Float(normalised.mean[c])) / Float(normalised.std[c])
                XCTAssertEqual(y.scalars[c * 4 + i], expected)
            }
        }
    }

    func testGrayAndItsRGBReplicaGiveTheSameTensor() throws {
        let gray = try ImageIO.read(ImagingManifest.fixture("png/gray8.png"))
        let preprocessing = Preprocessing(inputHeight: 16, inputWidth: 16, cropPercent: 0.9)
        let fromGray = preprocessing.apply(to: gray)
        XCTAssertEqual(fromGray, preprocessing.apply(to: gray.rgb()))
        XCTAssertEqual(fromGray.slice(0), fromGray.slice(2))
    }

    func testBatchEqualsImageByImage() throws {
        let names = ["png/gray8.png", "png/rgb8.png", "png/rgba16.png", "jpeg/rgb420.jpg", "png/palette.png"]
        let images = try names.map { try ImageIO.read(ImagingManifest.fixture($0)) }
        let preprocessing = Preprocessing(inputHeight: 12, inputWidth: 20, interpolation: .bilinear, cropPercent: 0.875)
        let batch = preprocessing.apply(batch: images)
        XCTAssertEqual(batch.shape, [5, 3, 12, 20])
        XCTAssertEqual(preprocessing.apply(batch: []).shape, [0, 3, 12, 20])
        for (b, image) in images.enumerated() {
            XCTAssertEqual(batch.slice(b), preprocessing.apply(to: image), names[b])
        }
    }

    func testResizeTargetsFollowTimmScaleSizeRules() {
        let square = Preprocessing(inputHeight: 224, inputWidth: 224, cropPercent: 0.875)
        XCTAssertTrue(square.resizedSize(height: 256, width: 256) == (256, 256))
        XCTAssertTrue(square.resizedSize(height: 300, width: 400) == (256, 341))  // shorter side, long truncated
        let timm09 = Preprocessing(inputHeight: 224, inputWidth: 224, cropPercent: 0.9)
        XCTAssertTrue(timm09.resizedSize(height: 512, width: 512) == (248, 248))  // ⌊224 / 0.9⌋ = 248
        let nonSquare = Preprocessing(inputHeight: 48, inputWidth: 64, cropPercent: 0.9)
        XCTAssertTrue(nonSquare.resizedSize(height: 256, width: 256) == (53, 71))
        let huggingFace = Preprocessing(inputHeight: 224, inputWidth: 224, resizeMode: .exact)
        XCTAssertTrue(huggingFace.resizedSize(height: 300, width: 400) == (224, 224))
    }
}
