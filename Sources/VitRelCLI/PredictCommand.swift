import ArgumentParser
import Foundation
import VitRel

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Class probabilities for chest X-ray images.",
        discussion: """
            Each image is decoded (PNG or JPEG, 8/16-bit, gray or colour), preprocessed as the \
            model's config says (resize, centre crop, normalise; gray replicated to 3 channels) \
            and classified. Unreadable images are reported on standard error; the others are \
            still classified, and the exit status is non-zero.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp("Images to classify.", valueName: "file"))
    var image: [String]
    @Option(help: "How many classes to list per image.")
    var topK = 3
    @Flag(help: "Print JSON: logits, probabilities and the preprocessing used.")
    var json = false
    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        if image.isEmpty { throw ValidationError("give at least one --image") }
        if topK < 1 { throw ValidationError("--top-k must be at least 1") }
    }

    struct ImagePrediction: Encodable {
        var file: String
        var prediction: String
        var logits: [Float]
        var probabilities: [String: Double]
        var top: [[String: Double]]
    }

    struct Report: Encodable {
        var model: String
        var classes: [String]
        var preprocessing: String
        var images: [ImagePrediction]
        var errors: [String: String]
    }

    func run() throws {
        runtime.apply()
        let model = try modelOptions.load()
        var decoded = [(String, Image)]()
        var errors = [String: String]()
        for path in image {
            do { decoded.append((path, try ImageIO.read(URL(fileURLWithPath: path)))) } catch {
                errors[path] = "\(error)"
                printError("error: \(error)")
            }
        }
        let logits = try model.logits(for: decoded.map(\.1))
        let classes = model.classNames, count = classes.count
        var predictions = [ImagePrediction]()
        for (index, (path, _)) in decoded.enumerated() {
            let row = Array(logits.scalars[(index * count)..<((index + 1) * count)])
            let probabilities = softmaxProbabilities(row)
            let order = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }
            predictions.append(ImagePrediction(
                file: path, prediction: classes[order[0]], logits: row,
                probabilities: Dictionary(uniqueKeysWithValues: zip(classes, probabilities)),
                top: order.prefix(topK).map { [classes[$0]: probabilities[$0]] }))
            if !json {
                let ranked = order.prefix(topK).map { String(format: "%@ %.4f", classes[$0], probabilities[$0]) }
                print("\(path)\t\(ranked.joined(separator: "\t"))")
            }
        }
        if json {
            print(try jsonString(Report(
                model: model.directory.path, classes: classes, preprocessing: model.preprocessing.summary,
                images: predictions, errors: errors)))
        }
        if !errors.isEmpty { throw ExitCode(1) }
    }
}
