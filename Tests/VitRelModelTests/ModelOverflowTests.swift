import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRelModel

/// One huge but finite weight (3e38) in the tiny timm fixture (issue 13 item 6). timm's Float32
/// pass gives NaN logits in every case; the model's true function, timm run in Float64
/// (`Tools/make_overflow_fixtures.py`), is finite except where a logit itself exceeds Float.
/// vitrel must give the Float64 logits or its one-line non-finite error: never a plausible
/// wrong answer.
final class ModelOverflowTests: XCTestCase {
    struct Case: Decodable {
        var tensor: String
        var index: Int
        var value: Double
        var logits_float64: [[Double]]
        var timm_float32_finite: Bool
    }

    func testAHugeFiniteWeightGivesTheFloat64LogitsOrAnError() throws {
        let cases = try JSONDecoder().decode([Case].self, from: Data(contentsOf: TestPaths.fixture("overflow/cases.json")))
        XCTAssertEqual(cases.count, 4)
        let input = try NPY.read(TestPaths.fixture("checkpoints/timm_token/input.npy")).tensor(of: Float.self)
        for item in cases {
            var checkpoint = try ViTCheckpoint.load(from: TestPaths.fixture("checkpoints/timm_token"))
            var tensor = try XCTUnwrap(checkpoint.weights[item.tensor], item.tensor)
            tensor.scalars[item.index] = Float(item.value)
            checkpoint.weights[item.tensor] = tensor
            let network = try VisionTransformer<Float>(config: checkpoint.config, weights: checkpoint.weights)
            let expected = item.logits_float64.flatMap { $0 }
            let representable = expected.allSatisfy { abs($0) <= Double(Float.greatestFiniteMagnitude) }
            do {
                let logits = try network.logits(input).scalars
                XCTAssertTrue(representable, "\(item.tensor): finite logits \(logits) where the true ones exceed Float")
                let scale = expected.map(abs).max()!
                for (got, want) in zip(logits, expected) {
                    XCTAssertEqual(Double(got), want, accuracy: 1e-3 * max(1, scale), "\(item.tensor)")
                }
            } catch let error as ModelError {
                guard case .nonFinite(let layer, _) = error else { return XCTFail("\(item.tensor): \(error)") }
                // The first layer whose output overflows is named.
                let expectedLayer = [
                    "patch_embed.proj.weight": "patch and position embedding", "pos_embed": "block 0 output",
                    "blocks.0.mlp.fc1.weight": "block 0 output", "head.weight": "logits",
                ][item.tensor]
                XCTAssertEqual(layer, expectedLayer, item.tensor)
            }
        }
    }
}
