import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRelTraining

/// Fixture: Tests/VitRelTests/Fixtures/training/layer_decay.json, written by
/// Tools/make_layer_decay_fixtures.py (timm's `param_groups_layer_decay`, decay 0.7).
private struct LayerDecayFixture: Decodable {
    struct Model: Decodable {
        var architecture: String
        var depth: Int
        var names: [String]
        var scales: [Double]
    }
    var layer_decay: Double
    var models: [Model]

    static func load() throws -> LayerDecayFixture {
        try JSONDecoder().decode(LayerDecayFixture.self, from: Data(contentsOf: TestPaths.fixture("training/layer_decay.json")))
    }
}

final class LayerwiseLearningRateDecayTests: XCTestCase {
    func testScalesMatchTimmParameterGroups() throws {
        let fixture = try LayerDecayFixture.load()
        XCTAssertEqual(fixture.models.count, 3)
        for model in fixture.models {
            let decay = LayerwiseLearningRateDecay(rate: fixture.layer_decay, depth: model.depth)
            for (name, expected) in zip(model.names, model.scales) {
                XCTAssertEqual(decay.scale(forParameter: name), expected, accuracy: 1e-12, "\(model.architecture) \(name)")
            }
        }
    }

    /// The names the rule reads are the ones vitrel's models visit: the same parameters for the
    /// three fixture models built in vitrel (the order may differ: timm's DeiT registers
    /// `dist_token` after `pos_embed`).
    func testVitrelVisitsTimmsNamesForTheFixtureModels() throws {
        let fixture = try LayerDecayFixture.load()
        var dinov2 = try XCTUnwrap(ViTConfig.timm(architecture: "vit_small_patch14_reg4_dinov2", classCount: 3))
        (dinov2.imageHeight, dinov2.imageWidth, dinov2.depth, dinov2.embedDimension, dinov2.headCount) = (28, 28, 3, 32, 2)
        dinov2.mlpHiddenDimension = 128
        var deit = try XCTUnwrap(ViTConfig.timm(architecture: "deit_tiny_distilled_patch16_224", classCount: 3))
        (deit.imageHeight, deit.imageWidth, deit.depth) = (32, 32, 2)
        var averaged = try XCTUnwrap(ViTConfig.timm(architecture: "vit_tiny_patch16_224", classCount: 3))
        (averaged.imageHeight, averaged.imageWidth, averaged.depth) = (32, 32, 2)
        averaged.pooling = .average
        averaged.normAfterPooling = true
        for (config, expected) in zip([dinov2, deit, averaged], fixture.models) {
            XCTAssertNil(config.validationProblem(), expected.architecture)
            let names = VisionTransformer<Float>(config: config).parameterNamesAndShapes.map(\.name)
            XCTAssertEqual(names.count, expected.names.count, expected.architecture)
            XCTAssertEqual(Set(names), Set(expected.names), expected.architecture)
        }
    }

    /// A step with layer decay moves each tensor exactly as a plain AdamW step at that tensor's
    /// scaled rate would (torch semantics of one parameter group per layer), weight decay included.
    func testStepEqualsPlainStepsAtTheScaledRates() {
        let names = ["cls_token", "blocks.0.attn.qkv.weight", "blocks.1.mlp.fc1.bias", "norm.weight", "head.weight"]
        let shapes = [[4], [3, 4], [5], [4], [2, 4]]
        var generator = SeededGenerator(seed: 3)
        func tensors() -> [Tensor<Double>] {
            shapes.map { shape in Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in generator.nextGaussian() }) }
        }
        let initial = tensors(), gradients = [tensors(), tensors()]
        let decay = LayerwiseLearningRateDecay(rate: 0.6, depth: 2)
        let hyperparameters = AdamWHyperparameters(weightDecay: 0.1)
        var all = ParameterList(names: names, tensors: initial)
        var optimizer = AdamW<Double>(hyperparameters: hyperparameters)
        for gradient in gradients {
            optimizer.step(&all, gradient: ParameterList(names: names, tensors: gradient), learningRate: 0.01, layerDecay: decay)
        }
        for i in names.indices {
            var single = ParameterList(names: [names[i]], tensors: [initial[i]])
            var plain = AdamW<Double>(hyperparameters: hyperparameters)
            for gradient in gradients {
                plain.step(&single, gradient: ParameterList(names: [names[i]], tensors: [gradient[i]]),
                           learningRate: 0.01 * decay.scale(forParameter: names[i]))
            }
            XCTAssertEqual(all.tensors[i].scalars, single.tensors[0].scalars, names[i])
        }
        XCTAssertEqual(decay.scale(forParameter: "cls_token"), 0.6 * 0.6 * 0.6, accuracy: 1e-15)
        XCTAssertEqual(decay.scale(forParameter: "head.weight"), 1)
        XCTAssertNotEqual(all.tensors[0].scalars, ParameterList(names: names, tensors: initial).tensors[0].scalars)
    }

    func testConfigurationRejectsRatesOutsideTheUnitIntervalAndReadsOldStates() throws {
        XCTAssertNotNil(TrainingConfiguration(layerDecay: 0).validationProblem())
        XCTAssertNotNil(TrainingConfiguration(layerDecay: 1.5).validationProblem())
        XCTAssertNotNil(TrainingConfiguration(layerDecay: .nan).validationProblem())
        XCTAssertNil(TrainingConfiguration(layerDecay: 0.75).validationProblem())
        // A configuration saved before the option existed decodes with no layer decay.
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(TrainingConfiguration())) as? [String: Any])
        object.removeValue(forKey: "layerDecay")
        let decoded = try JSONDecoder().decode(TrainingConfiguration.self, from: JSONSerialization.data(withJSONObject: object))
        XCTAssertNil(decoded.layerDecay)
        XCTAssertEqual(decoded, TrainingConfiguration())
    }
}
