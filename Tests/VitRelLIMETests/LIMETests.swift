import COpenBLAS
import XCTest
import VitRelTestSupport
import VitRelCore
import VitRelImaging
@testable import VitRelLIME

/// LIME: the surrogate against lime 0.2.0.1 (fixture from `Tools/make_lime_fixtures.py`),
/// sampling and perturbation, determinism, a toy model with a known answer, and bad input.
final class LIMETests: XCTestCase {
    override func tearDown() {
        Parallel.setThreadCount(ProcessInfo.processInfo.activeProcessorCount)
        super.tearDown()
    }

    // MARK: Surrogate vs lime

    private struct SurrogateFixture: Decodable {
        struct Case: Decodable {
            let feature_selection: String
            let num_features: Int
            let label: Int
            let intercept: Double
            let explanation: [[Double]]
            let score: Double
            let local_pred: Double
        }
        let kernel_width: Double
        let samples: [[UInt8]]
        let predictions: [[Double]]
        let distances: [Double]
        let weights: [Double]
        let cases: [Case]
    }

    func testSurrogateMatchesLimeForEveryFeatureSelection() throws {
        let data = try Data(contentsOf: TestPaths.fixture("lime/surrogate.json"))
        let fixture = try JSONDecoder().decode(SurrogateFixture.self, from: data)
        let samples = LIMESampleMatrix(
            sampleCount: fixture.samples.count, featureCount: fixture.samples[0].count,
            values: fixture.samples.flatMap { $0 })
        XCTAssertEqual([samples.sampleCount, samples.featureCount], [200, 12])

        // Distances and kernel weights as lime computes them.
        let distances = samples.cosineDistances()
        for (mine, theirs) in zip(distances, fixture.distances) { XCTAssertEqual(mine, theirs, accuracy: 1e-12) }
        let weights = LIMESampleMatrix.kernelWeights(distances: distances, width: fixture.kernel_width)
        for (mine, theirs) in zip(weights, fixture.weights) { XCTAssertEqual(mine, theirs, accuracy: 1e-12) }

        let classCount = fixture.predictions[0].count
        let predictions = fixture.predictions.flatMap { $0 }
        XCTAssertEqual(fixture.cases.count, 15)
        var modes = Set<String>()
        for expected in fixture.cases {
            let selection = try XCTUnwrap(LIMEFeatureSelection(rawValue: expected.feature_selection))
            modes.insert(selection.rawValue)
            // lime's num_features = 100000 means "all": nil here.
            let surrogate = LIMESurrogate(
                featureSelection: selection, featureCount: expected.num_features >= samples.featureCount ? nil : expected.num_features)
            let result = try surrogate.explain(
                samples: samples, predictions: predictions, classCount: classCount, weights: weights,
                labels: [expected.label])[0]
            let context = "\(expected.feature_selection)/\(expected.num_features) label \(expected.label)"
            XCTAssertEqual(result.label, expected.label)
            XCTAssertEqual(result.intercept, expected.intercept, accuracy: 1e-6, context)
            XCTAssertEqual(result.score, expected.score, accuracy: 1e-6, context)
            XCTAssertEqual(result.localPrediction, expected.local_pred, accuracy: 1e-6, context)
            XCTAssertEqual(result.modelPrediction, fixture.predictions[0][expected.label], accuracy: 1e-15)
            XCTAssertEqual(result.weights.map(\.feature), expected.explanation.map { Int($0[0]) }, context)
            for (mine, theirs) in zip(result.weights, expected.explanation) {
                XCTAssertEqual(mine.weight, theirs[1], accuracy: 1e-6, context)
            }
        }
        XCTAssertEqual(modes, Set(LIMEFeatureSelection.allCases.map(\.rawValue)))
    }

    func testRidgeFallsBackToMinimumNormWhenSingular() {
        // Two identical columns: [[1, 1], [1, 1]] β = [2, 2] has minimum-norm solution [1, 1].
        let beta = WeightedRidgeDesign.solvePositiveDefinite([1, 1, 1, 1], [2, 2], order: 2)
        XCTAssertEqual(beta[0], 1, accuracy: 1e-12)
        XCTAssertEqual(beta[1], 1, accuracy: 1e-12)
        // A regular system goes through Cholesky: [[4, 2], [2, 3]] β = [2, 1] → β = [0.5, 0].
        let regular = WeightedRidgeDesign.solvePositiveDefinite([4, 2, 2, 3], [2, 1], order: 2)
        XCTAssertEqual(regular[0], 0.5, accuracy: 1e-12)
        XCTAssertEqual(regular[1], 0, accuracy: 1e-12)
    }

    func testRidgeSolveAgreesWithLAPACKAndIgnoresThreadCount() {
        // A LIME-sized system: 196 patches, 300 samples, Ridge α = 0.01.
        let samples = LIMESampleMatrix(sampleCount: 300, featureCount: 196, seed: 3)
        let weights = LIMESampleMatrix.kernelWeights(distances: samples.cosineDistances())
        Parallel.setThreadCount(1)
        let design = WeightedRidgeDesign(samples: samples, weights: weights)
        var a = design.gram
        for i in 0..<196 { a[i * 196 + i] += 0.01 }
        let b = (0..<196).map { Double($0 % 5) - 2 }
        let one = WeightedRidgeDesign.solvePositiveDefinite(a, b, order: 196)
        Parallel.setThreadCount(2)
        XCTAssertEqual(WeightedRidgeDesign(samples: samples, weights: weights).gram, design.gram)
        XCTAssertEqual(WeightedRidgeDesign.solvePositiveDefinite(a, b, order: 196), one)
        // LAPACK's dposv on the same system.
        var matrix = a, solution = b
        var n: Int32 = 196, nrhs: Int32 = 1, info: Int32 = 0
        var uplo = CChar(UInt8(ascii: "U"))
        dposv_(&uplo, &n, &nrhs, &matrix, &n, &solution, &n, &info)
        XCTAssertEqual(info, 0)
        let scale = solution.map(abs).max()!
        for (mine, lapack) in zip(one, solution) { XCTAssertEqual(mine, lapack, accuracy: 1e-12 * scale) }
    }

    // MARK: Sampling and perturbation

    func testSampleMatrixIsBernoulliHalfWithTheImageFirst() {
        let samples = LIMESampleMatrix(sampleCount: 1000, featureCount: 40, seed: 9)
        XCTAssertEqual(Array(samples.values[0..<40]), [UInt8](repeating: 1, count: 40))
        let rest = samples.values[40...].map(Double.init)
        XCTAssertEqual(rest.reduce(0, +) / Double(rest.count), 0.5, accuracy: 0.01)
        XCTAssertEqual(samples, LIMESampleMatrix(sampleCount: 1000, featureCount: 40, seed: 9))
        XCTAssertNotEqual(samples, LIMESampleMatrix(sampleCount: 1000, featureCount: 40, seed: 10))
        // d = 1 − sqrt(k/n): 0 for the image, 1 − sqrt(1/4) for one of four kept, 1 for none.
        let small = LIMESampleMatrix(sampleCount: 3, featureCount: 4, values: [1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0])
        XCTAssertEqual(small.cosineDistances(), [0, 0.5, 1])
        let weights = LIMESampleMatrix.kernelWeights(distances: [0, 0.5, 1])
        XCTAssertEqual(weights[0], 1)
        XCTAssertEqual(weights[1], exp(-8 * 0.25), accuracy: 1e-15)
        XCTAssertEqual(weights[2], exp(-8.0), accuracy: 1e-15)
    }

    func testPerturbedImagesShowKeptSuperpixelsAndFillTheRest() throws {
        // 4x2 image, two channels, superpixels [0 0 1 1 / 0 0 1 2].
        let segmentation = Segmentation(width: 4, height: 2, labels: [0, 0, 1, 1, 0, 0, 1, 2], count: 3)
        let image = Image(width: 4, height: 2, channels: 2, pixels: (0..<16).map { Float($0) / 16 })
        let samples = LIMESampleMatrix(sampleCount: 2, featureCount: 3, values: [1, 1, 1, 0, 1, 0])

        let mean = try LIMEPerturbation(image: image, segmentation: segmentation, fill: .segmentMean)
        let batch = mean.batch(samples, rows: 0..<2)
        XCTAssertEqual(batch.shape, [2, 2, 2, 4])
        XCTAssertEqual(Array(batch.scalars[0..<16]), image.pixels)  // row 0: the image itself
        let hidden = Array(batch.scalars[16..<32])
        // Superpixel 0 (pixels 0, 1, 4, 5) → its channel means; 1 kept; 2 (pixel 7) → itself.
        let m0: Float = Float(Double(0 + 1 + 4 + 5) / 4 / 16)
        let m1: Float = Float(Double(8 + 9 + 12 + 13) / 4 / 16)
        let keep: (Int) -> Float = { Float($0) / 16 }
        let expectedHidden: [Float] = [m0, m0, keep(2), keep(3), m0, m0, keep(6), keep(7),
                                       m1, m1, keep(10), keep(11), m1, m1, keep(14), keep(15)]
        XCTAssertEqual(hidden, expectedHidden)

        let coloured = try LIMEPerturbation(image: image, segmentation: segmentation, fill: .color([0.25, 1]))
        let filled = Array(coloured.batch(samples, rows: 1..<2).scalars)
        let expectedFilled: [Float] = [0.25, 0.25, keep(2), keep(3), 0.25, 0.25, keep(6), 0.25,
                                       1, 1, keep(10), keep(11), 1, 1, keep(14), 1]
        XCTAssertEqual(filled, expectedFilled)
    }

    // MARK: End to end

    /// 48x48 RGB test image (a crop of the fixture pattern) and its SLIC superpixels.
    private func smallImage() throws -> Image { croppedTopLeft(try LIMEFixtures().image("rgb_image"), 48) }

    /// A deterministic 3-class "model": softmax of weighted channel means of three regions.
    private func regionModel(_ batch: Tensor<Float>) -> Tensor<Float> {
        let b = batch.shape[0], c = batch.shape[1], h = batch.shape[2], w = batch.shape[3]
        var out = [Float]()
        for i in 0..<b {
            var logits = [Float](repeating: 0, count: 3)
            for ch in 0..<c {
                for y in 0..<h {
                    for x in 0..<w {
                        let v = batch.scalars[((i * c + ch) * h + y) * w + x]
                        logits[(x * 3 / w + ch) % 3] += v * Float(1 + y % 3)
                    }
                }
            }
            let scaled = logits.map { $0 / Float(h * w) * 6 }
            let top = scaled.max()!
            let e = scaled.map { exp($0 - top) }
            let total = e.reduce(0, +)
            out += e.map { $0 / total }
        }
        return Tensor(shape: [b, 3], scalars: out)
    }

    func testSameSeedGivesIdenticalExplanationAndAnotherSeedDoesNot() throws {
        let image = try LIMEFixtures().image("rgb_image")
        let explainer = LIMEExplainer(sampleCount: 120, batchSize: 25)  // quickshift: the seed reaches the segmentation too
        let first = try explainer.explain(image, seed: 1) { regionModel($0) }
        let again = try explainer.explain(image, seed: 1) { regionModel($0) }
        XCTAssertEqual(first.segmentation, again.segmentation)
        XCTAssertEqual(first.samples, again.samples)
        XCTAssertEqual(first.predictions, again.predictions)
        XCTAssertEqual(first.labelExplanations, again.labelExplanations)
        XCTAssertEqual(first.explainedLabels.count, 3)  // top_labels 5 capped at 3 classes

        let other = try explainer.explain(image, seed: 2) { regionModel($0) }
        XCTAssertNotEqual(first.samples, other.samples)
        XCTAssertNotEqual(first.labelExplanations, other.labelExplanations)
    }

    /// A label's surrogate is fitted on its own: explaining it alone or beside every other class
    /// gives the same weights and map (compare keeps LIME's all-class explanation of a grid
    /// image from its rows, and the rows must not depend on it).
    func testALabelsExplanationDoesNotDependOnTheOtherLabelsExplained() throws {
        let image = try LIMEFixtures().image("rgb_image")
        for selection in [LIMEFeatureSelection.auto, .none] {
            var alone = LIMEExplainer(sampleCount: 120, batchSize: 25, topLabels: nil, labels: [1])
            alone.surrogate.featureSelection = selection
            var all = alone
            all.labels = [0, 1, 2]
            let one = try alone.explain(image, seed: 4) { regionModel($0) }
            let every = try all.explain(image, seed: 4) { regionModel($0) }
            XCTAssertEqual(try one.explanation(label: 1), try every.explanation(label: 1), "\(selection)")
            XCTAssertEqual(try one.heatmap(label: 1).scalars.map(\.bitPattern), try every.heatmap(label: 1).scalars.map(\.bitPattern))
        }
    }

    func testExplanationDoesNotDependOnThreadCount() throws {
        let image = try LIMEFixtures().image("rgb_image")
        let explainer = LIMEExplainer(segmenter: .slic(SLIC(segmentCount: 30)), sampleCount: 150)
        // 144 patches: the surrogate's Gram matrix and LAPACK solves are large enough to be split.
        let patches = LIMEExplainer(segmenter: .patchGrid(PatchGrid(patchSize: 8)), sampleCount: 200)
        Parallel.setThreadCount(1)
        let one = try explainer.explain(image, seed: 77) { regionModel($0) }
        let quickOne = try LIMEExplainer(sampleCount: 40).explain(image, seed: 77) { regionModel($0) }
        let patchesOne = try patches.explain(image, seed: 77) { regionModel($0) }
        Parallel.setThreadCount(2)
        let two = try explainer.explain(image, seed: 77) { regionModel($0) }
        let quickTwo = try LIMEExplainer(sampleCount: 40).explain(image, seed: 77) { regionModel($0) }
        let patchesTwo = try patches.explain(image, seed: 77) { regionModel($0) }
        XCTAssertEqual(patchesOne.segmentation.count, 144)
        XCTAssertEqual(patchesOne.labelExplanations, patchesTwo.labelExplanations)
        XCTAssertEqual(one.segmentation, two.segmentation)
        XCTAssertEqual(one.predictions, two.predictions)
        XCTAssertEqual(one.kernelWeights, two.kernelWeights)
        XCTAssertEqual(one.labelExplanations, two.labelExplanations)
        XCTAssertEqual(quickOne.segmentation, quickTwo.segmentation)
        XCTAssertEqual(quickOne.labelExplanations, quickTwo.labelExplanations)
    }

    func testToyModelReadingOneSuperpixelGetsItRankedFirst() throws {
        let image = try smallImage()
        let segmentation = try SLIC(segmentCount: 16).segment(image)
        XCTAssertGreaterThanOrEqual(segmentation.count, 8)
        let chosen = segmentation.label(x: 24, y: 24)
        let members = segmentation.pixelIndices[chosen]
        // Output: class 1 = mean intensity of the chosen superpixel, class 0 = 1 − that.
        // Hidden superpixels are black, so only the chosen one changes the output.
        let model: LIMEExplainer.Classifier = { batch in
            let b = batch.shape[0], plane = 48 * 48
            var out = [Float]()
            for i in 0..<b {
                var sum = 0.0
                for c in 0..<3 { for p in members { sum += Double(batch.scalars[(i * 3 + c) * plane + p]) } }
                let m = Float(sum / Double(3 * members.count))
                out += [1 - m, m]
            }
            return Tensor(shape: [b, 2], scalars: out)
        }
        for selection in [LIMEFeatureSelection.auto, .forwardSelection, .highestWeights, .none] {
            let explainer = LIMEExplainer(
                segmenter: .given(segmentation), hiddenFill: .color([0]), sampleCount: 300,
                surrogate: LIMESurrogate(featureSelection: selection, featureCount: selection == .none ? nil : 3))
            let explanation = try explainer.explain(image, seed: 5, classifier: model)
            let up = try explanation.explanation(label: 1)
            XCTAssertEqual(up.weights[0].feature, chosen, "\(selection)")
            XCTAssertGreaterThan(up.weights[0].weight, 0)
            // The model is linear in the samples; only the ridge penalty (α = 1) keeps the
            // fit from being exact, so the others get crumbs and R² is nearly 1.
            for other in up.weights.dropFirst() { XCTAssertLessThan(abs(other.weight), 0.01 * up.weights[0].weight) }
            XCTAssertGreaterThan(up.score, 0.99)
            XCTAssertEqual(up.localPrediction, up.modelPrediction, accuracy: 0.02)
            let down = try explanation.explanation(label: 0)
            XCTAssertEqual(down.weights[0].feature, chosen)
            XCTAssertLessThan(down.weights[0].weight, 0)
            // The mask and the heatmap point at the chosen superpixel.
            let mask = try explanation.mask(label: 1, numberOfFeatures: 1)
            XCTAssertEqual(mask.indices.filter { mask[$0] == 1 }, members)
            let heatmap = try explanation.heatmap(label: 1)
            XCTAssertEqual(heatmap.shape, [48, 48])
            let peak = heatmap.scalars.indices.max { heatmap.scalars[$0] < heatmap.scalars[$1] }!
            XCTAssertEqual(segmentation.labels[peak], Int32(chosen))
        }
    }

    func testBatchesAndProgressCoverEverySampleOnce() throws {
        let image = try smallImage()
        var batchSizes = [Int]()
        var reports = [[Int]]()
        let explainer = LIMEExplainer(segmenter: .patchGrid(PatchGrid(patchSize: 16)), sampleCount: 70, batchSize: 32)
        let explanation = try explainer.explain(image, seed: 3, progress: { reports.append([$0, $1]) }) { batch in
            batchSizes.append(batch.shape[0])
            XCTAssertEqual(Array(batch.shape.dropFirst()), [3, 48, 48])
            return regionModel(batch)
        }
        XCTAssertEqual(batchSizes, [32, 32, 6])
        XCTAssertEqual(reports, [[32, 70], [64, 70], [70, 70]])
        XCTAssertEqual(explanation.predictions.count, 70 * 3)
        XCTAssertEqual(explanation.segmentation.count, 9)
        // The first prediction is the unperturbed image's.
        let original = regionModel(Tensor(shape: [1, 3, 48, 48], scalars: image.pixels))
        XCTAssertEqual(Array(explanation.predictions[0..<3]), original.scalars)
    }

    func testTensorInputGivesTheSameExplanationAsImage() throws {
        let image = try smallImage()
        let explainer = LIMEExplainer(segmenter: .slic(SLIC(segmentCount: 12)), sampleCount: 60)
        let fromImage = try explainer.explain(image, seed: 4) { regionModel($0) }
        let tensor = Tensor<Float>(shape: [3, 48, 48], scalars: image.pixels)
        let fromTensor = try explainer.explain(tensor, seed: 4) { regionModel($0) }
        XCTAssertEqual(fromImage.labelExplanations, fromTensor.labelExplanations)
    }

    func testGrayImagesAreSegmentedAsTheirRGBCopyLikeLime() throws {
        let fixtures = try LIMEFixtures()
        let gray = try fixtures.image("gray_image")
        let explainer = LIMEExplainer(segmenter: .slic(SLIC(segmentCount: 50)))
        let segmentation = try explainer.segment(gray, seed: 0)
        XCTAssertEqual(segmentation, try SLIC(segmentCount: 50).segment(grayReplicatedToRGB(gray)))
        let entry = try XCTUnwrap(fixtures.manifest.slic.first { $0.labels == "slic_gray_as_rgb_50" })
        XCTAssertGreaterThanOrEqual(adjustedRandIndex(segmentation.labels.map(Int.init), try fixtures.labels(entry.labels)), 0.9)
    }

    func testTopLabelsFollowLimeOrder() throws {
        let image = try smallImage()
        // Fixed probabilities [0.2, 0.4, 0.2, 0.2]: lime's argsort()[-K:] reversed gives
        // 1, then the tied classes from the highest index down.
        let constant: LIMEExplainer.Classifier = { batch in
            Tensor(shape: [batch.shape[0], 4], scalars: Array([Float]([0.2, 0.4, 0.2, 0.2]).repeated(batch.shape[0])))
        }
        let grid = LIMEExplainer.Segmenter.patchGrid(PatchGrid(patchSize: 24))
        let top3 = try LIMEExplainer(segmenter: grid, sampleCount: 10, topLabels: 3).explain(image, seed: 0, classifier: constant)
        XCTAssertEqual(top3.explainedLabels, [1, 3, 2])
        let chosen = try LIMEExplainer(segmenter: grid, sampleCount: 10, topLabels: nil, labels: [0, 2])
            .explain(image, seed: 0, classifier: constant)
        XCTAssertEqual(chosen.explainedLabels, [0, 2])
    }

    func testMaskFollowsGetImageAndMask() throws {
        let segmentation = Segmentation(width: 5, height: 1, labels: [0, 1, 2, 3, 4], count: 5)
        let weights = [(2, 0.9), (0, -0.5), (4, 0.3), (1, 0.05), (3, -0.01)].map { LIMEFeatureWeight(feature: $0.0, weight: $0.1) }
        let explanation = LIMEExplanation(
            segmentation: segmentation, samples: LIMESampleMatrix(sampleCount: 1, featureCount: 5, values: [1, 1, 1, 1, 1]),
            predictions: [1], classCount: 1, kernelWeights: [1],
            labelExplanations: [LIMELabelExplanation(label: 0, intercept: 0, weights: weights, score: 1, localPrediction: 0.74, modelPrediction: 1)])
        XCTAssertEqual(try explanation.mask(label: 0), [0, 1, 1, 0, 1])                       // positive, ≤ 5
        XCTAssertEqual(try explanation.mask(label: 0, numberOfFeatures: 2), [0, 0, 1, 0, 1])
        XCTAssertEqual(try explanation.mask(label: 0, minWeight: 0.1), [0, 0, 1, 0, 1])
        XCTAssertEqual(try explanation.mask(label: 0, positiveOnly: false, negativeOnly: true), [1, 0, 0, 1, 0])
        XCTAssertEqual(try explanation.mask(label: 0, positiveOnly: false, numberOfFeatures: 3), [-1, 0, 1, 0, 1])
        XCTAssertEqual(try explanation.mask(label: 0, positiveOnly: false, minWeight: 0.04), [-1, 1, 1, 0, 1])
        XCTAssertEqual(try explanation.heatmap(label: 0).scalars, [-0.5, 0.05, 0.9, -0.01, 0.3])
        XCTAssertThrowsError(try explanation.mask(label: 0, positiveOnly: true, negativeOnly: true))
        XCTAssertThrowsError(try explanation.heatmap(label: 7)) { error in
            XCTAssertEqual(error as? LIMEError, .labelNotExplained(label: 7, explained: [0]))
        }
    }

    // MARK: Bad input

    private func assertThrows(_ expected: LIMEError, _ body: () throws -> Any, line: UInt = #line) {
        XCTAssertThrowsError(try body(), line: line) { error in
            XCTAssertEqual(error as? LIMEError, expected, line: line)
            XCTAssertFalse("\(error)".contains("\n"), "one-line message", line: line)
            XCTAssertTrue("\(error)".hasPrefix("LIME: "), line: line)
        }
    }

    func testBadInputThrowsTypedErrors() throws {
        let image = try smallImage()
        let model: LIMEExplainer.Classifier = { self.regionModel($0) }
        let grid = LIMEExplainer.Segmenter.patchGrid(PatchGrid(patchSize: 16))  // 9 superpixels

        assertThrows(.tooFewSegments(count: 1)) {
            try LIMEExplainer(segmenter: .patchGrid(PatchGrid(patchSize: 48))).explain(image, seed: 0, classifier: model)
        }
        assertThrows(.tooFewSamples(count: 1, minimum: 2)) {
            try LIMEExplainer(segmenter: grid, sampleCount: 1).explain(image, seed: 0, classifier: model)
        }
        assertThrows(.tooManyFeatures(requested: 10, segments: 9)) {
            try LIMEExplainer(segmenter: grid, surrogate: LIMESurrogate(featureCount: 10)).explain(image, seed: 0, classifier: model)
        }
        assertThrows(.hideColorChannels(given: 2, imageChannels: 3)) {
            try LIMEExplainer(segmenter: grid, hiddenFill: .color([0, 0])).explain(image, seed: 0, classifier: model)
        }
        assertThrows(.classifierOutputShape(got: [32], expected: "[32, classes]")) {
            try LIMEExplainer(segmenter: grid, sampleCount: 40).explain(image, seed: 0) { batch in
                Tensor(shape: [batch.shape[0]], scalars: [Float](repeating: 0.5, count: batch.shape[0]))
            }
        }
        var calls = 0
        assertThrows(.classifierOutputShape(got: [8, 2], expected: "[8, classes] with 3 classes")) {
            try LIMEExplainer(segmenter: grid, sampleCount: 40).explain(image, seed: 0) { batch in
                calls += 1
                let classes = calls == 1 ? 3 : 2  // changes its mind on the second batch
                return Tensor(shape: [batch.shape[0], classes], scalars: [Float](repeating: 0.3, count: batch.shape[0] * classes))
            }
        }
        assertThrows(.classifierOutputShape(got: [33, 3], expected: "[32, classes] with 3 classes")) {
            try LIMEExplainer(segmenter: grid, sampleCount: 40).explain(image, seed: 0) { batch in
                Tensor(shape: [batch.shape[0] + 1, 3], scalars: [Float](repeating: 0.3, count: (batch.shape[0] + 1) * 3))
            }
        }
        assertThrows(.labelOutOfRange(label: 3, classCount: 3)) {
            try LIMEExplainer(segmenter: grid, sampleCount: 10, topLabels: nil, labels: [0, 3]).explain(image, seed: 0, classifier: model)
        }
        assertThrows(.segmentationSize(segmentationWidth: 4, segmentationHeight: 2, imageWidth: 48, imageHeight: 48)) {
            let tiny = Segmentation(width: 4, height: 2, labels: [0, 0, 1, 1, 0, 0, 1, 1], count: 2)
            return try LIMEExplainer(segmenter: .given(tiny)).explain(image, seed: 0, classifier: model)
        }
        assertThrows(.imageShape([48, 48])) {
            try LIMEExplainer(segmenter: grid).explain(Tensor<Float>(zeros: [48, 48]), seed: 0, classifier: model)
        }
        assertThrows(.invalidParameter(name: "batchSize", value: "0", requirement: "at least 1")) {
            try LIMEExplainer(segmenter: grid, batchSize: 0).explain(image, seed: 0, classifier: model)
        }
    }
}

private extension Array {
    func repeated(_ times: Int) -> [Element] { (0..<times).flatMap { _ in self } }
}
