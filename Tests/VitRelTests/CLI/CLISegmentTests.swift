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

/// `vitrel segment`: the drawing and the labels.
final class CLISegmentTests: XCTestCase {
    func testGridSegmentationDrawsYellowBoundariesAndWritesInt32Labels() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let image = try TestImages.write(in: directory)
        let drawing = directory.appendingPathComponent("grid.png"), labels = directory.appendingPathComponent("grid.npy")
        let run = try CLI.run(["segment", "--image", image.path, "--method", "grid", "--patch-size", "8", "--out", drawing.path, "--labels", labels.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.hasPrefix("25 superpixels"), run.stdout)

        let array = try NPY.read(labels)
        XCTAssertEqual(array.shape, [40, 40])
        XCTAssertEqual(array.dtype, .int32)
        let values = try XCTUnwrap(array.values(as: Int32.self))
        XCTAssertEqual(values[0], 0)
        XCTAssertEqual(values[39 * 40 + 39], 24)
        XCTAssertEqual(values[8 * 40 + 8], 6, "row 1, column 1 of the 5×5 grid")

        let original = try ImageIO.read(image), drawn = try ImageIO.read(drawing)
        XCTAssertEqual([drawn.width, drawn.height, drawn.channels], [40, 40, 3])
        let plane = 1600
        func rgb(_ x: Int, _ y: Int) -> [Float] { [drawn.pixels[y * 40 + x], drawn.pixels[plane + y * 40 + x], drawn.pixels[2 * plane + y * 40 + x]] }
        XCTAssertEqual(rgb(7, 3), [1, 1, 0], "both sides of the x = 7 | 8 border")
        XCTAssertEqual(rgb(8, 3), [1, 1, 0])
        XCTAssertEqual(rgb(3, 3), [Float](repeating: original.pixels[3 * 40 + 3], count: 3), "interiors keep the image")
    }

    func testSLICAndQuickshiftGiveSeveralSuperpixelsCoveringTheImage() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let image = try TestImages.write(in: directory)
        for arguments in [["--method", "slic", "--segments", "9", "--compactness", "20"], ["--method", "quickshift", "--kernel-size", "2", "--seed", "3"]] {
            let labels = directory.appendingPathComponent("labels.npy")
            let run = try CLI.run(["segment", "--image", image.path, "--out", directory.appendingPathComponent("s.png").path, "--labels", labels.path] + arguments)
            XCTAssertEqual(run.status, 0, "\(arguments): \(run.stderr)")
            let values = try XCTUnwrap(NPY.read(labels).values(as: Int32.self))
            let count = Set(values).count
            XCTAssertGreaterThan(count, 1, "\(arguments)")
            XCTAssertEqual(Set(values), Set((0..<Int32(count))), "labels are 0..<count")
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
