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

/// `vitrel audit`: what it prints and its one-line errors. What the run computes and writes is
/// tested on the library (VitRelCompareTests/AuditRunTests).
final class CLIAuditTests: XCTestCase {
    /// What the command prints: the interventions about to run (stderr), the report's headline
    /// and the path of audit.md (stdout). What the files hold is tested on the library
    /// (VitRelCompareTests/AuditRunTests).
    func testAuditPrintsWhatItRunsItsHeadlineAndWhereTheReportIs() throws {
        let scratch = try TestPaths.temporaryDirectory(self)
        let data = try DatasetTestTrees.markedFilms(scratch.appendingPathComponent("data"))
        let out = scratch.appendingPathComponent("audit")
        let run = try CLI.run([
            "audit", "--model", CLI.tinyModel, "--data", data.path, "--split", "val", "--per-class", "1",
            "--methods", "chefer-lrp,attention-rollout", "--out", out.path,
        ])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("interventions on 6 val images: blank border 0.1, crop centre 0.1, mask text"), run.stderr)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, run.stdout)
        XCTAssertEqual(lines.last, out.appendingPathComponent("audit.md").path)
        let json = try CLI.json(file: out.appendingPathComponent("audit.json"))
        XCTAssertEqual((json["films"] as? [Any])?.count, 3, "--per-class 1 reached the draw")
    }

    func testABorderOutsideItsRangeIsAOneLineError() throws {
        let data = URL(fileURLWithPath: "/nonexistent/data")  // both are refused before the data is read
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("audit")
        let run = try CLI.run(["audit", "--model", CLI.tinyModel, "--data", data.path, "--split", "val", "--border", "0.7", "--out", out.path])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertEqual(run.errorMessages.count, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("--border must lie in (0, 0.5), got 0.7"), run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "nothing written")

        // 0.49 is inside (0, 0.5) but its band, round(0.49 · 32) = 16 pixels deep on each side,
        // covers the tiny model's whole 32 × 32 input.
        let whole = try CLI.run(["audit", "--model", CLI.tinyModel, "--data", data.path, "--split", "val", "--border", "0.49", "--out", out.path])
        XCTAssertNotEqual(whole.status, 0)
        XCTAssertEqual(whole.errorMessages.count, 1, whole.stderr)
        XCTAssertTrue(whole.stderr.contains("--border 0.49 leaves no centre on the model's 32×32 input"), whole.stderr)
    }
}
