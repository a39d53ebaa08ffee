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

/// Resuming a comparison after an image was changed in place: that image's rows are measured
/// again (with its new checksum), the others are kept as they were.
final class CLICompareChangedImageTests: XCTestCase {
    func testAChangedImageIsRecomputedAndTheOthersResume() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let data = directory.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data.appendingPathComponent("val/COVID-19"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: data.appendingPathComponent("val/Normal"), withIntermediateDirectories: true)
        let changing = try TestImages.write(in: data.appendingPathComponent("val/COVID-19"), name: "a.png", brightness: 0.9)
        _ = try TestImages.write(in: data.appendingPathComponent("val/Normal"), name: "b.png", brightness: 0.3)
        let out = directory.appendingPathComponent("report")
        let arguments = ["compare", "--model", CLI.tinyModel, "--data", data.path, "--split", "val", "--methods", "attention-rollout",
                         "--metrics", "faithfulness-estimate,pixel-flipping", "--grids", "0", "--out", out.path]
        func rows() throws -> [[String]] {
            Array(try CSVFormat.records(String(contentsOf: out.appendingPathComponent("results.csv"), encoding: .utf8)).dropFirst())
        }
        let first = try CLI.run(arguments)
        XCTAssertEqual(first.status, 0, first.stderr)
        let before = try rows()
        XCTAssertEqual(before.count, 4)

        let unchanged = try CLI.run(arguments)
        XCTAssertTrue(unchanged.stderr.contains("(4 rows resumed"), unchanged.stderr)
        XCTAssertEqual(try rows(), before, "nothing changed: nothing recomputed")

        // The same file name, other pixels.
        _ = try TestImages.write(in: changing.deletingLastPathComponent(), name: "a.png", brightness: 0.1)
        let rerun = try CLI.run(arguments)
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        let after = try rows()
        XCTAssertEqual(after.count, 6, "two new rows for the changed image, appended")
        let newA = after.suffix(2)
        XCTAssertTrue(newA.allSatisfy { $0[0] == "val/COVID-19/a.png" })
        let oldChecksum = before.first { $0[0] == "val/COVID-19/a.png" }![1]
        XCTAssertTrue(newA.allSatisfy { $0[1] != oldChecksum && $0[1] == (try? ContentChecksum.of([changing])) })
        XCTAssertNotEqual(newA.first![5], before.first { $0[0] == "val/COVID-19/a.png" }![5], "a new probability: the row was measured again")
        // The headline's n column: two images per metric, the stale rows of a.png not counted beside the new ones.
        let metricLines = rerun.stdout.split(separator: "\n").filter { $0.hasPrefix("faithfulness-estimate") || $0.hasPrefix("pixel-flipping") }
        XCTAssertEqual(metricLines.count, 2, rerun.stdout)
        XCTAssertTrue(metricLines.allSatisfy { $0.split(separator: " ").last == "2" }, rerun.stdout)
    }
}
