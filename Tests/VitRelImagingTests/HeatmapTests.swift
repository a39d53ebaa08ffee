import XCTest
@testable import VitRelImaging

/// Chefer et al. 2021's post-processing: bilinear upsampling (align_corners = false) and
/// min–max normalisation; and the signed scaling by max |R|.
final class HeatmapTests: XCTestCase {
    func assertValues(_ actual: [Float], _ expected: [Float], accuracy: Float = 1e-6, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, file: file, line: line)
        for (i, (a, e)) in zip(actual, expected).enumerated() {
            XCTAssertEqual(a, e, accuracy: accuracy, "entry \(i)", file: file, line: line)
        }
    }

    func testMinMaxOfAConstantMapIsAllZerosNotNaN() {
        let constant = Heatmap(width: 3, height: 2, values: [Float](repeating: 0.7, count: 6))
        XCTAssertEqual(constant.minMaxNormalised().values, [Float](repeating: 0, count: 6))
        let zeros = Heatmap(width: 2, height: 2, values: [0, 0, 0, 0])
        XCTAssertEqual(zeros.symmetricNormalised().values, [0, 0, 0, 0])
    }

    func testMinMaxSendsTheMinimumToZeroAndTheMaximumToOne() {
        let map = Heatmap(width: 2, height: 2, values: [2, 4, 3, 10])
        assertValues(map.minMaxNormalised().values, [0, 0.25, 0.125, 1])
    }

    func testSymmetricScalingDividesByTheLargestMagnitude() {
        let map = Heatmap(width: 4, height: 1, values: [-2, 1, 0, 0.5])
        assertValues(map.symmetricNormalised().values, [-1, 0.5, 0, 0.25])
    }

    func testNonFiniteEntriesStayOutOfTheRangeAndComeOutNaN() {
        let map = Heatmap(width: 4, height: 1, values: [1, .nan, 3, .infinity])
        let scaled = map.minMaxNormalised().values
        XCTAssertEqual(scaled[0], 0)
        XCTAssertEqual(scaled[2], 1)
        XCTAssertTrue(scaled[1].isNaN && scaled[3].isNaN)
    }

    /// torch.nn.functional.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
    /// of [[1, 2], [3, 4]], by hand: the source coordinate of output i is (i + 0.5)/2 − 0.5,
    /// clamped at 0 and at the last sample, i.e. −0.25→0, 0.25, 0.75, 1.25→1; per axis the
    /// row [a, b] becomes [a, 0.75a + 0.25b, 0.25a + 0.75b, b].
    func testUpsamplingA2x2GridEqualsTorchBilinearWithoutAlignedCorners() {
        let grid = Heatmap(width: 2, height: 2, values: [1, 2, 3, 4])
        let up = grid.resized(width: 4, height: 4)
        XCTAssertEqual(up.width, 4)
        XCTAssertEqual(up.height, 4)
        assertValues(up.values, [
            1.0, 1.25, 1.75, 2.0,
            1.5, 1.75, 2.25, 2.5,
            2.5, 2.75, 3.25, 3.5,
            3.0, 3.25, 3.75, 4.0,
        ])
    }

    /// interpolate(size=(3, 3)): sources (i + 0.5)·2/3 − 0.5 = −1/6→0, 1/2, 7/6→1.
    func testUpsamplingToAnUnevenSizeClampsAtTheBordersAsTorchDoes() {
        let up = Heatmap(width: 2, height: 2, values: [1, 2, 3, 4]).resized(width: 3, height: 3)
        assertValues(up.values, [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4])
    }

    /// A 2-wide row enlarged 16× (a ViT patch): output 8 reads source (8.5)/16 − 0.5 = 0.03125.
    func testUpsamplingByThePatchSizeInterpolatesBetweenPatchCentres() {
        let up = Heatmap(width: 2, height: 1, values: [0, 1]).resized(width: 32, height: 1)
        XCTAssertEqual(up.values[0], 0)
        XCTAssertEqual(up.values[7], 0)  // (7.5)/16 − 0.5 < 0: clamped
        XCTAssertEqual(up.values[8], 0.03125, accuracy: 1e-7)
        XCTAssertEqual(up.values[15], 0.46875, accuracy: 1e-7)
        XCTAssertEqual(up.values[16], 0.53125, accuracy: 1e-7)
        XCTAssertEqual(up.values[31], 1)
    }

    func testPreparedTokenMapHasTheInputSizeAndSpansTheUnitInterval() {
        let grid = Heatmap(width: 3, height: 3, values: [0, 1, 2, 3, 4, 5, 6, 7, 8])
        let shown = grid.prepared(forWidth: 48, height: 48, scaling: .minMax)
        XCTAssertEqual(shown.width, 48)
        XCTAssertEqual(shown.height, 48)
        XCTAssertEqual(shown.values.min(), 0)
        XCTAssertEqual(shown.values.max(), 1)
    }

    func testSumIsTakenInDouble() {
        let map = Heatmap(width: 3, height: 1, values: [1e8, 1, -1e8])
        XCTAssertEqual(map.sum, 1)
    }
}
