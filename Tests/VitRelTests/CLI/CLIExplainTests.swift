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

/// `vitrel explain` run as a user runs it, on the tiny timm fixture model (32×32 input, 4×4
/// patch grid, 3 classes).
final class CLIExplainTests: XCTestCase {
    let classes = ["COVID-19", "Non-COVID", "Normal"]

    func readFloat32(_ url: URL, shape: [Int], file: StaticString = #filePath, line: UInt = #line) throws -> [Float] {
        let array = try NPY.read(url)
        XCTAssertEqual(array.shape, shape, url.lastPathComponent, file: file, line: line)
        XCTAssertEqual(array.dtype, .float32, url.lastPathComponent, file: file, line: line)
        return try XCTUnwrap(array.values(as: Float.self))
    }

    func testExplainWritesOverlaysPanelsMapsAndRecordsForEveryImageAndClass() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let first = try TestImages.write(in: directory, name: "first.png")
        let second = try TestImages.write(in: directory, name: "second scan.png", brightness: 0.3)
        let out = directory.appendingPathComponent("out")
        let stacked = directory.appendingPathComponent("all.npy")
        let run = try CLI.run([
            "explain", "--model", CLI.tinyModel, "--image", first.path, second.path, "--target", "all",
            "--out", out.path, "--save-relevance", stacked.path, "--json",
        ])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.errorLines, [])

        let report = try CLI.json(Data(run.stdout.utf8))
        let images = try XCTUnwrap(report["images"] as? [[String: Any]])
        XCTAssertEqual(images.map { $0["file"] as? String }, [first.path, second.path])
        XCTAssertEqual(report["relevanceFile"] as? String, stacked.path)
        let all = try readFloat32(stacked, shape: [2, 3, 32, 32])

        let model = try ClassifierModel.load(from: URL(fileURLWithPath: CLI.tinyModel))
        for (imageIndex, (url, stem)) in [(first, "first"), (second, "second_scan")].enumerated() {
            let record = try CLI.json(file: out.appendingPathComponent("\(stem).chefer-lrp.json"))
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
        let run = try CLI.run(["explain", "--model", CLI.tinyModel, "--image", image.path, "--method", "attention-rollout", "--alpha", "1", "--out", out.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        let record = try CLI.json(file: out.appendingPathComponent("xray.attention-rollout.json"))
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
        let run = try CLI.run(["explain", "--model", CLI.tinyModel, "--image", image.path, "--method", "attnlrp", "--target", "Normal", "--out", out.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        let record = try CLI.json(file: out.appendingPathComponent("xray.attnlrp.json"))
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
        let run = try CLI.run(["explain", "--model", CLI.tinyModel, "--image", image.path, "--method", "integrated-gradients", "--steps", "16", "--out", out.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        let record = try CLI.json(file: out.appendingPathComponent("xray.integrated-gradients.json"))
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
        let run = try CLI.run(["explain", "--model", CLI.tinyModel, "--image", image.path, "--method", "deeplift", "--baseline=-1", "--out", out.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        let record = try CLI.json(file: out.appendingPathComponent("xray.deeplift.json"))
        XCTAssertEqual(record["options"] as? [String: String], ["baseline": "-1.0"])
        XCTAssertEqual(record["displayScaling"] as? String, "max-abs")
        let target = try XCTUnwrap((record["targets"] as? [[String: Any]])?.first)
        // Summation-to-delta holds by construction: only Float32 rounding remains.
        XCTAssertLessThan(abs(try XCTUnwrap(target["completenessGap"] as? Double)), 1e-4)
        XCTAssertEqual(try readFloat32(out.appendingPathComponent("xray.deeplift.\(target["name"] as! String).pixels.npy"), shape: [32, 32]).count, 1024)
    }

    func testLIMEWritesWeightsMasksAndSuperpixelsAndRepeatsWithTheSameSeed() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let image = try TestImages.write(in: directory)
        var maps = [[Float]]()
        for attempt in 0..<2 {
            let out = directory.appendingPathComponent("out\(attempt)")
            let run = try CLI.run([
                "explain", "--model", CLI.tinyModel, "--image", image.path, "--method", "lime", "--segmentation", "grid",
                "--patch-size", "8", "--samples", "60", "--features", "2,5", "--seed", "7", "--batch-size", "16", "--out", out.path,
            ])
            XCTAssertEqual(run.status, 0, run.stderr)
            let record = try CLI.json(file: out.appendingPathComponent("xray.lime.json"))
            let settings = try XCTUnwrap(record["lime"] as? [String: Any])
            XCTAssertEqual(settings["superpixels"] as? Int, 16)
            XCTAssertEqual(settings["samples"] as? Int, 60)
            XCTAssertEqual(settings["seed"] as? Int, 7)
            let target = try XCTUnwrap((record["targets"] as? [[String: Any]])?.first)
            let name = try XCTUnwrap(target["name"] as? String)
            let lime = try XCTUnwrap(target["lime"] as? [String: Any])
            let weights = try XCTUnwrap(lime["weights"] as? [[String: Any]])
            XCTAssertEqual(weights.count, 16, "every superpixel is weighted (lime_image's default)")
            let masks = try XCTUnwrap(lime["masks"] as? [String: [Int]])
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

    func testAnUnreadableImageIsReportedInOneLineAndTheOthersAreStillExplained() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let good = try TestImages.write(in: directory)
        let missing = directory.appendingPathComponent("missing.png")
        let garbage = directory.appendingPathComponent("garbage.png")
        try Data("not an image".utf8).write(to: garbage)
        let out = directory.appendingPathComponent("out")
        let run = try CLI.run(["explain", "--model", CLI.tinyModel, "--image", missing.path, good.path, garbage.path, "--out", out.path, "--json"])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertEqual(run.errorLines.count, 2, run.stderr)
        XCTAssertTrue(run.errorLines[0].contains("missing.png"), run.errorLines[0])
        XCTAssertTrue(run.errorLines[1].contains("garbage.png"), run.errorLines[1])
        let report = try CLI.json(Data(run.stdout.utf8))
        XCTAssertEqual((report["images"] as? [[String: Any]])?.map { $0["file"] as? String }, [good.path])
        XCTAssertEqual(Set((report["errors"] as? [String: String])?.keys ?? [:].keys), [missing.path, garbage.path])
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("xray.chefer-lrp.panel.png").path))
    }

    func testBadRequestsStopWithOneLineThatSaysWhatIsValid() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let image = try TestImages.write(in: directory).path
        let out = directory.appendingPathComponent("out").path
        let cases: [(arguments: [String], expected: [String])] = [
            (["--method", "saliency"], ["unknown method \"saliency\"", "chefer-lrp", "integrated-gradients", "lime"]),
            (["--target", "7"], ["out of range", "3 classes"]),
            (["--target", "Pneumonia"], ["unknown class \"Pneumonia\"", "COVID-19, Non-COVID, Normal"]),
            (["--method", "chefer-lrp", "--steps", "5"], ["--steps does not apply to method chefer-lrp", "integrated-gradients"]),
            (["--method", "chefer-lrp", "--baseline", "1"], ["--baseline does not apply to method chefer-lrp", "integrated-gradients, deeplift"]),
            (["--method", "deeplift", "--steps", "5"], ["--steps does not apply to method deeplift"]),
            (["--method", "deeplift", "--baseline", "nan"], ["--baseline must be a finite number"]),
            (["--method", "attnlrp", "--segmentation", "slic"], ["--segmentation does not apply to method attnlrp"]),
            (["--method", "lime", "--segmentation", "grid", "--kernel-size", "3"], ["--kernel-size", "does not apply to --segmentation grid"]),
            (["--method", "lime", "--features", "3,x"], ["--features"]),
            (["--start-layer", "2"], ["--start-layer 2 is out of range", "2 blocks"]),
            (["--alpha", "1.5"], ["--alpha must be in [0, 1]"]),
        ]
        for (arguments, expected) in cases {
            let run = try CLI.run(["explain", "--model", CLI.tinyModel, "--image", image, "--out", out] + arguments)
            XCTAssertNotEqual(run.status, 0, "\(arguments)")
            XCTAssertEqual(run.diagnosticLines.count, 1, "\(arguments): \(run.stderr)")
            for text in expected { XCTAssertTrue(run.stderr.contains(text), "\(arguments): \(run.stderr)") }
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "\(arguments): nothing is written")
        }
    }

    func testHelpListsEveryMethodAndTheFilesWritten() throws {
        let run = try CLI.run(["explain", "--help"])
        XCTAssertEqual(run.status, 0)
        for method in ExplanationMethod.allCases { XCTAssertTrue(run.stdout.contains("  \(method.rawValue) "), method.rawValue) }
        for text in [".overlay.png", ".pixels.npy", ".tokens.npy", ".panel.png", "--save-relevance", "--segmentation", "--gradcam-variant"] {
            XCTAssertTrue(run.stdout.contains(text), text)
        }
    }
}
