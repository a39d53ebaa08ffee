import ArgumentParser
import Foundation
import VitRel

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Classification report and calibration of a model on a dataset split.",
        discussion: """
            Precision, recall, F1 and support per class, accuracy, macro and weighted averages \
            (scikit-learn's classification_report), the confusion matrix (rows = true class) and \
            one-vs-rest AUROC per class. Dataset classes are matched to the model's class names; \
            an unknown class is an error. Images are read a batch at a time (--batch), so memory does \
            not grow with the split. An unreadable image is reported in one line and left out; \
            the report covers the others and the exit status is then 1.

            Then the calibration of the softmax probabilities (Guo et al. 2017): top-label ECE \
            and MCE over equal-width confidence bins (m/M, (m+1)/M], the negative log-likelihood \
            and the Brier score; --reliability-diagram draws the bins. --fit-temperature fits the \
            temperature T of least NLL on the evaluated split and reports before and after; a T \
            fitted there flatters that split, so fit on the validation split and apply it to the \
            test split with --temperature.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var resizeOptions: ResizeOptions
    @OptionGroup var precisionOptions: PrecisionOptions
    @OptionGroup var imageOptions: ImageReadingOptions
    @Option(help: ArgumentHelp("Dataset root: COVID-QU-Ex layout, split folders (<dir>/{train,val,test}/<class>/*) or class folders.", valueName: "dir"))
    var data: String
    @Option(help: "Split: train, val (validation) or test, in any case.") var split = "Test"
    @Option(help: "COVID-QU-Ex subset (which of its mask folders).") var subset = CovidQuExSubset.infection
    @Option(help: "Evaluate at most this many images (in dataset order).") var limit: Int?
    @Option(help: "Images per forward pass.") var batch = 32
    @Option(help: ArgumentHelp("Equal-width confidence bins of the ECE, MCE and reliability diagram.", valueName: "M"))
    var calibrationBins = CalibrationReport.defaultBinCount
    @Option(help: ArgumentHelp(
        "Divide the logits by this temperature before everything (one fitted on another split).", valueName: "T"))
    var temperature: Double?
    @Flag(help: "Fit the temperature of least NLL on this split and report NLL, ECE, MCE and Brier before and after.")
    var fitTemperature = false
    @Option(help: ArgumentHelp("Write the reliability diagram (PNG) of the reported probabilities.", valueName: "file.png"))
    var reliabilityDiagram: String?
    @Option(help: ArgumentHelp("With --fit-temperature: write the reliability diagram after scaling (PNG).", valueName: "file.png"))
    var reliabilityDiagramScaled: String?
    @Flag(help: "Print the report as JSON.") var json = false
    @OptionGroup var classMap: ClassMapOptions
    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
        if DatasetSplit(folderName: split) == nil { throw ValidationError("--split must be train, val (validation) or test, got \(split)") }
        if calibrationBins < 1 || calibrationBins > CalibrationReport.maximumBinCount {
            throw ValidationError("--calibration-bins must lie in 1…\(CalibrationReport.maximumBinCount), got \(calibrationBins)")
        }
        if let temperature, !(temperature > 0 && temperature.isFinite) {
            throw ValidationError("--temperature must be a positive finite number, not \(temperature)")
        }
        if temperature != nil && fitTemperature {
            throw ValidationError("--temperature and --fit-temperature exclude each other: fit on one split, apply to another")
        }
        if reliabilityDiagramScaled != nil && !fitTemperature {
            throw ValidationError("--reliability-diagram-scaled needs --fit-temperature")
        }
    }

    func run() throws {
        runtime.apply()
        var model = try modelOptions.load()
        try precisionOptions.apply(to: &model)
        resizeOptions.apply(to: &model)
        let index = try DatasetIndex.open(URL(fileURLWithPath: data), subset: subset)
            .mapped(toModelClasses: model.classNames, aliases: classMap.aliases())
        var items = index.items(in: DatasetSplit(folderName: split)!)
        guard !items.isEmpty else { throw CLIError("\(data): split \(split) has no images; the dataset has \(index.splitSummary)") }
        if let limit {
            if limit > items.count { reportWarning("--limit \(limit): the \(split) split has \(items.count) images; evaluating all \(items.count)") }
            items = Array(items.prefix(limit))
        }
        // Streamed a batch at a time: peak memory does not grow with the split.
        let problems = InputProblems()
        let bar = ProgressBar(label: "evaluate", total: items.count)
        let evaluation: SplitEvaluation
        do {
            evaluation = try SplitEvaluation(
                items: items, model: model, options: try imageOptions.options(), batchSize: batch, temperature: temperature ?? 1,
                binCount: calibrationBins, fitTemperature: fitTemperature,
                failed: { i, error in
                    bar.clear()
                    problems.report(items[i].imageURL.path, "\(error)")
                },
                progress: { done, _ in bar.update(done) })
        } catch EvaluationError.nothingReadable {
            bar.clear()
            throw CLIError("\(data): none of the \(items.count) images of split \(split) could be read")
        }
        bar.finish(extra: "done")
        let report = evaluation.report
        if json {
            print(String(data: try report.jsonData(), encoding: .utf8)!)
        } else {
            let unread = problems.isEmpty ? "" : " (\(problems.count) of \(items.count) could not be read)"
            print("model \(model.directory.path)\ndata \(data) split \(split): \(evaluation.evaluatedCount) images\(unread)\n")
            print(report.text(digits: 4), terminator: "")
            if let fit = report.temperatureScaling {
                print("T was fitted on this split, so \"after\" flatters it: fit on Val and apply to Test with --temperature \(fit.temperature)")
            }
        }
        if let reliabilityDiagram {
            let title = "\(split) split" + (temperature.map { ", T = \(String(format: "%.4g", $0))" } ?? "")
            try writeDiagram(report.calibration, title: title, to: reliabilityDiagram)
        }
        if let reliabilityDiagramScaled, let fit = report.temperatureScaling {
            try writeDiagram(fit.after, title: "\(split) split, fitted T = \(String(format: "%.4g", fit.temperature))", to: reliabilityDiagramScaled)
        }
        try problems.finish()
    }

    private func writeDiagram(_ calibration: CalibrationReport, title: String, to path: String) throws {
        // The PNG asked for, and the same marks as SVG beside it (text that stays text in a paper).
        let drawing = ReliabilityDiagram(report: calibration, title: title).drawing()
        let url = URL(fileURLWithPath: path), svgURL = url.deletingPathExtension().appendingPathExtension("svg")
        try ImageIO.writePNG(drawing.render(), to: url)
        try drawing.svg().write(to: svgURL)
        printError("wrote \(path) and \(svgURL.path)")
    }
}
