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
    /// The report printed by `evaluate --json`, in batches of 4 (4 + 2 images), equals the
    /// library's report of one unbatched forward pass over the same preprocessed split.
    func testEvaluateInBatchesReportsWhatOneForwardPassOfTheWholeSplitGives() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try SyntheticDataset.write(to: root, perClass: 14, seed: 3, size: 64, shortcutProbability: 0)  // Test: numbers 13–14
        let run = try CLI.run(["evaluate", "--model", CLI.tinyModel, "--data", root.path, "--batch", "4", "--json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let printed = try JSONDecoder().decode(ClassificationReport.self, from: Data(run.stdout.utf8))

        let model = try ClassifierModel.load(from: URL(fileURLWithPath: CLI.tinyModel))
        let index = try DatasetIndex.open(root).mapped(toModelClasses: model.classNames)
        let split = PreparedSplit.prepare(index, split: .test, preprocessing: model.preprocessing)
        let logits = try model.network(split.inputs)  // [6, 3]
        let probabilities = (0..<split.count).map { softmaxProbabilities(Array(logits.scalars[(3 * $0)..<(3 * $0 + 3)])) }
        let expected = try ClassificationReport(labels: split.labels, probabilities: probabilities, classNames: model.classNames)

        XCTAssertEqual(printed.sampleCount, 6)
        XCTAssertEqual(printed.confusionMatrix, expected.confusionMatrix)
        XCTAssertEqual(printed.accuracy, expected.accuracy)
        XCTAssertEqual(printed.classes.map(\.support), [2, 2, 2])
        for (a, b) in zip(printed.classes, expected.classes) {
            XCTAssertEqual(a.f1, b.f1, a.name)
            XCTAssertEqual(try XCTUnwrap(a.auroc), try XCTUnwrap(b.auroc), accuracy: 1e-9, a.name)
        }
        let zero = try CLI.run(["evaluate", "--model", CLI.tinyModel, "--data", root.path, "--batch", "0"])
        XCTAssertNotEqual(zero.status, 0)
        XCTAssertTrue(zero.stderr.contains("--batch must be at least 1"), zero.stderr)
    }

    /// `evaluate --json` carries the calibration of the split (what the library computes from
    /// one forward pass of it) and the fitted temperature; the diagrams are PNGs of the
    /// documented size; the text names ECE, MCE, NLL and Brier.
    func testEvaluateReportsCalibrationAndWritesReliabilityDiagrams() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try SyntheticDataset.write(to: root, perClass: 14, seed: 3, size: 64, shortcutProbability: 0)
        let diagram = root.appendingPathComponent("reliability.png"), scaled = root.appendingPathComponent("scaled.png")
        let run = try CLI.run([
            "evaluate", "--model", CLI.tinyModel, "--data", root.path, "--json", "--fit-temperature",
            "--reliability-diagram", diagram.path, "--reliability-diagram-scaled", scaled.path,
        ])
        XCTAssertEqual(run.status, 0, run.stderr)
        let printed = try JSONDecoder().decode(EvaluationReport.self, from: Data(run.stdout.utf8))

        let model = try ClassifierModel.load(from: URL(fileURLWithPath: CLI.tinyModel))
        let index = try DatasetIndex.open(root).mapped(toModelClasses: model.classNames)
        let split = PreparedSplit.prepare(index, split: .test, preprocessing: model.preprocessing)
        let logits = try model.network(split.inputs)  // [6, 3]
        let rows = (0..<split.count).map { row in (0..<3).map { Double(logits.scalars[3 * row + $0]) } }
        let expected = try CalibrationReport(labels: split.labels, logits: rows)

        XCTAssertEqual(printed.temperature, 1)
        XCTAssertEqual(printed.calibration.sampleCount, 6)
        XCTAssertEqual(printed.calibration.binCount, 15)
        XCTAssertEqual(printed.calibration.bins.map(\.count), expected.bins.map(\.count))
        XCTAssertEqual(printed.calibration.expectedCalibrationError, expected.expectedCalibrationError, accuracy: 1e-6)
        XCTAssertEqual(printed.calibration.negativeLogLikelihood, expected.negativeLogLikelihood, accuracy: 1e-6)
        XCTAssertEqual(printed.calibration.brierScore, expected.brierScore, accuracy: 1e-6)
        let fit = try XCTUnwrap(printed.temperatureScaling)
        XCTAssertEqual(fit.before, printed.calibration)
        XCTAssertLessThanOrEqual(fit.after.negativeLogLikelihood, fit.before.negativeLogLikelihood)
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
