import Foundation
import XCTest
import VitRelCore
@testable import VitRelImaging
import VitRelTestSupport

/// DICOM through DCMTK against pydicom's displayed images (modality LUT, VOI LUT or window or
/// min–max, MONOCHROME1 inverted), the `--window` override, and the refusals.
final class DICOMDecodingTests: XCTestCase {
    /// How far DCMTK's displayed image may lie from pydicom's. DCMTK renders 16-bit codes: one
    /// code, 1/65535 (measured: 1.00003 codes at most; the 3e-5 is the float32 reference). Where
    /// Rescale Slope/Intercept make fractional modality values, DCMTK windows them held to whole
    /// units: up to half a unit more, 0.5/(w − 1) of the output (measured 2.2596 codes against
    /// a bound of 2.2603 at w = 26000, 4.631 against 4.641 at w = 9000.5). Largest measured
    /// difference over all fixtures: 7.1e-5, some 55 times below 1/255.
    static func tolerance(windowWidth: Double?, fractionalModality: Bool) -> Double {
        let code = 1.0 / 65535 + 1e-6
        guard fractionalModality, let width = windowWidth else { return code }
        return code + 0.5 / (width - 1)
    }

    private func maximumDifference(_ image: Image, _ reference: [Float]) -> Double {
        zip(image.pixels, reference).map { abs(Double($0) - Double($1)) }.max() ?? .infinity
    }

    func testDisplayedImagesMatchPydicom() throws {
        let manifest = try DICOMManifest.load()
        XCTAssertEqual(Set(manifest.images.map(\.voi)), ["window", "lut", "minmax"], "every VOI path has a fixture")
        for item in manifest.images {
            let image = try ImageIO.read(DICOMManifest.fixture(item.file))
            XCTAssertEqual([image.width, image.height, image.channels], [24, 20, 1], item.file)
            XCTAssertEqual(image.sourceBitDepth, 16, item.file)
            let reference = try DICOMManifest.reference(item.reference)
            let difference = maximumDifference(image, reference)
            let bound = Self.tolerance(windowWidth: item.windowWidth, fractionalModality: item.fractionalModality)
            XCTAssertLessThanOrEqual(difference, bound, "\(item.file) (\(item.note)): max |vitrel − pydicom| = \(difference)")
            XCTAssertEqual(image.pixels.min(), 0, "\(item.file): the window clips to black somewhere")
            XCTAssertEqual(image.pixels.max(), 1, "\(item.file): and to white")
        }
    }

    /// The fixtures' "rib" (a band where |y − 0.4x − 6| < 2.5) is dense; shown bright whether
    /// the file stores it high (MONOCHROME2) or low (MONOCHROME1).
    func testBoneIsBrightInMonochrome1AndMonochrome2() throws {
        for file in ["mono1_12bit_window.dcm", "mono2_12bit_window.dcm"] {
            let image = try ImageIO.read(DICOMManifest.fixture(file))
            var band = [Float](), rest = [Float]()
            for y in 0..<image.height {
                for x in 0..<image.width {
                    let value = image.pixels[y * image.width + x]
                    if abs(Float(y) - 0.4 * Float(x) - 6) < 2.5 { band.append(value) } else { rest.append(value) }
                }
            }
            let bandMean = band.reduce(0, +) / Float(band.count), restMean = rest.reduce(0, +) / Float(rest.count)
            XCTAssertGreaterThan(bandMean, restMean + 0.2, "\(file): the rib is not brighter (\(bandMean) against \(restMean))")
        }
    }

    func testWindowOverrideIsPydicomsWindowWithThoseValues() throws {
        for item in try DICOMManifest.load().windowOverrides {
            let window = try DICOMWindow(center: item.center, width: item.width)
            let url = DICOMManifest.fixture(item.file)
            let image = try ImageIO.read(url, options: ImageReadOptions(dicomWindow: window))
            let difference = maximumDifference(image, try DICOMManifest.reference(item.reference))
            let bound = Self.tolerance(windowWidth: item.width, fractionalModality: item.fractionalModality)
            XCTAssertLessThanOrEqual(difference, bound, "\(item.file) with --window \(window): max |vitrel − pydicom| = \(difference)")
            XCTAssertGreaterThan(maximumDifference(image, try ImageIO.read(url).pixels), 0.1, "\(item.file): the override changed nothing")
            // The model-input path reads the same samples.
            let preprocessing = Preprocessing(inputHeight: 20, inputWidth: 24, mean: [0, 0, 0], std: [1, 1, 1])
            let input = try preprocessing.input(reading: url, options: ImageReadOptions(dicomWindow: window))
            XCTAssertEqual(input.scalars, preprocessing.apply(to: image).scalars, item.file)
        }
    }

    func testPNGAndJPEGIgnoreTheWindow() throws {
        let url = try TestPaths.temporaryDirectory(self).appendingPathComponent("x.png")
        try DatasetTestTrees.writeImage(url, value: 0.25)
        let options = ImageReadOptions(dicomWindow: try DICOMWindow(center: 10, width: 2))
        XCTAssertEqual(try ImageIO.read(url, options: options), try ImageIO.read(url))
    }

    func testMagicDecidesOverTheNameAndDotDcmMarksABareDataset() throws {
        let data = try Data(contentsOf: DICOMManifest.fixture("mono2_12bit_window.dcm"))
        let expected = try ImageIO.read(DICOMManifest.fixture("mono2_12bit_window.dcm"))
        for name in ["upload-7", "film.png", "film.DCM"] {
            XCTAssertEqual(try ImageIO.decode(data, name: name), expected, name)
        }
        // Without its preamble the dataset has no magic: read as DICOM only under a .dcm name.
        let bare = try Data(contentsOf: DICOMManifest.fixture("mono2_12bit_window_bare.dcm"))
        XCTAssertEqual(try ImageIO.decode(bare, name: "old.DCM"), expected)
        XCTAssertThrowsError(try ImageIO.decode(bare, name: "old.png")) { error in
            guard case .unsupportedFormat = error as? ImageError else { return XCTFail("\(error)") }
        }
    }

    func testRefusedFilesGiveOneLineNamingTheFileAndTheProblem() throws {
        let manifest = try DICOMManifest.load()
        XCTAssertEqual(Set(manifest.refused.map(\.file)), ["multiframe.dcm", "no_pixel_data.dcm", "truncated.dcm", "jpeg2000.dcm", "rgb.dcm"])
        for item in manifest.refused {
            let url = DICOMManifest.fixture(item.file)
            XCTAssertThrowsError(try ImageIO.read(url), item.file) { error in
                guard let error = error as? ImageError else { return XCTFail("\(item.file): \(error) is not an ImageError") }
                let message = error.description
                XCTAssertTrue(message.hasPrefix(url.path + ": "), message)
                XCTAssertTrue(message.contains(item.contains), "\(item.file): \"\(message)\" lacks \"\(item.contains)\"")
                XCTAssertFalse(message.contains("\n"), message)
            }
        }
        XCTAssertThrowsError(try ImageIO.read(DICOMManifest.fixture("truncated.dcm"))) { error in
            guard case .truncated(_, .dicom, _) = error as? ImageError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try ImageIO.read(DICOMManifest.fixture("jpeg2000.dcm"))) { error in
            XCTAssertTrue("\(error)".contains("1.2.840.10008.1.2.4.90"), "\(error)")
        }
    }

    /// A file cut anywhere, or with bytes overwritten, is refused in one line or decodes;
    /// DCMTK never crashes the process and never prints.
    func testCutAndDamagedFilesFailInOneLine() throws {
        for file in ["mono2_12bit_window.dcm", "mono2_16bit_signed_rle.dcm", "mono2_8bit_jpeg_baseline.dcm", "mono2_12bit_voilut.dcm"] {
            let data = try Data(contentsOf: DICOMManifest.fixture(file))
            for length in stride(from: 1, to: data.count, by: 23) {
                let name = "\(file) cut at \(length).dcm"
                XCTAssertThrowsError(try ImageIO.decode(data.prefix(length), name: name), name) { error in
                    let message = "\(error)"
                    XCTAssertTrue(error is ImageError && message.hasPrefix(name + ": ") && !message.contains("\n"), message)
                }
            }
            var generator = SeededGenerator(seed: 15)
            for trial in 0..<60 {
                var damaged = [UInt8](data)
                for _ in 0..<4 {
                    let at = 132 + Int(generator.next() % UInt64(damaged.count - 132))
                    damaged[at] = UInt8(truncatingIfNeeded: generator.next())
                }
                let name = "\(file) damaged \(trial).dcm"
                do {
                    let image = try ImageIO.decode(Data(damaged), name: name)
                    XCTAssertTrue(image.pixels.allSatisfy { $0 >= 0 && $0 <= 1 }, name)
                } catch let error as ImageError {
                    XCTAssertTrue(error.description.hasPrefix(name + ": ") && !error.description.contains("\n"), error.description)
                }
            }
        }
    }

    func testWindowParsing() throws {
        XCTAssertEqual(try DICOMWindow(parsing: "1500,800"), try DICOMWindow(center: 1500, width: 800))
        XCTAssertEqual(try DICOMWindow(parsing: " -600 , 1500.5 "), try DICOMWindow(center: -600, width: 1500.5))
        XCTAssertEqual(try DICOMWindow(parsing: "40,1").description, "40,1")
        XCTAssertEqual(try DICOMWindow(parsing: "-600,1500.5").description, "-600,1500.5")
        for bad in ["", "1500", "a,b", "1500,800,3", "1500;800", "nan,800", "1500,inf"] {
            XCTAssertThrowsError(try DICOMWindow(parsing: bad), bad)
        }
        XCTAssertThrowsError(try DICOMWindow(parsing: "1500,0")) { error in
            XCTAssertEqual(error as? DICOMWindowError, .widthBelowOne(0))
        }
        XCTAssertThrowsError(try DICOMWindow(parsing: "1500,-20"))
        XCTAssertThrowsError(try DICOMWindow(parsing: "1500,0.5"), "PS3.3 C.11.2.1.2 asks for w ≥ 1")
    }
}
