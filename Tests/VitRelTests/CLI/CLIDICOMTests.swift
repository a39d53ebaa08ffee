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

/// `.dcm` files through the built `vitrel`: `--window` is taken by every command that reads
/// images and reaches the decoder, and bad windows and refused files fail in one line. Reading
/// DICOM in explain and compare is tested on the engine (VitRelCompareTests).
final class CLIDICOMTests: XCTestCase {
    private let film = DICOMManifest.fixture("mono1_12bit_window.dcm").path

    private func logits(_ run: CLI.Run) throws -> [Double] {
        let images = try XCTUnwrap(CLI.json(Data(run.stdout.utf8))["images"] as? [[String: Any]])
        return try XCTUnwrap(images.first?["logits"] as? [Double])
    }

    /// `--window` reaches the decoder (the logits change) and the text output starts with the
    /// file; the logits themselves are tested on `ClassifierModel.logits(reading:)` in
    /// VitRelModelTests.
    func testPredictPrintsADcmAndTheWindowReachesTheDecoder() throws {
        let run = try CLI.run(["predict", "--model", CLI.tinyModel, "--image", film, "--json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.errorLines, [])
        let windowed = try CLI.run(["predict", "--model", CLI.tinyModel, "--image", film, "--window", "3000,1200", "--json"])
        XCTAssertEqual(windowed.status, 0, windowed.stderr)
        XCTAssertNotEqual(try logits(windowed), try logits(run))

        let text = try CLI.run(["predict", "--model", CLI.tinyModel, "--image", film])
        XCTAssertTrue(text.stdout.hasPrefix(film + "\t"), text.stdout)
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
