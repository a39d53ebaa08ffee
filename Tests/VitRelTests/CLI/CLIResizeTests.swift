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

/// `--resize`: what `vitrel predict` prints and refuses.
final class CLIResizeTests: XCTestCase {
    private func logits(_ run: CLI.Run) throws -> [Double] {
        let parsed = try CLI.json(Data(run.stdout.utf8))
        let images = try XCTUnwrap(parsed["images"] as? [[String: Any]], run.stdout)
        return try XCTUnwrap(images.first?["logits"] as? [Double], run.stdout)
    }

    /// The JSON names the arithmetic, `--resize float` reaches the preprocessing (other logits)
    /// and an unknown value is a usage error naming the choices. That the default gives timm's
    /// logits is tested in VitRelModelTests (TimmEvalPipelineTests); a compare folder recorded
    /// before the flag, in VitRelCompareTests (ComparisonFolderTests).
    func testPredictNamesTheArithmeticAndFloatOnRequest() throws {
        let manifest = try PillowResizeManifest.load()
        let image = PillowResizeManifest.fixture(manifest.timmEval.image).path
        let byDefault = try CLI.run(["predict", "--model", CLI.tinyModel, "--json", "--image", image])
        XCTAssertEqual(byDefault.status, 0, byDefault.stderr)
        XCTAssertTrue(byDefault.stdout.contains("Pillow 8-bit arithmetic"), "the JSON names the arithmetic")
        let float = try CLI.run(["predict", "--model", CLI.tinyModel, "--json", "--resize", "float", "--image", image])
        XCTAssertEqual(float.status, 0, float.stderr)
        XCTAssertNotEqual(try logits(float), try logits(byDefault))
        let unknown = try CLI.run(["predict", "--model", CLI.tinyModel, "--resize", "torch", "--image", image])
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.stderr.contains("pillow") && unknown.stderr.contains("float"), unknown.stderr)
    }
}
