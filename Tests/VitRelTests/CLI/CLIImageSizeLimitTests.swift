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

/// A 1,000,000 × 1 PNG (a 1 KB file that preprocessing would make 146,000,000 × 146): one
/// error line naming the file and the limit, exit 1, never an abort; the other images go on.
final class CLIImageSizeLimitTests: XCTestCase {
    func testAStripThatWouldResizePastTheLimitIsAOneLineErrorAndTheOthersAreClassified() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let strip = directory.appendingPathComponent("strip.png")
        try ImageIO.writePNG(Image(width: 1_000_000, height: 1, channels: 1, pixels: [Float](repeating: 0.5, count: 1_000_000)), to: strip)
        XCTAssertLessThan(try Data(contentsOf: strip).count, 10_000, "a small file")
        let good = try TestImages.write(in: directory)
        let limit = "\(Preprocessing.maximumResizedPixelCount)"
        let predict = try CLI.run(["predict", "--model", CLI.tinyModel, "--image", strip.path, good.path])
        XCTAssertEqual(predict.status, 1, predict.stderr)
        XCTAssertTrue(predict.errorMessages.contains { $0.hasPrefix("vitrel: error: \(strip.path): ") && $0.contains(limit) }, predict.stderr)
        XCTAssertTrue(predict.stdout.hasPrefix(good.path), predict.stdout)
        for command in [["explain", "--method", "attention-rollout", "--out", directory.appendingPathComponent("e").path], ["conservation"]] {
            let run = try CLI.run(command + ["--model", CLI.tinyModel, "--image", strip.path])
            XCTAssertEqual(run.status, 1, "\(command): \(run.stderr)")
            XCTAssertTrue(run.errorMessages.contains { $0.contains(strip.path) && $0.contains(limit) }, "\(command): \(run.stderr)")
        }
    }
}
