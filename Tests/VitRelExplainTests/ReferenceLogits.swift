import Foundation
import XCTest
@testable import VitRelExplain

/// The parity check every checkpoint family's fixture runs: the reference library's
/// preprocessed tensor and logits for one PNG against vitrel's on the same file.
enum ReferenceLogits {
    /// Asserts that `model` preprocesses `png` to `referenceInput` (≤ 1e-6 per value) and gives
    /// `expected` from the file (the inference pass) and from `referenceInput` (the traced pass
    /// the explanations use), each within `relativeTolerance` of the largest |logit|.
    static func assertMatch(
        _ model: ClassifierModel, png: URL, referenceInput: Tensor<Float>, expected: [Float], name: String,
        relativeTolerance: Float = 1e-5, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let input = try model.preprocessing.input(reading: png)
        XCTAssertEqual([1] + input.shape, referenceInput.shape, name, file: file, line: line)
        let inputError = zip(input.scalars, referenceInput.scalars).map { abs($0 - $1) }.max()!
        XCTAssertLessThanOrEqual(inputError, 1e-6, "\(name): the reference pipeline's tensor of the PNG", file: file, line: line)

        let rows = try model.logits(reading: [png]) { _, error in XCTFail("\(name): \(error)", file: file, line: line) }
        let logits = try XCTUnwrap(rows.first?.logits, file: file, line: line)
        let scale = expected.map(abs).max()!
        let relative = zip(logits, expected).map { abs($0 - $1) }.max()! / scale
        XCTAssertLessThanOrEqual(relative, relativeTolerance, "\(name): \(logits) vs reference \(expected)", file: file, line: line)
        // The traced pass (explanations) computes the same logits as the inference pass.
        let traced = try model.network.forward(referenceInput).logits.scalars
        XCTAssertLessThanOrEqual(
            zip(traced, expected).map { abs($0 - $1) }.max()! / scale, relativeTolerance, "\(name) traced", file: file, line: line)
    }
}
