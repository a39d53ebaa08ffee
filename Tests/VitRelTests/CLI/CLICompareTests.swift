import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRel

/// `vitrel compare` and `vitrel shards`: what they refuse on the command line and what they
/// print. The run itself (rows, resumption, settings, shards, locks) is tested on the engine in
/// VitRelCompareTests; killed runs in EndToEnd/.
final class CLICompareTests: XCTestCase {
    /// `val/<class>/*.png`: one image of each of the tiny model's classes.
    func dataset() throws -> URL {
        let data = try TestPaths.temporaryDirectory(self).appendingPathComponent("data")
        try DatasetTestTrees.writeImages(data, ["val/COVID-19/a.png", "val/Non-COVID/b.png", "val/Normal/c.png"])
        return data
    }

    func arguments(data: URL, out: URL) -> [String] {
        ["compare", "--model", CLI.tinyModel, "--data", data.path, "--split", "val", "--methods", "attention-rollout",
         "--metrics", "faithfulness-estimate", "--grids", "0", "--out", out.path]
    }

    func testUnknownNamesGiveOneLineErrors() throws {
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("report")
        let data = URL(fileURLWithPath: "/nonexistent/data")
        for (flag, value, expected) in [("--metrics", "faithfulness", "unknown metric \"faithfulness\""),
                                        ("--methods", "chefer-lrp,shap", "shap")] {
            let run = try CLI.run(arguments(data: data, out: out) + [flag, value])
            XCTAssertNotEqual(run.status, 0)
            XCTAssertEqual(run.diagnosticLines.count, 1, run.stderr)
            XCTAssertTrue(run.stderr.contains(expected), run.stderr)
        }
        let missing = try CLI.run(["compare", "--model", CLI.tinyModel, "--data", "/nonexistent/data", "--out", out.path])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("/nonexistent/data"), missing.stderr)
    }

    /// A rerun prints how many rows it resumed; a rerun with other settings (`--selection-seed`
    /// mapped into the request) is one error line and exit 1, and `--fresh` lets it start over.
    func testResumedRowsAreCountedAndOtherSettingsAreOneErrorLine() throws {
        let data = try dataset()
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("report")
        let first = try CLI.run(arguments(data: data, out: out) + ["--per-class", "1"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stderr.contains("compared 3 images × 1 methods × 1 metrics"), first.stderr)
        XCTAssertTrue(first.stdout.hasPrefix("metric"), "the headline: \(first.stdout)")
        let again = try CLI.run(arguments(data: data, out: out) + ["--per-class", "1"])
        XCTAssertTrue(again.stderr.contains("(3 rows resumed from results.csv)"), again.stderr)
        let changed = try CLI.run(arguments(data: data, out: out) + ["--per-class", "1", "--selection-seed", "5"])
        XCTAssertEqual(changed.status, 1, changed.stderr)
        XCTAssertEqual(changed.errorLines.count, 1, changed.stderr)
        XCTAssertTrue(changed.stderr.contains("selection: 1 per class, seed 0 before, 1 per class, seed 5 now"), changed.stderr)
        let fresh = try CLI.run(arguments(data: data, out: out) + ["--per-class", "1", "--selection-seed", "5", "--fresh"])
        XCTAssertEqual(fresh.status, 0, fresh.stderr)
        XCTAssertFalse(fresh.stderr.contains("resumed"), fresh.stderr)
    }

    /// `--shard` is parsed as K/N with 1 ≤ K ≤ N (else a usage error), and a refusal of the
    /// engine (`--fresh` with a shard) is one error line and exit 1.
    func testShardArgumentsAreUsageErrorsAndFreshWithAShardIsOneLine() throws {
        let data = try dataset()
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("out")
        for bad in ["0/2", "3/2", "two"] {
            let run = try CLI.run(arguments(data: data, out: out) + ["--shard", bad])
            XCTAssertEqual(run.status, 64, "--shard \(bad): \(run.stderr)")
        }
        let fresh = try CLI.run(arguments(data: data, out: out) + ["--shard", "1/2", "--fresh"])
        XCTAssertEqual(fresh.status, 1, fresh.stderr)
        XCTAssertEqual(fresh.errorLines.count, 1, fresh.stderr)
        XCTAssertTrue(fresh.stderr.contains("--fresh cannot be combined with --shard 1/2"), fresh.stderr)
    }

    /// `explain --shard`: the skipped images are said on standard error, `vitrel shards` prints
    /// each ledger's count, `--save-relevance` with a shard is a usage error, and a folder
    /// without images is one error line, exit 1.
    func testExplainShardsPrintWhatTheySkippedAndShardsListsTheLedgers() throws {
        let scratch = try TestPaths.temporaryDirectory(self)
        let folder = scratch.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for n in 0..<3 { _ = try TestImages.write(in: folder, name: "x\(n).png") }
        let sharded = scratch.appendingPathComponent("sharded")
        let common = ["explain", "--model", CLI.tinyModel, "--image", folder.path, "--method", "attention-rollout", "--out", sharded.path]
        for k in 1...2 {
            let run = try CLI.run(common + ["--shard", "\(k)/2"])
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        let progress = try CLI.run(["shards", sharded.path])
        XCTAssertEqual(progress.status, 0, progress.stderr)
        let counts = progress.stdout.split(separator: "\n").dropFirst().compactMap { Int($0.split(separator: " ").last ?? "") }
        XCTAssertEqual(counts.reduce(0, +), 3, "the two ledgers list every image once: \(progress.stdout)")
        let again = try CLI.run(common + ["--shard", "1/2", "--json"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("were skipped"), again.stderr)
        XCTAssertEqual((try CLI.json(Data(again.stdout.utf8))["images"] as? [Any])?.count, 0, "nothing left to explain")

        let refused = try CLI.run(common + ["--shard", "1/2", "--save-relevance", scratch.appendingPathComponent("r.npy").path])
        XCTAssertEqual(refused.status, 64, refused.stderr)
        let empty = scratch.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let none = try CLI.run(["explain", "--model", CLI.tinyModel, "--image", empty.path, "--out", sharded.path])
        XCTAssertEqual(none.status, 1, none.stderr)
        XCTAssertTrue(none.stderr.contains("no PNG, JPEG or DICOM file"), none.stderr)
    }
}
