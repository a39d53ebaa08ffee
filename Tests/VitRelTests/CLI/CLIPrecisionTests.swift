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
}
