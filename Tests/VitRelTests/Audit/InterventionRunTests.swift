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

/// Interventions on model inputs, and the outcomes against a direct forward pass.
final class AuditInterventionRunTests: XCTestCase {
    let model = AuditFixtures.tinyModel()

    func testNoneReturnsTheInputsUnchanged() {
        let films = AuditFixtures.pixelFilms(count: 3, seed: 1)
        let inputs = AuditFixtures.inputs(films, preprocessing: model.preprocessing)
        let same = InterventionRun.intervened(AuditFixtures.pictures(films), by: .none, preprocessing: model.preprocessing)
        XCTAssertEqual(same.shape, inputs.shape)
        XCTAssertEqual(same.scalars.map(\.bitPattern), inputs.scalars.map(\.bitPattern))
    }

    /// Blanking the border of normalised inputs = normalising, per channel with its own mean and
    /// std, the gray films with the band set to 0.
    func testBlankBorderEqualsNormalisingTheBlankedPixelsByHand() throws {
        let films = AuditFixtures.pixelFilms(count: 4, seed: 2)
        let fraction = 0.15  // round(3) = 3 pixels of 20
        let band = try XCTUnwrap(GroundTruthMask.border(fraction: fraction).region(height: 20, width: 20))
        let blanked = InterventionRun.intervened(AuditFixtures.pictures(films), by: .blankBorder(fraction: fraction), preprocessing: model.preprocessing)
        XCTAssertEqual(blanked.shape, [4, 3, 20, 20])
        let mean: [Float] = [0.485, 0.456, 0.406], std: [Float] = [0.229, 0.224, 0.225]
        for n in 0..<4 {
            for c in 0..<3 {
                for i in 0..<400 {
                    let pixel: Float = band[i] ? 0 : films[n][i]
                    let expected = (pixel - mean[c]) / std[c]
                    XCTAssertEqual(blanked.scalars[(n * 3 + c) * 400 + i], expected, accuracy: 1e-5, "film \(n) channel \(c) pixel \(i)")
                }
            }
        }
    }

    /// What an intervention leaves alone keeps its model input bit for bit: the pixels outside
    /// the band when the border is blanked, and a whole film without text when text is masked.
    /// (Taken back to gray pixels and normalised again, a value is off in its last bits, and a
    /// film without text would lose or gain probability to masking nothing.)
    func testPixelsAnInterventionLeavesAloneKeepTheirInputBits() throws {
        let films = AuditFixtures.pixelFilms(count: 3, seed: 2)  // film 0 has a marker, films 1 and 2 none
        let inputs = AuditFixtures.inputs(films, preprocessing: model.preprocessing)
        let band = try XCTUnwrap(GroundTruthMask.border(fraction: 0.15).region(height: 20, width: 20))
        let blanked = InterventionRun.intervened(AuditFixtures.pictures(films), by: .blankBorder(fraction: 0.15), preprocessing: model.preprocessing)
        for n in 0..<3 {
            for c in 0..<3 {
                for i in 0..<400 where !band[i] {
                    XCTAssertEqual(blanked.scalars[(n * 3 + c) * 400 + i].bitPattern, inputs.scalars[(n * 3 + c) * 400 + i].bitPattern,
                                   "film \(n) channel \(c) pixel \(i)")
                }
            }
        }
        let detector = AuditFixtures.smallFilmDetector
        let masked = InterventionRun.intervened(AuditFixtures.pictures(films), by: .maskText(detector), preprocessing: model.preprocessing)
        for n in 0..<3 {
            let text = detector.detect(films[n], height: 20, width: 20)
            XCTAssertEqual(text.filter { $0 }.count, n == 0 ? 16 : 0, "the 2 × 2 marker at (1, 1), dilated by 1: 4 × 4")
            for c in 0..<3 {
                for i in 0..<400 {
                    let index = (n * 3 + c) * 400 + i
                    if text[i] {
                        XCTAssertNotEqual(masked.scalars[index], inputs.scalars[index])
                    } else {
                        XCTAssertEqual(masked.scalars[index].bitPattern, inputs.scalars[index].bitPattern, "film \(n) channel \(c) pixel \(i)")
                    }
                }
            }
        }
    }

    /// Through the transform itself: a split prepared with its pictures (gray and colour PNGs
    /// resized from 40 × 40 in Pillow's arithmetic) has the inputs a plain split has, and the
    /// interventions, made on those pictures and normalised, leave every pixel outside what
    /// they edit (the band; the detected text) with the bits of those inputs, in all three
    /// channels. The picture taken back from the input instead is off in its last bits.
    func testInterventionsOnPreparedPicturesKeepTheInputBitsOutsideWhatTheyEdit() throws {
        let root = try TestPaths.temporaryDirectory(self)
        func write(_ pixels: [Float], channels: Int, to path: String) throws {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try ImageIO.writePNG(Image(width: 40, height: 40, channels: channels, pixels: pixels), to: url)
        }
        var marked = AuditFixtures.Film(height: 40, width: 40, background: 0)
        marked.pixels = AuditFixtures.noise(height: 40, width: 40, in: 0.05...0.3, seed: 11)
        marked.fill(top: 12, left: 12, height: 16, width: 16, 0.7)
        marked.fill(top: 4, left: 4, height: 4, width: 4, 1)  // a marker in the top-left corner
        try write(marked.pixels, channels: 1, to: "val/COVID-19/marked.png")
        try write(AuditFixtures.noise(height: 40, width: 40, in: 0.05...0.6, seed: 12), channels: 1, to: "val/Non-COVID/plain.png")
        let red = AuditFixtures.noise(height: 40, width: 40, in: 0.1...0.9, seed: 13)
        try write(red + red.map { 0.8 * $0 } + (0..<1600).map { Float($0 / 40) / 40 }, channels: 3, to: "val/Normal/colour.png")

        let preprocessing = model.preprocessing  // 40 × 40 → 20 × 20, bicubic, ImageNet mean and std
        let index = try DatasetIndex.open(root).mapped(toModelClasses: model.classNames)
        let prepared = PreparedSplit.prepare(index, split: .validation, preprocessing: preprocessing, keepingPictures: true)
        let plain = PreparedSplit.prepare(index, split: .validation, preprocessing: preprocessing)
        XCTAssertNil(plain.pictures, "pictures only when asked for")
        XCTAssertEqual(prepared.inputs.scalars.map(\.bitPattern), plain.inputs.scalars.map(\.bitPattern))
        let pictures = try XCTUnwrap(prepared.pictures)
        XCTAssertEqual(prepared.items.map { $0.imageURL.lastPathComponent }, ["marked.png", "plain.png", "colour.png"])
        XCTAssertEqual(pictures.map(\.channels), [1, 1, 3], "gray pictures kept as one plane")
        XCTAssertEqual(InterventionRun.intervened(pictures, by: .none, preprocessing: preprocessing).scalars.map(\.bitPattern),
                       plain.inputs.scalars.map(\.bitPattern))

        let detector = AuditFixtures.smallFilmDetector
        let band = try XCTUnwrap(GroundTruthMask.border(fraction: 0.15).region(height: 20, width: 20))
        let texts = pictures.map { detector.detect(FilmIntervention.film(of: $0), height: 20, width: 20) }
        XCTAssertEqual(texts.map { $0.contains(true) }, [true, false, false], "the marker is found, and only it")
        for (intervention, edited) in [(FilmIntervention.blankBorder(fraction: 0.15), [band, band, band]), (.maskText(detector), texts)] {
            let changed = InterventionRun.intervened(pictures, by: intervention, preprocessing: preprocessing)  // [3, 3, 20, 20]
            for n in 0..<3 {
                for c in 0..<3 {
                    for i in 0..<400 where !edited[n][i] {
                        let index = (n * 3 + c) * 400 + i
                        XCTAssertEqual(changed.scalars[index].bitPattern, plain.inputs.scalars[index].bitPattern,
                                       "\(intervention.name): film \(n) channel \(c) pixel \(i)")
                    }
                }
                let inside = (0..<400).filter { edited[n][$0] }
                XCTAssertEqual(inside.isEmpty, n > 0 && intervention.name == "mask-text")
                if !inside.isEmpty {
                    XCTAssertTrue(inside.contains { changed.scalars[n * 1200 + $0] != plain.inputs.scalars[n * 1200 + $0] },
                                  "\(intervention.name) changes film \(n) where it edits")
                }
            }
        }
        // Why the pictures are kept: undoing the normalisation rounds.
        let reconstructed = (0..<3).flatMap { preprocessing.pixelImage(fromInput: plain.inputs.slice($0)).pixels }
        let computed = pictures.flatMap { $0.rgb().pixels }
        XCTAssertNotEqual(reconstructed.map(\.bitPattern), computed.map(\.bitPattern))
    }

    func testOutcomesAgreeWithADirectForwardPassOfEachIntervention() throws {
        let films = AuditFixtures.pixelFilms(count: 9, seed: 3)
        let labels = [0, 1, 2, 0, 1, 2, 0, 0, 1]  // class 0: 4 films, 1: 3, 2: 2
        let interventions: [FilmIntervention] = [.blankBorder(fraction: 0.1), .none, .cropCentre(fraction: 0.1), .maskText(AuditFixtures.smallFilmDetector)]
        // Batches of 4 (4 + 4 + 1) against one forward pass of all nine.
        let outcomes = try InterventionRun.outcomes(
            model: model, pictures: AuditFixtures.pictures(films), labels: labels, interventions: interventions, batchSize: 4)
        XCTAssertEqual(outcomes.map(\.name), ["none", "blank-border", "crop-centre", "mask-text"], ".none first, and only once")
        XCTAssertEqual(outcomes[0].changedPredictions, 0)
        XCTAssertEqual(Set(outcomes[0].probabilities.map(AuditFixtures.argmax)).count, 3, "the model's predictions depend on the film")
        for outcome in outcomes.dropFirst() {
            XCTAssertGreaterThan(outcome.changedPredictions, 0, "\(outcome.name) moves some prediction, so the count is tested")
        }

        var reference: [Int]?
        for (outcome, intervention) in zip(outcomes, [FilmIntervention.none] + interventions.filter { $0 != .none }) {
            XCTAssertEqual(outcome.intervention, intervention.description)
            let logits = try model.network(InterventionRun.intervened(AuditFixtures.pictures(films), by: intervention, preprocessing: model.preprocessing))  // [9, 3]
            let probabilities = (0..<9).map { softmaxProbabilities(Array(logits.scalars[(3 * $0)..<(3 * $0 + 3)])) }
            let predicted = probabilities.map(AuditFixtures.argmax)
            if reference == nil { reference = predicted }

            XCTAssertEqual(outcome.probabilities.count, 9)
            for (a, b) in zip(outcome.probabilities, probabilities) {
                for k in 0..<3 { XCTAssertEqual(a[k], b[k], accuracy: 1e-5, outcome.name) }
            }
            let correct = zip(predicted, labels).filter { $0 == $1 }.count
            XCTAssertEqual(outcome.report.accuracy, Double(correct) / 9, accuracy: 1e-12, outcome.name)
            XCTAssertEqual(outcome.report.sampleCount, 9)
            XCTAssertEqual(outcome.changedPredictions, zip(predicted, reference!).filter { $0 != $1 }.count, outcome.name)
            for label in 0..<3 {
                let rows = probabilities.indices.filter { labels[$0] == label }.map { probabilities[$0] }
                for k in 0..<3 {
                    let mean = rows.map { $0[k] }.reduce(0, +) / Double(rows.count)
                    XCTAssertEqual(outcome.meanProbabilities[label][k], mean, accuracy: 1e-5, "\(outcome.name) true \(label) p(\(k))")
                }
                XCTAssertEqual(outcome.meanProbabilities[label].reduce(0, +), 1, accuracy: 1e-9)
            }
        }
    }

    /// A class without films has NaN mean probabilities, not a division by zero.
    func testAClassWithoutFilmsHasNaNMeanProbabilities() throws {
        let pictures = AuditFixtures.pictures(AuditFixtures.pixelFilms(count: 2, seed: 4))
        let outcomes = try InterventionRun.outcomes(model: model, pictures: pictures, labels: [0, 0], interventions: [.blankBorder(fraction: 0.1)])
        XCTAssertEqual(outcomes.count, 2)
        for outcome in outcomes {
            XCTAssertTrue(outcome.meanProbabilities[0].allSatisfy(\.isFinite))
            XCTAssertTrue(outcome.meanProbabilities[1].allSatisfy(\.isNaN))
            XCTAssertTrue(outcome.meanProbabilities[2].allSatisfy(\.isNaN))
        }
    }

    /// `ShortcutAudit.explain` measures a film's probabilities after each intervention on its
    /// own; they are the batch outcomes' probabilities of the predicted class.
    func testExplainedFilmsProbabilitiesMatchTheBatchOutcomes() throws {
        let films = AuditFixtures.pixelFilms(count: 3, seed: 5)
        let inputs = AuditFixtures.inputs(films, preprocessing: model.preprocessing)
        let audit = ShortcutAudit(model: model)
        let pictures = AuditFixtures.pictures(films)
        let outcomes = try InterventionRun.outcomes(model: model, pictures: pictures, labels: [0, 1, 2], interventions: audit.interventions)
        for n in 0..<3 {
            let prepared = PreparedImage(pixels: pictures[n].rgb(), input: inputs.slice(n))
            let film = try audit.explain(image: "film-\(n)", film: prepared, label: n, explainers: [])
            XCTAssertEqual(film.predicted, AuditFixtures.argmax(outcomes[0].probabilities[n]))
            XCTAssertEqual(film.probability, outcomes[0].probabilities[n][film.predicted], accuracy: 1e-5)
            XCTAssertEqual(Set(film.probabilityAfter.keys), ["blank-border", "crop-centre", "mask-text"])
            for outcome in outcomes.dropFirst() {
                XCTAssertEqual(try XCTUnwrap(film.probabilityAfter[outcome.name]), outcome.probabilities[n][film.predicted], accuracy: 1e-5)
            }
            XCTAssertTrue(film.shares.isEmpty)
            if film.textArea == 0 {
                XCTAssertEqual(film.probabilityAfter["mask-text"], film.probability, "film \(n): masking no text changes nothing")
            }
        }
    }
}
