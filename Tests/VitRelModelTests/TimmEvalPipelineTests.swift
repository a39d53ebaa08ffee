import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRelModel

/// A timm checkpoint folder's eval pipeline on an 8-bit PNG (`Fixtures/pillow_resize/`, written
/// by `Tools/make_pillow_resize_fixtures.py`): the folder's preprocessing gives timm's tensor,
/// and `predict`'s logits are timm's, because the resize reproduces Pillow's 8-bit arithmetic.
final class TimmEvalPipelineTests: XCTestCase {
    func testEvalTransformIsTimmsTensorForAnEightBitPNG() throws {
        let manifest = try PillowResizeManifest.load()
        let model = try ClassifierModel.load(from: TestPaths.fixture(manifest.timmEval.model))
        XCTAssertEqual(model.preprocessing.resizeArithmetic, .pillow, "Pillow's arithmetic by default")
        let url = PillowResizeManifest.fixture(manifest.timmEval.image)
        let expected = try NPY.read(PillowResizeManifest.fixture(manifest.timmEval.input))
        XCTAssertEqual(expected.shape, [3, 32, 32])
        let reference = try XCTUnwrap(expected.values(as: Float.self))
        for input in [try model.preprocessing.input(reading: url), model.preprocessing.apply(to: try ImageIO.read(url))] {
            XCTAssertEqual(input.shape, [3, 32, 32])
            let worst = zip(input.scalars, reference).map { abs($0 - $1) }.max()!
            XCTAssertLessThanOrEqual(worst, 1e-6, "timm's transforms_imagenet_eval on the same PNG")
        }
        // The float path is the one the issue measured: off by up to a code or so.
        var float = model.preprocessing
        float.resizeArithmetic = .float
        let floatWorst = zip(try float.input(reading: url).scalars, reference).map { abs($0 - $1) }.max()!
        XCTAssertGreaterThan(floatWorst, 1e-3, "the fixture separates the two paths")
        XCTAssertLessThanOrEqual(floatWorst, 2 * 1.5 / 255, "float stays within 1.5 codes (normalised by std 0.5)")
    }

    func testPredictLogitsAreTimmsOnTheSamePNG() throws {
        let manifest = try PillowResizeManifest.load()
        var model = try ClassifierModel.load(from: TestPaths.fixture(manifest.timmEval.model))
        let url = PillowResizeManifest.fixture(manifest.timmEval.image)
        let expected = try XCTUnwrap(try NPY.read(PillowResizeManifest.fixture(manifest.timmEval.logits)).values(as: Float.self))
        func logits() throws -> [Float] {
            let rows = try model.logits(reading: [url]) { _, error in XCTFail("\(error)") }
            return try XCTUnwrap(rows.first?.logits)
        }
        let scale = expected.map(abs).max()!
        let pillow = try logits()
        XCTAssertLessThanOrEqual(zip(pillow, expected).map { abs($0 - $1) }.max()! / scale, 1e-5, "\(pillow) vs timm \(expected)")
        model.preprocessing.resizeArithmetic = .float
        let float = try logits()
        XCTAssertGreaterThan(zip(float, expected).map { abs($0 - $1) }.max()! / scale, 1e-5, "the float path is measurably not timm's")
    }
}
