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

/// `vitrel audit` on a tiny split-folder tree: the files the command writes and its one-line
/// errors. What the report says is tested on the library in Audit/ShortcutAuditRunTests.
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

    func testAuditWritesItsFiles() throws {
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
        XCTAssertEqual((json["films"] as? [Any])?.count, 3, "--per-class 1 reached the draw")
        XCTAssertTrue(run.stdout.hasSuffix(out.appendingPathComponent("audit.md").path + "\n"), run.stdout)
    }

    func testABorderOutsideItsRangeIsAOneLineError() throws {
        let data = URL(fileURLWithPath: "/nonexistent/data")  // both are refused before the data is read
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
