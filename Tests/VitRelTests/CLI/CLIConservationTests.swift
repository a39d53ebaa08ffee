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

/// `vitrel conservation`: the exit status of the check, the table, bad input and the help.
/// The ledger's arithmetic is tested on `ConservationAudit` in VitRelCompareTests.
final class CLIConservationTests: XCTestCase {
    func conservation(_ arguments: [String]) throws -> (CLI.Run, [String: Any]?) {
        let directory = try TestPaths.temporaryDirectory(self)
        let image = try TestImages.write(in: directory)
        let run = try CLI.run(["conservation", "--model", CLI.tinyModel, "--image", image.path, "--json"] + arguments)
        return (run, (try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8))) as? [String: Any])
    }

    /// Exit 2 with one line when the check fails, 0 when it passes or is not applied (chefer);
    /// the check itself is tested on `ConservationAudit` in VitRelCompareTests.
    func testTheExitStatusFollowsTheCheck() throws {
        let (strict, strictReport) = try conservation(["--rule-set", "attnlrp", "--epsilon", "1e-2", "--tolerance", "0"])
        XCTAssertEqual((strictReport?["check"] as? [String: Any])?["passed"] as? Bool, false)
        XCTAssertEqual(strict.status, 2)
        XCTAssertEqual(strict.errorLines.count, 1, strict.stderr)
        XCTAssertTrue(strict.stderr.contains("above --tolerance"), strict.stderr)
        let (lenient, lenientReport) = try conservation(["--rule-set", "attnlrp", "--epsilon", "1e-2", "--tolerance", "1"])
        XCTAssertEqual(lenient.status, 0, lenient.stderr)
        XCTAssertEqual((lenientReport?["check"] as? [String: Any])?["passed"] as? Bool, true)
        let (chefer, cheferReport) = try conservation(["--rule-set", "chefer", "--tolerance", "0"])
        XCTAssertEqual(chefer.status, 0, chefer.stderr)
        XCTAssertEqual((cheferReport?["check"] as? [String: Any])?["applied"] as? Bool, false)
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
