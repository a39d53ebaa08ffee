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

/// `--precision`: an unknown precision is a usage error, and where oneDNN has no bfloat16
/// matmul (capped to AVX2 here) bf16 is refused in one line rather than crashing. That bf16
/// predicts like fp32 is tested on the model in VitRelModelTests (ClassifierModelFileTests).
final class CLIPrecisionTests: XCTestCase {
    func testUnknownPrecisionIsAUsageError() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let image = try TestImages.write(in: directory).path
        let run = try CLI.run(["predict", "--model", CLI.tinyModel, "--precision", "fp16", "--image", image])
        XCTAssertEqual(run.status, 64)
        XCTAssertEqual(run.diagnosticLines.count, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("fp16"), run.stderr)
    }

    func testBFloat16WithoutItsMatmulIsOneLine() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let image = try TestImages.write(in: directory).path
        let run = try CLI.run(["predict", "--model", CLI.tinyModel, "--precision", "bf16", "--image", image],
                              environment: ["ONEDNN_MAX_CPU_ISA": "AVX2"])
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertEqual(run.errorMessages.count, 1, run.stderr)
        XCTAssertTrue(run.errorMessages[0].contains("AVX-512") && run.errorMessages[0].contains("AVX2"), run.stderr)
    }

    /// `train` and `bench train` take the precision of the training steps: fp16 is a usage
    /// error, and bf16 where oneDNN has no bfloat16 matmul one line before any data is read
    /// (the data folder given does not exist, and the error is still the precision's).
    func testTrainingPrecisionIsParsedAndRefusedInOneLineWithoutItsMatmul() throws {
        let unknown = try CLI.run(["train", "--data", "/nonexistent", "--out", "/nonexistent/out", "--precision", "fp16"])
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.stderr.contains("fp16"), unknown.stderr)
        for arguments in [["train", "--data", "/nonexistent", "--out", "/nonexistent/out", "--precision", "bf16"],
                          ["bench", "train", "--arch", "vit_tiny_patch16_224", "--batch", "1", "--steps", "1", "--precision", "bf16"]] {
            let run = try CLI.run(arguments, environment: ["ONEDNN_MAX_CPU_ISA": "AVX2"])
            XCTAssertEqual(run.status, 1, run.stderr)
            XCTAssertEqual(run.errorMessages.count, 1, run.stderr)
            XCTAssertTrue(run.errorMessages[0].contains("AVX-512") && run.errorMessages[0].contains("AVX2"), run.stderr)
        }
        let help = try CLI.run(["train", "--help"])
        XCTAssertTrue(help.stdout.contains("--precision <fp32|bf16>"), help.stdout)
    }

    /// Where bf16 runs, `train --precision bf16` says so on the line that announces the data.
    func testTrainingAtBFloat16SaysSo() throws {
        guard BFloat16Matrix.isSupported else { throw XCTSkip("oneDNN has no bfloat16 matmul on \(OneDNNGEMM.instructionSet)") }
        let root = try TestPaths.temporaryDirectory(self)
        let data = root.appendingPathComponent("synth")
        try SyntheticDataset.write(to: data, perClass: 4, seed: 5, size: 64, splits: [("Train", 0.5), ("Val", 0.5)])
        let run = try CLI.run([
            "train", "--data", data.path, "--out", root.appendingPathComponent("model").path, "--image-size", "16",
            "--patch-size", "8", "--embed-dim", "16", "--depth", "1", "--heads", "2", "--epochs", "1", "--batch", "4",
            "--precision", "bf16"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("products in bf16 (mixed precision), validation in fp32"), run.stderr)
    }
}
