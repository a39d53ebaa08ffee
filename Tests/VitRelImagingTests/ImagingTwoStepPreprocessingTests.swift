import XCTest
import VitRelTestSupport
import VitRelCore
@testable import VitRelImaging

/// Preprocessing in two steps: `geometry` (image → the image the model sees) and `normalise`
/// (that image → tensor) compose to `apply(to:)` bit for bit, and the pixel image is the
/// computed one, not the tensor with its normalisation undone.
final class ImagingTwoStepPreprocessingTests: XCTestCase {
    private let files = ["png/gray8.png", "png/gray16.png", "png/gray_alpha8.png", "png/rgb8.png", "png/rgb16.png",
                         "png/rgba16.png", "png/palette_trns.png", "jpeg/rgb420.jpg", "jpeg/gray.jpg"]

    private var transforms: [Preprocessing] {
        var list = [Preprocessing]()
        for (side, filter, mode, crop) in [(8, ResampleFilter.bicubic, Preprocessing.ResizeMode.resizeThenCenterCrop, 0.875),
                                           (40, .bilinear, .resizeThenCenterCrop, 1.0),
                                           (7, .nearest, .exact, 1.0),
                                           (9, .bicubic, .shortestEdgeThenCenterCrop, 1.0)] {
            for arithmetic in [Preprocessing.ResizeArithmetic.pillow, .float] {
                var preprocessing = Preprocessing(
                    inputHeight: side, inputWidth: side, interpolation: filter, resizeMode: mode, cropPercent: crop,
                    mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
                preprocessing.resizeArithmetic = arithmetic
                list.append(preprocessing)
            }
        }
        return list
    }

    func testNormalisingTheGeometryIsApplyBitForBit() throws {
        for preprocessing in transforms {
            for name in files {
                let image = try ImageIO.read(ImagingManifest.fixture(name))
                let pixels = preprocessing.geometry(image)
                XCTAssertEqual([pixels.channels, pixels.height, pixels.width], [3, preprocessing.inputHeight, preprocessing.inputWidth], name)
                let twoSteps = preprocessing.normalise(pixels)
                let oneStep = preprocessing.apply(to: image)
                XCTAssertEqual(twoSteps.scalars.map(\.bitPattern), oneStep.scalars.map(\.bitPattern), "\(name) \(preprocessing.summary)")
                let prepared = try preprocessing.prepare(image, file: name)
                XCTAssertEqual(prepared.pixels, pixels)
                XCTAssertEqual(prepared.input.scalars.map(\.bitPattern), oneStep.scalars.map(\.bitPattern))
            }
        }
    }

    func testTheGeometryIsThePictureTheTensorWasMadeFrom() throws {
        for preprocessing in transforms {
            for name in files {
                let image = try ImageIO.read(ImagingManifest.fixture(name))
                let pixels = preprocessing.geometry(image)
                // Undoing the normalisation gives it back up to float rounding only.
                let reconstructed = preprocessing.pixelImage(fromInput: preprocessing.apply(to: image))
                let worst = zip(pixels.pixels, reconstructed.pixels).map { abs($0 - $1) }.max()!
                XCTAssertLessThanOrEqual(worst, 1e-6, name)
                XCTAssertTrue(pixels.pixels.allSatisfy { $0 >= 0 && $0 <= 1 }, name)
                // Pillow's 8-bit arithmetic on an 8-bit file gives whole codes / 255 exactly (as
                // torchvision's ToTensor), which the reconstruction only approximates.
                if preprocessing.resizeArithmetic == .pillow && image.sourceBitDepth == 8 {
                    XCTAssertTrue(pixels.pixels.allSatisfy { ($0 * 255).rounded() / 255 == $0 }, "\(name): codes / 255")
                }
                // A gray file is replicated into three equal planes.
                if image.channels == 1 {
                    let plane = pixels.width * pixels.height
                    XCTAssertEqual(Array(pixels.pixels[0..<plane]), Array(pixels.pixels[plane..<(2 * plane)]), name)
                    XCTAssertEqual(Array(pixels.pixels[0..<plane]), Array(pixels.pixels[(2 * plane)...]), name)
                }
            }
        }
    }

    /// What the shortcut audit keeps of a split: a gray picture collapsed to its one plane, a
    /// colour one as it is, normalised as a batch into the inputs `apply(batch:)` gives.
    func testCollapsedGrayPicturesNormaliseAsABatchToTheInputsOfApply() throws {
        for preprocessing in transforms {
            let images = try files.map { try ImageIO.read(ImagingManifest.fixture($0)) }
            let pictures = images.map { preprocessing.geometry($0).collapsingReplicatedGray() }
            for (name, (image, picture)) in zip(files, zip(images, pictures)) {
                XCTAssertEqual(picture.channels, image.channels < 3 ? 1 : 3, name)
                XCTAssertEqual(picture.rgb(), preprocessing.geometry(image), name)
            }
            XCTAssertEqual(preprocessing.normalise(batch: pictures).scalars.map(\.bitPattern),
                           preprocessing.apply(batch: images).scalars.map(\.bitPattern), preprocessing.summary)
        }
        XCTAssertEqual(Preprocessing(inputHeight: 8, inputWidth: 8).normalise(batch: []).shape, [0, 3, 8, 8])
        // Planes equal but for the sign of a zero stay three.
        let signed = Image(width: 1, height: 1, channels: 3, pixels: [0, -0.0, 0])
        XCTAssertEqual(signed.collapsingReplicatedGray().channels, 3)
    }

    func testPrepareChecksTheResizeBeforeResizing() throws {
        let preprocessing = Preprocessing(inputHeight: 8, inputWidth: 8)
        let prepared = try preprocessing.prepare(Image(width: 20, height: 10, channels: 1, pixels: [Float](repeating: 0.5, count: 200)), file: "x.png")
        XCTAssertEqual(prepared.input.shape, [3, 8, 8])
        // A 1,000,000 × 1 strip whose shorter side would be scaled to 146: refused, naming the file.
        let large = Preprocessing(inputHeight: 128, inputWidth: 128, cropPercent: 0.875)
        let strip = Image(width: 1_000_000, height: 1, channels: 1, pixels: [Float](repeating: 0, count: 1_000_000))
        XCTAssertThrowsError(try large.prepare(strip, file: "strip.png")) { error in
            XCTAssertTrue("\(error)".hasPrefix("strip.png: "), "\(error)")
        }
    }
}
