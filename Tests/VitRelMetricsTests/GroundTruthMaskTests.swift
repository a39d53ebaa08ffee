import XCTest
import VitRelTestSupport
@testable import VitRelMetrics
@testable import VitRelData

/// The `--mask` forms: parsing and printing, and the geometric regions pixel for pixel.
final class GroundTruthMaskTests: XCTestCase {
    func testParsingAndPrintingRoundTripWithDefaultFractionsMadeExplicit() throws {
        XCTAssertEqual(try GroundTruthMask(argument: "infection"), .infection)
        XCTAssertEqual(try GroundTruthMask(argument: "lung"), .lung)
        XCTAssertEqual(try GroundTruthMask(argument: "border"), .border(fraction: 0.1))
        XCTAssertEqual(try GroundTruthMask(argument: "border").description, "border:0.1")
        XCTAssertEqual(try GroundTruthMask(argument: "border:0.125"), .border(fraction: 0.125))
        XCTAssertEqual(try GroundTruthMask(argument: "corners"), .corners(fraction: 0.2))
        XCTAssertEqual(try GroundTruthMask(argument: "center:0.2"), .centre(fraction: 0.2))
        XCTAssertEqual(try GroundTruthMask(argument: "folder:/tmp/my masks"), .folder("/tmp/my masks"))
        for mask: GroundTruthMask in [.infection, .shortcut, .border(fraction: 0.05), .corners(fraction: 0.3), .folder("a:b")] {
            XCTAssertEqual(try GroundTruthMask(argument: mask.description), mask)
        }
        for bad in ["border:0.5", "border:0", "border:x", "corners:-0.1", "folder:", "folder", "lung:0.1", "edges", ""] {
            XCTAssertThrowsError(try GroundTruthMask(argument: bad), bad) { error in
                XCTAssertFalse("\(error)".contains("\n"))
                XCTAssertTrue("\(error)".contains("--mask"), "\(error)")
            }
        }
    }

    func testBorderCornersAndCentreAreExactRegions() throws {
        let height = 20, width = 30
        let border = try XCTUnwrap(GroundTruthMask.border(fraction: 0.1).region(height: height, width: width))
        // 0.1 of 20 rows = 2 rows, of 30 columns = 3 columns.
        XCTAssertEqual(border.filter { $0 }.count, height * width - (height - 4) * (width - 6))
        for y in 0..<height {
            for x in 0..<width {
                let expected = y < 2 || y >= 18 || x < 3 || x >= 27
                XCTAssertEqual(border[y * width + x], expected, "(\(y), \(x))")
            }
        }
        let centre = try XCTUnwrap(GroundTruthMask.centre(fraction: 0.1).region(height: height, width: width))
        XCTAssertEqual(centre, border.map { !$0 })
        let corners = try XCTUnwrap(GroundTruthMask.corners(fraction: 0.2).region(height: height, width: width))
        XCTAssertEqual(corners.filter { $0 }.count, 4 * 4 * 6)
        XCTAssertTrue(corners[0] && corners[width - 1] && corners[(height - 1) * width] && corners[height * width - 1])
        XCTAssertFalse(corners[0 * width + 6])
        XCTAssertFalse(corners[4 * width + 0])
        XCTAssertTrue(corners[3 * width + 5])
        // Every corner pixel lies in a band at least as deep.
        let deepBorder = try XCTUnwrap(GroundTruthMask.border(fraction: 0.2).region(height: height, width: width))
        XCTAssertTrue(zip(corners, deepBorder).allSatisfy { !$0 || $1 })
        // A tiny fraction still marks one row and column.
        let thin = try XCTUnwrap(GroundTruthMask.border(fraction: 0.001).region(height: 8, width: 8))
        XCTAssertEqual(thin.filter { $0 }.count, 64 - 36)
        XCTAssertNil(GroundTruthMask.infection.region(height: 8, width: 8))
        XCTAssertNil(GroundTruthMask.folder("x").region(height: 8, width: 8))
    }

    func testMaskFolderFindsMirroredThenNamedThenStemMatchedMasks() throws {
        let root = try TestPaths.temporaryDirectory(self)
        let data = root.appendingPathComponent("data"), masks = root.appendingPathComponent("masks")
        try DatasetTestTrees.writeImages(data, ["val/A/x.png", "val/A/y.png", "val/B/z.png", "val/B/w.png"])
        try DatasetTestTrees.writeImages(masks, ["val/A/x.png", "x.png", "y.png", "z.jpg.png"])
        try DatasetTestTrees.writeImage(masks.appendingPathComponent("z.png"))
        let folder = try MaskFolder(directory: masks)
        func found(_ path: String) -> String? {
            folder.maskURL(for: data.appendingPathComponent(path), root: data).map { DatasetFiles.relativePath(of: $0, under: masks) }
        }
        XCTAssertEqual(found("val/A/x.png"), "val/A/x.png")
        XCTAssertEqual(found("val/A/y.png"), "y.png")
        XCTAssertEqual(found("val/B/z.png"), "z.png")
        XCTAssertNil(found("val/B/w.png"))
        XCTAssertThrowsError(try MaskFolder(directory: root.appendingPathComponent("absent")))
    }
}
