import Foundation
import XCTest
import VitRelTestSupport
import VitRelCore
import VitRelImaging
@testable import VitRelLIME

/// An image file segmented as `vitrel segment` (and LIME) segments it, through
/// `LIMEExplainer.segment(_:seed:)`: the labels of each algorithm on a 40 × 40 test X-ray.
final class SegmentationOfAnImageTests: XCTestCase {
    func segment(_ segmenter: LIMEExplainer.Segmenter, seed: UInt64 = 0) throws -> Segmentation {
        let image = try TestImages.write(in: try TestPaths.temporaryDirectory(self))
        return try LIMEExplainer(segmenter: segmenter).segment(try ImageIO.read(image), seed: seed)
    }

    func testGridSegmentationNumbersItsPatchesRowByRow() throws {
        let segmentation = try segment(.patchGrid(PatchGrid(patchSize: 8)))
        XCTAssertEqual(segmentation.count, 25)
        XCTAssertEqual([segmentation.height, segmentation.width], [40, 40])
        let values = segmentation.labels
        XCTAssertEqual(values[0], 0)
        XCTAssertEqual(values[39 * 40 + 39], 24)
        XCTAssertEqual(values[8 * 40 + 8], 6, "row 1, column 1 of the 5×5 grid")
    }

    /// The labels file (`segment --labels`, `explain`'s `*.lime.superpixels.npy`): int32
    /// [H, W], the labels row by row, read back as written.
    func testTheLabelArrayIsInt32HeightByWidthAndReadsBackAsWritten() throws {
        let segmentation = try segment(.patchGrid(PatchGrid(patchSize: 8)))
        let url = try TestPaths.temporaryDirectory(self).appendingPathComponent("labels.npy")
        try NPY.write(segmentation.labelArray, to: url)
        let read = try NPY.read(url)
        XCTAssertEqual(read.dtype, .int32)
        XCTAssertEqual(read.shape, [40, 40])
        XCTAssertEqual(read.values(as: Int32.self), segmentation.labels)
    }

    /// `--method slic --segments 9 --compactness 20` and `--method quickshift --kernel-size 2 --seed 3`.
    func testSLICAndQuickshiftGiveSeveralSuperpixelsCoveringTheImage() throws {
        for (name, segmenter, seed) in [("slic", LIMEExplainer.Segmenter.slic(SLIC(segmentCount: 9, compactness: 20)), UInt64(0)),
                                        ("quickshift", .quickshift(Quickshift(kernelSize: 2, maxDistance: 200, ratio: 0.2)), 3)] {
            let segmentation = try segment(segmenter, seed: seed)
            let values = segmentation.labels
            let count = Set(values).count
            XCTAssertGreaterThan(count, 1, name)
            XCTAssertEqual(Set(values), Set((0..<Int32(count))), "labels are 0..<count: \(name)")
            XCTAssertEqual(segmentation.count, count, name)
        }
    }
}
