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

/// `vitrel evaluate` and `vitrel synth` as a user runs them.
final class CLIEvaluateTests: XCTestCase {
    /// `--batch 0` is refused in one line naming the flag.
    func testABatchOfZeroIsRefused() throws {
        let root = try TestPaths.temporaryDirectory(self)
        let zero = try CLI.run(["evaluate", "--model", CLI.tinyModel, "--data", root.path, "--batch", "0"])
        XCTAssertNotEqual(zero.status, 0)
        XCTAssertTrue(zero.stderr.contains("--batch must be at least 1"), zero.stderr)
    }

    /// What `evaluate` prints (`--json`: the report with the fitted temperature; text: the
    /// calibration at `--temperature` over `--calibration-bins`) and the reliability diagrams it
    /// writes, PNGs of the documented size. The numbers are tested on the library in
    /// VitRelTrainingTests (SplitEvaluationTests).
    func testEvaluatePrintsCalibrationAndWritesReliabilityDiagrams() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try SyntheticDataset.write(to: root, perClass: 14, seed: 3, size: 64, shortcutProbability: 0)
        let diagram = root.appendingPathComponent("reliability.png"), scaled = root.appendingPathComponent("scaled.png")
        let run = try CLI.run([
            "evaluate", "--model", CLI.tinyModel, "--data", root.path, "--json", "--fit-temperature",
            "--reliability-diagram", diagram.path, "--reliability-diagram-scaled", scaled.path,
        ])
        XCTAssertEqual(run.status, 0, run.stderr)
        let printed = try JSONDecoder().decode(EvaluationReport.self, from: Data(run.stdout.utf8))
        XCTAssertEqual(printed.classification.sampleCount, 6)
        XCTAssertEqual(printed.temperature, 1)
        XCTAssertEqual(printed.calibration.binCount, 15)
        XCTAssertNotNil(printed.temperatureScaling)
        for url in [diagram, scaled] {
            let image = try ImageIO.read(url)
            XCTAssertEqual([image.width, image.height], [560, 660], url.lastPathComponent)
        }

        let text = try CLI.run(["evaluate", "--model", CLI.tinyModel, "--data", root.path, "--calibration-bins", "10", "--temperature", "1.5"])
        XCTAssertEqual(text.status, 0, text.stderr)
        for line in ["calibration of softmax(logits / T), T = 1.5 (top label, 10 equal-width bins", "  ECE  ", "  MCE  ", "  NLL  ", "  Brier  "] {
            XCTAssertTrue(text.stdout.contains(line), "text output lacks \"\(line)\":\n\(text.stdout)")
        }
    }

    /// Each bad calibration option is refused before any work, in one line naming the flag.
    func testBadCalibrationOptionsAreOneLineErrors() throws {
        let root = try TestPaths.temporaryDirectory(self)
        let cases: [([String], String)] = [
            (["--temperature", "0"], "--temperature must be a positive finite number"),
            (["--temperature", "nan"], "--temperature must be a positive finite number"),
            (["--temperature", "inf"], "--temperature must be a positive finite number"),
            (["--calibration-bins", "0"], "--calibration-bins must lie in 1…10000, got 0"),
            (["--calibration-bins", "9223372036854775807"], "--calibration-bins must lie in 1…10000"),
            (["--limit=-1"], "--limit must be at least 1, got -1"),
            (["--temperature", "2", "--fit-temperature"], "--temperature and --fit-temperature exclude each other"),
            (["--reliability-diagram-scaled", "x.png"], "--reliability-diagram-scaled needs --fit-temperature"),
        ]
        for (arguments, message) in cases {
            let run = try CLI.run(["evaluate", "--model", CLI.tinyModel, "--data", root.path] + arguments)
            XCTAssertNotEqual(run.status, 0, arguments.joined(separator: " "))
            XCTAssertEqual(run.errorMessages.count, 1, run.stderr)
            XCTAssertTrue(run.stderr.contains(message), "\(arguments): \(run.stderr)")
        }
    }

    func testSynthDocumentsItsShortcutAndEvidenceOptionsAndRejectsABadStrengthInOneLine() throws {
        let help = try CLI.run(["synth", "--help"])
        XCTAssertEqual(help.status, 0, help.stderr)
        for option in ["--evidence-strength", "--shortcut-placement", "swapped", "shortcut masks"] {
            XCTAssertTrue(help.stdout.contains(option), "synth --help does not mention \(option)")
        }
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("d").path
        let bad = try CLI.run(["synth", "--out", out, "--evidence-strength", "5"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertEqual(bad.errorMessages.count, 1, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("--evidence-strength must be in [0, 4]"), bad.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        let placement = try CLI.run(["synth", "--out", out, "--shortcut-placement", "sideways"])
        XCTAssertNotEqual(placement.status, 0)
        XCTAssertTrue(placement.stderr.contains("sideways"), placement.stderr)
    }
}
