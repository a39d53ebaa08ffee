import XCTest
@testable import VitRelMetrics

/// Hand-checkable properties of the perturbation metrics on a linear model, where the exact
/// attribution of class t is x ⊙ w_t: removing features S (to 0) lowers the logit by exactly
/// Σ_S x ⊙ w_t.
final class FaithfulnessPropertyTests: XCTestCase {
    let shape = ImageShape(channels: 3, height: 8, width: 8)
    let linear = LinearTestModel.random(features: 192, classes: 3, seed: 11)

    func exactCase(seed: UInt64 = 3, target: Int = 1) -> (input: Tensor<Float>, attribution: [Float]) {
        let input = MetricTestData.image(shape, seed: seed)
        return (input, linear.exactAttribution(input, target: target))
    }

    func testFaithfulnessEstimateOfTheExactLinearAttributionIsOne() throws {
        let (input, attribution) = exactCase()
        for step in [1, 3, 8] {
            let metric = FaithfulnessEstimate(featuresInStep: step, baseline: .constant(0))
            let score = try metric.evaluate(model: MetricModel(linear.callAsFunction), input: input, attribution: attribution, target: 1).score
            XCTAssertEqual(score, 1, accuracy: 1e-6, "s = \(step): the drops are the attribution sums")
        }
    }

    func testFaithfulnessEstimateOfRandomMapsAveragesNearZero() throws {
        let (input, _) = exactCase()
        let metric = FaithfulnessEstimate(baseline: .constant(0))
        let scores = try (0..<60).map { seed in
            try metric.evaluate(model: MetricModel(linear.callAsFunction), input: input,
                                attribution: MetricTestData.gaussian(192, seed: 1000 + UInt64(seed)), target: 1).score
        }
        // r of 192 unrelated pairs has std ≈ 1/√192 = 0.072; the mean of 60 has std ≈ 0.009.
        XCTAssertLessThan(abs(Statistics.mean(scores)), 0.04)
        XCTAssertLessThan(scores.map(abs).max()!, 0.35)
    }

    func testFaithfulnessCorrelationOfTheExactAttributionIsOneAndSubsetsAreValid() throws {
        let (input, attribution) = exactCase()
        let metric = FaithfulnessCorrelation(runs: 30, subsetSize: 20, baseline: .constant(0), seed: 5)
        let result = try metric.evaluate(model: MetricModel(linear.callAsFunction), input: input, attribution: attribution, target: 1)
        XCTAssertEqual(result.score, 1, accuracy: 1e-6)
        let subsets = metric.subsets(featureCount: 192)
        XCTAssertEqual(subsets.count, 30)
        XCTAssertTrue(subsets.allSatisfy { Set($0).count == 20 && $0.allSatisfy { (0..<192).contains($0) } })
        XCTAssertNotEqual(subsets[0], subsets[1])
        XCTAssertThrowsError(try FaithfulnessCorrelation(subsetSize: 193).evaluate(
            model: MetricModel(linear.callAsFunction), input: input, attribution: attribution, target: 1))
    }

    func testAOPCOfTheExactAttributionIsAtLeastThatOfRandomMaps() throws {
        let (input, attribution) = exactCase()
        // On logits, MoRF by exact region contributions maximises every partial sum of drops:
        // no ordering of the regions beats it at any step.
        let logits = RegionPerturbation(patchSize: 2, regions: 16, baseline: .constant(0), output: .logits)
        let exact = try logits.evaluate(model: MetricModel(linear.callAsFunction), input: input, attribution: attribution, target: 1)
        var randomScores = [Double]()
        for seed in 0..<20 {
            let random = try logits.evaluate(model: MetricModel(linear.callAsFunction), input: input,
                                             attribution: MetricTestData.gaussian(192, seed: 500 + UInt64(seed)), target: 1)
            XCTAssertGreaterThanOrEqual(exact.score, random.score - 1e-6)
            for (e, r) in zip(exact.curve!, random.curve!) { XCTAssertGreaterThanOrEqual(e, r - 1e-5) }
            randomScores.append(random.score)
        }
        XCTAssertGreaterThan(exact.score, Statistics.mean(randomScores) + 0.1)
        // Quantus's defaults (black baseline = min x, softmax): the exact attribution for that
        // baseline is (x − min x) ⊙ w, and it beats random maps on average.
        let quantus = RegionPerturbation(patchSize: 2, regions: 10)
        let minimum = input.scalars.min()!
        let blackExact = (0..<192).map { (input.scalars[$0] - minimum) * linear.weight[192 + $0] }
        let exactSoftmax = try quantus.evaluate(model: MetricModel(linear.callAsFunction), input: input, attribution: blackExact, target: 1).score
        let randomSoftmax = try (0..<20).map { seed in
            try quantus.evaluate(model: MetricModel(linear.callAsFunction), input: input,
                                 attribution: MetricTestData.gaussian(192, seed: 500 + UInt64(seed)), target: 1).score
        }
        XCTAssertGreaterThan(exactSoftmax, Statistics.mean(randomSoftmax))
        // LeRF of the exact attribution removes the least useful regions first: lower AOPC.
        var lerf = logits
        lerf.order = .lerf
        XCTAssertLessThan(try lerf.evaluate(model: MetricModel(linear.callAsFunction), input: input, attribution: attribution, target: 1).score, exact.score)
    }

    func testPixelFlippingAndDeletionFallFastestAndInsertionRisesFastestForTheExactAttribution() throws {
        let (input, attribution) = exactCase()
        let model = MetricModel(linear.callAsFunction)
        let flipping = PixelFlipping(baseline: .constant(0), output: .logits)
        let deletion = InsertionDeletion(game: .deletion, pixelsPerStep: 4, output: .logits)
        let insertion = InsertionDeletion(game: .insertion, pixelsPerStep: 4, substrate: .constant(0), output: .logits)
        let exactFlip = try flipping.evaluate(model: model, input: input, attribution: attribution, target: 1)
        let exactDeletion = try deletion.evaluate(model: model, input: input, attribution: attribution, target: 1)
        let exactInsertion = try insertion.evaluate(model: model, input: input, attribution: attribution, target: 1)
        for seed in 0..<10 {
            let random = MetricTestData.gaussian(192, seed: 900 + UInt64(seed))
            let flip = try flipping.evaluate(model: model, input: input, attribution: random, target: 1)
            for (e, r) in zip(exactFlip.curve!, flip.curve!) { XCTAssertLessThanOrEqual(e, r + 1e-5) }
            XCTAssertLessThanOrEqual(exactDeletion.score, try deletion.evaluate(model: model, input: input, attribution: random, target: 1).score + 1e-6)
            XCTAssertGreaterThanOrEqual(exactInsertion.score, try insertion.evaluate(model: model, input: input, attribution: random, target: 1).score - 1e-6)
        }
        // Both games end where the other starts.
        XCTAssertEqual(exactDeletion.curve!.first!, exactInsertion.curve!.last!, accuracy: 1e-6)
        XCTAssertEqual(exactDeletion.curve!.last!, exactInsertion.curve!.first!, accuracy: 1e-6)
    }

    func testSelectivityOfTheExactAttributionIsBelowRandomMapsOnAverage() throws {
        let (input, attribution) = exactCase()
        let metric = Selectivity(patchSize: 2, baseline: .constant(0), output: .logits)
        let exact = try metric.evaluate(model: MetricModel(linear.callAsFunction), input: input, attribution: attribution, target: 1)
        let random = try (0..<10).map { seed in
            try metric.evaluate(model: MetricModel(linear.callAsFunction), input: input,
                                attribution: MetricTestData.gaussian(192, seed: 700 + UInt64(seed)), target: 1)
        }
        for other in random { XCTAssertLessThanOrEqual(exact.score, other.score + 1e-5) }
        XCTAssertEqual(exact.curve!.count, 16)
    }

    func testMonotonicityCorrelationDrawsPerSeedAndStaysInRange() throws {
        let (input, attribution) = exactCase()
        let model = MetricModel(linear.callAsFunction)
        let metric = MonotonicityCorrelation(samples: 4, featuresInStep: 6, seed: 1)
        let first = try metric.evaluate(model: model, input: input, attribution: attribution, target: 1)
        let again = try metric.evaluate(model: model, input: input, attribution: attribution, target: 1)
        var reseeded = metric
        reseeded.seed = 2
        let other = try reseeded.evaluate(model: model, input: input, attribution: attribution, target: 1)
        XCTAssertEqual(first, again)
        XCTAssertNotEqual(first.curve!, other.curve!, "uniform draws depend on the seed")
        XCTAssertTrue((-1...1).contains(first.score))
        XCTAssertEqual(first.curve!.count, 32)
        XCTAssertTrue(first.curve!.allSatisfy { $0 >= 0 }, "variances are non-negative")
    }

    func testROADImputationIsExactOnConstantsAndInteriorRampsAndAddsTheRequestedNoise() throws {
        let shape = ImageShape(channels: 2, height: 10, width: 12)
        var generator = SeededGenerator(seed: 1)
        let constant = [Float](repeating: 0.75, count: shape.count)
        let removed = generator.subset(of: shape.plane, count: 60)
        let imputed = NoisyLinearImputation.impute(constant, shape: shape, removed: removed, noise: 0, generator: &generator)
        XCTAssertLessThan(zip(imputed, constant).map { abs($0 - $1) }.max()!, 1e-6)
        // A ramp is reproduced at an interior pixel (the neighbour weights are symmetric).
        let ramp = (0..<shape.count).map { i in Float(i % shape.width) * 0.5 + Float((i / shape.width) % shape.height) * 0.25 }
        let interior = [5 * shape.width + 6, 5 * shape.width + 7, 4 * shape.width + 6]
        let filled = NoisyLinearImputation.impute(ramp, shape: shape, removed: interior, noise: 0, generator: &generator)
        for p in interior { XCTAssertEqual(filled[p], ramp[p], accuracy: 1e-5) }
        // Noise: N(0, 0.01²) on every imputed value.
        let many = generator.subset(of: shape.plane, count: 100)
        let clean = NoisyLinearImputation.impute(ramp, shape: shape, removed: many, noise: 0, generator: &generator)
        let noisy = NoisyLinearImputation.impute(ramp, shape: shape, removed: many, noise: 0.01, generator: &generator)
        let deviations = zip(noisy, clean).map { Double($0 - $1) }.filter { $0 != 0 }
        XCTAssertEqual(deviations.count, 200)
        XCTAssertEqual(Statistics.standardDeviation(deviations), 0.01, accuracy: 0.002)
    }

    func testROADRemovingMoreOfTheExactAttributionLowersTheTargetProbability() throws {
        let (input, attribution) = exactCase()
        let pixelMap = try AttributionFeatures.pixelMap(attribution, shape: shape)
        let metric = ROAD(percentages: [10, 30, 50, 70, 90], noise: 0, readout: .probability)
        let morf = try metric.evaluate(model: MetricModel(linear.callAsFunction), input: input, attribution: pixelMap, target: 1)
        var lerf = metric
        lerf.order = .lerf
        let lerfResult = try lerf.evaluate(model: MetricModel(linear.callAsFunction), input: input, attribution: pixelMap, target: 1)
        XCTAssertLessThan(morf.score, lerfResult.score, "removing the most relevant pixels hurts more")
        XCTAssertEqual(morf.forwardPasses, 5)
    }
}
