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

/// Method and metric settings in run.json: JSON objects field by field, a mismatch named by
/// its field, folders written when settings were one line of text still resumed, and reports
/// that print settings readably.
final class RunRecordSettingsTests: XCTestCase {
    func phantoms() throws -> URL {
        let root = try TestPaths.temporaryDirectory(self).appendingPathComponent("phantoms")
        _ = try SyntheticDataset.write(to: root, perClass: 4, seed: 3, size: 64)
        return root
    }

    func request(data: URL, out: URL, regionSize: Int? = nil) throws -> ComparisonRequest {
        let model = try ClassifierModel.load(from: TestPaths.tinyModel)
        let lime = LIMEExplainer(segmenter: .patchGrid(PatchGrid(patchSize: 8)), sampleCount: 40, batchSize: 32, topLabels: nil, labels: [])
        return ComparisonRequest(
            model: model, data: data.path, split: "Train", methods: [.attentionRollout, .lime], lime: lime,
            metrics: [.regionPerturbation, .relevanceMass, .seconds],
            metricSettings: ComparisonMetricSettings(regionSize: regionSize, regions: 4, perturbation: try PerturbationBaseline(parsing: "noise:0.1")),
            selection: ImageSelection(quota: .perClass(1), seed: 0), gridsPerClass: 0, output: out, command: "vitrel compare (test)")
    }

    func runRecord(_ folder: URL) throws -> ComparisonRunRecord {
        try JSONDecoder().decode(ComparisonRunRecord.self, from: Data(contentsOf: folder.appendingPathComponent("run.json")))
    }

    func testRunJSONRecordsSettingsAsObjectsAndAMismatchNamesTheField() throws {
        let data = try phantoms()
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("report")
        let first = try request(data: data, out: out)
        _ = try ComparisonRun(first).run(observer: QuietRunObserver())

        let json = try JSONValue.parse(Data(contentsOf: out.appendingPathComponent("run.json")))
        let settings = try XCTUnwrap(json.objectValue?["settings"]?.objectValue)
        XCTAssertEqual(settings["methodSettings"]?.objectValue?["attention-rollout"], .object(["discardRatio": .number(0), "headFusion": .string("mean")]))
        XCTAssertEqual(
            settings["methodSettings"]?.objectValue?["lime"],
            .object(["samples": .number(40), "seed": .number(0), "segmentation": .object(["algorithm": .string("grid"), "patchSize": .number(8)])]))
        let region = try XCTUnwrap(settings["metricSettings"]?.objectValue?["region-perturbation"]?.objectValue)
        XCTAssertEqual(region["patchSize"], .number(8), "the tiny model's patch size")
        XCTAssertEqual(region["baseline"], .string("noise:0.1"))
        XCTAssertEqual(region["preprocessing"]?.objectValue?["normalise"], .bool(true))
        XCTAssertEqual(settings["metricSettings"]?.objectValue?["seconds"], .object([:]))

        // Round trip: what is read back is what the request records.
        let suite = first.metricSettings.suite(patchSize: first.model.config.patchSize)
        XCTAssertEqual(try runRecord(out).settings, try first.settings(suite: suite))

        XCTAssertThrowsError(try ComparisonRun(try request(data: data, out: out, regionSize: 4)).run(observer: QuietRunObserver())) { error in
            XCTAssertEqual(
                "\(error)",
                "\(out.path) records a run with other settings (region-perturbation: patchSize 8 before, 4 now); "
                    + "rerun with --fresh to start over, or choose another --out")
        }
    }

    /// A folder written before settings were structured holds them as text; rerun with the same
    /// settings, it resumes (every row kept) and its run.json is rewritten field by field.
    func testAFolderWithSettingsRecordedAsTextStillResumes() throws {
        let data = try phantoms()
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("report")
        let request = try request(data: data, out: out)
        let first = try ComparisonRun(request).run(observer: QuietRunObserver())
        let rows = first.compared * 2 * 3

        // Rewrite run.json as an earlier vitrel wrote it: every setting one line of text.
        var record = try runRecord(out)
        let current = try request.settings(suite: request.metricSettings.suite(patchSize: request.model.config.patchSize))
        record.settings.methodSettings = current.methodSettings.mapValues { RecordedSettings(legacyText: $0.legacyText!) }
        record.settings.metricSettings = current.metricSettings.mapValues { RecordedSettings(legacyText: $0.legacyText!) }
        try writeJSON(record, to: out.appendingPathComponent("run.json"))
        let old = try JSONValue.parse(Data(contentsOf: out.appendingPathComponent("run.json")))
        XCTAssertEqual(
            old.objectValue?["settings"]?.objectValue?["methodSettings"]?.objectValue?["attention-rollout"],
            .string("discard-ratio 0.0, head-fusion mean"))
        XCTAssertTrue(
            old.objectValue?["settings"]?.objectValue?["metricSettings"]?.objectValue?["region-perturbation"]?.stringValue?
                .hasPrefix("RegionPerturbation(patchSize: 8, order: VitRel.RegionPerturbation.Order.morf, regions: 4, baseline: noise:0.1") ?? false)

        let resumed = try ComparisonRun(request).run(observer: QuietRunObserver())
        XCTAssertEqual(resumed.resumedRows, rows, "every row kept")
        let rewritten = try JSONValue.parse(Data(contentsOf: out.appendingPathComponent("run.json")))
        XCTAssertNotNil(rewritten.objectValue?["settings"]?.objectValue?["metricSettings"]?.objectValue?["region-perturbation"]?.objectValue)

        // Other settings against the text record: refused, both sides quoted in the old form.
        try writeJSON(record, to: out.appendingPathComponent("run.json"))
        XCTAssertThrowsError(try ComparisonRun(try self.request(data: data, out: out, regionSize: 4)).run(observer: QuietRunObserver())) { error in
            XCTAssertTrue("\(error)".contains("(region-perturbation: RegionPerturbation(patchSize: 8, "), "\(error)")
            XCTAssertTrue("\(error)".contains("before (recorded by an earlier vitrel), RegionPerturbation(patchSize: 4, "), "\(error)")
        }
    }

    /// A copy of a committed report's run.json (today's string settings): the same settings now
    /// compare equal to it, and a changed one is named.
    func testACommittedRunJSONWithTextSettingsMatchesTheSameSettingsToday() throws {
        let committed = TestPaths.repositoryRoot.appendingPathComponent("Notebooks-export/covid-vit-comparison/run.json")
        let copy = try TestPaths.temporaryDirectory(self).appendingPathComponent("run.json")
        try FileManager.default.copyItem(at: committed, to: copy)
        let old = try JSONDecoder().decode(ComparisonRunRecord.self, from: Data(contentsOf: copy)).settings
        XCTAssertEqual(old.methodSettings["chefer-lrp"], RecordedSettings(legacyText: "start-layer 0"))

        // As `vitrel compare --model Models/vit-phantom-128 (patch 16) --methods chefer-lrp,lime,attnlrp,attention-rollout,integrated-gradients` records it.
        func settings(regionSize: Int?) throws -> ComparisonSettings {
            let request = ComparisonRequest(
                model: try ClassifierModel.load(from: TestPaths.tinyModel), data: "/tmp/fresh", split: "Test",
                methods: [.cheferLRP, .lime, .attnLRP, .attentionRollout, .integratedGradients], lime: LIMEExplainer(),
                metrics: [.faithfulnessEstimate, .regionPerturbation, .pixelFlipping, .relevanceMass, .relevanceRank, .pointingGame, .seconds],
                metricSettings: ComparisonMetricSettings(regionSize: regionSize, perturbation: try PerturbationBaseline(parsing: "noise:0.1")),
                output: copy.deletingLastPathComponent(), command: "")
            var now = old
            let recorded = try request.settings(suite: request.metricSettings.suite(patchSize: 16))
            now.methodSettings = recorded.methodSettings
            now.metricSettings = recorded.metricSettings
            return now
        }
        let same = try settings(regionSize: nil)
        XCTAssertEqual(same.differences(from: old), [])
        XCTAssertEqual(Set(same.merged(with: old).methodSettings.keys), Set(old.methodSettings.keys))

        let other = try settings(regionSize: 8).differences(from: old)
        XCTAssertEqual(other.count, 1)
        XCTAssertTrue(other[0].hasPrefix("region-perturbation: RegionPerturbation(patchSize: 16, "), other[0])
        XCTAssertTrue(other[0].contains(" now") && other[0].contains("RegionPerturbation(patchSize: 8, "), other[0])
    }

    func testTheReportsPrintSettingsReadably() throws {
        let data = try phantoms()
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("report")
        _ = try ComparisonRun(try request(data: data, out: out)).run(observer: QuietRunObserver())
        let markdown = try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8)
        let html = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        let notebook = try String(contentsOf: out.appendingPathComponent("report.ipynb"), encoding: .utf8)
        let massSettings = "Settings: preprocessing (absolute false, normalise true, positiveOnly true)."
        let regionSettings = "Settings: baseline noise:0.1, order morf, output softmax, patchSize 8, "
            + "preprocessing (absolute false, normalise true, positiveOnly false), regions 4, seed 42."
        for (name, text) in [("summary.md", markdown), ("index.html", html), ("report.ipynb", notebook)] {
            XCTAssertTrue(text.contains(massSettings), name)
            XCTAssertTrue(text.contains(regionSettings), name)
            XCTAssertTrue(text.contains("Settings: none."), "seconds has none: \(name)")
            for leftover in ["VitRel.", "AttributionPreprocessing(", "RegionPerturbation(", "ExplanationSeconds("] {
                XCTAssertFalse(text.contains(leftover), "\(name) holds \(leftover)")
            }
        }
    }
}
