import ArgumentParser
import Foundation
import VitRel
import VitRelCompare

/// `vitrel bench precision`: the fidelity evidence for `--precision bf16` on real images.
struct BenchPrecision: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "precision",
        abstract: "What --precision bf16 changes against fp32 on given images: logits, predictions, LIME weights.",
        discussion: """
            For each image: the fp32 and bf16 logits (largest change, same prediction or not), \
            and LIME for the fp32 prediction run twice with the same seed (same superpixels, same \
            samples; only the classifier's precision differs): the Pearson correlation of the \
            superpixel weights and how many of fp32's three most positive superpixels bf16 \
            shares. For the metrics, run `vitrel compare` with --precision fp32 and bf16 into \
            two folders and compare their summaries (README: Precision).
            """)

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Image files (PNG, JPEG).", valueName: "file"))
    var image: [String]
    @Option(help: ArgumentHelp("Write every image's figures as JSON to this file.", valueName: "file"))
    var json: String?
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var lime: LIMEOptions
    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        runtime.apply()
        guard !image.isEmpty else { throw ValidationError("give at least one --image") }
        let model = try modelOptions.load()
        do { try ProductPrecision.bf16.requireSupported() } catch { throw CLIError("\(error)") }
        let explainer = try lime.explainer(patchSize: model.config.patchSize)
        print("model \(model.directory.lastPathComponent), \(image.count) images, LIME \(explainer.sampleCount) samples, seed \(lime.seed ?? 0)")
        print("image                                    max |Δlogit|  same class  LIME r    top-3 shared")
        var results = [PrecisionFidelity]()
        for path in image {
            let result: PrecisionFidelity
            do {
                result = try PrecisionFidelity.measure(
                    model: model, image: URL(fileURLWithPath: path), lime: explainer, seed: lime.seed ?? 0)
            } catch let error as CLIError { throw error } catch { throw CLIError("\(path): \(error)") }
            results.append(result)
            let name = URL(fileURLWithPath: path).lastPathComponent
            print(String(format: "%@  %.5f       %@         %.5f   %d of 3",
                         name.padding(toLength: 40, withPad: " ", startingAt: 0), result.largestLogitChange,
                         result.samePrediction ? "yes" : "NO ", result.limeCorrelation, result.limeTopThreeShared))
        }
        let correlations = results.map(\.limeCorrelation)
        let changes = results.map(\.largestLogitChange)
        print(String(format: "largest logit change: median %.5f, max %.5f; predictions equal on %d of %d images",
                     PairedTiming.median(changes), changes.max()!, results.filter(\.samePrediction).count, results.count))
        print(String(format: "LIME weight correlation: median %.5f, min %.5f; top-3 superpixels equal on %d of %d images (%d of %d shared)",
                     PairedTiming.median(correlations), correlations.min()!, results.filter { $0.limeTopThreeShared == 3 }.count,
                     results.count, results.map(\.limeTopThreeShared).reduce(0, +), 3 * results.count))
        if let json { try writeTextFile(try jsonString(results), to: URL(fileURLWithPath: json)) }
    }
}
