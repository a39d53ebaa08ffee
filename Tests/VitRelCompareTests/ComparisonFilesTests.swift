import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRel
@testable import VitRelModel
@testable import VitRelData
@testable import VitRelRendering
@testable import VitRelReporting
@testable import VitRelCompare

/// What a comparison run writes: rows, summaries, figures (PNG and SVG), the page and the
/// notebook; DICOM datasets; and an unreadable image in the split.
final class ComparisonFilesTests: XCTestCase {
    func testRowsSummariesAndFigures() throws {
        let data = try CompareFixtures.phantoms(self)
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("report")
        let observer = QuietRunObserver()
        _ = try ComparisonRun(try CompareFixtures.request(data: data, out: out, selection: ImageSelection(quota: .perClass(2), seed: 0)))
            .run(observer: observer)
        XCTAssertEqual(observer.messages, [])
        let records = try ComparisonRows.read(out)
        XCTAssertEqual(Set(records.map(\.image)).count, 6, "2 per class")
        XCTAssertEqual(records.count, 6 * 2 * 4)
        for record in records {
            XCTAssertTrue(record.image.hasPrefix("Infection Segmentation Data/Train/"), record.image)
            XCTAssertEqual(record.target, record.predicted, "the predicted class is explained by default")
            switch record.metric {
            case "faithfulness-estimate":
                XCTAssertEqual(record.forwardPasses, 1 + 16, "one 8×8 patch of 3 channels per step on 32×32")
                XCTAssertEqual(record.curve.count, 16)
            case "region-perturbation":
                XCTAssertEqual(record.forwardPasses, 1 + 16, "16 regions of the 8-pixel patch size")
                XCTAssertEqual(record.score, record.curve.reduce(0, +) / 17, accuracy: 1e-12, "AOPC = Σ deltas / (L + 1)")
            case "relevance-mass", "pointing-game":
                // Phantoms of every class but Normal have infection; Normal masks are empty.
                if record.label == "Normal" {
                    XCTAssertTrue(record.score.isNaN)
                    XCTAssertEqual(record.note, "empty infection mask")
                } else {
                    XCTAssertTrue(record.score.isFinite, "\(record)")
                }
            default:
                XCTFail("unexpected metric \(record.metric)")
            }
        }
        let metricNames = CompareFixtures.metrics.map(\.rawValue)
        let summary = try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8)
        XCTAssertTrue(summary.contains("| faithfulness-estimate ↑ |"), summary)
        let json = try CompareFixtures.json(file: out.appendingPathComponent("summary.json"))
        let tables = try XCTUnwrap((json["summary"] as? [String: Any])?["metrics"] as? [[String: Any]])
        XCTAssertEqual(tables.map { $0["metric"] as? String }, metricNames)
        let files = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("figures").path)
        let figures = files.filter { $0.hasSuffix(".png") }
        // Every figure also as SVG beside it, with the PNG's size and its text as text.
        XCTAssertEqual(Set(files), Set(figures + figures.map { String($0.dropLast(4)) + ".svg" }))
        for figure in figures {
            let png = try ImageIO.read(out.appendingPathComponent("figures/\(figure)"))
            let svg = try String(contentsOf: out.appendingPathComponent("figures/\(figure.dropLast(4)).svg"), encoding: .utf8)
            let root = try XCTUnwrap(SVGReader.parse(svg), figure)
            XCTAssertEqual([root.attributes["width"], root.attributes["height"]], ["\(png.width)", "\(png.height)"], figure)
            XCTAssertFalse(root.elements("text").isEmpty, figure)
            if figure.hasPrefix("grid-") { XCTAssertFalse(root.elements("image").isEmpty, "tiles embedded: \(figure)") }
        }
        let box = try String(contentsOf: out.appendingPathComponent("figures/boxplot-relevance-mass.svg"), encoding: .utf8)
        XCTAssertEqual(
            SVGReader.parse(box)?.elements("g").compactMap(\.title).filter { $0.contains(" · ") }.count, 2 * 4,
            "a box per method and class (and all)")
        XCTAssertEqual(figures.filter { $0.hasPrefix("grid-") }.count, 3, "one grid per class")
        XCTAssertEqual(Set(figures.filter { $0.hasPrefix("boxplot-") }), Set(metricNames.map { "boxplot-\($0).png" }))
        XCTAssertEqual(figures.filter { $0.hasPrefix("curve-") }, ["curve-region-perturbation.png"], "the AOPC curve")
        for figure in figures { XCTAssertNoThrow(try ImageIO.read(out.appendingPathComponent("figures/\(figure)")), figure) }

        // The page shows every figure it names; the notebook embeds them as PNG outputs.
        let html = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        for figure in figures {
            XCTAssertTrue(html.contains("src=\"figures/\(figure)\""), figure)
            XCTAssertTrue(html.contains("<a href=\"figures/\(figure.dropLast(4)).svg\">SVG</a>"), figure)
        }
        XCTAssertTrue(html.contains(HTMLReport.escape(summary.components(separatedBy: "\n").first { $0.hasPrefix("vitrel compare") } ?? "vitrel compare")))
        // The environment the seconds were measured in: OpenBLAS build, kernel copy, threads.
        XCTAssertTrue(html.contains(HTMLReport.escape(VitRel.blasConfiguration)), "OpenBLAS build named")
        XCTAssertTrue(html.contains("\(VitRel.kernelInstructionSet) kernels"), "kernel copy named")
        let runRecord = try CompareFixtures.json(file: out.appendingPathComponent("run.json"))
        XCTAssertEqual(runRecord["kernels"] as? String, VitRel.kernelInstructionSet)
        let notebook = try CompareFixtures.json(file: out.appendingPathComponent("report.ipynb"))
        XCTAssertEqual(notebook["nbformat"] as? Int, 4)
        let cells = try XCTUnwrap(notebook["cells"] as? [[String: Any]])
        let pictures = cells.flatMap { ($0["outputs"] as? [[String: Any]]) ?? [] }.compactMap { ($0["data"] as? [String: Any])?["image/png"] as? String }
        XCTAssertEqual(pictures.count, figures.count, "every figure embedded once")
        let first = try XCTUnwrap(Data(base64Encoded: pictures[0]))
        XCTAssertEqual(Array(first.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "PNG signature")
    }

    /// `.dcm` files as a dataset: read as displayed through `--window`, which run.json keeps and
    /// a rerun without it is refused for.
    func testCompareReadsADcmDatasetAndKeepsTheWindowInRunJSON() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let data = directory.appendingPathComponent("data"), out = directory.appendingPathComponent("out")
        for (file, target) in [("mono1_12bit_window.dcm", "val/COVID-19/a.dcm"), ("mono2_16bit_signed_rle.dcm", "val/Normal/b.dcm"),
                               ("mono2_8bit_jpeg_baseline.dcm", "val/Non-COVID/c.dcm")] {
            let url = data.appendingPathComponent(target)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: DICOMManifest.fixture(file), to: url)
        }
        func request(window: DICOMWindow?) throws -> ComparisonRequest {
            try CompareFixtures.request(
                data: data, out: out, split: "val", methods: [.attentionRollout], metrics: [.faithfulnessEstimate], grids: 1,
                imageOptions: ImageReadOptions(dicomWindow: window))
        }
        let outcome = try ComparisonRun(try request(window: try DICOMWindow(center: 2000, width: 3000))).run(observer: QuietRunObserver())
        XCTAssertEqual(outcome.compared, 3)
        XCTAssertEqual(outcome.failures, [])
        let settings = try XCTUnwrap(CompareFixtures.json(file: out.appendingPathComponent("run.json"))["settings"] as? [String: Any])
        XCTAssertEqual(settings["window"] as? String, "2000,3000")
        XCTAssertThrowsError(try ComparisonRun(try request(window: nil)).run(observer: QuietRunObserver())) { error in
            XCTAssertTrue("\(error)".contains("window: 2000,3000 before"), "\(error)")
        }
    }

    /// A class folder with a PNG cut short: reported once through the observer, the others
    /// compared and counted, the file named in summary.md, and no grid attempted for it.
    func testAnUnreadableImageIsReportedOnceAndTheOthersAreCompared() throws {
        let data = try TestPaths.temporaryDirectory(self).appendingPathComponent("data")
        try DatasetTestTrees.writeImages(data, ["val/COVID-19/a.png", "val/COVID-19/b.png", "val/Non-COVID/c.png",
                                                "val/Normal/d.png", "val/Normal/e.png"])
        let broken = data.appendingPathComponent("val/Normal/broken.png")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]).write(to: broken)  // a PNG cut short
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("report")
        let observer = QuietRunObserver()
        let outcome = try ComparisonRun(try CompareFixtures.request(
            data: data, out: out, split: "val", methods: [.attentionRollout], metrics: [.faithfulnessEstimate], grids: 3)).run(observer: observer)
        XCTAssertEqual(observer.messages.count, 1, "\(observer.messages)")
        XCTAssertEqual(observer.messages.first.map { $0.components(separatedBy: broken.path).count - 1 }, 1, "named once: \(observer.messages)")
        XCTAssertTrue(observer.messages.first?.contains("truncated PNG") ?? false, "\(observer.messages)")
        XCTAssertEqual(outcome.selected, 6)
        XCTAssertEqual(outcome.compared, 5)
        XCTAssertEqual(outcome.failures.map(\.image), ["val/Normal/broken.png"])
        let rows = try CSVFormat.records(String(contentsOf: out.appendingPathComponent("results.csv"), encoding: .utf8))
        XCTAssertEqual(rows.count - 1, 5, "one row per readable image")
        XCTAssertTrue(try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8).contains("broken.png"))
        let grids = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("figures").path).filter { $0.hasPrefix("grid-") }
        XCTAssertFalse(grids.contains { $0.contains("broken") }, "no grid is attempted for it")
    }
}
