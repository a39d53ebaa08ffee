import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRel
@testable import VitRelModel
@testable import VitRelData
@testable import VitRelExplain
@testable import VitRelTraining
@testable import VitRelCompare

/// The shortcut audit's run (`AuditRun`, the engine of `vitrel audit`) on a tiny split-folder
/// tree with the tiny fixture model: what the report says, the files it writes, and that its
/// unaltered accuracy is the split's evaluation.
final class AuditRunTests: XCTestCase {
    /// `vitrel audit --split val --per-class 1 --methods chefer-lrp,attention-rollout`, its
    /// defaults otherwise (border 0.1, corners 0.2, batch 32, selection seed 0).
    func request(data: URL, out: URL) throws -> AuditRequest {
        let methods: [ExplanationMethod] = [.cheferLRP, .attentionRollout]
        return AuditRequest(
            model: try ClassifierModel.load(from: TestPaths.tinyModel), data: data, split: .validation, splitName: "val",
            explainers: methods.map { PixelExplainer(method: $0) }, perClass: 1, output: out, command: "vitrel audit (test)")
    }

    func testTheAuditReportsItsInterventionsAndFilmsAndItsUnalteredAccuracyIsTheEvaluations() throws {
        let scratch = try TestPaths.temporaryDirectory(self)
        let data = try DatasetTestTrees.markedFilms(scratch.appendingPathComponent("data"))
        let out = scratch.appendingPathComponent("audit")
        let observer = QuietRunObserver()
        let run = try AuditRun(try request(data: data, out: out), observer: observer)
        XCTAssertEqual(run.prepared.count, 6)
        XCTAssertEqual(run.prepared.skipped.count, 0)
        let report = try run.run(observer: observer)
        XCTAssertEqual(observer.messages, [])
        let model = run.request.model

        XCTAssertEqual(report.outcomes.map(\.name), ["none", "blank-border", "crop-centre", "mask-text"])
        let none = report.outcomes[0].report
        XCTAssertEqual(report.films.count, 3, "one film per class")
        for film in report.films {
            XCTAssertEqual(Set(film.shares.keys), ["chefer-lrp", "attention-rollout"])
            XCTAssertTrue(film.image.hasPrefix("val/"), film.image)
        }

        // The unaltered films' accuracy is what `vitrel evaluate` reports on the same split.
        let items = try DatasetIndex.open(data).mapped(toModelClasses: model.classNames).items(in: .validation)
        let evaluated = try SplitEvaluation(items: items, model: model, failed: { _, error in XCTFail("\(error)") }).report.classification
        XCTAssertEqual(none.accuracy, evaluated.accuracy)
        XCTAssertEqual(none.confusionMatrix, evaluated.confusionMatrix)

        let interventions = try CSVFormat.records(report.interventionsCSV())
        XCTAssertEqual(interventions.count, 1 + 4 * (1 + 3))
        XCTAssertEqual(Double(interventions[1][3]), none.accuracy)
        let filmRows = try CSVFormat.records(report.filmsCSV())
        XCTAssertEqual(filmRows.count, 1 + 3 * 2, "films × methods")
        let column = Dictionary(uniqueKeysWithValues: filmRows[0].enumerated().map { ($1, $0) })
        for row in filmRows.dropFirst() where Double(row[column["text_area"]!]) == 0 {
            XCTAssertEqual(row[column["p_after_mask-text"]!], row[column["probability"]!], "no text, nothing masked: \(row)")
        }
        let markdown = report.markdown()
        for name in ["blank border 0.1", "crop centre 0.1", "mask text"] { XCTAssertTrue(markdown.contains(name), name) }

        // The files: the report as written, and every figure as PNG and SVG.
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("audit.md"), encoding: .utf8), markdown)
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("interventions.csv"), encoding: .utf8), report.interventionsCSV())
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("films.csv"), encoding: .utf8), report.filmsCSV())
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("audit.json"))) as? [String: Any])
        XCTAssertEqual((json["films"] as? [Any])?.count, 3)
        for figure in ["border-share", "corner-share", "interventions"] {
            let png = try ImageIO.read(out.appendingPathComponent("figures/\(figure).png"))
            XCTAssertGreaterThan(png.width * png.height, 0, figure)
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("figures/\(figure).svg").path), figure)
        }
    }

    /// A border band that covers the whole input leaves nothing to crop to: refused before the
    /// data is read or anything is written.
    func testABorderCoveringTheWholeInputIsRefusedBeforeAnythingIsRead() throws {
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("audit")
        var request = try request(data: URL(fileURLWithPath: "/nonexistent/data"), out: out)
        request.borderFraction = 0.49  // round(0.49 · 32) = 16 pixels on each side of a 32 × 32 input
        XCTAssertThrowsError(try AuditRun(request, observer: QuietRunObserver())) { error in
            XCTAssertEqual(error as? AuditError, .noCentre(borderFraction: 0.49, height: 32, width: 32))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "nothing written")
    }

    /// A split with no readable image stops the run with one line naming the data and split.
    func testASplitWithoutReadableImagesStopsTheRun() throws {
        let scratch = try TestPaths.temporaryDirectory(self)
        let data = try DatasetTestTrees.markedFilms(scratch.appendingPathComponent("data"))
        for file in try FileManager.default.subpathsOfDirectory(atPath: data.appendingPathComponent("val").path) where file.hasSuffix(".png") {
            try Data([0x89, 0x50, 0x4E, 0x47]).write(to: data.appendingPathComponent("val").appendingPathComponent(file))
        }
        let observer = QuietRunObserver()
        XCTAssertThrowsError(try AuditRun(try request(data: data, out: scratch.appendingPathComponent("audit")), observer: observer)) { error in
            guard case AuditError.noReadableImages(let name, let split, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual([name, split], [data.path, "val"])
        }
        XCTAssertEqual(observer.messages.count, 6, "each unreadable film reported once")
    }
}
