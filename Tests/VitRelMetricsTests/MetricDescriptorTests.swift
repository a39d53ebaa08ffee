import XCTest
import VitRelTestSupport
@testable import VitRelMetrics

/// Each metric as one value: name, direction and needs from the metric itself, as the README's
/// table of metrics states them.
final class MetricDescriptorTests: XCTestCase {
    func testEveryDefaultMetricIsOfItsKind() {
        for kind in MetricKind.allCases {
            XCTAssertEqual(kind.defaultMetric.kind, kind)
            XCTAssertEqual(kind.descriptor.kind, kind)
            XCTAssertEqual(kind.runsModel, kind.defaultMetric is any PerturbationMetric, "\(kind)")
        }
    }

    /// The README's "Metrics at a glance" table: name | better | needs.
    func testDirectionAndNeedsAreWhatTheREADMESays() throws {
        let readme = try String(contentsOf: TestPaths.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let rows = readme.components(separatedBy: "\n").filter { $0.hasPrefix("| `") }.compactMap { line -> (String, String, String)? in
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 5, let kind = MetricKind(rawValue: cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))) else { return nil }
            return (kind.rawValue, cells[2], cells[3])
        }
        XCTAssertEqual(rows.map(\.0), MetricKind.allCases.map(\.rawValue), "one README row per metric, in registry order")
        let needNames: [(MetricNeeds, String)] = [
            (.perturbedInputs, "perturbed inputs"), (.groundTruthMask, "mask"), (.reexplanation, "re-explains"),
            (.randomisedModels, "randomised models"), (.conservationFacts, "ledger or gap"), (.wallTime, "wall time"),
        ]
        for (name, better, needs) in rows {
            let descriptor = MetricKind(rawValue: name)!.descriptor
            let direction = descriptor.higherIsBetter.map { $0 ? "higher" : "lower" } ?? "descriptive"
            XCTAssertEqual(better, direction, name)
            let listed = Set(needs.components(separatedBy: ", "))
            XCTAssertEqual(listed, Set(needNames.filter { descriptor.needs.contains($0.0) }.map(\.1)), name)
        }
    }

    func testMetricSettingsEncodeFieldByField() throws {
        let suite = MetricSuite.vit(patchSize: 16, channels: 3)
        let json = try JSONValue(encoding: RegionPerturbation.covidAOPC())
        XCTAssertEqual(json.objectValue?["patchSize"], .number(34))
        XCTAssertEqual(json.objectValue?["baseline"], .string("noise:0.1"), "the baseline as --perturbation spells it")
        XCTAssertEqual(json.objectValue?["preprocessing"]?.objectValue?["normalise"], .bool(true))
        for kind in MetricKind.allCases {
            let data = try JSONEncoder().encode(suite[kind])
            XCTAssertNotNil(try JSONValue.parse(data).objectValue, "\(kind)")
        }
        let decoded = try JSONDecoder().decode(RegionPerturbation.self, from: JSONEncoder().encode(RegionPerturbation.covidAOPC()))
        XCTAssertEqual(decoded, RegionPerturbation.covidAOPC())
    }

    func testSeedingReachesEveryMetricThatDraws() {
        var suite = MetricSuite()
        suite.seed(9)
        for kind in MetricKind.allCases {
            if let seeded = suite[kind] as? any SeededMetric { XCTAssertEqual(seeded.seed, 9, "\(kind)") }
        }
        XCTAssertEqual(suite[.road, as: ROAD.self].seed, 9)
        XCTAssertEqual(suite[.maxSensitivity, as: MaxSensitivity.self].seed, 9)
    }
}
