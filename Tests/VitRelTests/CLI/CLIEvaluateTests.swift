import Foundation
import XCTest
@testable import VitRel

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

    func testSynthDocumentsItsShortcutAndEvidenceOptionsAndRejectsABadStrengthInOneLine() throws {
        let help = try CLI.run(["synth", "--help"])
        XCTAssertEqual(help.status, 0, help.stderr)
        for option in ["--evidence-strength", "--shortcut-placement", "swapped", "shortcut masks"] {
            XCTAssertTrue(help.stdout.contains(option), "synth --help does not mention \(option)")
        }
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("d").path
        let bad = try CLI.run(["synth", "--out", out, "--evidence-strength", "5"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertEqual(bad.errorLines.filter { $0.hasPrefix("Error") }.count, 1, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("--evidence-strength must be in [0, 4]"), bad.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        let placement = try CLI.run(["synth", "--out", out, "--shortcut-placement", "sideways"])
        XCTAssertNotEqual(placement.status, 0)
        XCTAssertTrue(placement.stderr.contains("sideways"), placement.stderr)
    }
}
