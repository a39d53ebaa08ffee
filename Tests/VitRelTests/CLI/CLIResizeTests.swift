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

/// `--resize`: `vitrel predict` gives timm's logits on the same 8-bit PNG by default, `float`
/// is the earlier path, and a compare folder recorded before the flag existed resumes only as
/// the float run it was.
final class CLIResizeTests: XCTestCase {
    private func logits(_ run: CLI.Run) throws -> [Double] {
        let parsed = try CLI.json(Data(run.stdout.utf8))
        let images = try XCTUnwrap(parsed["images"] as? [[String: Any]], run.stdout)
        return try XCTUnwrap(images.first?["logits"] as? [Double], run.stdout)
    }

    func testPredictGivesTimmsLogitsByDefaultAndFloatOnRequest() throws {
        let manifest = try PillowResizeManifest.load()
        let image = PillowResizeManifest.fixture(manifest.timmEval.image).path
        let expected = try XCTUnwrap(try NPY.read(PillowResizeManifest.fixture(manifest.timmEval.logits)).values(as: Float.self)).map(Double.init)
        let scale = expected.map(abs).max()!
        let byDefault = try CLI.run(["predict", "--model", CLI.tinyModel, "--json", "--image", image])
        XCTAssertEqual(byDefault.status, 0, byDefault.stderr)
        XCTAssertLessThanOrEqual(zip(try logits(byDefault), expected).map { abs($0 - $1) }.max()! / scale, 1e-5, byDefault.stdout)
        XCTAssertTrue(byDefault.stdout.contains("Pillow 8-bit arithmetic"), "the JSON names the arithmetic")
        let float = try CLI.run(["predict", "--model", CLI.tinyModel, "--json", "--resize", "float", "--image", image])
        XCTAssertEqual(float.status, 0, float.stderr)
        XCTAssertGreaterThan(zip(try logits(float), expected).map { abs($0 - $1) }.max()! / scale, 1e-5)
        let unknown = try CLI.run(["predict", "--model", CLI.tinyModel, "--resize", "torch", "--image", image])
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.stderr.contains("pillow") && unknown.stderr.contains("float"), unknown.stderr)
    }

    func testACompareFolderFromBeforeTheFlagResumesOnlyAsFloat() throws {
        let data = try TestPaths.temporaryDirectory(self).appendingPathComponent("phantoms")
        XCTAssertEqual(try CLI.run(["synth", "--out", data.path, "--per-class", "4", "--size", "64", "--seed", "3"]).status, 0)
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("report")
        let arguments = ["compare", "--model", CLI.tinyModel, "--data", data.path, "--split", "Train", "--methods", "attention-rollout",
                         "--metrics", "pointing-game", "--per-class", "1", "--grids", "0", "--out", out.path]
        let first = try CLI.run(arguments + ["--resize", "float"])
        XCTAssertEqual(first.status, 0, first.stderr)
        // A run.json as vitrel wrote it before --resize existed: no "resize" in its settings.
        let runFile = out.appendingPathComponent("run.json")
        var record = try CLI.json(file: runFile)
        var settings = try XCTUnwrap(record["settings"] as? [String: Any])
        XCTAssertEqual(settings["resize"] as? String, "float")
        settings["resize"] = nil
        record["settings"] = settings
        try JSONSerialization.data(withJSONObject: record).write(to: runFile)

        let pillow = try CLI.run(arguments)
        XCTAssertNotEqual(pillow.status, 0, "rows resized in float are not mixed with Pillow's")
        XCTAssertEqual(pillow.errorLines.count, 1, pillow.stderr)
        XCTAssertTrue(pillow.stderr.contains("resize: float before (recorded before --resize existed; --resize float resumes it), pillow now"), pillow.stderr)
        let float = try CLI.run(arguments + ["--resize", "float"])
        XCTAssertEqual(float.status, 0, float.stderr)
        XCTAssertTrue(float.stderr.contains("rows resumed"), float.stderr)
    }
}
