import ArgumentParser
import Foundation
import VitRel
import VitRelCompare

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Class probabilities for chest X-ray images.",
        discussion: """
            Each image is decoded (PNG or JPEG, 8/16-bit, gray or colour; DICOM as displayed: \
            modality LUT, VOI LUT or window, or --window), preprocessed as the \
            model's config says (resize, centre crop, normalise; gray replicated to 3 channels) \
            and classified. Unreadable images are reported on standard error; the others are \
            still classified, and the exit status is non-zero.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var resizeOptions: ResizeOptions
    @OptionGroup var precisionOptions: PrecisionOptions
    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp("Images to classify.", valueName: "file"))
    var image: [String]
    @Option(help: "How many classes to list per image.")
    var topK = 3
    @Option(help: "Images per forward pass (they are read a batch at a time).")
    var batch = 16
    @OptionGroup var imageOptions: ImageReadingOptions
    @Flag(help: "Print JSON: logits, probabilities and the preprocessing used.")
    var json = false
    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        if image.isEmpty { throw ValidationError("give at least one --image") }
        if topK < 1 { throw ValidationError("--top-k must be at least 1") }
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
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
        var model = try modelOptions.load()
        try precisionOptions.apply(to: &model)
        resizeOptions.apply(to: &model)
        var errors = [String: String]()
        let problems = InputProblems()
        // Streamed a batch at a time: peak memory does not grow with the number of images.
        let urls = image.map { URL(fileURLWithPath: $0) }
        let rows = try model.logits(reading: urls, options: try imageOptions.options(), batchSize: batch) { i, error in
            errors[image[i]] = "\(error)"
            problems.report(image[i], "\(error)")
        }
        let classes = model.classNames
        var predictions = [ImagePrediction]()
        for result in rows {
            let path = image[result.index], row = result.logits
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
        try problems.finish()
    }
}
