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

/// `vitrel segment`: what it prints and writes, and its one-line errors.
final class CLISegmentTests: XCTestCase {
    /// The count printed, the drawing (an RGB PNG of the image's size) and the labels file
    /// (int32 [H, W]); the labels and the boundaries themselves are tested in VitRelLIMETests
    /// and VitRelRenderingTests.
    func testSegmentPrintsTheCountAndWritesTheDrawingAndInt32Labels() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let image = try TestImages.write(in: directory)
        let drawing = directory.appendingPathComponent("grid.png"), labels = directory.appendingPathComponent("grid.npy")
        let run = try CLI.run(["segment", "--image", image.path, "--method", "grid", "--patch-size", "8", "--out", drawing.path, "--labels", labels.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.hasPrefix("25 superpixels"), run.stdout)
        let array = try NPY.read(labels)
        XCTAssertEqual(array.shape, [40, 40])
        XCTAssertEqual(array.dtype, .int32)
        let drawn = try ImageIO.read(drawing)
        XCTAssertEqual([drawn.width, drawn.height, drawn.channels], [40, 40, 3])

        // The settings reach the algorithm: the count printed is the labels'.
        for arguments in [["--method", "slic", "--segments", "9", "--compactness", "20"], ["--method", "quickshift", "--kernel-size", "2", "--seed", "3"]] {
            let run = try CLI.run(["segment", "--image", image.path, "--out", directory.appendingPathComponent("s.png").path, "--labels", labels.path] + arguments)
            XCTAssertEqual(run.status, 0, "\(arguments): \(run.stderr)")
            let count = Set(try XCTUnwrap(NPY.read(labels).values(as: Int32.self))).count
            XCTAssertTrue(run.stdout.hasPrefix("\(count) superpixels"), run.stdout)
        }
    }

    func testASettingOfAnotherMethodAndAnUnreadableImageFailInOneLine() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let image = try TestImages.write(in: directory)
        let out = directory.appendingPathComponent("s.png").path
        let misplaced = try CLI.run(["segment", "--image", image.path, "--method", "slic", "--kernel-size", "3", "--out", out])
        XCTAssertNotEqual(misplaced.status, 0)
        XCTAssertEqual(misplaced.diagnosticLines.count, 1, misplaced.stderr)
        XCTAssertTrue(misplaced.stderr.contains("--kernel-size (a quickshift setting) does not apply to --method slic"), misplaced.stderr)
        let missing = try CLI.run(["segment", "--image", directory.appendingPathComponent("none.png").path, "--out", out])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertEqual(missing.diagnosticLines.count, 1, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("none.png"), missing.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }
}
