import Foundation
import XCTest
@testable import VitRel
@testable import VitRelModel
@testable import VitRelData
@testable import VitRelRendering
@testable import VitRelExplain
@testable import VitRelMetrics
@testable import VitRelTraining
@testable import VitRelReporting
import VitRelTestSupport

/// `.dcm` files through the built `vitrel`: predict, explain and compare read them as displayed,
/// `--window` changes what the model sees, and bad windows and refused files fail in one line.
final class CLIDICOMTests: XCTestCase {
    private let film = DICOMManifest.fixture("mono1_12bit_window.dcm").path

    private func logits(_ run: CLI.Run) throws -> [Double] {
        let images = try XCTUnwrap(CLI.json(Data(run.stdout.utf8))["images"] as? [[String: Any]])
        return try XCTUnwrap(images.first?["logits"] as? [Double])
    }

    func testPredictClassifiesADcmAsTheLibraryDecodesItAndWindowChangesIt() throws {
        let run = try CLI.run(["predict", "--model", CLI.tinyModel, "--image", film, "--json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.errorLines, [])
        let model = try ClassifierModel.load(from: URL(fileURLWithPath: CLI.tinyModel))
        let input = try model.preprocessing.input(reading: URL(fileURLWithPath: film))
        let expected = try model.network(input.reshaped([1] + input.shape)).scalars
        for (got, want) in zip(try logits(run), expected) { XCTAssertEqual(got, Double(want), accuracy: 1e-4) }

        let windowed = try CLI.run(["predict", "--model", CLI.tinyModel, "--image", film, "--window", "3000,1200", "--json"])
        XCTAssertEqual(windowed.status, 0, windowed.stderr)
        let options = ImageReadOptions(dicomWindow: try DICOMWindow(center: 3000, width: 1200))
        let windowedInput = try model.preprocessing.input(reading: URL(fileURLWithPath: film), options: options)
        let windowedExpected = try model.network(windowedInput.reshaped([1] + windowedInput.shape)).scalars
        for (got, want) in zip(try logits(windowed), windowedExpected) { XCTAssertEqual(got, Double(want), accuracy: 1e-4) }
        XCTAssertNotEqual(try logits(windowed), try logits(run))

        let text = try CLI.run(["predict", "--model", CLI.tinyModel, "--image", film])
        XCTAssertTrue(text.stdout.hasPrefix(film + "\t"), text.stdout)
    }

    func testExplainDrawsOverADcm() throws {
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("out")
        let run = try CLI.run(["explain", "--model", CLI.tinyModel, "--image", film, "--method", "attention-rollout",
                               "--window=3000,1200", "--out", out.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("mono1_12bit_window.attention-rollout.panel.png").path))
    }

    func testCompareReadsADcmDatasetAndKeepsTheWindowInRunJSON() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let data = directory.appendingPathComponent("data"), out = directory.appendingPathComponent("out")
        for (file, target) in [("mono1_12bit_window.dcm", "val/COVID-19/a.dcm"), ("mono2_16bit_signed_rle.dcm", "val/Normal/b.dcm"),
                               ("mono2_8bit_jpeg_baseline.dcm", "val/Non-COVID/c.dcm")] {
            let url = data.appendingPathComponent(target)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: DICOMManifest.fixture(file), to: url)
        }
        let arguments = ["compare", "--model", CLI.tinyModel, "--data", data.path, "--split", "val", "--methods", "attention-rollout",
                         "--metrics", "faithfulness-estimate", "--grids", "1", "--out", out.path]
        let run = try CLI.run(arguments + ["--window", "2000,3000"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("compared 3 images"), run.stderr)
        let settings = try XCTUnwrap(CLI.json(file: out.appendingPathComponent("run.json"))["settings"] as? [String: Any])
        XCTAssertEqual(settings["window"] as? String, "2000,3000")
        let rerun = try CLI.run(arguments)
        XCTAssertEqual(rerun.status, 1, rerun.stderr)
        XCTAssertTrue(rerun.stderr.contains("window: 2000,3000 before"), rerun.stderr)
    }

    func testBadWindowsAreValidationErrorsNamingTheFlag() throws {
        for value in ["wide", "1500", "1500,0", "1500,-5"] {
            for command in ["predict", "explain"] {
                let run = try CLI.run([command, "--model", CLI.tinyModel, "--image", film, "--window", value])
                XCTAssertEqual(run.status, 64, "\(command) --window \(value): \(run.stderr)")
                XCTAssertEqual(run.errorMessages.count, 1, run.stderr)
                XCTAssertTrue(run.errorMessages.first?.contains("--window") ?? false, run.stderr)
            }
        }
    }

    /// The other commands that read images take the flag too, and check it before any work.
    func testEveryImageReadingCommandTakesTheWindow() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let data = directory.appendingPathComponent("data").path, out = directory.appendingPathComponent("out").path
        let commands: [[String]] = [
            ["evaluate", "--model", CLI.tinyModel, "--data", data],
            ["audit", "--model", CLI.tinyModel, "--data", data, "--out", out],
            ["train", "--data", data, "--out", out],
            ["segment", "--image", film, "--out", out],
            ["conservation", "--model", CLI.tinyModel, "--image", film],
        ]
        for arguments in commands {
            let run = try CLI.run(arguments + ["--window", "1500,0"])
            XCTAssertEqual(run.status, 64, "\(arguments[0]): \(run.stderr)")
            XCTAssertTrue(run.errorMessages.first?.contains("--window") ?? false, run.stderr)
        }
        // Applied: the conservation audit of a windowed film starts from that film's logit.
        let own = try CLI.run(["conservation", "--model", CLI.tinyModel, "--image", film, "--json"])
        let windowed = try CLI.run(["conservation", "--model", CLI.tinyModel, "--image", film, "--window", "3000,1200", "--json"])
        XCTAssertEqual(own.status, 0, own.stderr)
        XCTAssertEqual(windowed.status, 0, windowed.stderr)
        let ownLogit = try XCTUnwrap(CLI.json(Data(own.stdout.utf8))["explainedOutput"] as? Double)
        let windowedLogit = try XCTUnwrap(CLI.json(Data(windowed.stdout.utf8))["explainedOutput"] as? Double)
        XCTAssertGreaterThan(abs(ownLogit - windowedLogit), 1e-6, "the window changed what the model saw")
    }

    func testRefusedDcmIsOneLineAndTheOthersAreClassified() throws {
        let multiframe = DICOMManifest.fixture("multiframe.dcm").path
        let run = try CLI.run(["predict", "--model", CLI.tinyModel, "--image", multiframe, film])
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertTrue(run.errorMessages.contains("vitrel: error: \(multiframe): unsupported DICOM: 2 frames (one radiograph per file is read)"), run.stderr)
        XCTAssertEqual(run.stdout.split(separator: "\n").count, 1)
    }
}
