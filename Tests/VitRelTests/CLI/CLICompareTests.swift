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

/// `vitrel compare`: rows, resumption after SIGKILL, and settings that must match.
final class CLICompareTests: XCTestCase {
    static let metrics = "faithfulness-estimate,region-perturbation,relevance-mass,pointing-game"

    /// A phantom dataset at 64 pixels (18 training images with masks).
    func dataset() throws -> URL {
        let root = try TestPaths.temporaryDirectory(self).appendingPathComponent("phantoms")
        let run = try CLI.run(["synth", "--out", root.path, "--per-class", "8", "--size", "64", "--seed", "3"])
        XCTAssertEqual(run.status, 0, run.stderr)
        return root
    }

    func arguments(data: URL, out: URL, samples: Int = 400) -> [String] {
        ["compare", "--model", CLI.tinyModel, "--data", data.path, "--split", "Train", "--metrics", Self.metrics,
         "--segmentation", "grid", "--samples", "\(samples)", "--grids", "1", "--out", out.path]
    }

    func testAKilledRunResumesWithoutLosingOrChangingARow() throws {
        let data = try dataset()
        let scratch = try TestPaths.temporaryDirectory(self)
        let reference = scratch.appendingPathComponent("reference"), interrupted = scratch.appendingPathComponent("interrupted")

        let complete = try CLI.run(arguments(data: data, out: reference))
        XCTAssertEqual(complete.status, 0, complete.stderr)
        let expected = ComparisonRows.timeless(try ComparisonRows.read(reference))
        XCTAssertEqual(expected.count, 18 * 2 * 4, "one row per image × method × metric")

        // Start the same run and SIGKILL it once some rows are on disk (LIME with more samples
        // makes each image take long enough to land between rows).
        let process = Process()
        process.executableURL = try CLI.executable()
        process.arguments = arguments(data: data, out: interrupted, samples: 400)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let csv = interrupted.appendingPathComponent("results.csv")
        var killedAt = 0
        for _ in 0..<20_000 {
            let lines = ((try? Data(contentsOf: csv)) ?? Data()).filter { $0 == UInt8(ascii: "\n") }.count
            if lines > 12 {
                kill(process.processIdentifier, SIGKILL)
                killedAt = lines - 1
                break
            }
            if !process.isRunning { break }
            usleep(1000)
        }
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal, "the run was killed before it finished")
        let survivors = try ComparisonRows.read(interrupted)
        XCTAssertGreaterThanOrEqual(survivors.count, killedAt)
        XCTAssertLessThan(survivors.count, expected.count)
        // Whatever a kill left, the rows on disk are finished rows, equal to the reference.
        for row in survivors { XCTAssertEqual(ComparisonRows.timeless([row])[row.key], expected[row.key]) }

        let resumed = try CLI.run(arguments(data: data, out: interrupted, samples: 400))
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("rows resumed from results.csv"), resumed.stderr)
        XCTAssertEqual(ComparisonRows.timeless(try ComparisonRows.read(interrupted)), expected, "resumed = uninterrupted, row for row")
        // The summaries come from the rows, so they agree too.
        let summaryA = try CLI.json(file: reference.appendingPathComponent("summary.json"))["summary"] as? [String: Any]
        let summaryB = try CLI.json(file: interrupted.appendingPathComponent("summary.json"))["summary"] as? [String: Any]
        XCTAssertEqual(summaryA.map { NSDictionary(dictionary: $0) }, summaryB.map { NSDictionary(dictionary: $0) })
    }

    func testRowsSummariesAndFigures() throws {
        let data = try dataset()
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("report")
        let run = try CLI.run(arguments(data: data, out: out) + ["--per-class", "2"])
        XCTAssertEqual(run.status, 0, run.stderr)
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
        let summary = try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8)
        XCTAssertTrue(summary.contains("| faithfulness-estimate ↑ |"), summary)
        let json = try CLI.json(file: out.appendingPathComponent("summary.json"))
        let tables = try XCTUnwrap((json["summary"] as? [String: Any])?["metrics"] as? [[String: Any]])
        XCTAssertEqual(tables.map { $0["metric"] as? String }, Self.metrics.split(separator: ",").map(String.init))
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
        XCTAssertEqual(Set(figures.filter { $0.hasPrefix("boxplot-") }), Set(Self.metrics.split(separator: ",").map { "boxplot-\($0).png" }))
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
        let runRecord = try CLI.json(file: out.appendingPathComponent("run.json"))
        XCTAssertEqual(runRecord["kernels"] as? String, VitRel.kernelInstructionSet)
        let notebook = try CLI.json(file: out.appendingPathComponent("report.ipynb"))
        XCTAssertEqual(notebook["nbformat"] as? Int, 4)
        let cells = try XCTUnwrap(notebook["cells"] as? [[String: Any]])
        let pictures = cells.flatMap { ($0["outputs"] as? [[String: Any]]) ?? [] }.compactMap { ($0["data"] as? [String: Any])?["image/png"] as? String }
        XCTAssertEqual(pictures.count, figures.count, "every figure embedded once")
        let first = try XCTUnwrap(Data(base64Encoded: pictures[0]))
        XCTAssertEqual(Array(first.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "PNG signature")
    }

    func testOtherSettingsInTheSameFolderAreRefusedUnlessFresh() throws {
        let data = try dataset()
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("report")
        XCTAssertEqual(try CLI.run(arguments(data: data, out: out) + ["--per-class", "1"]).status, 0)
        let changed = try CLI.run(arguments(data: data, out: out) + ["--per-class", "1", "--selection-seed", "5"])
        XCTAssertNotEqual(changed.status, 0)
        XCTAssertEqual(changed.errorLines.count, 1, changed.stderr)
        XCTAssertTrue(changed.stderr.contains("selection: 1 per class, seed 0 before, 1 per class, seed 5 now"), changed.stderr)
        let fresh = try CLI.run(arguments(data: data, out: out) + ["--per-class", "1", "--selection-seed", "5", "--fresh"])
        XCTAssertEqual(fresh.status, 0, fresh.stderr)
        // Adding a metric is allowed: only its rows are computed.
        let more = try CLI.run(arguments(data: data, out: out) + ["--per-class", "1", "--selection-seed", "5", "--metrics", Self.metrics + ",relevance-rank"])
        XCTAssertEqual(more.status, 0, more.stderr)
        XCTAssertTrue(more.stderr.contains("(24 rows resumed"), more.stderr)
        XCTAssertEqual(try ComparisonRows.read(out).count, 3 * 2 * 5)
    }

    func testUnknownNamesGiveOneLineErrors() throws {
        let data = try dataset()
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("report")
        for (flag, value, expected) in [("--metrics", "faithfulness", "unknown metric \"faithfulness\""),
                                        ("--methods", "chefer-lrp,shap", "shap")] {
            let run = try CLI.run(arguments(data: data, out: out) + [flag, value])
            XCTAssertNotEqual(run.status, 0)
            XCTAssertEqual(run.diagnosticLines.count, 1, run.stderr)
            XCTAssertTrue(run.stderr.contains(expected), run.stderr)
        }
        let missing = try CLI.run(["compare", "--model", CLI.tinyModel, "--data", "/nonexistent/data", "--out", out.path])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("/nonexistent/data"), missing.stderr)
    }
}
