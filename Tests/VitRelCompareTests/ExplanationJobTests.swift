import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRel
@testable import VitRelModel
@testable import VitRelData
@testable import VitRelRendering
@testable import VitRelExplain
@testable import VitRelCompare

/// `ExplanationJob` (the engine of `vitrel explain`) called directly on the tiny timm fixture
/// model (32×32 input, 4×4 patch grid, 3 classes): the files it writes for each image and
/// class, what its records say, and the images it cannot read.
final class ExplanationJobTests: XCTestCase {
    let classes = ["COVID-19", "Non-COVID", "Normal"]

    func readFloat32(_ url: URL, shape: [Int], file: StaticString = #filePath, line: UInt = #line) throws -> [Float] {
        let array = try NPY.read(url)
        XCTAssertEqual(array.shape, shape, url.lastPathComponent, file: file, line: line)
        XCTAssertEqual(array.dtype, .float32, url.lastPathComponent, file: file, line: line)
        return try XCTUnwrap(array.values(as: Float.self))
    }

    func json(file url: URL) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// A job as `vitrel explain` builds it from its defaults (alpha 0.5, no LIME), the output
    /// folder created.
    func job(
        _ method: ExplanationMethod = .cheferLRP, options: ExplanationOptions = ExplanationOptions(), lime: LIMEExplainer? = nil,
        limeSeed: UInt64 = 0, featureCounts: [Int] = [], alpha: Float = 0.5, imageOptions: ImageReadOptions = .fileDefaults, out: URL
    ) throws -> ExplanationJob {
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        return ExplanationJob(
            model: try ClassifierModel.load(from: TestPaths.tinyModel), imageOptions: imageOptions, method: method, options: options,
            lime: lime, limeSeed: limeSeed, featureCounts: featureCounts, alpha: alpha, outputDirectory: out)
    }

    func testExplainWritesOverlaysPanelsMapsAndRecordsForEveryImageAndClass() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let first = try TestImages.write(in: directory, name: "first.png")
        let second = try TestImages.write(in: directory, name: "second scan.png", brightness: 0.3)
        let out = directory.appendingPathComponent("out")
        let stacked = directory.appendingPathComponent("all.npy")
        let job = try job(out: out)
        let observer = QuietRunObserver()
        let report = try job.run(
            images: [first.path, second.path], targets: try TargetRequest("all", model: job.model), relevanceFile: stacked.path,
            observer: observer)
        XCTAssertEqual(observer.messages, [])
        XCTAssertEqual(report.errors, [:])

        XCTAssertEqual(report.images.map(\.file), [first.path, second.path])
        XCTAssertEqual(report.relevanceFile, stacked.path)
        let all = try readFloat32(stacked, shape: [2, 3, 32, 32])

        let model = job.model
        for (imageIndex, (url, stem)) in [(first, "first"), (second, "second_scan")].enumerated() {
            let record = try json(file: out.appendingPathComponent("\(stem).chefer-lrp.json"))
            XCTAssertEqual(record["method"] as? String, "chefer-lrp")
            XCTAssertEqual(record["classes"] as? [String], classes)
            XCTAssertEqual(record["inputSize"] as? [Int], [32, 32])
            XCTAssertEqual(record["mapSize"] as? [Int], [4, 4])
            XCTAssertEqual(record["displayScaling"] as? String, "min-max")
            XCTAssertEqual(record["colorMap"] as? String, "jet")
            let probabilities = try XCTUnwrap(record["probabilities"] as? [String: Double])
            XCTAssertEqual(probabilities.values.reduce(0, +), 1, accuracy: 1e-9)
            let prediction = try XCTUnwrap(record["prediction"] as? [String: Any])
            let predicted = try XCTUnwrap(prediction["name"] as? String)
            XCTAssertEqual(probabilities[predicted], probabilities.values.max())
            XCTAssertNotNil(record["seconds"] as? Double)
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("\(stem).chefer-lrp.panel.png").path))
            // The panel also as SVG, of the PNG's size: class names as text, tiles as images.
            let panelSVG = out.appendingPathComponent("\(stem).chefer-lrp.panel.svg")
            XCTAssertEqual(record["panelSVG"] as? String, panelSVG.path)
            let panelPNG = try ImageIO.read(out.appendingPathComponent("\(stem).chefer-lrp.panel.png"))
            let svg = try XCTUnwrap(SVGReader.parse(try String(contentsOf: panelSVG, encoding: .utf8)))
            XCTAssertEqual(svg.attributes["viewBox"], "0 0 \(panelPNG.width) \(panelPNG.height)")
            let texts = svg.elements("text").map(\.text)
            for name in classes { XCTAssertTrue(texts.contains(name), "\(name) in \(texts)") }
            XCTAssertEqual(svg.elements("image").count, 1 + classes.count + 1, "input, a map per class, the colour bar")

            // The map is drawn over the model's own input (resized, centre-cropped, gray).
            let input = model.preprocessing.apply(to: try ImageIO.read(url))
            let gray = model.preprocessing.pixelImage(fromInput: input).gray()
            let targets = try XCTUnwrap(record["targets"] as? [[String: Any]])
            XCTAssertEqual(targets.map { $0["name"] as? String }, classes)
            for (k, name) in classes.enumerated() {
                let base = out.appendingPathComponent("\(stem).chefer-lrp.\(name)")
                let tokens = try readFloat32(URL(fileURLWithPath: base.path + ".tokens.npy"), shape: [4, 4])
                let pixels = try readFloat32(URL(fileURLWithPath: base.path + ".pixels.npy"), shape: [32, 32])
                // pixels = tokens upsampled bilinearly (align_corners = false).
                let upsampled = Heatmap(width: 4, height: 4, values: tokens).resized(width: 32, height: 32).values
                for i in 0..<1024 { XCTAssertEqual(pixels[i], upsampled[i], accuracy: 1e-6) }
                XCTAssertEqual(Array(all[((imageIndex * 3 + k) * 1024)..<((imageIndex * 3 + k + 1) * 1024)]), pixels)
                let sum = try XCTUnwrap(targets[k]["relevanceSum"] as? Double)
                XCTAssertEqual(sum, tokens.reduce(0.0) { $0 + Double($1) }, accuracy: 1e-5 * max(1, abs(sum)))
                XCTAssertEqual(targets[k]["probability"] as? Double, probabilities[name])

                // overlay = 0.5·gray + 0.5·jet(min-max(map)), to 8-bit rounding.
                let overlay = try ImageIO.read(URL(fileURLWithPath: base.path + ".overlay.png"))
                XCTAssertEqual([overlay.width, overlay.height, overlay.channels], [32, 32, 3])
                let shown = Heatmap(width: 32, height: 32, values: pixels).minMaxNormalised()
                for i in stride(from: 0, to: 1024, by: 7) {
                    let colour = ColorMap.jet.color(at: Double(shown.values[i]))
                    let expected = [colour.red, colour.green, colour.blue].map { 0.5 * gray.pixels[i] + 0.5 * $0 }
                    for c in 0..<3 { XCTAssertEqual(overlay.pixels[c * 1024 + i], expected[c], accuracy: 0.6 / 255, "\(name) pixel \(i)") }
                }
            }
        }
    }

    func testDefaultTargetIsThePredictedClassAndAlphaChangesTheBlend() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let image = try TestImages.write(in: directory)
        let out = directory.appendingPathComponent("out")
        _ = try job(.attentionRollout, alpha: 1, out: out)
            .run(images: [image.path], targets: .predicted, relevanceFile: nil, observer: QuietRunObserver())
        let record = try json(file: out.appendingPathComponent("xray.attention-rollout.json"))
        let predicted = try XCTUnwrap((record["prediction"] as? [String: Any])?["name"] as? String)
        let targets = try XCTUnwrap(record["targets"] as? [[String: Any]])
        XCTAssertEqual(targets.map { $0["name"] as? String }, [predicted])
        XCTAssertEqual(record["options"] as? [String: String], ["head-fusion": "mean", "discard-ratio": "0.0"])
        // α = 1: the overlay is the colour map alone.
        let pixels = try readFloat32(out.appendingPathComponent("xray.attention-rollout.\(predicted).pixels.npy"), shape: [32, 32])
        let overlay = try ImageIO.read(out.appendingPathComponent("xray.attention-rollout.\(predicted).overlay.png"))
        let colours = Overlay(colorMap: .jet, scaling: .minMax, alpha: 1).colored(Heatmap(width: 32, height: 32, values: pixels).minMaxNormalised())
        for i in 0..<(3 * 1024) { XCTAssertEqual(overlay.pixels[i], colours.pixels[i], accuracy: 0.6 / 255) }
    }

    func testAttnLRPRecordsTheConservationLedgerOfTheLogit() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let image = try TestImages.write(in: directory)
        let out = directory.appendingPathComponent("out")
        let job = try job(.attnLRP, out: out)
        _ = try job.run(images: [image.path], targets: try TargetRequest("Normal", model: job.model), relevanceFile: nil, observer: QuietRunObserver())
        let record = try json(file: out.appendingPathComponent("xray.attnlrp.json"))
        XCTAssertEqual(record["mapSize"] as? [Int], [32, 32])
        XCTAssertEqual(record["displayScaling"] as? String, "max-abs")
        XCTAssertEqual(record["colorMap"] as? String, "RdBu_r")
        let logits = try XCTUnwrap(record["logits"] as? [Double])
        let target = try XCTUnwrap((record["targets"] as? [[String: Any]])?.first)
        let ledger = try XCTUnwrap(target["conservation"] as? [String: Any])
        XCTAssertEqual(ledger["startingRelevance"] as? String, "logit")
        let explained = try XCTUnwrap(ledger["explainedOutput"] as? Double)
        XCTAssertEqual(explained, logits[2], accuracy: 1e-6)
        let leaves = ["pixels", "classToken", "positionEmbedding"].map { ledger[$0] as? Double ?? .nan }
        XCTAssertEqual(try XCTUnwrap(ledger["endToEndGap"] as? Double), explained - leaves.reduce(0, +), accuracy: 1e-9)
        // The pixel map carries the pixels' share of the relevance.
        XCTAssertEqual(try XCTUnwrap(target["relevanceSum"] as? Double), leaves[0], accuracy: 1e-4 * max(1, abs(leaves[0])))
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("xray.attnlrp.Normal.tokens.npy").path),
                       "pixel-level methods have no token grid")
    }

    func testIntegratedGradientsRecordsItsCompletenessGap() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let image = try TestImages.write(in: directory)
        let out = directory.appendingPathComponent("out")
        var options = ExplanationOptions()
        options.integrationSteps = 16
        _ = try job(.integratedGradients, options: options, out: out)
            .run(images: [image.path], targets: .predicted, relevanceFile: nil, observer: QuietRunObserver())
        let record = try json(file: out.appendingPathComponent("xray.integrated-gradients.json"))
        XCTAssertEqual(record["options"] as? [String: String], ["steps": "16", "baseline": "0.0"])
        let target = try XCTUnwrap((record["targets"] as? [[String: Any]])?.first)
        let gap = try XCTUnwrap(target["completenessGap"] as? Double)
        // Completeness: Σ attributions ≈ F(x) − F(0); a smooth tiny model leaves little gap.
        XCTAssertLessThan(abs(gap), 1e-2)
    }

    func testDeepLIFTRecordsItsSummationToDeltaGapAndBaseline() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let image = try TestImages.write(in: directory)
        let out = directory.appendingPathComponent("out")
        var options = ExplanationOptions()
        options.baselineValue = -1
        _ = try job(.deepLIFT, options: options, out: out)
            .run(images: [image.path], targets: .predicted, relevanceFile: nil, observer: QuietRunObserver())
        let record = try json(file: out.appendingPathComponent("xray.deeplift.json"))
        XCTAssertEqual(record["options"] as? [String: String], ["baseline": "-1.0"])
        XCTAssertEqual(record["displayScaling"] as? String, "max-abs")
        let target = try XCTUnwrap((record["targets"] as? [[String: Any]])?.first)
        // Summation-to-delta holds by construction: only Float32 rounding remains.
        XCTAssertLessThan(abs(try XCTUnwrap(target["completenessGap"] as? Double)), 1e-4)
        XCTAssertEqual(try readFloat32(out.appendingPathComponent("xray.deeplift.\(target["name"] as! String).pixels.npy"), shape: [32, 32]).count, 1024)
    }

    /// `--method lime --segmentation grid --patch-size 8 --samples 60 --features 2,5 --seed 7 --batch-size 16`.
    func testLIMEWritesWeightsMasksAndSuperpixelsAndRepeatsWithTheSameSeed() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let image = try TestImages.write(in: directory)
        let lime = LIMEExplainer(segmenter: .patchGrid(PatchGrid(patchSize: 8)), sampleCount: 60, batchSize: 16, topLabels: nil, labels: [])
        var maps = [[Float]]()
        for attempt in 0..<2 {
            let out = directory.appendingPathComponent("out\(attempt)")
            _ = try job(.lime, lime: lime, limeSeed: 7, featureCounts: [2, 5], out: out)
                .run(images: [image.path], targets: .predicted, relevanceFile: nil, observer: QuietRunObserver())
            let record = try json(file: out.appendingPathComponent("xray.lime.json"))
            let settings = try XCTUnwrap(record["lime"] as? [String: Any])
            XCTAssertEqual(settings["superpixels"] as? Int, 16)
            XCTAssertEqual(settings["samples"] as? Int, 60)
            XCTAssertEqual(settings["seed"] as? Int, 7)
            let target = try XCTUnwrap((record["targets"] as? [[String: Any]])?.first)
            let name = try XCTUnwrap(target["name"] as? String)
            let limeRecord = try XCTUnwrap(target["lime"] as? [String: Any])
            let weights = try XCTUnwrap(limeRecord["weights"] as? [[String: Any]])
            XCTAssertEqual(weights.count, 16, "every superpixel is weighted (lime_image's default)")
            let masks = try XCTUnwrap(limeRecord["masks"] as? [String: [Int]])
            XCTAssertEqual(Set(masks.keys), ["2", "5"])
            let positive = weights.filter { ($0["weight"] as? Double ?? 0) > 0 }.compactMap { $0["feature"] as? Int }
            XCTAssertEqual(masks["2"], Array(positive.prefix(2)))
            XCTAssertEqual(masks["5"], Array(positive.prefix(5)))

            let labels = try NPY.read(out.appendingPathComponent("xray.lime.superpixels.npy"))
            XCTAssertEqual(labels.shape, [32, 32])
            XCTAssertEqual(labels.dtype, .int32)
            let labelValues = try XCTUnwrap(labels.values(as: Int32.self))
            XCTAssertEqual(Set(labelValues).count, 16)
            // The pixel map paints each superpixel with its weight.
            let pixels = try readFloat32(out.appendingPathComponent("xray.lime.\(name).pixels.npy"), shape: [32, 32])
            var weightOf = [Int: Double]()
            for entry in weights { weightOf[entry["feature"] as! Int] = entry["weight"] as? Double }
            for i in 0..<1024 { XCTAssertEqual(Double(pixels[i]), weightOf[Int(labelValues[i])]!, accuracy: 1e-6) }
            maps.append(pixels)
        }
        XCTAssertEqual(maps[0], maps[1], "the same seed gives the same explanation")
    }

    func testAnUnreadableImageIsReportedAndTheOthersAreStillExplained() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let good = try TestImages.write(in: directory)
        let missing = directory.appendingPathComponent("missing.png")
        let garbage = directory.appendingPathComponent("garbage.png")
        try Data("not an image".utf8).write(to: garbage)
        let out = directory.appendingPathComponent("out")
        let observer = QuietRunObserver()
        let report = try job(out: out).run(
            images: [missing.path, good.path, garbage.path], targets: .predicted, relevanceFile: nil, observer: observer)
        XCTAssertEqual(observer.messages.count, 2, "\(observer.messages)")
        XCTAssertTrue(observer.messages[0].contains("missing.png"), observer.messages[0])
        XCTAssertTrue(observer.messages[1].contains("garbage.png"), observer.messages[1])
        XCTAssertEqual(report.images.map(\.file), [good.path])
        XCTAssertEqual(Set(report.errors.keys), [missing.path, garbage.path])
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("xray.chefer-lrp.panel.png").path))
    }

    /// A strip of 1,000,000 × 1 pixels (preprocessing would make it 146,000,000 × 146) is that
    /// image's error, naming the limit; the run goes on.
    func testAStripPastTheResizeLimitIsThatImagesError() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let strip = directory.appendingPathComponent("strip.png")
        try ImageIO.writePNG(Image(width: 1_000_000, height: 1, channels: 1, pixels: [Float](repeating: 0.5, count: 1_000_000)), to: strip)
        let observer = QuietRunObserver()
        let report = try job(.attentionRollout, out: directory.appendingPathComponent("e"))
            .run(images: [strip.path], targets: .predicted, relevanceFile: nil, observer: observer)
        XCTAssertEqual(report.images.count, 0)
        let message = try XCTUnwrap(report.errors[strip.path])
        XCTAssertTrue(message.contains(strip.path) && message.contains("\(Preprocessing.maximumResizedPixelCount)"), message)
        XCTAssertEqual(observer.messages, [message])
    }

    /// `--window` reaches the decoder: a DICOM film is explained as displayed through it.
    func testExplainDrawsOverADcm() throws {
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("out")
        let film = DICOMManifest.fixture("mono1_12bit_window.dcm").path
        let options = ImageReadOptions(dicomWindow: try DICOMWindow(center: 3000, width: 1200))
        let report = try job(.attentionRollout, imageOptions: options, out: out)
            .run(images: [film], targets: .predicted, relevanceFile: nil, observer: QuietRunObserver())
        XCTAssertEqual(report.errors, [:])
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("mono1_12bit_window.attention-rollout.panel.png").path))
    }

    /// Two shards over a folder write the unsharded run's files under the same names; their
    /// ledgers list every image once; a shard run again skips what it finished, unless its
    /// settings changed.
    func testExplainShardsOverAFolderWriteTheUnshardedFilesAndSkipWhatIsDone() throws {
        let scratch = try TestPaths.temporaryDirectory(self)
        let data = scratch.appendingPathComponent("phantoms")
        _ = try SyntheticDataset.write(to: data, perClass: 8, seed: 3, size: 64)
        let folder = data.appendingPathComponent("Infection Segmentation Data/Train/Normal/images")
        let images = try ImageList.expand([folder.path])
        let whole = scratch.appendingPathComponent("whole"), sharded = scratch.appendingPathComponent("sharded")
        let reference = try job(.attentionRollout, out: whole)
            .run(images: images, targets: .predicted, relevanceFile: nil, observer: QuietRunObserver())
        XCTAssertEqual(reference.errors, [:])
        for k in 1...2 {
            let report = try job(.attentionRollout, out: sharded)
                .run(images: images, targets: .predicted, relevanceFile: nil, shard: try Shard(index: k, count: 2), observer: QuietRunObserver())
            XCTAssertEqual(report.errors, [:])
            XCTAssertEqual(report.shard, "\(k)/2")
        }
        let manager = FileManager.default
        let expected = try manager.contentsOfDirectory(atPath: whole.path).filter { $0.hasSuffix(".png") || $0.hasSuffix(".npy") }.sorted()
        XCTAssertFalse(expected.isEmpty)
        let got = try manager.contentsOfDirectory(atPath: sharded.path).filter { $0.hasSuffix(".png") || $0.hasSuffix(".npy") }.sorted()
        XCTAssertEqual(got, expected, "the two shards wrote every file of the unsharded run, under the same names")
        for name in expected where name.hasSuffix(".npy") {
            XCTAssertEqual(try Data(contentsOf: sharded.appendingPathComponent(name)), try Data(contentsOf: whole.appendingPathComponent(name)), name)
        }
        let progress = ShardFolder(output: sharded).explanationProgress()
        XCTAssertEqual(progress.map(\.shard.description), ["1/2", "2/2"])
        XCTAssertEqual(progress.map(\.finishedImages).reduce(0, +), images.count, "the two ledgers list every image once")
        let again = try job(.attentionRollout, out: sharded)
            .run(images: images, targets: .predicted, relevanceFile: nil, shard: try Shard(index: 1, count: 2), observer: QuietRunObserver())
        XCTAssertGreaterThan(again.resumedImages ?? 0, 0, "finished images were skipped")
        XCTAssertEqual(again.images.count, 0, "nothing left to explain")
        let changed = try job(.attentionRollout, alpha: 0.3, out: sharded)
            .run(images: images, targets: .predicted, relevanceFile: nil, shard: try Shard(index: 1, count: 2), observer: QuietRunObserver())
        XCTAssertGreaterThan(changed.images.count, 0, "other settings: explained again")

        let empty = scratch.appendingPathComponent("empty")
        try manager.createDirectory(at: empty, withIntermediateDirectories: true)
        XCTAssertThrowsError(try ImageList.expand([empty.path])) { error in
            XCTAssertTrue("\(error)".contains("no PNG, JPEG or DICOM file"), "\(error)")
        }
    }
}
