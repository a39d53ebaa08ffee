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

/// `vitrel conservation`: the ledger's arithmetic and the exit status of the check.
final class CLIConservationTests: XCTestCase {
    func conservation(_ arguments: [String]) throws -> (CLI.Run, [String: Any]?) {
        let directory = try TestPaths.temporaryDirectory(self)
        let image = try TestImages.write(in: directory)
        let run = try CLI.run(["conservation", "--model", CLI.tinyModel, "--image", image.path, "--json"] + arguments)
        return (run, (try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8))) as? [String: Any])
    }

    func number(_ dictionary: [String: Any], _ key: String) throws -> Double {
        try XCTUnwrap(dictionary[key] as? Double, key)
    }

    /// Every identity the report states, checked on its own numbers.
    func assertLedgerAddsUp(_ report: [String: Any], file: StaticString = #filePath, line: UInt = #line) throws {
        let layers = try XCTUnwrap(report["layers"] as? [[String: Any]])
        XCTAssertGreaterThan(layers.count, 10, file: file, line: line)
        var gaps = 0.0, stabiliser = 0.0, absoluteStabiliser = 0.0
        for layer in layers {
            let gap = try number(layer, "gap")
            XCTAssertEqual(gap, try number(layer, "relevanceOut") - number(layer, "relevanceIn"), accuracy: 1e-12, file: file, line: line)
            let parts = try number(layer, "biasAbsorbed") + number(layer, "softmaxLeak") + number(layer, "stabiliserLeak")
            XCTAssertEqual(gap, parts, accuracy: 1e-12, "gap = bias + softmax + stabiliser in \(layer["layer"] ?? "")", file: file, line: line)
            gaps += gap
            stabiliser += try number(layer, "stabiliserLeak")
            absoluteStabiliser += abs(try number(layer, "stabiliserLeak"))
        }
        let leaves = try XCTUnwrap(report["leaves"] as? [String: Double])
        XCTAssertEqual(leaves["total"]!, leaves["pixels"]! + leaves["classToken"]! + leaves["positionEmbedding"]!, accuracy: 1e-12, file: file, line: line)
        let explained = try number(report, "explainedOutput"), endToEnd = try number(report, "endToEndGap")
        XCTAssertEqual(endToEnd, explained - leaves["total"]!, accuracy: 1e-12, file: file, line: line)
        XCTAssertEqual(try number(report, "unrecorded"), endToEnd - gaps, accuracy: 1e-12, file: file, line: line)
        XCTAssertEqual(try number(report, "totalStabiliserLeak"), stabiliser, accuracy: 1e-12, file: file, line: line)
        let check = try XCTUnwrap(report["check"] as? [String: Any])
        let unaccounted = try number(check, "unaccounted")
        XCTAssertEqual(unaccounted, absoluteStabiliser + abs(try number(report, "unrecorded")), accuracy: 1e-12, file: file, line: line)
        XCTAssertEqual(try number(check, "relative"), unaccounted / abs(explained), accuracy: 1e-12, file: file, line: line)
        XCTAssertEqual(check["passed"] as? Bool, unaccounted <= (try number(check, "tolerance")) * abs(explained), file: file, line: line)
    }

    func testLRP0ConservesTheLogitUpToMeasuredBiasesAndPasses() throws {
        let (run, parsed) = try conservation(["--rule-set", "lrp-0"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let report = try XCTUnwrap(parsed)
        try assertLedgerAddsUp(report)
        XCTAssertEqual(report["startingRelevance"] as? String, "logit")
        XCTAssertEqual(try number(report, "explainedOutput"), try number(report, "logit"), accuracy: 1e-12)
        let check = try XCTUnwrap(report["check"] as? [String: Any])
        XCTAssertEqual(check["applied"] as? Bool, true)
        XCTAssertLessThan(try number(check, "relative"), 1e-9, "LRP-0 in float64 leaks only through biases")
        // The fixture has biases: they take a measurable share.
        XCTAssertGreaterThan(abs(try number(report, "totalBiasAbsorbed")), 1e-6)
    }

    func testTheExitStatusFollowsTheToleranceRule() throws {
        // AttnLRP with ε > 0 leaks a little through its stabilisers …
        let (strict, strictReport) = try conservation(["--rule-set", "attnlrp", "--epsilon", "1e-2", "--tolerance", "0"])
        let report = try XCTUnwrap(strictReport)
        try assertLedgerAddsUp(report)
        XCTAssertEqual((report["check"] as? [String: Any])?["passed"] as? Bool, false)
        XCTAssertEqual(strict.status, 2)
        XCTAssertEqual(strict.errorLines.count, 1, strict.stderr)
        XCTAssertTrue(strict.stderr.contains("above --tolerance"), strict.stderr)
        // … which a tolerance above its relative size lets through.
        let relative = try number(try XCTUnwrap(report["check"] as? [String: Any]), "relative")
        let (lenient, lenientReport) = try conservation(["--rule-set", "attnlrp", "--epsilon", "1e-2", "--tolerance", "\(relative * 2)"])
        XCTAssertEqual(lenient.status, 0, lenient.stderr)
        XCTAssertEqual((lenientReport?["check"] as? [String: Any])?["passed"] as? Bool, true)
        // Without ε the leak vanishes to rounding: cp-lrp passes a tight tolerance.
        let (exact, exactReport) = try conservation(["--rule-set", "cp-lrp", "--epsilon", "0", "--tolerance", "1e-9"])
        XCTAssertEqual(exact.status, 0, exact.stderr)
        try assertLedgerAddsUp(try XCTUnwrap(exactReport))
    }

    func testCheferIsReportedFromOneHotButNeverFailsTheCheck() throws {
        let (run, parsed) = try conservation(["--rule-set", "chefer", "--tolerance", "0"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let report = try XCTUnwrap(parsed)
        try assertLedgerAddsUp(report)
        XCTAssertEqual(report["startingRelevance"] as? String, "one-hot")
        XCTAssertEqual(try number(report, "explainedOutput"), 1)
        XCTAssertEqual((report["check"] as? [String: Any])?["applied"] as? Bool, false)
    }

    func testTheTableStatesTheStartingRelevanceAndTheVerdict() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let image = try TestImages.write(in: directory)
        let run = try CLI.run(["conservation", "--model", CLI.tinyModel, "--image", image.path, "--rule-set", "lrp-0", "--target", "Normal"])
        XCTAssertEqual(run.status, 0, run.stderr)
        for text in ["target        Normal (class 2)", "R = the target's logit", "blocks.1.attn", "patch_embed", "leaves        pixels", "PASS"] {
            XCTAssertTrue(run.stdout.contains(text), "\(text)\n\(run.stdout)")
        }
    }

    func testBadInputFailsInOneLine() throws {
        for arguments in [["--target", "Pneumonia"], ["--rule-set", "lrp-0", "--epsilon", "0.1"], ["--tolerance=-1"]] {
            let (run, _) = try conservation(arguments)
            XCTAssertNotEqual(run.status, 0, "\(arguments)")
            XCTAssertNotEqual(run.status, 2, "\(arguments): bad input is not a failed check")
            XCTAssertEqual(run.diagnosticLines.count, 1, "\(arguments): \(run.stderr)")
        }
    }

    func testHelpSaysExactlyWhatIsChecked() throws {
        let run = try CLI.run(["conservation", "--help"])
        XCTAssertEqual(run.status, 0)
        let help = run.stdout.replacingOccurrences(of: "\n", with: " ").split(separator: " ").joined(separator: " ")
        for text in ["unaccounted = Σ_layers |stabiliser leak| + |end-to-end gap − Σ_layers gap|",
                     "passes when unaccounted ≤ tolerance × |explained output|", "one-hot 1 for chefer", "2 when the unaccounted leak exceeds the tolerance"] {
            XCTAssertTrue(help.contains(text), text)
        }
    }
}
