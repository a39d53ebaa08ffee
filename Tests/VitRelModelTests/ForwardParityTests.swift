import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRelModel

/// Logits equal to timm's and Hugging Face's on the same weights and inputs.
/// Fixtures: Tools/make_checkpoint_fixtures.py (random weights, fixed seeds).
final class ForwardParityTests: XCTestCase {
    func assertLogitsMatch(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let folder = TestPaths.fixture("checkpoints/\(name)")
        let model = try ClassifierModel.load(from: folder)
        let input = try NPY.read(folder.appendingPathComponent("input.npy")).tensor(of: Float.self)
        let reference = try NPY.read(folder.appendingPathComponent("logits.npy")).tensor(of: Float.self)
        let logits = try model.network(input)
        XCTAssertEqual(logits.shape, reference.shape, file: file, line: line)
        // The inference pass (no trace) runs the traced pass's arithmetic: the same bits.
        XCTAssertEqual(logits, try model.network.forward(input).logits, "\(name): inference vs traced", file: file, line: line)
        for (ours, theirs) in zip(logits.scalars, reference.scalars) {
            XCTAssertEqual(ours, theirs, accuracy: 1e-4 * max(abs(theirs), 1e-2), "\(name)", file: file, line: line)
        }
        // Float64 runs the same code; it agrees too (the reference is float32).
        let double = try VisionTransformer<Double>(
            config: model.config, weights: try ViTCheckpoint.load(from: folder).weights.mapValues { Tensor<Double>($0) })
        let logits64 = try double(Tensor<Double>(input))
        XCTAssertEqual(logits64, try double.forward(Tensor<Double>(input)).logits, "\(name) in Float64: inference vs traced", file: file, line: line)
        for (ours, theirs) in zip(logits64.scalars, reference.scalars) {
            XCTAssertEqual(Float(ours), theirs, accuracy: 1e-4 * max(abs(theirs), 1e-2), "\(name) in Float64", file: file, line: line)
        }
    }

    func testTimmTokenPooling() throws { try assertLogitsMatch("timm_token") }
    func testTimmNonSquareImage() throws { try assertLogitsMatch("timm_nonsquare") }
    func testTimmAveragePoolingWithFcNorm() throws { try assertLogitsMatch("timm_avgpool") }
    func testTimmPositionEmbeddingResizedToALargerGrid() throws { try assertLogitsMatch("timm_posresize") }
    func testHuggingFaceViTForImageClassification() throws { try assertLogitsMatch("hf_vit") }

    /// The F16 and BF16 copies of timm_avgpool hold values both formats represent exactly, so
    /// they must give the F32 model's logits.
    func testHalfPrecisionWeightsGiveTheSameLogits() throws {
        let source = TestPaths.fixture("checkpoints/timm_avgpool")
        let checkpoint = try ViTCheckpoint.load(from: source)
        let input = try NPY.read(source.appendingPathComponent("input.npy")).tensor(of: Float.self)
        let reference = try NPY.read(source.appendingPathComponent("logits.npy")).tensor(of: Float.self)
        for dtype in ["f16", "bf16"] {
            let file = try SafeTensors.read(TestPaths.fixture("checkpoints/dtypes/timm_avgpool_\(dtype).safetensors"))
            let weights = try file.tensors(as: Float.self)
            XCTAssertEqual(Set(weights.keys), Set(checkpoint.weights.keys))
            let model = try VisionTransformer<Float>(config: checkpoint.config, weights: weights)
            for (ours, theirs) in zip(try model(input).scalars, reference.scalars) {
                XCTAssertEqual(ours, theirs, accuracy: 1e-4 * max(abs(theirs), 1e-2), dtype)
            }
        }
    }
}
