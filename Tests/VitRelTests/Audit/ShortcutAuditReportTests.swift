import XCTest
@testable import VitRel
@testable import VitRelModel
@testable import VitRelData
@testable import VitRelRendering
@testable import VitRelExplain
@testable import VitRelMetrics
@testable import VitRelTraining
@testable import VitRelReporting

/// audit.md, interventions.csv and films.csv of a report built from a tiny model's outcomes
/// and constructed films, read back as a user's tools would read them.
final class ShortcutAuditReportTests: XCTestCase {
    // A class name with a comma, and an image path with one: the CSV must quote both.
    let classNames = ["COVID-19", "Non-COVID, viral", "Normal"]
    let methods = ["chefer-lrp", "attention-rollout"]

    func report() throws -> ShortcutAuditReport {
        let model = AuditFixtures.tinyModel(classNames: classNames)
        let audit = ShortcutAudit(model: model)  // 20 × 20 input: band 2 pixels (36%), corners 4 × 4 (16%)
        let pictures = AuditFixtures.pictures(AuditFixtures.pixelFilms(count: 6, seed: 8))
        let outcomes = try InterventionRun.outcomes(
            model: model, pictures: pictures, labels: [0, 1, 2, 0, 1, 2], interventions: audit.interventions)
        let images = ["val/COVID-19/a.png", "val/Non-COVID/a,b.png", "val/Normal/c.png", "val/COVID-19/d.png"]
        // Blanking changes no film's probability (ρ undefined); the crop takes more from films
        // with more border relevance (ρ = 1).
        let films = images.enumerated().map { n, image in
            ShortcutAuditTests.film(
                image, label: n % 3, predicted: (n + 1) % 3, probability: 0.5 + 0.1 * Double(n),
                after: ["blank-border": 0.5 + 0.1 * Double(n), "crop-centre": 0.3 + 0.05 * Double(n), "mask-text": 0.5],
                shares: ["chefer-lrp": ShortcutAuditTests.share(0.1 * Double(n + 1)), "attention-rollout": ShortcutAuditTests.share(0.2)])
        }
        return ShortcutAuditReport(
            audit: audit, classNames: classNames, methods: methods, outcomes: outcomes, films: films,
            command: "vitrel audit --test", model: "M", data: "D", split: "val")
    }

    func testInterventionsCSVHasAnAllRowAndOneRowPerClassForEachIntervention() throws {
        let report = try report()
        let records = try CSVFormat.records(report.interventionsCSV())
        XCTAssertEqual(records.first, ["intervention", "class", "images", "accuracy_or_recall",
                                       "mean_p_COVID-19", "mean_p_Non-COVID, viral", "mean_p_Normal", "predictions_changed"])
        XCTAssertEqual(records.count, 1 + 4 * (1 + 3), "header + (all + 3 classes) × 4 interventions")
        for record in records { XCTAssertEqual(record.count, 8, "\(record)") }
        let rows = records.dropFirst()
        XCTAssertEqual(rows.filter { $0[1] == "all" }.map { $0[0] }, ["none", "blank-border", "crop-centre", "mask-text"])
        for (n, outcome) in report.outcomes.enumerated() {
            let block = Array(rows.dropFirst(4 * n).prefix(4))
            XCTAssertEqual(block.map { $0[0] }, [String](repeating: outcome.name, count: 4))
            XCTAssertEqual(block.map { $0[1] }, ["all"] + classNames)
            XCTAssertEqual(block[0][2], "6")
            XCTAssertEqual(Double(block[0][3]), outcome.report.accuracy)
            XCTAssertEqual(Int(block[0][7]), outcome.changedPredictions)
            XCTAssertEqual(Array(block[0][4...6]), ["", "", ""])
            for label in 0..<3 {
                let row = block[1 + label]
                XCTAssertEqual(Int(row[2]), 2)
                XCTAssertEqual(Double(row[3]), outcome.report.classes[label].recall)
                XCTAssertEqual(row[4...6].map { Double($0) }, outcome.meanProbabilities[label].map { Optional($0) })
                XCTAssertEqual(row[7], "")
            }
        }
    }

    func testFilmsCSVHasOneRowPerFilmAndMethod() throws {
        let report = try report()
        let records = try CSVFormat.records(report.filmsCSV())
        XCTAssertEqual(records.first, ["image", "label", "predicted", "probability", "p_after_blank-border", "p_after_crop-centre",
                                       "p_after_mask-text", "text_area", "method", "border_share", "corner_share", "centre_share"])
        XCTAssertEqual(records.count, 1 + 4 * 2)
        for record in records { XCTAssertEqual(record.count, 12, "\(record)") }
        for (n, film) in report.films.enumerated() {
            for (m, method) in methods.enumerated() {
                let row = records[1 + 2 * n + m]
                XCTAssertEqual(row[0], film.image)
                XCTAssertEqual(row[1], classNames[film.label])
                XCTAssertEqual(row[2], classNames[film.predicted])
                XCTAssertEqual(Double(row[3]), film.probability)
                XCTAssertEqual(Double(row[5]), film.probabilityAfter["crop-centre"])
                XCTAssertEqual(row[8], method)
                XCTAssertEqual(Double(row[9]), film.shares[method]?.border)
                XCTAssertEqual(Double(row[10]), film.shares[method]?.corners)
            }
        }
        XCTAssertEqual(records[3][0], "val/Non-COVID/a,b.png")
        XCTAssertEqual(records[3][1], "Non-COVID, viral")
    }

    /// Cells of the Markdown table rows whose first cell is `first`.
    func tableRows(_ markdown: String, first: String) -> [[String]] {
        markdown.split(separator: "\n").filter { $0.hasPrefix("| ") }.map { line in
            line.dropFirst(2).dropLast(2).components(separatedBy: " | ").map { $0.trimmingCharacters(in: .whitespaces) }
        }.filter { $0.first == first }
    }

    func testMarkdownNamesTheInterventionsAndTheAreaShares() throws {
        let report = try report()
        XCTAssertEqual(report.area.border, 0.36, accuracy: 1e-12)
        XCTAssertEqual(report.area.corners, 0.16, accuracy: 1e-12)
        let markdown = report.markdown()
        XCTAssertTrue(markdown.contains("Border band 0.10 of each side (36.0% of the area)"), markdown)
        XCTAssertTrue(markdown.contains("corner rectangles 0.20 of each side (16.0% of the area)"), markdown)
        XCTAssertTrue(markdown.contains("(border 0.360, corners 0.160)"), markdown)
        for outcome in report.outcomes {
            let rows = tableRows(markdown, first: outcome.intervention)
            XCTAssertEqual(rows.count, 1 + 3, "\(outcome.intervention): its row in the intervention table and one per true class")
            XCTAssertEqual(rows.first?[1], String(format: "%.3f", outcome.report.accuracy))
            XCTAssertEqual(rows.first?.last, "\(outcome.changedPredictions)")
        }
        XCTAssertEqual(Set(report.outcomes.map(\.intervention)), ["none", "blank border 0.1", "crop centre 0.1", "mask text"])
        // The agreement table: one column per intervention, ρ to two decimals.
        XCTAssertEqual(tableRows(markdown, first: "method").last, ["method", "blank-border", "crop-centre", "mask-text"])
        let agreement = try XCTUnwrap(tableRows(markdown, first: "chefer-lrp").last)
        XCTAssertEqual(agreement[2], "1.00", "the crop takes more from films with more border relevance")
        XCTAssertEqual(agreement[1], "n/a", "no film loses probability to the blanking: ρ undefined")
        // The share table's pooled row: mean border share of chefer-lrp over the four films.
        let pooled = try XCTUnwrap(tableRows(markdown, first: "chefer-lrp").first { $0[1] == "all" })
        XCTAssertTrue(pooled[2].hasPrefix("0.250 ["), "\(pooled)")
        XCTAssertEqual(pooled[5], String(format: "%.2f", 0.25 / 0.36))
    }
}
