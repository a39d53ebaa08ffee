import ArgumentParser
import Foundation
import VitRel

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Classification report of a model on a dataset split.",
        discussion: """
            Precision, recall, F1 and support per class, accuracy, macro and weighted averages \
            (scikit-learn's classification_report), the confusion matrix (rows = true class) and \
            one-vs-rest AUROC per class. Dataset classes are matched to the model's class names; \
            an unknown class is an error. Unreadable images are reported and skipped.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: ArgumentHelp("Dataset root (COVID-QU-Ex layout or class folders).", valueName: "dir"))
    var data: String
    @Option(help: "Split: Train, Val or Test.") var split = "Test"
    @Option(help: "COVID-QU-Ex subset: infection, lung or both.") var subset = "infection"
    @Option(help: "Evaluate at most this many images (in dataset order).") var limit: Int?
    @Option(help: "Images per forward pass.") var batch = 32
    @Flag(help: "Print the report as JSON.") var json = false
    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
        if DatasetSplit(folderName: split) == nil { throw ValidationError("--split must be Train, Val or Test") }
        if CovidQuExSubset(rawValue: subset) == nil {
            throw ValidationError("--subset must be one of \(CovidQuExSubset.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        runtime.apply()
        let model = try modelOptions.load()
        let index = try DatasetIndex.open(URL(fileURLWithPath: data), subset: CovidQuExSubset(rawValue: subset)!)
            .mapped(toModelClasses: model.classNames)
        let prepared = PreparedSplit.prepare(
            index, split: DatasetSplit(folderName: split)!, preprocessing: model.preprocessing, limit: limit)
        for skipped in prepared.skipped { printError("skipped \(skipped)") }
        guard prepared.count > 0 else { throw CLIError("\(data): no readable images in split \(split)") }
        let bar = ProgressBar(label: "evaluate", total: prepared.count)
        let predictions = try ModelPredictions(
            model: model.network, source: try prepared.dataSource(), batchSize: batch,
            progress: { done, _ in bar.update(done) })
        bar.finish(extra: "done")
        let report = try predictions.classificationReport(classNames: model.classNames)
        if json {
            print(String(data: try report.jsonData(), encoding: .utf8)!)
        } else {
            print("model \(model.directory.path)\ndata \(data) split \(split): \(prepared.count) images\n")
            print(report.text(digits: 4))
        }
        if !prepared.skipped.isEmpty {
            printError("skipped \(prepared.skipped.count) unreadable image(s)")
        }
    }
}
