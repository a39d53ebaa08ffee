import XCTest
import VitRelTestSupport
import VitRelCore
@testable import VitRelImaging

/// `Preprocessing.input(reading:)`: the model input straight from a file's 8/16-bit samples
/// (no full-size float copy) is the very tensor `apply(to: ImageIO.read(url))` gives, and an
/// image preprocessing would blow up is refused before any pixel is resized.
final class ImagingModelInputTests: XCTestCase {
    private let files = ["png/gray8.png", "png/gray16.png", "png/gray_alpha8.png", "png/rgb8.png", "png/rgb16.png",
                         "png/rgba16.png", "png/palette_trns.png", "jpeg/rgb420.jpg", "jpeg/gray.jpg"]

    private func assertSameInputs(_ preprocessing: Preprocessing, file: StaticString = #filePath, line: UInt = #line) throws {
        for name in files {
            let url = ImagingManifest.fixture(name)
            let streamed = try preprocessing.input(reading: url)
            let reference = preprocessing.apply(to: try ImageIO.read(url))
            XCTAssertEqual(streamed.shape, reference.shape, name, file: file, line: line)
            XCTAssertEqual(streamed.scalars.map(\.bitPattern), reference.scalars.map(\.bitPattern), "\(name): bit for bit", file: file, line: line)
        }
    }

    func testInputsFromSamplesEqualInputsFromFloatImagesBitForBit() throws {
        let image = try ImageIO.read(ImagingManifest.fixture(files[0]))
        // Downscale with crop, upscale, a size that needs no resize (crop only), and exact resizes.
        for (side, filter, mode, crop) in [(8, ResampleFilter.bicubic, Preprocessing.ResizeMode.resizeThenCenterCrop, 0.875),
                                           (3 * image.width, .bilinear, .resizeThenCenterCrop, 1.0),
                                           (min(image.width, image.height), .bicubic, .resizeThenCenterCrop, 1.0),
                                           (7, .nearest, .exact, 1.0)] {
            try assertSameInputs(Preprocessing(inputHeight: side, inputWidth: side, interpolation: filter, resizeMode: mode, cropPercent: crop,
                                               mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]))
        }
    }

    func testAResizePastThePixelLimitIsRefusedNamingTheFileAndTheLimit() throws {
        let preprocessing = Preprocessing(inputHeight: 128, inputWidth: 128, cropPercent: 0.875)
        // A 1,000,000 × 1 strip: its shorter side scaled to 146 would make it 146,000,000 × 146.
        XCTAssertThrowsError(try preprocessing.checkResize(width: 1_000_000, height: 1, file: "strip.png")) { error in
            XCTAssertEqual(error as? ImageError, .tooLargeToResize(
                file: "strip.png", width: 1_000_000, height: 1, resizedWidth: 146_000_000, resizedHeight: 146))
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("strip.png: ") && message.contains("\(Preprocessing.maximumResizedPixelCount)"), message)
        }
        // The first pass reads every input row at the output width: 100,000 rows × 146 is within the
        // limit, 1,000,000 rows of a 1-pixel-wide strip are not.
        XCTAssertNoThrow(try preprocessing.checkResize(width: 2500, height: 2000, file: "film.png"))
        XCTAssertThrowsError(try preprocessing.checkResize(width: 1, height: 1_000_000, file: "tall.png"))
        // An image already at the resize size needs no resize, whatever its shape.
        XCTAssertNoThrow(try preprocessing.checkResize(width: 146, height: 146, file: "square.png"))
    }
}
