import XCTest
@testable import VitRelMetrics

/// Parity with Quantus 0.6.0 on the fixture's linear model (Tools/make_metric_fixtures.py).
/// Tolerance 1e-5: both sides run the model in float64 on float32 inputs and round the logits
/// to float32; what is left is float32 rounding of sums and softmax.
final class QuantusParityTests: XCTestCase {
    let tolerance = 1e-5

    func testFaithfulnessEstimateMatchesQuantus() throws {
        let fixture = try QuantusFixture.load()
        var worst = 0.0
        for testCase in fixture.faithfulness_estimate {
            let metric = FaithfulnessEstimate(featuresInStep: testCase.features_in_step, baseline: try PerturbationBaseline(parsing: testCase.baseline))
            let scores = try (0..<fixture.imageCount).map { b in
                try metric.evaluate(model: fixture.batchModel(), input: fixture.input(b),
                                    attribution: fixture.attribution(testCase.attribution, b), target: fixture.targets[b]).score
            }
            worst = max(worst, worstDifference(scores, testCase.scores!))
        }
        XCTAssertEqual(fixture.faithfulness_estimate.count, 10)
        XCTAssertEqual(fixture.faithfulness_estimate.filter { $0.attribution == "tied" }.count, 3, "tied pixels: whole-pixel steps")
        XCTAssertLessThan(worst, tolerance, "Faithfulness Estimate vs Quantus")
        print("Faithfulness Estimate: worst |Δ| vs Quantus 0.6.0 = \(worst)")
    }

    func testPixelFlippingCurvesMatchQuantus() throws {
        let fixture = try QuantusFixture.load()
        var worst = 0.0
        for testCase in fixture.pixel_flipping {
            let metric = PixelFlipping(featuresInStep: testCase.features_in_step, baseline: try PerturbationBaseline(parsing: testCase.baseline))
            for b in 0..<fixture.imageCount {
                let result = try metric.evaluate(model: fixture.batchModel(), input: fixture.input(b),
                                                 attribution: fixture.attribution(testCase.attribution, b), target: fixture.targets[b])
                worst = max(worst, worstDifference(result.curve!, testCase.curves![b]))
                let expected = testCase.curves![b].map { $0! }
                XCTAssertEqual(result.score, Statistics.trapezoidArea(expected), accuracy: 1e-4, "AUC = numpy.trapz of Quantus's curve")
            }
        }
        XCTAssertEqual(fixture.pixel_flipping.filter { $0.attribution == "tied" }.count, 3, "tied pixels: whole-pixel steps")
        XCTAssertLessThan(worst, tolerance, "Pixel Flipping vs Quantus")
        print("Pixel Flipping: worst |Δ| vs Quantus 0.6.0 = \(worst)")
    }

    func testRegionPerturbationCurvesMatchQuantusForMoRFAndLeRF() throws {
        let fixture = try QuantusFixture.load()
        var worst = 0.0
        for testCase in fixture.region_perturbation {
            let metric = RegionPerturbation(
                patchSize: testCase.patch_size, order: RegionPerturbation.Order(rawValue: testCase.order!)!,
                regions: testCase.regions!, baseline: try PerturbationBaseline(parsing: testCase.baseline))
            for b in 0..<fixture.imageCount {
                let result = try metric.evaluate(model: fixture.batchModel(), input: fixture.input(b),
                                                 attribution: fixture.attribution(testCase.attribution, b), target: fixture.targets[b])
                worst = max(worst, worstDifference(result.curve!, testCase.curves[b]))
                let expected = testCase.curves[b].map { $0! }
                XCTAssertEqual(result.score, expected.reduce(0, +) / Double(expected.count + 1), accuracy: 1e-5, "Samek AOPC of Quantus's curve")
            }
        }
        XCTAssertEqual(Set(fixture.region_perturbation.map { $0.order! }), ["morf", "lerf"])
        XCTAssertLessThan(worst, tolerance, "Region Perturbation vs Quantus")
        print("Region Perturbation: worst |Δ| vs Quantus 0.6.0 = \(worst)")
    }

    func testSelectivityCurvesMatchQuantus() throws {
        let fixture = try QuantusFixture.load()
        var worst = 0.0
        for testCase in fixture.selectivity {
            let metric = Selectivity(patchSize: testCase.patch_size, baseline: try PerturbationBaseline(parsing: testCase.baseline))
            for b in 0..<fixture.imageCount {
                let result = try metric.evaluate(model: fixture.batchModel(), input: fixture.input(b),
                                                 attribution: fixture.attribution(testCase.attribution, b), target: fixture.targets[b])
                worst = max(worst, worstDifference(result.curve!, testCase.curves[b]))
            }
        }
        XCTAssertLessThan(worst, tolerance, "Selectivity vs Quantus")
        print("Selectivity: worst |Δ| vs Quantus 0.6.0 = \(worst)")
    }

    func testMonotonicityCorrelationMatchesQuantusWithDeterministicBaseline() throws {
        let fixture = try QuantusFixture.load()
        var worst = 0.0
        for testCase in fixture.monotonicity_correlation {
            let metric = MonotonicityCorrelation(
                samples: testCase.samples, featuresInStep: testCase.features_in_step, baseline: try PerturbationBaseline(parsing: testCase.baseline))
            let scores = try (0..<fixture.imageCount).map { b in
                try metric.evaluate(model: fixture.batchModel(), input: fixture.input(b),
                                    attribution: fixture.attribution(testCase.attribution, b), target: fixture.targets[b]).score
            }
            worst = max(worst, worstDifference(scores, testCase.scores))
        }
        XCTAssertLessThan(worst, tolerance, "Monotonicity Correlation vs Quantus")
        print("Monotonicity Correlation: worst |Δ| vs Quantus 0.6.0 = \(worst)")
    }

    func testFaithfulnessCorrelationMatchesQuantusOnTheSubsetsItDrew() throws {
        let fixture = try QuantusFixture.load()
        var worst = 0.0
        for testCase in fixture.faithfulness_correlation {
            let metric = FaithfulnessCorrelation(runs: testCase.runs, subsetSize: testCase.subset_size)
            let scores = try (0..<fixture.imageCount).map { b in
                try metric.evaluate(model: fixture.batchModel(), input: fixture.input(b), attribution: fixture.attribution(testCase.attribution, b),
                                    target: fixture.targets[b], subsets: testCase.subsets[b]).score
            }
            worst = max(worst, worstDifference(scores, testCase.scores))
        }
        XCTAssertLessThan(worst, tolerance, "Faithfulness Correlation vs Quantus")
        print("Faithfulness Correlation: worst |Δ| vs Quantus 0.6.0 = \(worst)")
    }

    func testRelevanceMassAndRankMatchQuantusWithNaNForTheEmptyMask() throws {
        let fixture = try QuantusFixture.load()
        var worst = 0.0
        for (massCase, rankCase) in zip(fixture.relevance_mass, fixture.relevance_rank) {
            let preprocessing = AttributionPreprocessing(normalise: true, absolute: massCase.abs)
            let mass = try (0..<fixture.imageCount).map { b in
                try RelevanceMassAccuracy(preprocessing: preprocessing).evaluate(attribution: fixture.attribution("pixel", b), mask: fixture.mask(b)).score
            }
            let rank = try (0..<fixture.imageCount).map { b in
                try RelevanceRankAccuracy(preprocessing: preprocessing).evaluate(attribution: fixture.attribution("pixel", b), mask: fixture.mask(b)).score
            }
            // Relative for the mass: a signed map's Σa nearly cancels on image 2 (mass 17.4), and
            // Quantus sums in float32 (17.378208 against 17.378141 in float64).
            let relativeMass = zip(mass, massCase.scores).compactMap { ours, expected in
                expected.map { abs(ours - $0) / max(1, abs($0)) }
            }
            worst = max(worst, relativeMass.max()!, worstDifference(rank, rankCase.scores))
            XCTAssertNil(massCase.scores[3], "the fixture's last mask is empty")
            XCTAssertTrue(mass[3].isNaN && rank[3].isNaN)
        }
        XCTAssertLessThan(worst, tolerance)
        print("Relevance Mass/Rank Accuracy: worst |Δ|/max(1, |v|) vs Quantus 0.6.0 = \(worst)")
    }

    func testPointingGameMatchesQuantusOnNonEmptyMasks() throws {
        let fixture = try QuantusFixture.load()
        let scores = try (0..<fixture.imageCount).map { b in
            try PointingGame().evaluate(attribution: fixture.attribution("pixel", b), mask: fixture.mask(b)).score
        }
        XCTAssertEqual(Array(scores.prefix(3)), Array(fixture.pointing_game.scores.prefix(3)))
        XCTAssertTrue(fixture.pointing_game.scores.prefix(3).contains(1) && fixture.pointing_game.scores.prefix(3).contains(0), "a hit and a miss")
        // Quantus 0.6.0 reports a hit for the empty mask (NaN cast to True); we report NaN.
        XCTAssertEqual(fixture.pointing_game.scores[3], 1)
        XCTAssertTrue(scores[3].isNaN)
    }

    func testROADImputationMatchesQuantusNoisyLinearImputation() throws {
        let road = try QuantusFixture.load().road
        let shape = ImageShape(channels: 1, height: 8, width: 8)
        var worst = 0.0
        for imputed in road.imputed {
            let image = Array(road.inputs[(imputed.image * shape.count)..<((imputed.image + 1) * shape.count)])
            var generator = SeededGenerator(seed: 0)
            let ours = NoisyLinearImputation.impute(image, shape: shape, removed: imputed.removed, noise: 0, generator: &generator, tolerance: 1e-12)
            worst = max(worst, zip(ours, imputed.values).map { Double(abs($0 - $1)) }.max()!)
            // Our ranking removes the same pixels Quantus removed.
            let attribution = Array(road.attributions[(imputed.image * shape.plane)..<((imputed.image + 1) * shape.plane)])
            let count = ROAD.removedCount(pixels: shape.plane, percentage: imputed.percentage)
            XCTAssertEqual(Array(AttributionFeatures.descendingOrder(attribution).prefix(count)), imputed.removed)
        }
        XCTAssertLessThan(worst, 1e-5, "imputed values vs quantus noisy_linear_imputation (SuperLU)")
        print("ROAD imputation: worst |Δ| vs Quantus 0.6.0 = \(worst)")
    }

    func testROADImputationOfALargeBlobMatchesQuantusAndItsDefinition() throws {
        let large = try QuantusFixture.load().road.large
        let shape = ImageShape(channels: large.channels, height: large.side, width: large.side)
        var generator = SeededGenerator(seed: 0)
        for tolerance in [1e-12, 1e-8] {
            let ours = NoisyLinearImputation.impute(large.input, shape: shape, removed: large.removed, noise: 0, generator: &generator, tolerance: tolerance)
            let worst = zip(ours, large.values).map { Double(abs($0 - $1)) }.max()!
            XCTAssertLessThan(worst, tolerance < 1e-10 ? 1e-5 : 1e-4, "tolerance \(tolerance)")
            print("ROAD imputation of a 70% blob on 2×32×32 (tolerance \(tolerance)): worst |Δ| vs Quantus 0.6.0 = \(worst)")
        }
        let ours = NoisyLinearImputation.impute(large.input, shape: shape, removed: large.removed, noise: 0, generator: &generator, tolerance: 1e-12)
        // The definition: every removed pixel is the weighted mean of its in-image 8-neighbours.
        let side = large.side
        for c in 0..<shape.channels {
            for p in large.removed {
                var sum = 0.0, weight = 0.0
                for (k, offset) in AggregationMultigrid.offsetList.enumerated() {
                    let y = p / side + offset.dy, x = p % side + offset.dx
                    guard y >= 0, y < side, x >= 0, x < side else { continue }
                    sum += NoisyLinearImputation.weights[k] * Double(ours[c * side * side + y * side + x])
                    weight += NoisyLinearImputation.weights[k]
                }
                XCTAssertEqual(Double(ours[c * side * side + p]), sum / weight, accuracy: 1e-5)
            }
        }
        // The solve went through coarse levels, not only the exact coarsest solve.
        var active = [Bool](repeating: false, count: side * side)
        for p in large.removed { active[p] = true }
        let level = AggregationMultigrid.Level(height: side, width: side, active: active,
                                               diagonal: [Double](repeating: 1, count: side * side),
                                               offDiagonal: [Double](repeating: 0, count: side * side * 8))
        XCTAssertGreaterThan(AggregationMultigrid(finest: level).levels.count, 1)
    }

    func testROADAccuracyCurvesMatchQuantusWithoutNoise() throws {
        let road = try QuantusFixture.load().road
        let model = MetricModel(LinearTestModel(weight: road.weight, bias: road.bias, classes: 3).callAsFunction)
        let metric = ROAD(percentages: road.percentages, noise: 0)
        for b in 0..<road.targets.count {
            let input = Tensor(shape: [1, 8, 8], scalars: Array(road.inputs[(b * 64)..<((b + 1) * 64)]))
            let result = try metric.evaluate(model: model, input: input, attribution: Array(road.attributions[(b * 64)..<((b + 1) * 64)]), target: road.targets[b])
            XCTAssertEqual(result.curve!, road.curves[b].map { $0! }, "image \(b)")
            XCTAssertEqual(result.score, Statistics.mean(result.curve!))
        }
    }

    func testRISEKernelBlurAndInsertionDeletionCurvesMatchTheReference() throws {
        let fixture = try QuantusFixture.load()
        let rise = fixture.rise
        let kernel = GaussianBlur.riseKernel(size: rise.kernel_size, sigma: rise.sigma)
        var kernelWorst = 0.0
        for i in 0..<rise.kernel_size {
            for j in 0..<rise.kernel_size { kernelWorst = max(kernelWorst, abs(kernel[i] * kernel[j] - rise.kernel[i * rise.kernel_size + j])) }
        }
        XCTAssertLessThan(kernelWorst, 1e-15, "outer square of the reflected 1-D kernel = scipy gaussian_filter of an impulse")
        XCTAssertEqual(kernel.reduce(0, +), 1, accuracy: 1e-12)
        let blurred = GaussianBlur.blur(fixture.input(0).scalars, shape: fixture.shape, kernel: kernel)
        let blurWorst = zip(blurred, rise.blurred).map { Double(abs($0 - $1)) }.max()!
        XCTAssertLessThan(blurWorst, 1e-6, "blur vs torch conv2d with zero padding")

        var worst = 0.0
        for (game, curves) in [(InsertionDeletion.Game.insertion, rise.insertion), (.deletion, rise.deletion)] {
            let metric = InsertionDeletion(game: game, pixelsPerStep: rise.pixels_per_step)
            for b in 0..<fixture.imageCount {
                let result = try metric.evaluate(model: fixture.batchModel(), input: fixture.input(b),
                                                 attribution: fixture.attribution("pixel", b), target: fixture.targets[b])
                worst = max(worst, worstDifference(result.curve!, curves[b]))
                let expected = curves[b].map { $0! }
                XCTAssertEqual(result.score, (expected.reduce(0, +) - expected[0] / 2 - expected[expected.count - 1] / 2) / Double(expected.count - 1), accuracy: 1e-5)
            }
        }
        XCTAssertLessThan(worst, tolerance, "insertion/deletion vs RISE's CausalMetric")
        print("RISE kernel |Δ| = \(kernelWorst), blur |Δ| = \(blurWorst), insertion/deletion |Δ| = \(worst)")
    }
}
