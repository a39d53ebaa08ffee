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

/// `vitrel audit` on a tiny split-folder tree, as a user runs it.
final class CLIAuditTests: XCTestCase {
    static let classes = ["COVID-19", "Non-COVID", "Normal"]

    /// `<root>/{train,val}/<class>/*.png`: 40 × 40 "X-rays" of varying brightness, half of
    /// them with a white marker in the top-left corner.
    func dataset() throws -> URL {
        let root = try TestPaths.temporaryDirectory(self).appendingPathComponent("data")
        for split in ["train", "val"] {
            for (k, name) in Self.classes.enumerated() {
                let folder = root.appendingPathComponent(split).appendingPathComponent(name)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for n in 0..<2 {
                    let url = try TestImages.write(in: folder, name: "\(n).png", brightness: 0.3 + 0.3 * Float(k) + 0.1 * Float(n))
                    guard n == 1 else { continue }
                    var image = try ImageIO.read(url)
                    for y in 2..<6 { for x in 2..<5 { image.pixels[y * 40 + x] = 1 } }
                    try ImageIO.writePNG(image, to: url)
                }
            }
        }
        return root
    }

    func testAuditWritesItsFilesAndItsUnalteredAccuracyIsEvaluates() throws {
        let data = try dataset()
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("audit")
        let run = try CLI.run([
            "audit", "--model", CLI.tinyModel, "--data", data.path, "--split", "val", "--per-class", "1",
            "--methods", "chefer-lrp,attention-rollout", "--out", out.path,
        ])
        XCTAssertEqual(run.status, 0, run.stderr)
        for file in ["audit.md", "audit.json", "interventions.csv", "films.csv",
                     "figures/border-share.png", "figures/corner-share.png", "figures/interventions.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), file)
        }
        for figure in ["border-share", "corner-share", "interventions"] {
            XCTAssertNoThrow(try ImageIO.read(out.appendingPathComponent("figures/\(figure).png")), figure)
        }

        let json = try CLI.json(file: out.appendingPathComponent("audit.json"))
        let outcomes = try XCTUnwrap(json["outcomes"] as? [[String: Any]])
        XCTAssertEqual(outcomes.map { $0["name"] as? String }, ["none", "blank-border", "crop-centre", "mask-text"])
        let none = try XCTUnwrap(outcomes.first?["report"] as? [String: Any])
        let films = try XCTUnwrap(json["films"] as? [[String: Any]])
        XCTAssertEqual(films.count, 3, "one film per class")
        for film in films {
            let shares = try XCTUnwrap(film["shares"] as? [String: Any])
            XCTAssertEqual(Set(shares.keys), ["chefer-lrp", "attention-rollout"])
            XCTAssertTrue((film["image"] as? String)?.hasPrefix("val/") == true, "\(film["image"] ?? "")")
        }

        // The unaltered films' accuracy is what `vitrel evaluate` reports on the same split.
        let evaluate = try CLI.run(["evaluate", "--model", CLI.tinyModel, "--data", data.path, "--split", "val", "--json"])
        XCTAssertEqual(evaluate.status, 0, evaluate.stderr)
        let evaluated = try CLI.json(Data(evaluate.stdout.utf8))
        func number(_ value: Any?) throws -> Double { try XCTUnwrap((value as? NSNumber)?.doubleValue, "\(value ?? "nil")") }
        func counts(_ report: [String: Any]) -> [[Int]]? { (report["confusionMatrix"] as? [String: Any])?["counts"] as? [[Int]] }
        XCTAssertEqual(try number(none["accuracy"]), try number(evaluated["accuracy"]))
        XCTAssertNotNil(counts(none))
        XCTAssertEqual(counts(none), counts(evaluated))

        let interventions = try CSVFormat.records(String(contentsOf: out.appendingPathComponent("interventions.csv"), encoding: .utf8))
        XCTAssertEqual(interventions.count, 1 + 4 * (1 + 3))
        XCTAssertEqual(Double(interventions[1][3]), try number(none["accuracy"]))
        let filmRows = try CSVFormat.records(String(contentsOf: out.appendingPathComponent("films.csv"), encoding: .utf8))
        XCTAssertEqual(filmRows.count, 1 + 3 * 2, "films × methods")
        let column = Dictionary(uniqueKeysWithValues: filmRows[0].enumerated().map { ($1, $0) })
        for row in filmRows.dropFirst() where Double(row[column["text_area"]!]) == 0 {
            XCTAssertEqual(row[column["p_after_mask-text"]!], row[column["probability"]!], "no text, nothing masked: \(row)")
        }
        let markdown = try String(contentsOf: out.appendingPathComponent("audit.md"), encoding: .utf8)
        for name in ["blank border 0.1", "crop centre 0.1", "mask text"] { XCTAssertTrue(markdown.contains(name), name) }
    }

    func testABorderOutsideItsRangeIsAOneLineError() throws {
        let data = try dataset()
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("audit")
        let run = try CLI.run(["audit", "--model", CLI.tinyModel, "--data", data.path, "--split", "val", "--border", "0.7", "--out", out.path])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertEqual(run.errorMessages.count, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("--border must lie in (0, 0.5), got 0.7"), run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "nothing written")

        // 0.49 is inside (0, 0.5) but its band, round(0.49 · 32) = 16 pixels deep on each side,
        // covers the tiny model's whole 32 × 32 input.
        let whole = try CLI.run(["audit", "--model", CLI.tinyModel, "--data", data.path, "--split", "val", "--border", "0.49", "--out", out.path])
        XCTAssertNotEqual(whole.status, 0)
        XCTAssertEqual(whole.errorMessages.count, 1, whole.stderr)
        XCTAssertTrue(whole.stderr.contains("--border 0.49 leaves no centre on the model's 32×32 input"), whole.stderr)
    }
}
