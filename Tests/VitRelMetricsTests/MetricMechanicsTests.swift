import XCTest
@testable import VitRelMetrics

/// Forward-pass counts, batching, seeds and threads: the contracts every metric shares.
final class MetricMechanicsTests: XCTestCase {
    let shape = ImageShape(channels: 3, height: 8, width: 8)

    /// Every perturbation metric with settings that exercise uneven last steps and padding.
    var metrics: [any PerturbationMetric] {
        [
            FaithfulnessEstimate(featuresInStep: 5),
            FaithfulnessCorrelation(runs: 9, subsetSize: 17, seed: 3),
            MonotonicityCorrelation(samples: 3, featuresInStep: 7, seed: 4),
            PixelFlipping(featuresInStep: 11),
            RegionPerturbation(patchSize: 3, regions: 7, baseline: .gaussianNoise(standardDeviation: 0.1), seed: 5),
            Selectivity(patchSize: 3, baseline: .mean),
            InsertionDeletion(game: .insertion, pixelsPerStep: 5),
            InsertionDeletion(game: .deletion, pixelsPerStep: 6),
            ROAD(percentages: [10, 40, 70], seed: 6),
        ]
    }

    func testForwardPassCountsEqualTheFormulasAndWhatTheModelSaw() throws {
        let input = MetricTestData.image(shape, seed: 1)
        let attribution = MetricTestData.gaussian(shape.plane, seed: 2)
        // F = 192: FE 1 + ⌈192/5⌉; FC 1 + 9; MC 1 + ⌈192/7⌉·3; PF ⌈192/11⌉; RP 1 + min(7, 3²);
        // Sel 3² regions (8 padded to 9); insertion ⌈64/5⌉ + 1; deletion ⌈64/6⌉ + 1; ROAD 3.
        let expected = [40, 10, 85, 18, 8, 9, 14, 12, 3]
        for (metric, formula) in zip(metrics, expected) {
            let linear = LinearTestModel.random(features: 192, classes: 3, seed: 7)
            let model = MetricModel(batchSize: 4, linear.callAsFunction)
            let result = try metric.evaluate(model: model, input: input, attribution: attribution, target: 2)
            XCTAssertEqual(metric.forwardPasses(for: shape), formula, "\(metric.kind) formula")
            XCTAssertEqual(result.forwardPasses, formula, "\(metric.kind) reported")
            XCTAssertEqual(model.counter.passes, formula, "\(metric.kind) counted by MetricModel")
            XCTAssertEqual(linear.calls.inputs, formula, "\(metric.kind) seen by the model")
            XCTAssertEqual(linear.calls.batches, (formula + 3) / 4, "\(metric.kind) batches of 4")
            XCTAssertEqual(model.counter.batches, linear.calls.batches)
        }
    }

    func testDefaultForwardPassesOnA224Image() {
        let image = ImageShape(channels: 3, height: 224, width: 224)
        let quantus = MetricSuite()
        let expected: [MetricKind: Int] = [
            .faithfulnessEstimate: 1 + 150_528, .faithfulnessCorrelation: 101, .monotonicityCorrelation: 1 + 150_528 * 100,
            .pixelFlipping: 150_528, .regionPerturbation: 101, .selectivity: 784, .insertion: 225, .deletion: 225, .road: 50,
        ]
        for kind in MetricKind.allCases {
            XCTAssertEqual(quantus.forwardPasses(kind, shape: image), expected[kind] ?? 0, "\(kind)")
        }
        let vit = MetricSuite.vit(patchSize: 16, channels: 3)
        XCTAssertEqual(vit[.faithfulnessEstimate, as: FaithfulnessEstimate.self].featuresInStep, 768)
        XCTAssertEqual(vit.forwardPasses(.faithfulnessEstimate, shape: image), 197)
        XCTAssertEqual(vit.forwardPasses(.monotonicityCorrelation, shape: image), 1 + 196 * 100)
        XCTAssertEqual(vit.forwardPasses(.pixelFlipping, shape: image), 196)
        XCTAssertEqual(RegionPerturbation.covidAOPC().forwardPasses(for: image), 1 + 49)
    }

    func testBatchingGivesTheSameResultsAsBatchSizeOne() throws {
        let input = MetricTestData.image(shape, seed: 3)
        let attribution = MetricTestData.gaussian(shape.count, seed: 4)
        let linear = LinearTestModel.random(features: 192, classes: 3, seed: 8)
        for metric in metrics {
            let one = try metric.evaluate(model: MetricModel(batchSize: 1, linear.callAsFunction), input: input, attribution: attribution, target: 0)
            for size in [3, 32, 1000] {
                let batched = try metric.evaluate(model: MetricModel(batchSize: size, linear.callAsFunction), input: input, attribution: attribution, target: 0)
                XCTAssertEqual(batched, one, "\(metric.kind) batch \(size)")
            }
        }
    }

    func testSameSeedGivesIdenticalResultsAndAnotherSeedChangesRandomMetrics() throws {
        let input = MetricTestData.image(shape, seed: 5)
        let attribution = MetricTestData.gaussian(shape.plane, seed: 6)
        let model = MetricModel(LinearTestModel.random(features: 192, classes: 3, seed: 9).callAsFunction)
        let random: [any PerturbationMetric] = [
            FaithfulnessCorrelation(runs: 9, subsetSize: 17, seed: 3),
            MonotonicityCorrelation(samples: 3, featuresInStep: 7, seed: 4),
            RegionPerturbation(patchSize: 2, regions: 7, baseline: .gaussianNoise(standardDeviation: 0.1), seed: 5),
            RegionPerturbation(patchSize: 2, order: .random, regions: 7, seed: 5),
            PixelFlipping(featuresInStep: 12, baseline: .uniformUnit, seed: 5),
            ROAD(percentages: [10, 40, 70], readout: .probability, seed: 6),
        ]
        for metric in random {
            let first = try metric.evaluate(model: model, input: input, attribution: attribution, target: 1)
            let second = try metric.evaluate(model: model, input: input, attribution: attribution, target: 1)
            XCTAssertEqual(first, second, "\(metric.kind) is reproducible")
            let reseeded = try Self.reseeded(metric, 99).evaluate(model: model, input: input, attribution: attribution, target: 1)
            XCTAssertNotEqual(first.curve!, reseeded.curve!, "\(metric.kind) depends on its seed")
        }
    }

    static func reseeded(_ metric: any PerturbationMetric, _ seed: UInt64) -> any PerturbationMetric {
        switch metric {
        case var m as FaithfulnessCorrelation: m.seed = seed; return m
        case var m as MonotonicityCorrelation: m.seed = seed; return m
        case var m as RegionPerturbation: m.seed = seed; return m
        case var m as PixelFlipping: m.seed = seed; return m
        case var m as ROAD: m.seed = seed; return m
        default: fatalError("no seed on \(metric.kind)")
        }
    }

    func testResultsDoNotDependOnTheThreadCount() throws {
        let saved = Parallel.threadCount
        defer { Parallel.setThreadCount(saved) }
        // A tiny ViT as the model, so the forward pass's own threading is exercised too.
        let config = ViTConfig(imageHeight: 16, imageWidth: 16, patchSize: 4, channels: 3, embedDimension: 16, depth: 2,
                               headCount: 2, classCount: 3)
        let vit = VisionTransformer<Float>(config: config, seed: 3)
        let image = ImageShape(channels: 3, height: 16, width: 16)
        let input = MetricTestData.image(image, seed: 7)
        let attribution = MetricTestData.gaussian(image.plane, seed: 8)
        let suite: [any PerturbationMetric] = [
            FaithfulnessEstimate(featuresInStep: 48), RegionPerturbation(patchSize: 4, regions: 8, baseline: .gaussianNoise(standardDeviation: 0.1)),
            ROAD(percentages: [10, 30, 50, 70, 90], readout: .probability), InsertionDeletion.insertion,
        ]
        func run() throws -> [MetricResult] {
            try suite.map { try $0.evaluate(model: MetricModel(batchSize: 8) { try vit($0) }, input: input, attribution: attribution, target: 1) }
        }
        Parallel.setThreadCount(1)
        let single = try run()
        Parallel.setThreadCount(2)
        let double = try run()
        XCTAssertEqual(single, double)
    }

    func testShapeErrorsAreTypedWithOneLineMessages() throws {
        let model = MetricModel(LinearTestModel.random(features: 192, classes: 3, seed: 1).callAsFunction)
        let input = MetricTestData.image(shape, seed: 1)
        XCTAssertThrowsError(try FaithfulnessEstimate().evaluate(model: model, input: input, attribution: [1, 2, 3], target: 0)) { error in
            XCTAssertEqual(error as? MetricError, .attributionShape(count: 3, channels: 3, height: 8, width: 8))
            XCTAssertFalse("\(error)".contains("\n"))
        }
        XCTAssertThrowsError(try FaithfulnessEstimate().evaluate(model: model, input: Tensor(zeros: [2, 3, 8, 8]), attribution: [], target: 0)) { error in
            XCTAssertEqual(error as? MetricError, .inputShape([2, 3, 8, 8]))
        }
        XCTAssertThrowsError(try PixelFlipping().evaluate(model: model, input: input, attribution: MetricTestData.gaussian(64, seed: 1), target: 3)) { error in
            XCTAssertEqual(error as? MetricError, .modelOutput(shape: [32, 3], inputs: 32, target: 3))
        }
        XCTAssertThrowsError(try FaithfulnessEstimate(featuresInStep: 0).evaluate(model: model, input: input, attribution: MetricTestData.gaussian(64, seed: 1), target: 0))
    }

    func testBaselinesFollowQuantusOnTheArrayBeingPerturbed() throws {
        let shape = ImageShape(channels: 1, height: 2, width: 3)
        let x: [Float] = [3, -2, 5, 0, 1, 7]
        var generator = SeededGenerator(seed: 1)
        func perturbed(_ baseline: PerturbationBaseline) throws -> [Float] {
            var copy = x
            try Perturber(baseline, original: x, shape: shape).perturb(&copy, at: [0, 4], generator: &generator)
            return copy
        }
        XCTAssertEqual(try perturbed(.black), [-2, -2, 5, 0, -2, 7], "black = minimum of the input")
        XCTAssertEqual(try perturbed(.white), [7, -2, 5, 0, 7, 7])
        XCTAssertEqual(try perturbed(.mean), [14 / 6, -2, 5, 0, 14 / 6, 7])
        XCTAssertEqual(try perturbed(.constant(0.5)), [0.5, -2, 5, 0, 0.5, 7])
        let uniform = try perturbed(.uniformUnit)
        XCTAssertEqual(uniform[0], uniform[4], "one draw per perturbation")
        XCTAssertTrue((0..<1).contains(uniform[0]))
        let noisy = try perturbed(.gaussianNoise(standardDeviation: 0.1))
        XCTAssertNotEqual(noisy[0], x[0])
        XCTAssertEqual(Array(noisy[1...3]) + [noisy[5]], [-2, 5, 0, 7], "only the chosen features move")
        for text in ["black", "white", "mean", "uniform", "zero", "constant:0.25", "noise:0.1", "blur:5.0", "blur:2.0:7", "uniform:-1.0:1.0"] {
            XCTAssertEqual(try PerturbationBaseline(parsing: text).description, text)
        }
        XCTAssertEqual(try PerturbationBaseline(parsing: "blur:5"), .riseBlur)
        XCTAssertThrowsError(try PerturbationBaseline(parsing: "grey"))
        XCTAssertThrowsError(try PerturbationBaseline(parsing: "blur:5:4"), "kernel size must be odd")
    }

    func testSpreadPixelMapsCarryEachPixelValueInEveryChannel() throws {
        let shape = ImageShape(channels: 3, height: 1, width: 2)
        let features = try AttributionFeatures([2, -4], shape: shape, preprocessing: AttributionPreprocessing())
        XCTAssertEqual(features.values, [0.5, -1, 0.5, -1, 0.5, -1], "normalised by max|a| = 4, then spread")
        XCTAssertEqual(features.descendingOrder, [0, 2, 4, 1, 3, 5])
        let absolute = try AttributionFeatures([2, -4], shape: shape, preprocessing: AttributionPreprocessing(normalise: false, absolute: true))
        XCTAssertEqual(absolute.values, [2, 4, 2, 4, 2, 4])
        XCTAssertEqual(try AttributionFeatures.pixelMap([1, 2, 3, 4, 5, 6], shape: shape), [9, 12])
    }

    /// Tied pixels are taken whole, in pixel order: pixels 0 and 2 tie, so after pixel 1 come
    /// all three channels of pixel 0, then of pixel 2. (A stable argsort over the [C, H, W]
    /// features would give 0, 2, 3, 5, 6, 8: channel 0 of both tied pixels first.)
    func testTiedPixelsKeepTheirChannelsTogether() throws {
        let shape = ImageShape(channels: 3, height: 1, width: 3)
        let features = try AttributionFeatures([1, 2, 1], shape: shape, preprocessing: AttributionPreprocessing())
        XCTAssertEqual(features.descendingOrder, [1, 4, 7, 0, 3, 6, 2, 5, 8])
        XCTAssertEqual(features.ascendingOrder, [0, 3, 6, 2, 5, 8, 1, 4, 7])
        // A per-channel attribution with ties: by value, then pixel, then channel.
        let full = try AttributionFeatures([5, 1, 5, 5, 0, 1, 0, 5, 1], shape: shape, preprocessing: AttributionPreprocessing())
        XCTAssertEqual(full.descendingOrder, [0, 3, 7, 2, 1, 5, 8, 6, 4])
        // Every step of C features is whole pixels.
        for order in [features.descendingOrder, features.ascendingOrder] {
            for step in stride(from: 0, to: shape.count, by: shape.channels) {
                XCTAssertEqual(Set(order[step..<(step + shape.channels)].map { $0 % shape.plane }).count, 1)
            }
        }
    }
}
