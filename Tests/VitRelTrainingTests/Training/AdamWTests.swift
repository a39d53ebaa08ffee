import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRelTraining

/// Fixture: Tests/VitRelTests/Fixtures/training/adamw.json, written by
/// Tools/make_training_fixtures.py (torch.optim.AdamW with timm's no-decay groups, float64).
struct AdamWFixture: Decodable {
    struct Step: Decodable {
        var learning_rate: Double
        var gradients: [String: [Double]]
        var parameters: [String: [Double]]
    }
    struct Clip: Decodable {
        var max_norm: Double
        var gradients: [String: [Double]]
        var total_norm: Double
        var clipped: [String: [Double]]
    }
    var names: [String]
    var shapes: [[Int]]
    var weight_decay: Double
    var beta1: Double
    var beta2: Double
    var epsilon: Double
    var initial: [String: [Double]]
    var steps: [Step]
    var clip: Clip

    static func load() throws -> AdamWFixture {
        try JSONDecoder().decode(AdamWFixture.self, from: Data(contentsOf: TestPaths.fixture("training/adamw.json")))
    }

    func list<Scalar: TensorScalar>(_ values: [String: [Double]], as: Scalar.Type) -> ParameterList<Scalar> {
        ParameterList(names: names, tensors: zip(names, shapes).map { name, shape in
            Tensor(shape: shape, scalars: values[name]!.map { Scalar($0) })
        })
    }
}

final class AdamWTests: XCTestCase {
    func runFixture<Scalar: TensorScalar>(_ type: Scalar.Type) throws -> (worst: Double, fixture: AdamWFixture) {
        let fixture = try AdamWFixture.load()
        var parameters = fixture.list(fixture.initial, as: Scalar.self)
        var optimizer = AdamW<Scalar>(hyperparameters: AdamWHyperparameters(
            beta1: fixture.beta1, beta2: fixture.beta2, epsilon: fixture.epsilon, weightDecay: fixture.weight_decay))
        var worst = 0.0
        for step in fixture.steps {
            optimizer.step(&parameters, gradient: fixture.list(step.gradients, as: Scalar.self), learningRate: step.learning_rate)
            let expected = fixture.list(step.parameters, as: Double.self)
            for (ours, torch) in zip(parameters.tensors, expected.tensors) {
                worst = max(worst, Tensor<Double>(ours).maxAbsDifference(torch))
            }
        }
        XCTAssertEqual(optimizer.stepCount, fixture.steps.count)
        return (worst, fixture)
    }

    func testAdamWStepsMatchTorchInDouble() throws {
        let (worst, fixture) = try runFixture(Double.self)
        XCTAssertEqual(fixture.steps.count, 5)
        XCTAssertLessThan(worst, 1e-12)
    }

    func testAdamWStepsMatchTorchInFloat() throws {
        let (worst, _) = try runFixture(Float.self)
        XCTAssertLessThan(worst, 1e-6)
    }

    /// The Float update runs the C kernel (`vitrel_adamw_f32`); it must give the plain Swift
    /// loop's bits, with and without decay, over a length that is not a multiple of 8 and
    /// values that include zero moments, zero gradients and magnitudes far apart.
    func testFloatKernelGivesThePlainUpdatesBits() {
        var generator = SeededGenerator(seed: 41)
        let count = 1003
        func gaussians(_ scale: Double) -> [Float] { (0..<count).map { _ in Float(scale * generator.nextGaussian()) } }
        var parameters = gaussians(0.05), firstMoments = gaussians(1e-3), gradients = gaussians(1e-2)
        var secondMoments = gaussians(1e-3).map { $0 * $0 }
        for i in stride(from: 0, to: count, by: 97) { firstMoments[i] = 0; secondMoments[i] = 0; gradients[i] = 0 }
        for i in stride(from: 5, to: count, by: 131) { gradients[i] *= 1e6; parameters[i] *= 1e-6 }
        let coefficients = AdamW<Float>.Coefficients(
            beta1Complement: 0.1, beta2: 0.999, beta2Complement: 0.001, stepSize: 3e-4, biasCorrection2SquareRoot: 0.0447,
            epsilon: 1e-8)
        for decay in [Float?.none, 0.99995] {
            var (kernelP, kernelM, kernelV) = (parameters, firstMoments, secondMoments)
            var (plainP, plainM, plainV) = (parameters, firstMoments, secondMoments)
            for _ in 0..<3 {  // repeated steps feed the kernel its own moments
                AdamW<Float>.update(&kernelP, &kernelM, &kernelV, gradients, count: count, decay: decay, coefficients)
                AdamW<Float>.plainUpdate(&plainP, &plainM, &plainV, gradients, count: count, decay: decay, coefficients)
            }
            XCTAssertEqual(kernelP.map(\.bitPattern), plainP.map(\.bitPattern), "parameters, decay \(String(describing: decay))")
            XCTAssertEqual(kernelM.map(\.bitPattern), plainM.map(\.bitPattern), "first moments")
            XCTAssertEqual(kernelV.map(\.bitPattern), plainV.map(\.bitPattern), "second moments")
            XCTAssertNotEqual(kernelP, parameters)
        }
    }

    func testWeightDecayFollowsTimmNoDecayRule() {
        XCTAssertTrue(AdamW<Float>.decays(name: "blocks.0.attn.qkv.weight", shape: [24, 8]))
        XCTAssertTrue(AdamW<Float>.decays(name: "patch_embed.proj.weight", shape: [8, 48]))
        XCTAssertTrue(AdamW<Float>.decays(name: "head.weight", shape: [3, 8]))
        XCTAssertFalse(AdamW<Float>.decays(name: "head.bias", shape: [3]))
        XCTAssertFalse(AdamW<Float>.decays(name: "blocks.0.norm1.weight", shape: [8]))
        XCTAssertFalse(AdamW<Float>.decays(name: "pos_embed", shape: [17, 8]))
        XCTAssertFalse(AdamW<Float>.decays(name: "cls_token", shape: [8]))
        // A zero gradient isolates the decay: only decaying tensors shrink, by exactly (1 − lr·λ).
        var model = TinyViT.model()
        let before = ParameterList(model)
        var optimizer = AdamW<Double>(hyperparameters: AdamWHyperparameters(weightDecay: 0.1))
        optimizer.step(&model, gradient: model.zeroed(), learningRate: 0.5)
        let after = ParameterList(model)
        for i in before.names.indices {
            let expectedFactor = AdamW<Double>.decays(name: before.names[i], shape: before.tensors[i].shape) ? 0.95 : 1.0
            for (b, a) in zip(before.tensors[i].scalars, after.tensors[i].scalars) {
                XCTAssertEqual(a, b * expectedFactor, accuracy: 1e-15, before.names[i])
            }
        }
    }

    func testClippingMatchesTorchClipGradNorm() throws {
        let fixture = try AdamWFixture.load()
        var gradients = fixture.list(fixture.clip.gradients, as: Double.self)
        let norm = GradientClipping.clipGlobalNorm(&gradients, maximumNorm: fixture.clip.max_norm)
        XCTAssertEqual(norm, fixture.clip.total_norm, accuracy: 1e-12)
        let expected = fixture.list(fixture.clip.clipped, as: Double.self)
        for (ours, torch) in zip(gradients.tensors, expected.tensors) { XCTAssertLessThan(ours.maxAbsDifference(torch), 1e-15) }
    }

    func testClippingScalesToTheExactNormAndLeavesSmallGradientsUntouched() {
        var generator = SeededGenerator(seed: 8)
        let shapes = [[7], [3, 5], [2, 2, 2]]
        var gradients = ParameterList<Double>(names: ["a", "b", "c"], tensors: shapes.map { shape in
            Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in 2 * generator.nextGaussian() })
        })
        let norm = GradientClipping.globalNorm(gradients)
        let byHand = gradients.tensors.flatMap(\.scalars).reduce(0) { $0 + $1 * $1 }.squareRoot()
        XCTAssertEqual(norm, byHand, accuracy: 1e-12)
        let untouched = gradients
        XCTAssertEqual(GradientClipping.clipGlobalNorm(&gradients, maximumNorm: norm * 2), norm)
        XCTAssertEqual(gradients, untouched)  // bit for bit
        GradientClipping.clipGlobalNorm(&gradients, maximumNorm: 1)
        // torch scales by max/(norm + 1e-6): the new norm is that factor times the old one.
        XCTAssertEqual(GradientClipping.globalNorm(gradients), norm / (norm + 1e-6), accuracy: 1e-14)
        XCTAssertGreaterThan(norm, 5)
    }

    func testWarmupCosineScheduleValues() {
        let schedule = WarmupCosineSchedule(baseLearningRate: 1e-3, minimumLearningRate: 1e-5, warmupSteps: 4, totalSteps: 14)
        // Warm-up: base·(s+1)/W.
        XCTAssertEqual(schedule.learningRate(atStep: 0), 2.5e-4, accuracy: 1e-18)
        XCTAssertEqual(schedule.learningRate(atStep: 1), 5e-4, accuracy: 1e-18)
        XCTAssertEqual(schedule.learningRate(atStep: 3), 1e-3, accuracy: 1e-18)
        // Cosine over 10 steps: s = 4 → base; s = 9 (half way) → (base + min)/2;
        // s = 6 → min + ½(base − min)(1 + cos(0.2π)).
        XCTAssertEqual(schedule.learningRate(atStep: 4), 1e-3, accuracy: 1e-18)
        XCTAssertEqual(schedule.learningRate(atStep: 9), 5.05e-4, accuracy: 1e-15)
        XCTAssertEqual(schedule.learningRate(atStep: 6), 1e-5 + 0.5 * 9.9e-4 * (1 + cos(0.2 * Double.pi)), accuracy: 1e-15)
        XCTAssertEqual(schedule.learningRate(atStep: 14), 1e-5)
        // Monotone decreasing after warm-up, never below the minimum.
        let rates = (4..<20).map { schedule.learningRate(atStep: $0) }
        XCTAssertTrue(zip(rates, rates.dropFirst()).allSatisfy { $0 >= $1 })
        XCTAssertTrue(rates.allSatisfy { $0 >= 1e-5 })
    }
}
