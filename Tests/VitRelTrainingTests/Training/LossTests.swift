import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRelTraining

/// Fixture: Tests/VitRelTests/Fixtures/training/losses.json, written by
/// Tools/make_training_fixtures.py (torch.nn.CrossEntropyLoss / BCEWithLogitsLoss in float64).
struct LossFixture: Decodable {
    struct SoftmaxCase: Decodable {
        var name: String
        var class_weights: [Double]?
        var label_smoothing: Double
        var loss: Double
        var gradient: [Double]
    }
    struct BCECase: Decodable {
        var name: String
        var pos_weight: [Double]?
        var loss: Double
        var gradient: [Double]
    }
    struct Softmax: Decodable { var logits: [Double]; var labels: [Int]; var cases: [SoftmaxCase] }
    struct BCE: Decodable { var logits: [Double]; var targets: [Double]; var cases: [BCECase] }
    var batch: Int
    var classes: Int
    var softmax: Softmax
    var bce: BCE

    static func load() throws -> LossFixture {
        try JSONDecoder().decode(LossFixture.self, from: Data(contentsOf: TestPaths.fixture("training/losses.json")))
    }
}

final class LossTests: XCTestCase {
    func testSoftmaxCrossEntropyMatchesTorchWithWeightsAndSmoothing() throws {
        let fixture = try LossFixture.load()
        let logits = Tensor<Double>(shape: [fixture.batch, fixture.classes], scalars: fixture.softmax.logits)
        XCTAssertEqual(fixture.softmax.cases.count, 4)
        for item in fixture.softmax.cases {
            let criterion = SoftmaxCrossEntropy(classWeights: item.class_weights, labelSmoothing: item.label_smoothing)
            let (loss, dLogits) = try criterion(logits: logits, labels: fixture.softmax.labels)
            XCTAssertEqual(loss, item.loss, accuracy: 1e-13 * max(1, abs(item.loss)), item.name)
            for (ours, torch) in zip(dLogits.scalars, item.gradient) { XCTAssertEqual(ours, torch, accuracy: 1e-14, item.name) }
            // Float logits: the same code in single precision stays within Float rounding.
            let (lossF, dLogitsF) = try criterion(logits: Tensor<Float>(logits), labels: fixture.softmax.labels)
            XCTAssertEqual(lossF, item.loss, accuracy: 1e-6 * max(1, abs(item.loss)), item.name)
            for (ours, torch) in zip(dLogitsF.scalars, item.gradient) { XCTAssertEqual(Double(ours), torch, accuracy: 1e-7, item.name) }
        }
    }

    func testBCEWithLogitsMatchesTorchWithPositiveWeightsAndSaturatedLogits() throws {
        let fixture = try LossFixture.load()
        let logits = Tensor<Double>(shape: [fixture.batch, fixture.classes], scalars: fixture.bce.logits)
        let targets = Tensor<Double>(shape: logits.shape, scalars: fixture.bce.targets)
        XCTAssertEqual(fixture.bce.cases.count, 2)
        for item in fixture.bce.cases {
            let (loss, dLogits) = try SigmoidBinaryCrossEntropy(positiveWeights: item.pos_weight)(logits: logits, targets: targets)
            XCTAssertTrue(loss.isFinite)
            XCTAssertEqual(loss, item.loss, accuracy: 1e-13 * max(1, abs(item.loss)), item.name)
            for (ours, torch) in zip(dLogits.scalars, item.gradient) { XCTAssertEqual(ours, torch, accuracy: 1e-15, item.name) }
        }
    }

    /// Central differences of the Double loss against the analytic gradient, every logit.
    func checkFiniteDifferences(_ loss: (Tensor<Double>) throws -> (loss: Double, dLogits: Tensor<Double>), logits: Tensor<Double>) throws -> Double {
        let analytic = try loss(logits).dLogits
        let h = 1e-6
        var worst = 0.0
        for i in 0..<logits.count {
            var plus = logits, minus = logits
            plus.scalars[i] += h
            minus.scalars[i] -= h
            let numeric = (try loss(plus).loss - loss(minus).loss) / (2 * h)
            worst = max(worst, abs(numeric - analytic.scalars[i]))
        }
        return worst
    }

    func testLossGradientsMatchFiniteDifferencesInDouble() throws {
        var generator = SeededGenerator(seed: 21)
        let logits = Tensor<Double>(shape: [6, 5], scalars: (0..<30).map { _ in 3 * generator.nextGaussian() })
        let labels = [0, 4, 2, 2, 1, 3]
        let weights = [0.3, 1.7, 1.0, 2.5, 0.9]
        for (criterion, name) in [
            (SoftmaxCrossEntropy(), "plain"), (SoftmaxCrossEntropy(classWeights: weights), "weighted"),
            (SoftmaxCrossEntropy(labelSmoothing: 0.15), "smoothed"),
            (SoftmaxCrossEntropy(classWeights: weights, labelSmoothing: 0.3), "weighted+smoothed"),
        ] {
            let worst = try checkFiniteDifferences({ try criterion(logits: $0, labels: labels) }, logits: logits)
            XCTAssertLessThan(worst, 1e-9, name)
        }
        let targets = Tensor<Double>(shape: [6, 5], scalars: (0..<30).map { _ in generator.nextUnit() < 0.4 ? 1 : 0 })
        for positiveWeights in [nil, [1.0, 3.0, 0.2, 1.5, 6.0]] {
            let criterion = SigmoidBinaryCrossEntropy(positiveWeights: positiveWeights)
            let worst = try checkFiniteDifferences({ try criterion(logits: $0, targets: targets) }, logits: logits)
            XCTAssertLessThan(worst, 1e-9, "BCE pos_weight \(String(describing: positiveWeights))")
        }
    }

    func testCrossEntropyOfConfidentLogitsStaysFinite() throws {
        // exp(1000) overflows Double; the shifted log-sum-exp must not.
        let logits = Tensor<Float>(shape: [2, 3], scalars: [1000, 0, -1000, -1000, 0, 1000])
        let (loss, dLogits) = try SoftmaxCrossEntropy()(logits: logits, labels: [1, 2])
        // Row 1 costs 1000 nats (label 1 is 1000 below the max), row 2 costs ~0: mean 500.
        XCTAssertEqual(loss, 500, accuracy: 1e-9)
        XCTAssertTrue(dLogits.scalars.allSatisfy { $0.isFinite })
        XCTAssertEqual(dLogits.scalars[0], 0.5)   // (p − 1{label})/B = (1 − 0)/2
        XCTAssertEqual(dLogits.scalars[1], -0.5)
    }

    func testBalancedClassWeightsGiveEveryClassTheSameTotalWeight() throws {
        let labels = [0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 2, 2]
        let weights = try SoftmaxCrossEntropy.balancedClassWeights(labels: labels, classCount: 4)
        // n/(C·n_c) = 12/(4·6), 12/(4·2), 12/(4·4); absent class 3 gets 0.
        XCTAssertEqual(weights, [0.5, 1.5, 0.75, 0])
        XCTAssertEqual(6 * weights[0], 2 * weights[1])
        XCTAssertEqual(6 * weights[0], 4 * weights[2])
    }

    func testLossesRejectBadLabelsAndWeights() {
        let logits = Tensor<Double>(zeros: [2, 3])
        XCTAssertThrowsError(try SoftmaxCrossEntropy()(logits: logits, labels: [0, 3])) {
            XCTAssertEqual($0 as? TrainingError, .labelOutOfRange(label: 3, classCount: 3))
        }
        XCTAssertThrowsError(try SoftmaxCrossEntropy(classWeights: [1, 1])(logits: logits, labels: [0, 1]))
        XCTAssertThrowsError(try SoftmaxCrossEntropy()(logits: logits, labels: [0]))
        XCTAssertThrowsError(try SigmoidBinaryCrossEntropy()(logits: logits, targets: Tensor(zeros: [2, 2])))
    }
}
