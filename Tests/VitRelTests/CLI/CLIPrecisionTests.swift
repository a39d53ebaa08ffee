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

/// `--precision`: bf16 predicts like fp32 on the tiny model, an unknown precision is a usage
/// error, and where oneDNN has no bfloat16 matmul (capped to AVX2 here) bf16 is refused in one
/// line rather than crashing.
final class CLIPrecisionTests: XCTestCase {
    private func imageRecords(_ run: CLI.Run) throws -> [[String: Any]] {
        let parsed = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.stdout)
        return try XCTUnwrap(parsed["images"] as? [[String: Any]], run.stdout)
    }

    func testBFloat16PredictsTheSameClassesAsFloat32() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let images = try (0..<3).map { try TestImages.write(in: directory, name: "x\($0).png", brightness: 0.3 * Float($0 + 1)).path }
        let fp32 = try CLI.run(["predict", "--model", CLI.tinyModel, "--json", "--image"] + images)
        XCTAssertEqual(fp32.status, 0, fp32.stderr)
        guard BFloat16Matrix.isSupported else {
            let bf16 = try CLI.run(["predict", "--model", CLI.tinyModel, "--precision", "bf16", "--image"] + images)
            XCTAssertNotEqual(bf16.status, 0)
            XCTAssertEqual(bf16.errorMessages.count, 1, bf16.stderr)
            throw XCTSkip("oneDNN has no bfloat16 matmul on \(OneDNNGEMM.instructionSet)")
        }
        let bf16 = try CLI.run(["predict", "--model", CLI.tinyModel, "--precision", "bf16", "--json", "--image"] + images)
        XCTAssertEqual(bf16.status, 0, bf16.stderr)
        let a = try imageRecords(fp32), b = try imageRecords(bf16)
        XCTAssertEqual(a.count, 3)
        XCTAssertEqual(a.count, b.count)
        var changed = false
        for (x, y) in zip(a, b) {
            XCTAssertEqual(try XCTUnwrap(x["prediction"] as? String), try XCTUnwrap(y["prediction"] as? String))
            let logitsA = try XCTUnwrap(x["logits"] as? [Double]), logitsB = try XCTUnwrap(y["logits"] as? [Double])
            for (p, q) in zip(logitsA, logitsB) {
                XCTAssertEqual(p, q, accuracy: 0.02, "bf16 logits within 0.02 of fp32's on the tiny model")
                changed = changed || p != q
            }
        }
        XCTAssertTrue(changed, "--precision bf16 ran bfloat16 products")
    }

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
}
