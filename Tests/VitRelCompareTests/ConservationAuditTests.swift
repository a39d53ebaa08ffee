import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRel
@testable import VitRelModel
@testable import VitRelData
@testable import VitRelRendering
@testable import VitRelExplain
@testable import VitRelMetrics
@testable import VitRelTraining
@testable import VitRelReporting
@testable import VitRelCompare

/// The conservation audit called directly: every identity its report states holds on its own
/// numbers, per layer and end to end, and the check follows its rule.
final class ConservationAuditTests: XCTestCase {
    func image() throws -> String {
        let url = try TestPaths.temporaryDirectory(self).appendingPathComponent("xray.png")
        let side = 40
        let pixels = (0..<(side * side)).map { i -> Float in
            let x = Float(i % side), y = Float(i / side)
            let disc: Float = (x - 14) * (x - 14) + (y - 22) * (y - 22) < 36 ? 0.9 : 0
            return min(1, 0.2 + 0.5 * y / Float(side) + disc * 0.5)
        }
        try ImageIO.writePNG(Image(width: side, height: side, channels: 1, pixels: pixels), to: url)
        return url.path
    }

    func assertLedgerAddsUp(_ report: ConservationReport, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertGreaterThan(report.layers.count, 10, file: file, line: line)
        for layer in report.layers {
            XCTAssertEqual(layer.gap, layer.relevanceOut - layer.relevanceIn, accuracy: 1e-12, layer.layer, file: file, line: line)
            XCTAssertEqual(layer.gap, layer.biasAbsorbed + layer.softmaxLeak + layer.stabiliserLeak, accuracy: 1e-12,
                           "gap = bias + softmax + stabiliser in \(layer.layer)", file: file, line: line)
        }
        let gaps = report.layers.reduce(0) { $0 + $1.gap }
        XCTAssertEqual(report.totalStabiliserLeak, report.layers.reduce(0) { $0 + $1.stabiliserLeak }, accuracy: 1e-12, file: file, line: line)
        XCTAssertEqual(report.totalBiasAbsorbed, report.layers.reduce(0) { $0 + $1.biasAbsorbed }, accuracy: 1e-12, file: file, line: line)
        XCTAssertEqual(report.totalSoftmaxLeak, report.layers.reduce(0) { $0 + $1.softmaxLeak }, accuracy: 1e-12, file: file, line: line)
        let leaves = report.leaves
        XCTAssertEqual(leaves["total"]!, leaves["pixels"]! + leaves["classToken"]! + leaves["positionEmbedding"]!, accuracy: 1e-12, file: file, line: line)
        XCTAssertEqual(report.endToEndGap, report.explainedOutput - leaves["total"]!, accuracy: 1e-12, file: file, line: line)
        XCTAssertEqual(report.unrecorded, report.endToEndGap - gaps, accuracy: 1e-12, file: file, line: line)
        let unaccounted = report.layers.reduce(0) { $0 + abs($1.stabiliserLeak) } + abs(report.unrecorded)
        XCTAssertEqual(report.check.unaccounted, unaccounted, accuracy: 1e-12, file: file, line: line)
        XCTAssertEqual(report.check.relative, unaccounted / abs(report.explainedOutput), accuracy: 1e-12, file: file, line: line)
        XCTAssertEqual(report.check.passed, unaccounted <= report.check.tolerance * abs(report.explainedOutput), file: file, line: line)
    }

    func testLRP0ConservesTheLogitLayerByLayerUpToMeasuredBiases() throws {
        let model = try ClassifierModel.load(from: TestPaths.tinyModel)
        let report = try ConservationAudit(ruleSet: .lrp0).run(model: model, image: try image(), target: "Normal")
        assertLedgerAddsUp(report)
        XCTAssertEqual(report.target, 2)
        XCTAssertEqual(report.targetName, "Normal")
        XCTAssertEqual(report.startingRelevance, "logit")
        XCTAssertEqual(report.explainedOutput, report.logit, accuracy: 1e-12)
        XCTAssertEqual(report.precision, "double")
        XCTAssertNil(report.epsilon, "lrp-0 takes no ε")
        XCTAssertTrue(report.check.applied)
        XCTAssertTrue(report.check.passed)
        XCTAssertLessThan(report.check.relative, 1e-9, "LRP-0 in float64 leaks only through biases")
        for layer in report.layers { XCTAssertEqual(layer.stabiliserLeak, 0, accuracy: 1e-9, layer.layer) }
        XCTAssertGreaterThan(abs(report.totalBiasAbsorbed), 1e-6, "the fixture has biases: they take a measurable share")
        XCTAssertTrue(report.layers.contains { $0.layer.hasPrefix("blocks.1.attn") })
        XCTAssertTrue(report.layers.contains { $0.layer.hasPrefix("patch_embed") })
    }

    func testAttnLRPWithEpsilonFailsAZeroToleranceAndChefersIsNeverChecked() throws {
        let model = try ClassifierModel.load(from: TestPaths.tinyModel)
        let path = try image()
        let strict = try ConservationAudit(ruleSet: .attnlrp, epsilon: 1e-2, tolerance: 0, arithmetic: .float)
            .run(model: model, image: path, target: nil)
        assertLedgerAddsUp(strict)
        XCTAssertEqual(strict.epsilon, 1e-2)
        XCTAssertEqual(strict.gamma, ExplanationOptions().gamma)
        XCTAssertEqual(strict.precision, "float")
        XCTAssertFalse(strict.check.passed)
        let lenient = try ConservationAudit(ruleSet: .attnlrp, epsilon: 1e-2, tolerance: strict.check.relative * 2, arithmetic: .float)
            .run(model: model, image: path, target: nil)
        XCTAssertTrue(lenient.check.passed)

        let chefer = try ConservationAudit(ruleSet: .chefer, tolerance: 0).run(model: model, image: path, target: nil)
        assertLedgerAddsUp(chefer)
        XCTAssertEqual(chefer.startingRelevance, "one-hot")
        XCTAssertEqual(chefer.explainedOutput, 1)
        XCTAssertFalse(chefer.check.applied)
    }

    /// `vitrel conservation`'s defaults (float64, the predicted class) for the rule sets whose
    /// check decides its exit status: LRP-0 passes, AttnLRP with ε 1e-2 fails a zero tolerance
    /// and passes one above its relative leak, CP-LRP without ε passes 1e-9.
    func testTheCheckFollowsTheToleranceRuleInFloat64() throws {
        let model = try ClassifierModel.load(from: TestPaths.tinyModel)
        let path = try image()
        let lrp0 = try ConservationAudit(ruleSet: .lrp0).run(model: model, image: path, target: nil)
        assertLedgerAddsUp(lrp0)
        XCTAssertEqual(lrp0.startingRelevance, "logit")
        XCTAssertEqual(lrp0.explainedOutput, lrp0.logit, accuracy: 1e-12)
        XCTAssertTrue(lrp0.check.applied)
        XCTAssertTrue(lrp0.check.passed)
        XCTAssertLessThan(lrp0.check.relative, 1e-9, "LRP-0 in float64 leaks only through biases")
        XCTAssertGreaterThan(abs(lrp0.totalBiasAbsorbed), 1e-6, "the fixture has biases: they take a measurable share")

        // AttnLRP with ε > 0 leaks a little through its stabilisers …
        let strict = try ConservationAudit(ruleSet: .attnlrp, epsilon: 1e-2, tolerance: 0).run(model: model, image: path, target: nil)
        assertLedgerAddsUp(strict)
        XCTAssertTrue(strict.check.applied)
        XCTAssertFalse(strict.check.passed)
        // … which a tolerance above its relative size lets through.
        let lenient = try ConservationAudit(ruleSet: .attnlrp, epsilon: 1e-2, tolerance: strict.check.relative * 2)
            .run(model: model, image: path, target: nil)
        XCTAssertTrue(lenient.check.passed)
        // Without ε the leak vanishes to rounding: cp-lrp passes a tight tolerance.
        let exact = try ConservationAudit(ruleSet: .cpLRP, epsilon: 0, tolerance: 1e-9).run(model: model, image: path, target: nil)
        assertLedgerAddsUp(exact)
        XCTAssertTrue(exact.check.passed)
    }

    /// The DICOM window reaches the audit: a windowed film starts from that film's logit.
    func testTheWindowChangesWhatTheAuditedModelSees() throws {
        let model = try ClassifierModel.load(from: TestPaths.tinyModel)
        let film = DICOMManifest.fixture("mono1_12bit_window.dcm").path
        let audit = ConservationAudit(ruleSet: .attnlrp)
        let own = try audit.run(model: model, image: film, target: nil)
        let windowed = try audit.run(
            model: model, image: film, options: ImageReadOptions(dicomWindow: try DICOMWindow(center: 3000, width: 1200)), target: nil)
        XCTAssertGreaterThan(abs(own.explainedOutput - windowed.explainedOutput), 1e-6, "the window changed what the model saw")
    }
}
