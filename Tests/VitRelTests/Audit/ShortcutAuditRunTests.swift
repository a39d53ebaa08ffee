import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRel
@testable import VitRelModel
@testable import VitRelData
@testable import VitRelExplain
@testable import VitRelTraining

/// The shortcut audit on a tiny split-folder tree with the tiny fixture model, its steps called
/// as `vitrel audit` calls them (the command composes them itself: split, interventions, the
/// draw of films, their explanations, the report): what the report says, its CSVs and figures,
/// and that its unaltered accuracy is the split's evaluation.
final class ShortcutAuditRunTests: XCTestCase {
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

    /// `vitrel audit --split val --per-class 1 --methods chefer-lrp,attention-rollout`, its
    /// defaults otherwise (border 0.1, corners 0.2, batch 32, selection seed 0).
    func testTheAuditReportsItsInterventionsAndFilmsAndItsUnalteredAccuracyIsTheEvaluations() throws {
        let data = try dataset()
        let model = try ClassifierModel.load(from: TestPaths.tinyModel)
        let index = try DatasetIndex.open(data).mapped(toModelClasses: model.classNames)
        let prepared = PreparedSplit.prepare(index, split: .validation, preprocessing: model.preprocessing)
        XCTAssertEqual(prepared.skipped.count, 0)
        let audit = ShortcutAudit(model: model)
        let outcomes = try InterventionRun.outcomes(model: model, inputs: prepared.inputs, labels: prepared.labels, interventions: audit.interventions)
        let chosen = try ImageSelection(quota: .perClass(1), seed: 0).select(prepared.items, classCount: 3)
        let position = Dictionary(uniqueKeysWithValues: prepared.items.enumerated().map { ($1.imageURL, $0) })
        let methods: [ExplanationMethod] = [.cheferLRP, .attentionRollout]
        let films = try chosen.map { item in
            try audit.explain(
                image: index.relativePath(of: item.imageURL), input: prepared.inputs.slice(position[item.imageURL]!), label: item.classIndex,
                explainers: methods.map { PixelExplainer(method: $0) })
        }
        let report = ShortcutAuditReport(
            audit: audit, classNames: model.classNames, methods: methods.map(\.rawValue), outcomes: outcomes, films: films,
            command: "vitrel audit (test)", model: model.directory.path, data: data.path, split: "val")

        XCTAssertEqual(report.outcomes.map(\.name), ["none", "blank-border", "crop-centre", "mask-text"])
        let none = report.outcomes[0].report
        XCTAssertEqual(report.films.count, 3, "one film per class")
        for film in report.films {
            XCTAssertEqual(Set(film.shares.keys), ["chefer-lrp", "attention-rollout"])
            XCTAssertTrue(film.image.hasPrefix("val/"), film.image)
        }

        // The unaltered films' accuracy is what `vitrel evaluate` reports on the same split.
        let items = index.items(in: .validation)
        let rows = try model.logits(reading: items.map(\.imageURL)) { _, error in XCTFail("\(error)") }
        let evaluated = try EvaluationReport(
            predictions: ModelPredictions(
                logits: Tensor(shape: [rows.count, 3], scalars: rows.flatMap(\.logits)), targets: .classes(rows.map { items[$0.index].classIndex })),
            classNames: model.classNames).classification
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

        // The figures the command writes as PNG and SVG.
        let examples = (0..<3).compactMap { label in prepared.labels.firstIndex(of: label).map { (label: label, input: prepared.inputs.slice($0)) } }
        let figures = report.figures(examples: examples, preprocessing: model.preprocessing)
        XCTAssertEqual(Set(figures.map(\.0)), ["border-share", "corner-share", "interventions"])
        for (name, drawing) in figures {
            let png = drawing.render()
            XCTAssertGreaterThan(png.width * png.height, 0, name)
        }
    }
}
