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

/// `--limit N` and `--per-class K` that get fewer images than asked say so, with the counts,
/// and still succeed.
final class CLISelectionShortfallTests: XCTestCase {
    private func dataset() throws -> URL {
        let data = try TestPaths.temporaryDirectory(self).appendingPathComponent("data")
        try DatasetTestTrees.writeImages(data, ["val/COVID-19/a.png", "val/COVID-19/b.png", "val/COVID-19/c.png",
                                                "val/Non-COVID/d.png", "val/Normal/e.png", "val/Normal/f.png"])
        return data
    }

    private func compare(_ data: URL, _ selection: [String]) throws -> CLI.Run {
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("report-\(UUID().uuidString)")
        return try CLI.run(["compare", "--model", CLI.tinyModel, "--data", data.path, "--split", "val", "--methods", "attention-rollout",
                            "--metrics", "faithfulness-estimate", "--grids", "0", "--out", out.path] + selection)
    }

    /// The warnings are printed as `vitrel: warning:` lines (evaluate's is its own; compare's
    /// comes from the engine, whose messages are tested in VitRelCompareTests) and the run
    /// still succeeds.
    func testALimitBeyondTheSplitSaysHowManyTheSplitHas() throws {
        let data = try dataset()
        let evaluate = try CLI.run(["evaluate", "--model", CLI.tinyModel, "--data", data.path, "--split", "val", "--limit", "20"])
        XCTAssertEqual(evaluate.status, 0, evaluate.stderr)
        XCTAssertTrue(evaluate.stderr.contains("vitrel: warning: --limit 20: the val split has 6 images"), evaluate.stderr)
        let compared = try compare(data, ["--limit", "20"])
        XCTAssertEqual(compared.status, 0, compared.stderr)
        XCTAssertTrue(compared.stderr.contains("vitrel: warning: --limit 20: the val split has 6 images; comparing 6"), compared.stderr)
        XCTAssertTrue(compared.stderr.contains("compared 6 images"), compared.stderr)
    }
}
