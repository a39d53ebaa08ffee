import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRelMetrics

/// Fixture: Tests/VitRelTests/Fixtures/metrics/quantus.json, written by
/// Tools/make_metric_fixtures.py (Quantus 0.6.0 on a linear model, 4 inputs of 3×8×8).
struct QuantusFixture: Decodable {
    struct Model: Decodable {
        var weight: [Float]
        var bias: [Float]
        var classes: Int
        var shape: [Int]
    }
    struct StepCase: Decodable {
        var attribution: String
        var features_in_step: Int
        var baseline: String
        var scores: [Double?]?
        var curves: [[Double?]]?
    }
    struct RegionCase: Decodable {
        var attribution: String
        var patch_size: Int
        var order: String?
        var regions: Int?
        var baseline: String
        var curves: [[Double?]]
    }
    struct MonotonicityCase: Decodable {
        var attribution: String
        var features_in_step: Int
        var samples: Int
        var baseline: String
        var scores: [Double?]
    }
    struct CorrelationCase: Decodable {
        var attribution: String
        var runs: Int
        var subset_size: Int
        var subsets: [[[Int]]]
        var scores: [Double?]
    }
    struct LocalisationCase: Decodable {
        var abs: Bool
        var scores: [Double?]
    }
    struct Pointing: Decodable { var scores: [Double] }
    struct Road: Decodable {
        struct Imputed: Decodable {
            var image: Int
            var percentage: Double
            var removed: [Int]
            var values: [Float]
        }
        var weight: [Float]
        var bias: [Float]
        var inputs: [Float]
        var targets: [Int]
        var attributions: [Float]
        var percentages: [Double]
        struct Large: Decodable {
            var side: Int
            var channels: Int
            var input: [Float]
            var removed: [Int]
            var values: [Float]
        }
        var curves: [[Double?]]
        var imputed: [Imputed]
        var large: Large
    }
    struct Rise: Decodable {
        var kernel_size: Int
        var sigma: Double
        var pixels_per_step: Int
        var kernel: [Double]
        var blurred: [Float]
        var insertion: [[Double?]]
        var deletion: [[Double?]]
    }

    var model: Model
    var inputs: [Float]
    var targets: [Int]
    var pixel_attributions: [Float]
    /// [4, 1, 8, 8]: a 4×4 map upsampled (nearest), so every value ties four pixels.
    var tied_attributions: [Float]
    var full_attributions: [Float]
    var masks: [Float]
    var faithfulness_estimate: [StepCase]
    var pixel_flipping: [StepCase]
    var region_perturbation: [RegionCase]
    var selectivity: [RegionCase]
    var monotonicity_correlation: [MonotonicityCase]
    var faithfulness_correlation: [CorrelationCase]
    var relevance_mass: [LocalisationCase]
    var relevance_rank: [LocalisationCase]
    var pointing_game: Pointing
    var road: Road
    var rise: Rise

    static func load() throws -> QuantusFixture {
        try JSONDecoder().decode(QuantusFixture.self, from: Data(contentsOf: TestPaths.fixture("metrics/quantus.json")))
    }

    var shape: ImageShape { ImageShape(channels: model.shape[0], height: model.shape[1], width: model.shape[2]) }
    var imageCount: Int { targets.count }

    func input(_ b: Int) -> Tensor<Float> {
        Tensor(shape: model.shape, scalars: Array(inputs[(b * shape.count)..<((b + 1) * shape.count)]))
    }

    /// Image b's attribution of kind "pixel" or "tied" ([H, W]) or "full" ([C, H, W]).
    func attribution(_ kind: String, _ b: Int) -> [Float] {
        let size = kind == "full" ? shape.count : shape.plane
        let all: [Float]
        switch kind {
        case "pixel": all = pixel_attributions
        case "tied": all = tied_attributions
        case "full": all = full_attributions
        default: preconditionFailure("unknown attribution kind \(kind)")
        }
        return Array(all[(b * size)..<((b + 1) * size)])
    }

    func mask(_ b: Int) -> [Bool] { masks[(b * shape.plane)..<((b + 1) * shape.plane)].map { $0 != 0 } }

    func batchModel(batchSize: Int = 32) -> MetricModel {
        MetricModel(batchSize: batchSize, LinearTestModel(weight: model.weight, bias: model.bias, classes: model.classes).callAsFunction)
    }
}

/// Fixture: Tests/VitRelTests/Fixtures/metrics/statistics.json (scipy.stats and numpy values).
struct StatisticsFixture: Decodable {
    struct Case: Decodable {
        var a: [Double]
        var b: [Double]
        var pearson: Double
        var spearman: Double
        var ranks_a: [Double]
    }
    var correlations: [Case]
    var percentile_values: [Double]
    var percentiles: [Double]
    var percentile_results: [Double]
    var trapz_values: [Double]
    var trapz: Double

    static func load() throws -> StatisticsFixture {
        try JSONDecoder().decode(StatisticsFixture.self, from: Data(contentsOf: TestPaths.fixture("metrics/statistics.json")))
    }
}

/// logits = W·x + b, summed in Double on the Float input and returned as Float, as the fixture
/// script's torch model does; each image's logits do not depend on the batch it comes in.
struct LinearTestModel {
    var weight: [Float]  // [classes, features]
    var bias: [Float]
    var classes: Int
    /// Calls of the model and inputs seen, counted independently of `MetricModel`.
    final class Calls: @unchecked Sendable {
        var batches = 0
        var inputs = 0
    }
    var calls = Calls()

    var features: Int { weight.count / classes }

    func callAsFunction(_ batch: Tensor<Float>) throws -> Tensor<Float> {
        let n = batch.count / features
        precondition(n * features == batch.count, "linear model input \(batch.shape)")
        calls.batches += 1
        calls.inputs += n
        var out = [Float](repeating: 0, count: n * classes)
        for b in 0..<n {
            for k in 0..<classes {
                var sum = 0.0
                for i in 0..<features { sum += Double(weight[k * features + i]) * Double(batch.scalars[b * features + i]) }
                out[b * classes + k] = Float(sum + Double(bias[k]))
            }
        }
        return Tensor(shape: [n, classes], scalars: out)
    }

    /// The exact attribution of class `target`: x ⊙ w_target, per feature.
    func exactAttribution(_ input: Tensor<Float>, target: Int) -> [Float] {
        (0..<features).map { input.scalars[$0] * weight[target * features + $0] }
    }

    /// A random model of the given size.
    static func random(features: Int, classes: Int, seed: UInt64, scale: Double = 0.1) -> LinearTestModel {
        var generator = SeededGenerator(seed: seed)
        return LinearTestModel(
            weight: (0..<(features * classes)).map { _ in Float(generator.nextGaussian() * scale) },
            bias: (0..<classes).map { _ in Float(generator.nextGaussian() * scale) }, classes: classes)
    }
}

/// Random test data.
enum MetricTestData {
    static func gaussian(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float(generator.nextGaussian()) }
    }

    static func image(_ shape: ImageShape, seed: UInt64) -> Tensor<Float> {
        Tensor(shape: [shape.channels, shape.height, shape.width], scalars: gaussian(shape.count, seed: seed))
    }
}

/// Largest |a − b| over two series where nil (NaN in the fixture) must meet NaN.
func worstDifference(_ ours: [Double], _ reference: [Double?], file: StaticString = #filePath, line: UInt = #line) -> Double {
    XCTAssertEqual(ours.count, reference.count, "series lengths", file: file, line: line)
    var worst = 0.0
    for (value, expected) in zip(ours, reference) {
        if let expected {
            worst = max(worst, abs(value - expected))
        } else {
            XCTAssertTrue(value.isNaN, "expected NaN, got \(value)", file: file, line: line)
        }
    }
    return worst
}
