import Foundation
import XCTest
@testable import VitRel
@testable import VitRelModel
@testable import VitRelData
@testable import VitRelRendering
@testable import VitRelExplain
@testable import VitRelMetrics
@testable import VitRelTraining
@testable import VitRelReporting

/// Options whose values are one of a library enum's cases are parsed by ArgumentParser
/// (`LibraryEnumArguments.swift`): a value outside the set is a usage error (exit 64) in one
/// diagnostic line naming every allowed value, before any file is read, and `--help` lists them.
final class CLIEnumArgumentTests: XCTestCase {
    func testUnknownSubsetIsAUsageErrorNamingTheSubsets() throws {
        for command in ["evaluate", "compare", "audit", "train"] {
            var arguments = [command, "--data", "/nonexistent", "--subset", "lungs"]
            if command == "train" || command == "audit" { arguments += ["--out", "/nonexistent/out"] }
            let run = try CLI.run(arguments)
            XCTAssertEqual(run.status, 64, "\(command): \(run.stderr)")
            XCTAssertEqual(run.diagnosticLines.count, 1, "\(command): \(run.stderr)")
            for value in ["'lungs'", "'lung'", "'infection'", "'both'"] {
                XCTAssertTrue(run.stderr.contains(value), "\(command) should name \(value): \(run.stderr)")
            }
        }
    }

    func testUnknownBalancingIsAUsageErrorNamingTheChoices() throws {
        let run = try CLI.run(["train", "--data", "/nonexistent", "--out", "/nonexistent/out", "--balance", "oversample"])
        XCTAssertEqual(run.status, 64, run.stderr)
        XCTAssertEqual(run.diagnosticLines.count, 1, run.stderr)
        for value in ["'none'", "'downsample'", "'weights'"] { XCTAssertTrue(run.stderr.contains(value), run.stderr) }
    }

    /// compare's `--target`, `--region-order` and `--localisation`, and bench lime's `--segmentation`.
    func testCompareAndBenchChoicesAreUsageErrorsNamingTheChoices() throws {
        let cases: [([String], [String])] = [
            (["compare", "--data", "/nonexistent", "--out", "/nonexistent/out", "--target", "truth"], ["'predicted'", "'label'"]),
            (["compare", "--data", "/nonexistent", "--out", "/nonexistent/out", "--region-order", "sideways"], ["'morf'", "'lerf'", "'random'"]),
            (["compare", "--data", "/nonexistent", "--out", "/nonexistent/out", "--localisation", "absolute"], ["'positive'", "'signed'"]),
            (["bench", "lime", "--segmentation", "watershed"], ["'quickshift'", "'slic'", "'grid'"]),
        ]
        for (arguments, values) in cases {
            let run = try CLI.run(arguments)
            XCTAssertEqual(run.status, 64, "\(arguments): \(run.stderr)")
            XCTAssertEqual(run.diagnosticLines.count, 1, "\(arguments): \(run.stderr)")
            for value in values { XCTAssertTrue(run.stderr.contains(value), "\(arguments) should name \(value): \(run.stderr)") }
        }
    }

    func testHelpListsTheAllowedValues() throws {
        let run = try CLI.run(["train", "--help"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let help = run.stdout.replacingOccurrences(of: "\n", with: " ").split(separator: " ").joined(separator: " ")
        XCTAssertTrue(help.contains("values: lung, infection, both; default: infection"), help)
        XCTAssertTrue(help.contains("values: none, downsample, weights; default: none"), help)
    }
}
