import XCTest
@testable import VitRel

/// The benchmarks `vitrel bench` prints, run on a tiny ViT: what they count and how their
/// figures relate, not how fast anything is (speed is measured with `vitrel bench`, never
/// with timed tests).
final class BenchmarkMeasurementTests: XCTestCase {
    private let config = ViTConfig(
        imageHeight: 8, imageWidth: 12, patchSize: 4, channels: 3, embedDimension: 8, depth: 2, headCount: 2,
        mlpHiddenDimension: 12, classCount: 3, pooling: .token, layerNormEpsilon: 1e-6)

    func testForwardBenchmarkCountsTheMatrixFLOPsOfTheBatchAndOrdersItsRanges() throws {
        let result = try ForwardBenchmark(config: config, batchSize: 3, rounds: 2, yardstickSize: 256).measure()
        XCTAssertEqual(result.flops, 3 * config.forwardFlopsPerImage())
        XCTAssertEqual(result.rounds, 2)
        XCTAssertEqual(result.yardstickSize, 256)
        XCTAssertEqual(result.secondsPerImage, result.seconds / 3, accuracy: 1e-15)
        XCTAssertEqual(result.precision, .fp32)
        XCTAssertNil(result.bfloat16Rate, "the bf16 product is measured for bf16 runs only")
        XCTAssertEqual(result.survey[result.yardstick], result.survey.values.max(), "the yardstick is the fastest library")
        for range in [result.ratio, result.sgemmRate, result.cpuRatio] {
            XCTAssertLessThanOrEqual(range.lowest, range.median)
            XCTAssertLessThanOrEqual(range.median, range.highest)
            XCTAssertGreaterThan(range.lowest, 0)
        }
    }

    func testExplanationBenchmarkRefusesLIMEWhichRunsNoModelInternals() {
        XCTAssertThrowsError(try ExplanationBenchmark(config: config, method: .lime, rounds: 1).measure()) { error in
            guard case ExplanationError.notApplicable(let method, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(method, "lime")
        }
    }

    func testLIMEBenchmarkSplitsWallTimeIntoForwardPassesAndOverhead() throws {
        let network = VisionTransformer<Float>(config: config, seed: 0)
        let model = ClassifierModel(
            network: network, preprocessing: Preprocessing(inputHeight: 8, inputWidth: 12), directory: URL(fileURLWithPath: "."),
            format: .timm)
        let explainer = LIMEExplainer(segmenter: .patchGrid(PatchGrid(patchSize: 4)), sampleCount: 20, batchSize: 8)
        let result = try LIMEBenchmark(model: model, explainer: explainer, rounds: 2).measure()
        XCTAssertEqual(result.superpixels, 6, "a 4-pixel grid over 8 × 12")
        XCTAssertEqual(result.rounds, 2)
        XCTAssertLessThanOrEqual(result.forwardSeconds, result.seconds)
        XCTAssertGreaterThanOrEqual(result.overheadPercent.lowest, 0)
        XCTAssertLessThanOrEqual(result.overheadPercent.highest, 100)
        // The benchmark image is the same on every run and lies in [0, 1].
        let image = LIMEBenchmark.seededImage(height: 8, width: 12)
        XCTAssertEqual(image.pixels, LIMEBenchmark.seededImage(height: 8, width: 12).pixels)
        XCTAssertTrue(image.pixels.allSatisfy { (0...1).contains($0) })
    }

    func testMetricsBenchmarkReportsEachMetricsOwnPassCountAndSkipsMetricsWithoutAModel() throws {
        let network = VisionTransformer<Float>(config: config, seed: 0)
        let metrics: [MetricKind] = [.pixelFlipping, .relevanceMass]
        var reference: MetricsBenchmark.Reference?
        var rows = [MetricsBenchmark.Row]()
        try MetricsBenchmark(network: network, batchSize: 4, metrics: metrics, yardstickSize: 256).measure(
            reference: { reference = $0 }, row: { rows.append($0) })
        XCTAssertNotNil(reference)
        XCTAssertGreaterThan(reference!.imagesPerSecond, 0)
        XCTAssertEqual(rows.map(\.metric), metrics, "a row per metric, in order")
        // Pixel flipping with one 4 × 4 patch per step over 6 patches: one input per step, as
        // Quantus runs it (no pass of the unperturbed input); counted by the model's counter,
        // which the benchmark checks against the metric's own count.
        XCTAssertEqual(rows[0].passes, 6)
        XCTAssertEqual(rows[0].batches, 2, "6 inputs in batches of 4")
        XCTAssertNil(rows[1].passes, "relevance mass runs no model")
    }
}
