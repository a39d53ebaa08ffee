import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRelExplain

/// Parity with the official Chefer et al. code (hila-chefer/Transformer-Explainability,
/// `ViT_LRP.py` + `ViT_explanation_generator.py`) on a tiny random timm ViT.
/// Fixtures: Tools/make_relevance_fixtures.py.
final class CheferParityTests: XCTestCase {
    static let directory = TestPaths.fixture("relevance")

    /// Their ViT_LRP uses ε = 1e-5 in its final LayerNorm (timm: 1e-6), so parity needs it.
    static func model() throws -> VisionTransformer<Float> {
        let checkpoint = try ViTCheckpoint.load(from: directory.appendingPathComponent("tiny_vit"))
        var config = checkpoint.config
        config.finalNormEpsilon = 1e-5
        return try VisionTransformer<Float>(config: config, weights: checkpoint.weights)
    }

    static func array(_ name: String) throws -> [Float] {
        try NPY.read(directory.appendingPathComponent(name + ".npy")).tensor(of: Float.self).scalars
    }

    /// (input index, target) pairs the fixture covers; the first of each input is its argmax.
    static let cases = [(0, 2), (0, 0), (1, 0), (1, 1)]

    func explain(_ method: ExplanationMethod, input: Int, target: Int, options: ExplanationOptions = ExplanationOptions()) throws -> [Float] {
        let model = try Self.model()
        let image = Tensor<Float>(shape: [1, 3, 224, 224], scalars: try Self.array("input_\(input)"))
        return try Explainer(model: model, options: options).explain(image, method: method, targets: [target]).maps[0].values
    }

    /// The same explanation by the Float64 copy of the model.
    func explainInFloat64(_ method: ExplanationMethod, input: Int, target: Int, options: ExplanationOptions) throws -> [Float] {
        let model = VisionTransformer<Double>(converting: try Self.model())
        let image = Tensor<Double>(shape: [1, 3, 224, 224], scalars: try Self.array("input_\(input)").map(Double.init))
        return try Explainer(model: model, options: options).explain(image, method: method, targets: [target]).maps[0].values.map { Float($0) }
    }

    func assertParity(_ ours: [Float], _ fixture: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let reference = try Self.array(fixture)
        let r = Statistics.pearson(ours.map(Double.init), reference.map(Double.init))
        XCTAssertGreaterThanOrEqual(r, 0.999, "\(fixture): Pearson r = \(r)", file: file, line: line)
    }

    func testLogitsMatchTheOfficialModel() throws {
        let model = try Self.model()
        for input in 0..<2 {
            let image = Tensor<Float>(shape: [1, 3, 224, 224], scalars: try Self.array("input_\(input)"))
            let logits = try model(image).scalars
            let reference = try Self.array("logits_\(input)")
            for (ours, theirs) in zip(logits, reference) { XCTAssertEqual(ours, theirs, accuracy: 1e-4 * max(1, abs(theirs))) }
        }
    }

    /// Transformer attribution is checked in Float64 for every case, and in Float32 for the
    /// predicted class. Input 1's non-predicted class 1 from layer 0 is ill-conditioned in
    /// Float32: Float32 rounding alone moves that map to r = 0.9989 against vitrel's own Float64
    /// map (oneDNN's sgemm; 0.99997 with OpenBLAS's, a different rounding of the same sums), while
    /// the Float64 map reaches r = 0.99995 against the official code, whose fixture is itself Float32.
    func testTransformerAttributionAndLRPRolloutMatchAtStartLayersZeroAndOne() throws {
        for (index, (input, target)) in Self.cases.enumerated() {
            for start in [0, 1] {
                var options = ExplanationOptions()
                options.startLayer = start
                let fixture = "input_\(input)__transformer_attribution__start\(start)__target\(target)"
                try assertParity(try explainInFloat64(.cheferLRP, input: input, target: target, options: options), fixture)
                let predictedClass = index == 0 || Self.cases[index - 1].0 != input
                if predictedClass {
                    try assertParity(try explain(.cheferLRP, input: input, target: target, options: options), fixture)
                }
                try assertParity(try explain(.lrpRollout, input: input, target: target, options: options),
                                 "input_\(input)__rollout__start\(start)__target\(target)")
            }
        }
    }

    func testLastLayerMethodsMatch() throws {
        for (input, target) in Self.cases {
            try assertParity(try explain(.lrpLastLayer, input: input, target: target), "input_\(input)__last_layer__target\(target)")
            try assertParity(try explain(.rawAttention, input: input, target: target), "input_\(input)__last_layer_attn__target\(target)")
        }
    }

    func testFullLRPPixelMapMatches() throws {
        try assertParity(try explain(.lrpFull, input: 0, target: 2), "input_0__full__target2")
    }

    func testGradientMethodsMatch() throws {
        for (input, target) in Self.cases {
            try assertParity(try explain(.cheferGradientRollout, input: input, target: target),
                             "input_\(input)__chefer_gradient_rollout__target\(target)")
            try assertParity(try explain(.attentionGradCAM, input: input, target: target),
                             "input_\(input)__attn_gradcam__target\(target)")
        }
    }

    func testAttentionRolloutMatches() throws {
        for input in 0..<2 {
            for (ratio, name) in [(0.0, "0"), (0.9, "0p9")] {
                var options = ExplanationOptions()
                options.discardRatio = ratio
                try assertParity(try explain(.attentionRollout, input: input, target: 0, options: options),
                                 "input_\(input)__attention_rollout__discard\(name)")
            }
        }
    }
}
