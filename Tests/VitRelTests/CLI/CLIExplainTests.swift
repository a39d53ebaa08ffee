import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRel
@testable import VitRelModel
@testable import VitRelData
@testable import VitRelRendering
@testable import VitRelExplain
@testable import VitRelMetrics
@testable import VitRelTraining
@testable import VitRelReporting

/// `vitrel explain`'s command line and what it prints, on the tiny timm fixture model. What it
/// writes (overlays, maps, records, LIME's files) is tested on `ExplanationJob` in
/// VitRelCompareTests.
final class CLIExplainTests: XCTestCase {
    func testAnUnreadableImageIsReportedInOneLineAndTheOthersAreStillExplained() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let good = try TestImages.write(in: directory)
        let missing = directory.appendingPathComponent("missing.png")
        let garbage = directory.appendingPathComponent("garbage.png")
        try Data("not an image".utf8).write(to: garbage)
        let out = directory.appendingPathComponent("out")
        let run = try CLI.run(["explain", "--model", CLI.tinyModel, "--image", missing.path, good.path, garbage.path, "--out", out.path, "--json"])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertEqual(run.errorLines.count, 2, run.stderr)
        XCTAssertTrue(run.errorLines[0].contains("missing.png"), run.errorLines[0])
        XCTAssertTrue(run.errorLines[1].contains("garbage.png"), run.errorLines[1])
        let report = try CLI.json(Data(run.stdout.utf8))
        XCTAssertEqual((report["images"] as? [[String: Any]])?.map { $0["file"] as? String }, [good.path])
        XCTAssertEqual(Set((report["errors"] as? [String: String])?.keys ?? [:].keys), [missing.path, garbage.path])
    }

    func testBadRequestsStopWithOneLineThatSaysWhatIsValid() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let image = try TestImages.write(in: directory).path
        let out = directory.appendingPathComponent("out").path
        let cases: [(arguments: [String], expected: [String])] = [
            (["--method", "saliency"], ["unknown method \"saliency\"", "chefer-lrp", "integrated-gradients", "lime"]),
            (["--target", "7"], ["out of range", "3 classes"]),
            (["--target", "Pneumonia"], ["unknown class \"Pneumonia\"", "COVID-19, Non-COVID, Normal"]),
            (["--method", "chefer-lrp", "--steps", "5"], ["--steps does not apply to method chefer-lrp", "integrated-gradients"]),
            (["--method", "chefer-lrp", "--baseline", "1"], ["--baseline does not apply to method chefer-lrp", "integrated-gradients, deeplift"]),
            (["--method", "deeplift", "--steps", "5"], ["--steps does not apply to method deeplift"]),
            (["--method", "deeplift", "--baseline", "nan"], ["--baseline must be a finite number"]),
            (["--method", "attnlrp", "--segmentation", "slic"], ["--segmentation does not apply to method attnlrp"]),
            (["--method", "lime", "--segmentation", "grid", "--kernel-size", "3"], ["--kernel-size", "does not apply to --segmentation grid"]),
            (["--method", "lime", "--features", "3,x"], ["--features"]),
            (["--start-layer", "2"], ["--start-layer 2 is out of range", "2 blocks"]),
            (["--alpha", "1.5"], ["--alpha must be in [0, 1]"]),
        ]
        for (arguments, expected) in cases {
            let run = try CLI.run(["explain", "--model", CLI.tinyModel, "--image", image, "--out", out] + arguments)
            XCTAssertNotEqual(run.status, 0, "\(arguments)")
            XCTAssertEqual(run.diagnosticLines.count, 1, "\(arguments): \(run.stderr)")
            for text in expected { XCTAssertTrue(run.stderr.contains(text), "\(arguments): \(run.stderr)") }
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "\(arguments): nothing is written")
        }
    }

    func testHelpListsEveryMethodAndTheFilesWritten() throws {
        let run = try CLI.run(["explain", "--help"])
        XCTAssertEqual(run.status, 0)
        for method in ExplanationMethod.allCases { XCTAssertTrue(run.stdout.contains("  \(method.rawValue) "), method.rawValue) }
        for text in [".overlay.png", ".pixels.npy", ".tokens.npy", ".panel.png", "--save-relevance", "--segmentation", "--gradcam-variant"] {
            XCTAssertTrue(run.stdout.contains(text), text)
        }
    }
}
