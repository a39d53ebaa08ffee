import XCTest
@testable import VitRelMetrics

/// The registry: CLI names, dispatch to the configured metrics, and what each kind needs.
final class MetricSuiteTests: XCTestCase {
    func testMetricNamesAreTheCLINames() throws {
        XCTAssertEqual(MetricKind.allCases.map(\.rawValue), [
            "faithfulness-estimate", "faithfulness-correlation", "monotonicity-correlation", "pixel-flipping",
            "region-perturbation", "selectivity", "insertion", "deletion", "road", "relevance-mass", "relevance-rank",
            "pointing-game", "randomisation", "max-sensitivity", "conservation-gap", "seconds",
        ])
        XCTAssertEqual(try MetricKind(name: "ROAD"), .road)
        XCTAssertThrowsError(try MetricKind(name: "aopc")) { error in
            XCTAssertTrue("\(error)".contains("region-perturbation"), "the message lists the valid names")
        }
        for kind in MetricKind.allCases { XCTAssertFalse(kind.summary.isEmpty) }
    }

    func testSuiteRunsEveryKindAsTheConfiguredMetricDoes() throws {
        let shape = ImageShape(channels: 3, height: 8, width: 8)
        let linear = LinearTestModel.random(features: 192, classes: 3, seed: 2)
        let input = MetricTestData.image(shape, seed: 3)
        let attribution = MetricTestData.gaussian(shape.plane, seed: 4)
        var suite = MetricSuite.vit(patchSize: 2, channels: 3)
        suite[.monotonicityCorrelation, as: MonotonicityCorrelation.self].samples = 2
        suite[.faithfulnessCorrelation, as: FaithfulnessCorrelation.self].subsetSize = 20
        suite[.maxSensitivity, as: MaxSensitivity.self].samples = 3
        let mask = (0..<shape.plane).map { $0 % 3 == 0 }
        var ledger = ConservationLedger()
        ledger.explainedOutput = 2
        ledger.pixels = 1.5
        let inputs = MetricInputs<LinearTestModel>(
            model: MetricModel(linear.callAsFunction), input: input, attribution: attribution, target: 1,
            masks: [.infection: mask], subject: linear,
            explain: { model, x, target in try AttributionFeatures.pixelMap(model.exactAttribution(x, target: target), shape: shape) },
            randomisation: LayerRandomisation(layerNames: ["head", "all"]) { k in LinearTestModel.random(features: 192, classes: 3, seed: 100 + UInt64(k)) },
            conservation: ConservationFacts(ledger: ledger), seconds: 0.25)
        for kind in MetricKind.allCases {
            let result = try suite.run(kind, inputs)
            XCTAssertEqual(result.forwardPasses, suite.forwardPasses(kind, shape: shape), "\(kind)")
            if let metric = suite.perturbationMetric(kind) {
                XCTAssertEqual(result, try metric.evaluate(model: MetricModel(linear.callAsFunction), input: input, attribution: attribution, target: 1))
            }
        }
        XCTAssertEqual(try suite.run(.relevanceMass, inputs), try RelevanceMassAccuracy().evaluate(attribution: attribution, mask: mask))
        XCTAssertEqual(try suite.run(.conservationGap, inputs).score, 0.25, "(2 − 1.5) / 2")
        XCTAssertEqual(try suite.run(.seconds, inputs).score, 0.25)
        XCTAssertEqual(try suite.run(.randomisation, inputs).curve!.count, 2)
        XCTAssertEqual(try suite.run(.maxSensitivity, inputs).explanations, 3)
        XCTAssertEqual(ConservationGap().evaluate(ConservationFacts(attributionSum: 3, completenessGap: -1)).score, 0.25, "IG: explained 4, distributed 3")
    }

    func testMissingInputsAreNamed() throws {
        let shape = ImageShape(channels: 3, height: 4, width: 4)
        let inputs = MetricInputs<Void>(
            model: MetricModel(LinearTestModel.random(features: 48, classes: 2, seed: 1).callAsFunction),
            input: MetricTestData.image(shape, seed: 1), attribution: MetricTestData.gaussian(16, seed: 2), target: 0)
        let cases: [(MetricKind, String)] = [
            (.pointingGame, "infection mask"), (.randomisation, "explain function"), (.maxSensitivity, "explain function"),
            (.conservationGap, "ledger"), (.seconds, "wall time"),
        ]
        for (kind, phrase) in cases {
            XCTAssertThrowsError(try MetricSuite().run(kind, inputs)) { error in
                XCTAssertTrue("\(error)".contains(phrase), "\(kind): \(error)")
                XCTAssertTrue("\(error)".hasPrefix("metric \(kind.rawValue) needs"))
            }
        }
        XCTAssertThrowsError(try MetricSuite().run(.relevanceRank, inputs, mask: .lung)) { error in
            XCTAssertEqual(error as? MetricError, .missing(metric: "relevance-rank", what: "the lung mask"))
        }
    }
}
