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

/// A class folder with an unreadable image: `evaluate`, `compare` and `predict` each name it
/// once in one line, go on with the others, count truthfully and exit 1 at the end. What the
/// engines leave out is tested in VitRelTrainingTests and VitRelCompareTests.
final class CLIUnreadableImageTests: XCTestCase {
    private var data: URL!
    private var broken: URL!

    override func setUpWithError() throws {
        data = try TestPaths.temporaryDirectory(self).appendingPathComponent("data")
        try DatasetTestTrees.writeImages(data, ["val/COVID-19/a.png", "val/COVID-19/b.png", "val/Non-COVID/c.png",
                                                "val/Normal/d.png", "val/Normal/e.png"])
        broken = data.appendingPathComponent("val/Normal/broken.png")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]).write(to: broken)  // a PNG cut short
    }

    private func occurrences(_ text: String, in string: String) -> Int { string.components(separatedBy: text).count - 1 }

    private func assertReportedOnce(_ run: CLI.Run, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(run.status, 1, run.stderr, file: file, line: line)
        XCTAssertEqual(occurrences(broken.path, in: run.stderr), 1, "named once: \(run.stderr)", file: file, line: line)
        XCTAssertTrue(run.errorMessages.contains { $0.hasPrefix("vitrel: error: \(broken.path): truncated PNG") }, run.stderr, file: file, line: line)
        XCTAssertTrue(run.errorMessages.contains("vitrel: error: 1 input file could not be used (listed above)"), run.stderr, file: file, line: line)
    }

    func testEvaluateReportsTheFileOnceAndEvaluatesTheOthers() throws {
        let text = try CLI.run(["evaluate", "--model", CLI.tinyModel, "--data", data.path, "--split", "val"])
        assertReportedOnce(text)
        XCTAssertTrue(text.stdout.contains("5 images (1 of 6 could not be read)"), text.stdout)
    }

    func testCompareReportsTheFileOnceAndCountsWhatItCompared() throws {
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("report")
        let run = try CLI.run(["compare", "--model", CLI.tinyModel, "--data", data.path, "--split", "val", "--methods", "attention-rollout",
                               "--metrics", "faithfulness-estimate", "--grids", "0", "--out", out.path])
        assertReportedOnce(run)
        XCTAssertTrue(run.stderr.contains("compared 5 of 6 selected images"), run.stderr)
    }

    func testPredictReportsTheFileOnceAndClassifiesTheOthers() throws {
        let good = data.appendingPathComponent("val/COVID-19/a.png").path
        let run = try CLI.run(["predict", "--model", CLI.tinyModel, "--image", good, broken.path])
        assertReportedOnce(run)
        XCTAssertEqual(run.stdout.split(separator: "\n").count, 1)
        XCTAssertTrue(run.stdout.hasPrefix(good), run.stdout)
    }
}
