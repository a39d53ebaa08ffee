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

/// A comparison run called directly on the tiny fixture ViT and a few phantoms: its rows, their
/// agreement with the library's metrics, resumption and the settings check.
final class ComparisonRunTests: XCTestCase {
    static let metrics: [MetricKind] = [.faithfulnessEstimate, .regionPerturbation, .relevanceMass, .pointingGame]
    static let methods: [ExplanationMethod] = [.attentionRollout, .lime]

    /// 6 phantoms per class at 64 pixels (COVID-QU-Ex layout, infection masks; 4 per class in Train).
    func phantoms() throws -> URL {
        let root = try TestPaths.temporaryDirectory(self).appendingPathComponent("phantoms")
        _ = try SyntheticDataset.write(to: root, perClass: 6, seed: 3, size: 64)
        return root
    }

    func request(data: URL, out: URL, selectionSeed: UInt64 = 0, perClass: Int = 2) throws -> ComparisonRequest {
        let model = try ClassifierModel.load(from: TestPaths.tinyModel)
        let lime = LIMEExplainer(segmenter: .patchGrid(PatchGrid(patchSize: 8)), sampleCount: 60, batchSize: 32, topLabels: nil, labels: [])
        return ComparisonRequest(
            model: model, data: data.path, split: "Train", methods: Self.methods, lime: lime, metrics: Self.metrics,
            metricSettings: ComparisonMetricSettings(perturbation: try PerturbationBaseline(parsing: "noise:0.1")),
            selection: ImageSelection(quota: .perClass(perClass), seed: selectionSeed), gridsPerClass: 1, output: out,
            command: "vitrel compare (test)")
    }

    func testEveryImageMethodAndMetricGetsOneRowAndTheDocumentsAreWritten() throws {
        let data = try phantoms()
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("report")
        let observer = QuietRunObserver()
        let outcome = try ComparisonRun(try request(data: data, out: out)).run(observer: observer)
        XCTAssertEqual(outcome.selected, 6, "2 per class")
        XCTAssertEqual(outcome.compared, 6)
        XCTAssertEqual(outcome.failures, [])
        XCTAssertEqual(outcome.resumedRows, 0)
        XCTAssertEqual(observer.messages, [], "nothing to warn about")
        XCTAssertEqual(outcome.writtenFiles.map { URL(fileURLWithPath: $0).lastPathComponent },
                       ["summary.json", "summary.md", "index.html", "report.ipynb"])

        let records = try ComparisonRows.read(out)
        XCTAssertEqual(records.count, 6 * Self.methods.count * Self.metrics.count, "one row per image × method × metric")
        XCTAssertEqual(Set(records.map(\.key)).count, records.count, "no row twice")
        XCTAssertEqual(Set(records.map(\.image)).count, 6)
        for record in records {
            XCTAssertTrue(record.image.hasPrefix("Infection Segmentation Data/Train/"), record.image)
            XCTAssertEqual(record.target, record.predicted, "the predicted class is explained by default")
            if record.label == "Normal" && (record.metric == "relevance-mass" || record.metric == "pointing-game") {
                // Normal phantoms have no infection: an empty mask, a NaN that says why.
                XCTAssertTrue(record.score.isNaN, "\(record)")
                XCTAssertEqual(record.note, "empty infection mask")
            } else {
                XCTAssertTrue(record.score.isFinite, "\(record)")
                XCTAssertEqual(record.note, "")
            }
            XCTAssertTrue(record.metricSeconds.isFinite && record.metricSeconds >= 0)
        }
        let grids = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("figures").path).filter { $0.hasPrefix("grid-") }
        XCTAssertEqual(grids.count, 3 * 2, "one grid per class, as PNG and SVG")
        let run = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("run.json"))) as? [String: Any]
        XCTAssertEqual(run?["command"] as? String, "vitrel compare (test)")
        XCTAssertEqual(run?["images"] as? Int, 6)
        XCTAssertTrue(outcome.headline.hasPrefix("metric"), outcome.headline)
    }

    func testARowEqualsTheLibraryMetricComputedDirectly() throws {
        let data = try phantoms()
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("report")
        let request = try request(data: data, out: out)
        _ = try ComparisonRun(request).run(observer: QuietRunObserver())
        let row = try XCTUnwrap(try ComparisonRows.read(out).first { $0.method == "attention-rollout" && $0.metric == "faithfulness-estimate" })

        // The same image, explained and measured without the engine.
        let model = request.model
        let file = data.appendingPathComponent(row.image)
        let input = try model.preprocessing.checkedInput(for: try ImageIO.read(file), file: file.path)  // [3, H, W]
        let logits = try model.network(input.reshaped([1] + input.shape)).scalars
        let predicted = try XCTUnwrap(softmaxProbabilities(logits).indexOfMaximum)
        XCTAssertEqual(row.predicted, model.classNames[predicted])
        let explanation = try PixelExplainer(method: .attentionRollout).explain(input, targets: [predicted], model: model)
        let network = model.network
        let inputs = MetricInputs<VisionTransformer<Float>>(
            model: MetricModel(batchSize: 32) { try network($0) }, input: input, attribution: explanation.pixelMap(0).values,
            target: predicted)
        let suite = request.metricSettings.suite(patchSize: model.config.patchSize)
        let direct = try suite.run(.faithfulnessEstimate, inputs, mask: .infection)
        XCTAssertEqual(row.score, direct.score, "the row holds the library's number")
        XCTAssertTrue(row.score.isFinite)
        XCTAssertEqual(row.forwardPasses, direct.forwardPasses)
        XCTAssertEqual(row.curve, direct.curve ?? [])
    }

    /// The grids reuse LIME's all-class explanation of their images from the rows: the rows
    /// are those of a run without grids, row for row, and the grid figures are still drawn.
    func testRowsDoNotDependOnTheGridsThatReuseLIME() throws {
        let data = try phantoms()
        let withGrids = try TestPaths.temporaryDirectory(self).appendingPathComponent("grids")
        let withoutGrids = try TestPaths.temporaryDirectory(self).appendingPathComponent("none")
        _ = try ComparisonRun(try request(data: data, out: withGrids)).run(observer: QuietRunObserver())
        var plain = try request(data: data, out: withoutGrids)
        plain.gridsPerClass = 0
        _ = try ComparisonRun(plain).run(observer: QuietRunObserver())
        XCTAssertEqual(ComparisonRows.timeless(try ComparisonRows.read(withGrids)), ComparisonRows.timeless(try ComparisonRows.read(withoutGrids)))
        let figures = try FileManager.default.contentsOfDirectory(atPath: withGrids.appendingPathComponent("figures").path)
        XCTAssertEqual(figures.filter { $0.hasPrefix("grid-") && $0.hasSuffix(".png") }.count, 3, "one grid per class")
    }

    func testAResumedRunReproducesTheDeletedRowsExactly() throws {
        let data = try phantoms()
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("report")
        _ = try ComparisonRun(try request(data: data, out: out)).run(observer: QuietRunObserver())
        let complete = try ComparisonRows.read(out)
        let expected = ComparisonRows.timeless(complete)

        // Keep the header and the first half of the rows, as a run killed halfway would.
        let csv = out.appendingPathComponent("results.csv")
        let lines = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let kept = complete.count / 2
        try (lines.prefix(1 + kept).joined(separator: "\n") + "\n").write(to: csv, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ComparisonRows.read(out).count, kept)

        let outcome = try ComparisonRun(try request(data: data, out: out)).run(observer: QuietRunObserver())
        XCTAssertEqual(outcome.resumedRows, kept)
        let resumed = try ComparisonRows.read(out)
        XCTAssertEqual(resumed.count, complete.count)
        XCTAssertEqual(Array(resumed.prefix(kept)), Array(complete.prefix(kept)), "kept rows untouched, wall times included")
        XCTAssertEqual(ComparisonRows.timeless(resumed), expected, "resumed = uninterrupted, row for row")
    }

    func testOtherSettingsInTheSameFolderAreRefusedUnlessFresh() throws {
        let data = try phantoms()
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("report")
        _ = try ComparisonRun(try request(data: data, out: out, perClass: 1)).run(observer: QuietRunObserver())
        let before = try String(contentsOf: out.appendingPathComponent("results.csv"), encoding: .utf8)
        XCTAssertThrowsError(try ComparisonRun(try request(data: data, out: out, selectionSeed: 5, perClass: 1)).run(observer: QuietRunObserver())) { error in
            XCTAssertEqual(
                "\(error)",
                "\(out.path) records a run with other settings (selection: 1 per class, seed 0 before, 1 per class, seed 5 now); "
                    + "rerun with --fresh to start over, or choose another --out")
        }
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("results.csv"), encoding: .utf8), before, "a refused run touches no row")

        var fresh = try request(data: data, out: out, selectionSeed: 5, perClass: 1)
        fresh.fresh = true
        let outcome = try ComparisonRun(fresh).run(observer: QuietRunObserver())
        XCTAssertEqual(outcome.resumedRows, 0)
        // Adding a metric is allowed: only its rows are computed.
        var more = try request(data: data, out: out, selectionSeed: 5, perClass: 1)
        more.metrics.append(.relevanceRank)
        let added = try ComparisonRun(more).run(observer: QuietRunObserver())
        XCTAssertEqual(added.resumedRows, 3 * 2 * 4)
        XCTAssertEqual(try ComparisonRows.read(out).count, 3 * 2 * 5)
    }

    func testAQuotaBeyondTheSplitIsAWarningThroughTheObserver() throws {
        let data = try phantoms()
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("report")
        var request = try request(data: data, out: out)
        request.methods = [.attentionRollout]
        request.metrics = [.faithfulnessEstimate]
        request.gridsPerClass = 0
        request.selection = ImageSelection(quota: .total(100), seed: 0)
        let observer = QuietRunObserver()
        let outcome = try ComparisonRun(request).run(observer: observer)
        XCTAssertEqual(observer.messages, ["--limit 100: the Train split has \(outcome.selected) images; comparing \(outcome.selected)"])
        XCTAssertEqual(try ComparisonRows.read(out).count, outcome.selected)
    }

    func testAnEmptySplitStopsWithOneLineNamingTheData() throws {
        let data = try TestPaths.temporaryDirectory(self).appendingPathComponent("data")
        for name in ["COVID-19", "Normal"] {
            let folder = data.appendingPathComponent("train/\(name)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try ImageIO.writePNG(Image(width: 40, height: 40, channels: 1, pixels: [Float](repeating: 0.5, count: 1600)), to: folder.appendingPathComponent("a.png"))
        }
        var request = try request(data: data, out: data.appendingPathComponent("out"))
        request.split = "test"
        XCTAssertThrowsError(try ComparisonRun(request).run(observer: QuietRunObserver())) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(data.path): split test has no images; the dataset has"), "\(error)")
        }
    }
}
