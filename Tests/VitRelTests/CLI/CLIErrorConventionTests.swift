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

/// The one convention of the whole CLI (README, "Errors and exit status"): errors begin with
/// `vitrel: error: `; a wrong command line exits 64 (EX_USAGE), anything else that fails exits 1.
final class CLIErrorConventionTests: XCTestCase {
    func testUsageErrorsExit64WithThePrefixWhetherParsingOrTheCommandRefusesTheValue() throws {
        let image = try TestImages.write(in: try TestPaths.temporaryDirectory(self)).path
        let cases: [(arguments: [String], message: String)] = [
            (["predict", "--model", CLI.tinyModel, "--image", image, "--no-such-flag"], "--no-such-flag"),  // ArgumentParser
            (["predict", "--model", CLI.tinyModel, "--image", image, "--top-k", "0"], "--top-k must be at least 1"),  // validate()
            (["explain", "--model", CLI.tinyModel, "--image", image, "--alpha", "2"], "--alpha must be in [0, 1]"),  // run()
            (["compare", "--model", CLI.tinyModel, "--data", "/nonexistent", "--metrics", "bogus"], "unknown metric \"bogus\""),
        ]
        for (arguments, message) in cases {
            let run = try CLI.run(arguments)
            XCTAssertEqual(run.status, 64, "\(arguments): \(run.stderr)")
            XCTAssertEqual(run.errorMessages.count, 1, "\(arguments): \(run.stderr)")
            XCTAssertTrue(run.errorMessages.first?.contains(message) ?? false, "\(arguments): \(run.stderr)")
            XCTAssertEqual(run.diagnosticLines.count, 1, "only the usage hint follows: \(run.stderr)")
        }
        // A value refused by run() points at its subcommand's help, as a parse error does.
        let refused = try CLI.run(["explain", "--model", CLI.tinyModel, "--image", image, "--alpha", "2"])
        XCTAssertTrue(refused.stderr.contains("See 'vitrel explain --help'"), refused.stderr)
    }

    func testRuntimeErrorsExit1InOneLineNamingTheFile() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let missingModel = directory.appendingPathComponent("no-model").path
        let missingImage = directory.appendingPathComponent("none.png").path
        for (arguments, file) in [(["inspect", "--model", missingModel], missingModel),
                                  (["conservation", "--model", CLI.tinyModel, "--image", missingImage], missingImage)] {
            let run = try CLI.run(arguments)
            XCTAssertEqual(run.status, 1, "\(arguments): \(run.stderr)")
            XCTAssertEqual(run.errorLines, run.errorMessages, "every line is an error line: \(run.stderr)")
            XCTAssertEqual(run.errorMessages.count, 1, run.stderr)
            XCTAssertTrue(run.errorMessages[0].hasPrefix("vitrel: error: \(file): "), run.stderr)
        }
    }
}
