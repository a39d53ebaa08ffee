import Foundation
import XCTest
import VitRelTestSupport
import VitRelCore
import VitRelImaging
@testable import VitRelModel

/// The tiny timm fixture model as `vitrel predict`, `inspect` and `convert` use it: image files
/// classified through `logits(reading:)` (DICOM as displayed, a window override, bfloat16), and
/// model folders whose config or weights are refused at load, naming the file and the field.
final class ClassifierModelFileTests: XCTestCase {
    private let film = DICOMManifest.fixture("mono1_12bit_window.dcm")

    private func logits(_ model: ClassifierModel, _ urls: [URL], options: ImageReadOptions = .fileDefaults) throws -> [[Float]] {
        try model.logits(reading: urls, options: options) { _, error in XCTFail("\(error)") }.map(\.logits)
    }

    /// A `.dcm` is classified as the library decodes it, and a window changes what the model sees.
    func testADcmIsClassifiedAsDecodedAndAWindowChangesIt() throws {
        let model = try ClassifierModel.load(from: TestPaths.tinyModel)
        let input = try model.preprocessing.input(reading: film)
        let expected = try model.network(input.reshaped([1] + input.shape)).scalars
        let own = try XCTUnwrap(try logits(model, [film]).first)
        for (got, want) in zip(own, expected) { XCTAssertEqual(Double(got), Double(want), accuracy: 1e-4) }

        let options = ImageReadOptions(dicomWindow: try DICOMWindow(center: 3000, width: 1200))
        let windowedInput = try model.preprocessing.input(reading: film, options: options)
        let windowedExpected = try model.network(windowedInput.reshaped([1] + windowedInput.shape)).scalars
        let windowed = try XCTUnwrap(try logits(model, [film], options: options).first)
        for (got, want) in zip(windowed, windowedExpected) { XCTAssertEqual(Double(got), Double(want), accuracy: 1e-4) }
        XCTAssertNotEqual(windowed, own)
    }

    /// bf16 predicts the classes fp32 does on the tiny model, its logits within 0.02.
    func testBFloat16PredictsTheSameClassesAsFloat32() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let images = try (0..<3).map { try TestImages.write(in: directory, name: "x\($0).png", brightness: 0.3 * Float($0 + 1)) }
        let fp32 = try ClassifierModel.load(from: TestPaths.tinyModel)
        var bf16 = fp32
        guard BFloat16Matrix.isSupported else {
            XCTAssertThrowsError(try bf16.network.setInferencePrecision(.bf16))
            throw XCTSkip("oneDNN has no bfloat16 matmul on \(OneDNNGEMM.instructionSet)")
        }
        try bf16.network.setInferencePrecision(.bf16)
        let a = try logits(fp32, images), b = try logits(bf16, images)
        XCTAssertEqual(a.count, 3)
        XCTAssertEqual(a.count, b.count)
        var changed = false
        for (x, y) in zip(a, b) {
            XCTAssertEqual(softmaxProbabilities(x).indexOfMaximum, softmaxProbabilities(y).indexOfMaximum)
            for (p, q) in zip(x, y) {
                XCTAssertEqual(Double(p), Double(q), accuracy: 0.02, "bf16 logits within 0.02 of fp32's on the tiny model")
                changed = changed || p != q
            }
        }
        XCTAssertTrue(changed, "bf16 ran bfloat16 products")
    }

    // MARK: Refused folders

    /// A copy of the tiny fixture model with its config.json (and weights) edited.
    private func modelFolder(_ edit: (inout [String: Any]) -> Void, weights: ((inout Data) -> Void)? = nil) throws -> URL {
        try EditedModelFolder.make(from: TestPaths.tinyModel, for: self, config: edit, weights: weights)
    }

    private func assertRefused(_ folder: URL, mentions: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ClassifierModel.load(from: folder), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertFalse(message.contains("\n"), "one line: \(message)", file: file, line: line)
            for text in mentions { XCTAssertTrue(message.contains(text), "\"\(message)\" lacks \(text)", file: file, line: line) }
        }
    }

    private func editPretrained(_ key: String, _ value: Any) -> (inout [String: Any]) -> Void {
        { config in
            var pretrained = config["pretrained_cfg"] as! [String: Any]
            pretrained[key] = value
            config["pretrained_cfg"] = pretrained
        }
    }

    func testDuplicateOrEmptyClassNamesAreRefused() throws {
        for names in [["", "", ""], ["a", "b", "a"]] {
            assertRefused(try modelFolder { $0["label_names"] = names }, mentions: ["config.json"])
        }
    }

    func testPreprocessingNumbersThatImplyNaNOrHugeResizesAreRefused() throws {
        assertRefused(try modelFolder(editPretrained("crop_pct", 1e-9)), mentions: ["crop_pct", "16384"])
        assertRefused(try modelFolder(editPretrained("std", [1e-45, 1e-45, 1e-45])), mentions: ["std"])
        assertRefused(try modelFolder(editPretrained("mean", [1e308, 0.5, 0.5])), mentions: ["mean"])
    }

    func testArchitectureNumbersThatImplyNaNOrTerabytesAreRefused() throws {
        assertRefused(try modelFolder { config in
            var args = config["model_args"] as! [String: Any]
            args["img_size"] = [65536, 65536]
            config["model_args"] = args
        }, mentions: ["tokens", "9216"])
    }

    /// A NaN written over the first weight's first element (the header stays valid).
    func testNonFiniteWeightsAreRefusedNamingTheTensor() throws {
        let folder = try modelFolder({ _ in }, weights: EditedModelFolder.nanOverFirstWeight)
        assertRefused(folder, mentions: ["tensor", "nan", "finite"])
    }

    /// `vitrel convert --dtype f16`: a folder whose weights are all F16, which loads and classifies.
    func testAnF16CopyIsAllF16AndClassifies() throws {
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("half")
        let model = try ClassifierModel.load(from: TestPaths.tinyModel)
        try model.write(timmFolder: out, storage: .float16)
        let file = try SafeTensors.read(out.appendingPathComponent("model.safetensors"))
        XCTAssertTrue(file.entries.values.allSatisfy { $0.dtype == .float16 })
        let half = try ClassifierModel.load(from: out)
        XCTAssertEqual(try logits(half, [try TestImages.write(in: out)]).count, 1)
    }

    /// A conversion into a folder that holds a model already is refused, naming the file, and
    /// the model there is left as it was.
    func testWritingOverAModelIsRefusedAndLeavesItUntouched() throws {
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("copy")
        let model = try ClassifierModel.load(from: TestPaths.tinyModel)
        try model.write(timmFolder: out, storage: .float16)
        let weights = out.appendingPathComponent("model.safetensors")
        let before = try Data(contentsOf: weights)
        XCTAssertThrowsError(try model.write(timmFolder: out, storage: .float32)) { error in
            XCTAssertEqual(error as? CheckpointError, .wouldOverwrite(file: weights.path))
            XCTAssertEqual("\(error)", "\(weights.path): exists; write the model into a new folder")
        }
        XCTAssertEqual(try Data(contentsOf: weights), before)
    }
}
