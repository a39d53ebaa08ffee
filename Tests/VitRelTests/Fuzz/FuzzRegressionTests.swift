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
@testable import VitRelFuzzing

/// Replays every case under Fixtures/fuzz/ — the inputs that once broke vitrel, found by the
/// fuzzer (`make fuzz`) or by hand in issue 13 — through the built executable: each must now
/// end by the convention (exit 0, 1, 2 or 64 with an error line; no signal, no hang, no `nan`).
final class FuzzRegressionTests: XCTestCase {
    static let timeout = 60.0

    private func cases() throws -> [(name: String, fuzzCase: FuzzCase)] {
        let folder = TestPaths.fixture("fuzz")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        return try names.compactMap { name in
            let url = folder.appendingPathComponent(name).appendingPathComponent("case.json")
            guard FileManager.default.fileExists(atPath: url.path) else { return nil }
            return (name, try FuzzCase.load(url))
        }
    }

    func testEveryKeptCaseNowEndsByTheConvention() throws {
        let executable = try CLI.executable()
        let campaign = FuzzCampaign(executable: executable, fixtures: TestPaths.fixture(""), seed: 0, duration: 0,
                                    timeout: Self.timeout, log: { _ in })
        let scratch = try TestPaths.temporaryDirectory(self)
        let all = try cases()
        XCTAssertFalse(all.isEmpty, "Fixtures/fuzz holds the issue-13 cases at least")
        for (name, fuzzCase) in all {
            let (problem, outcome) = try campaign.judge(fuzzCase, scratch: scratch)
            XCTAssertNil(problem, "\(name) (\(fuzzCase.finding ?? "")): vitrel \(fuzzCase.arguments.joined(separator: " ")): \(outcome.stderr.suffix(400))")
        }
    }

    /// The oracle itself: what counts as a failure.
    func testTheOracleFlagsSignalsHangsStatusesAndNonFiniteNumbers() {
        func outcome(status: Int32 = 0, signal: Int32? = nil, timedOut: Bool = false, stdout: String = "", stderr: String = "") -> FuzzOracle.Outcome {
            FuzzOracle.Outcome(status: status, signal: signal, timedOut: timedOut, stdout: stdout, stderr: stderr, seconds: 0)
        }
        XCTAssertNil(FuzzOracle.problem(outcome(stdout: "x.png\tCOVID-19 0.5000\tNormal 0.2500"), timeout: 1))
        XCTAssertNil(FuzzOracle.problem(outcome(status: 1, stderr: "vitrel: error: x.png: truncated PNG"), timeout: 1))
        XCTAssertNil(FuzzOracle.problem(outcome(status: 64, stderr: "vitrel: error: --top-k must be at least 1"), timeout: 1))
        XCTAssertNotNil(FuzzOracle.problem(outcome(signal: SIGTRAP), timeout: 1))
        XCTAssertNotNil(FuzzOracle.problem(outcome(signal: SIGABRT), timeout: 1))
        XCTAssertNotNil(FuzzOracle.problem(outcome(timedOut: true), timeout: 1))
        XCTAssertNotNil(FuzzOracle.problem(outcome(status: 134, stderr: "vitrel: error: x"), timeout: 1))
        XCTAssertNotNil(FuzzOracle.problem(outcome(status: 1, stderr: "Error: something"), timeout: 1), "a failure needs the prefix")
        XCTAssertNotNil(FuzzOracle.problem(outcome(status: 1, stderr: "Fatal error: Duplicate values for key"), timeout: 1))
        for printed in ["COVID-19 nan", "p -inf", "\"logit\": inf,", "[NaN, 1]", "0.5 +Infinity"] {
            XCTAssertNotNil(FuzzOracle.problem(outcome(stdout: printed), timeout: 1), printed)
        }
        XCTAssertNil(FuzzOracle.problem(outcome(stdout: "nan 0.5000"), timeout: 1, classNames: ["nan"]), "a class called nan")
        XCTAssertNil(FuzzOracle.problem(outcome(stdout: "infection 0.5 information"), timeout: 1))
        // seed 7, case 1959: a file named "border:nan" in predict's JSON errors is a path, not a NaN.
        XCTAssertNil(FuzzOracle.problem(outcome(stdout: "\"border:nan\" : \"border:nan: no such file\""), timeout: 1))
        XCTAssertNotNil(FuzzOracle.problem(outcome(stdout: "{\"p\":nan}"), timeout: 1), "compact JSON")
    }

    /// Cases replay exactly: edits apply to their seed, placeholders resolve, and the same
    /// seed and iteration give the same case.
    func testCasesAreDeterministicAndMaterialiseTheirFiles() throws {
        let campaign = FuzzCampaign(executable: URL(fileURLWithPath: "/bin/true"), fixtures: TestPaths.fixture(""), seed: 7,
                                    duration: 0, timeout: 1, log: { _ in })
        for iteration in 0..<30 { XCTAssertEqual(try campaign.makeCase(iteration), try campaign.makeCase(iteration)) }
        XCTAssertEqual(FuzzCase.apply([.init(at: 1, remove: 2, insert: Data([9])), .init(at: 99, remove: 5, insert: Data([7]))],
                                      to: Data([1, 2, 3, 4])), Data([1, 9, 4, 7]), "edits in order, clamped to the end")
        let folder = try TestPaths.temporaryDirectory(self)
        let fuzzCase = FuzzCase(arguments: ["predict", "--model", "{model}", "--image", "{image}", "--out", "{out}"],
                                files: ["image.jpg": .init(seed: "fixture:imaging/jpeg/gray.jpg", edits: [.init(at: 0, remove: 1, insert: Data([0]))])])
        let arguments = try fuzzCase.materialize(in: folder, fixtures: TestPaths.fixture(""))
        XCTAssertEqual(arguments[4], folder.appendingPathComponent("image.jpg").path)
        XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent("image.jpg")).first, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("model/model.safetensors").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("data/val/Normal/x-Normal.jpg").path))
    }
}
