import XCTest
@testable import VitRelCore

/// The class prediction every command uses: the first index of the largest element, as
/// `numpy.argmax` gives (its values for these inputs: 2, 1, 0), nil for nothing.
final class IndexOfMaximumTests: XCTestCase {
    func testFirstOfTheLargestAsNumPyArgmax() {
        XCTAssertEqual([0.1, 0.3, 0.6].indexOfMaximum, 2)
        XCTAssertEqual([0.2, 0.4, 0.4].indexOfMaximum, 1)
        XCTAssertEqual([Float](repeating: 1, count: 5).indexOfMaximum, 0)
        XCTAssertNil([Double]().indexOfMaximum)
    }

    func testSliceIndicesAreTheBaseArrays() {
        let logits: [Float] = [5, 0, 1, 0, 3, 2]
        XCTAssertEqual(logits[3..<6].indexOfMaximum, 4)
    }
}
