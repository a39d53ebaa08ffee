import XCTest
@testable import VitRelMetrics
import VitRelExplain

/// The model parameter randomisation test, the ViT cascade behind it, and MaxSensitivity.
final class RandomisationTests: XCTestCase {
    let config = ViTConfig(imageHeight: 16, imageWidth: 16, patchSize: 4, channels: 3, embedDimension: 16, depth: 2,
                           headCount: 2, classCount: 3)

    /// A tiny ViT whose LayerNorms are not at their initial values (so a reset is visible).
    func trainedLookingViT() -> VisionTransformer<Float> {
        var model = VisionTransformer<Float>(config: config, seed: 5)
        model.forEachParameter { name, tensor in
            if name.contains("norm") { tensor.scalars = tensor.scalars.map { $0 + 0.5 } }
        }
        return model
    }

    func parameters(_ model: VisionTransformer<Float>) -> [String: [Float]] {
        Dictionary(uniqueKeysWithValues: zip(model.parameterNamesAndShapes.map(\.name), model.parameterTensors.map(\.scalars)))
    }

    func testLayersRunFromTheHeadThroughTheBlocksToTheEmbeddings() {
        XCTAssertEqual(ViTParameterRandomisation.layerNames(depth: 2), ["head", "norm", "blocks.1", "blocks.0", "embeddings"])
        let expected: [String: Int] = ["head.weight": 0, "norm.bias": 1, "fc_norm.weight": 1, "blocks.1.mlp.fc2.bias": 2,
                                       "blocks.0.attn.qkv.weight": 3, "cls_token": 4, "pos_embed": 4, "patch_embed.proj.weight": 4,
                                       "blocks.11.norm1.weight": 2]
        for (name, layer) in expected {
            XCTAssertEqual(ViTParameterRandomisation.layer(of: name, depth: name.hasPrefix("blocks.11") ? 12 : 2), layer, name)
        }
    }

    func testCascadeRandomisesExactlyTheLayersUpToTheStepAsTorchResetsThem() throws {
        let original = trainedLookingViT()
        let before = parameters(original)
        let randomisation = ViTParameterRandomisation(seed: 42)
        let cascade = randomisation.cascade(original)
        for k in 0..<cascade.layerNames.count {
            let after = parameters(try cascade.randomisedModel(k))
            for (name, values) in after {
                let layer = ViTParameterRandomisation.layer(of: name, depth: 2)
                if layer > k {
                    XCTAssertEqual(values, before[name], "\(name) untouched at step \(k)")
                } else if name.contains("norm") {
                    XCTAssertTrue(values.allSatisfy { $0 == (name.hasSuffix("weight") ? 1 : 0) }, "\(name) reset to γ = 1, β = 0")
                } else {
                    XCTAssertNotEqual(values, before[name], "\(name) redrawn at step \(k)")
                    if name.hasSuffix("weight") && name != "pos_embed" {
                        let fanIn = original.parameterNamesAndShapes.first { $0.name == name }!.shape[1]
                        XCTAssertLessThanOrEqual(values.map(abs).max()!, 1 / Float(fanIn).squareRoot(), "\(name) in U(±1/√fan_in)")
                    }
                }
            }
        }
    }

    func testCascadeStepsDoNotDependOnTheOrderTheyAreAskedFor() throws {
        let original = trainedLookingViT()
        let randomisation = ViTParameterRandomisation(seed: 7)
        let walked = randomisation.cascade(original)
        for k in 0...3 { _ = try walked.randomisedModel(k) }
        let direct = try randomisation.cascade(original).randomisedModel(3)
        XCTAssertEqual(parameters(try walked.randomisedModel(3)), parameters(direct))
        XCTAssertEqual(parameters(try walked.randomisedModel(1)), parameters(try randomisation.cascade(original).randomisedModel(1)), "stepping back")
        XCTAssertNotEqual(parameters(try ViTParameterRandomisation(seed: 8).cascade(original).randomisedModel(1)), parameters(try walked.randomisedModel(1)))
        XCTAssertThrowsError(try walked.randomisedModel(5))
    }

    func testMPRTOfAnExplanationThatIgnoresTheModelIsOne() throws {
        let input = MetricTestData.image(ImageShape(channels: 3, height: 16, width: 16), seed: 1)
        let attribution = MetricTestData.gaussian(256, seed: 2)
        let cascade = ViTParameterRandomisation().cascade(trainedLookingViT())
        let result = try ModelParameterRandomisation().evaluate(
            input: input, attribution: attribution, target: 0, randomisation: cascade) { _, _, _ in attribution }
        XCTAssertEqual(result.curve!, [1, 1, 1, 1, 1])
        XCTAssertEqual(result.score, 1)
        XCTAssertEqual(result.explanations, 5)
        XCTAssertEqual(result.forwardPasses, 0)
    }

    func testMPRTDecorrelatesGradientTimesInputOfARandomisedViT() throws {
        let model = trainedLookingViT()
        let input = MetricTestData.image(ImageShape(channels: 3, height: 16, width: 16), seed: 3)
        let explain: ExplainFunction<VisionTransformer<Float>> = { model, input, target in
            try Explainer(model: model).explain(input, method: .gradientInput, targets: [target]).maps[0].values
        }
        let attribution = try explain(model, input.reshaped([1, 3, 16, 16]), 1)
        let metric = ModelParameterRandomisation()
        let result = try metric.evaluate(input: input, attribution: attribution, target: 1,
                                         randomisation: ViTParameterRandomisation().cascade(model), explain: explain)
        XCTAssertEqual(result.curve!.count, 5)
        XCTAssertLessThan(result.curve!.last!, 0.9, "the fully random model's explanation differs")
        XCTAssertLessThan(result.score, 0.9)
        var last = metric
        last.summary = .last
        XCTAssertEqual(try last.evaluate(input: input, attribution: attribution, target: 1,
                                         randomisation: ViTParameterRandomisation().cascade(model), explain: explain).score,
                       result.curve!.last!)
        print("MPRT of gradient×input on a tiny ViT, ρ per layer: \(result.curve!)")
    }

    func testMaxSensitivityOfAStableExplanationIsZeroAndOfTheInputIsTheNoiseRatio() throws {
        let shape = ImageShape(channels: 3, height: 4, width: 4)
        let input = MetricTestData.image(shape, seed: 4)
        let metric = MaxSensitivity(samples: 20, seed: 3)
        let constant = [Float](repeating: 0.5, count: shape.plane)
        let still = try metric.evaluate(model: (), input: input, attribution: constant, target: 0) { _, _, _ in constant }
        XCTAssertEqual(still.score, 0)
        XCTAssertEqual(still.explanations, 20)
        // Explaining with the input itself: sensitivity = ‖ε‖ / ‖x‖ ≤ r·√F / ‖x‖.
        let identity: ExplainFunction<Void> = { _, x, _ in x.scalars }
        let result = try metric.evaluate(model: (), input: input, attribution: input.scalars, target: 0, explain: identity)
        let norm = input.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        for (s, value) in result.curve!.enumerated() {
            let noise = zip(metric.noisyInput(input, sample: s).scalars, input.scalars).map { Double($0) - Double($1) }
            XCTAssertTrue(noise.allSatisfy { abs($0) <= 0.2 + 1e-6 }, "U(−0.2, 0.2)")
            XCTAssertEqual(value, noise.reduce(0) { $0 + $1 * $1 }.squareRoot() / norm, accuracy: 1e-6)
        }
        XCTAssertEqual(result.score, result.curve!.max()!)
        XCTAssertLessThanOrEqual(result.score, 0.2 * Double(shape.count).squareRoot() / norm)
        XCTAssertEqual(result, try metric.evaluate(model: (), input: input, attribution: input.scalars, target: 0, explain: identity))
    }

    func testMaxSensitivityIsNaNWhenThePredictionChangesIfAsked() throws {
        let shape = ImageShape(channels: 1, height: 2, width: 2)
        let input = Tensor<Float>(shape: [1, 2, 2], scalars: [0.001, 1, 1, 1])
        // Class 0 wins while the first pixel is positive; U(−0.2, 0.2) noise flips it often.
        let predictor = MetricModel { batch in
            let n = batch.shape[0]
            return Tensor(shape: [n, 2], scalars: (0..<n).flatMap { [batch.scalars[$0 * 4], 0] })
        }
        let identity: ExplainFunction<Void> = { _, x, _ in x.scalars }
        var metric = MaxSensitivity(samples: 10, nanWhenPredictionChanges: true)
        let guarded = try metric.evaluate(model: (), input: input, attribution: input.scalars, target: 0, explain: identity, predictor: predictor)
        XCTAssertTrue(guarded.score.isNaN)
        XCTAssertEqual(guarded.forwardPasses, 11)
        XCTAssertTrue(guarded.curve!.contains { $0.isNaN } && guarded.curve!.contains { !$0.isNaN })
        metric.nanWhenPredictionChanges = false
        XCTAssertTrue(try metric.evaluate(model: (), input: input, attribution: input.scalars, target: 0, explain: identity).score.isFinite)
        XCTAssertEqual(shape.count, 4)
    }
}
