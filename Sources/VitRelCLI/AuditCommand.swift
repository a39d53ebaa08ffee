import ArgumentParser
import Foundation
import VitRel
import VitRelCompare

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Shortcut audit: does the model read the film's edges, text and markers instead of the lungs?",
        discussion: """
            Composite COVID-19 data mixes sources, and classifiers trained on it learn the \
            sources' text markers, borders and patient age instead of the disease (DeGrave, \
            Janizek and Lee, Nat. Mach. Intell. 2021). The audit gathers two kinds of evidence:

            Interventions, on every image of the split: accuracy, per-class recall and mean class \
            probabilities when the border band (--border of each side) is blanked to black, when \
            the film is cropped to the rectangle inside that band and enlarged back, and when \
            burned-in text (near-white small components near the edges) is painted over.

            Explanations, on --per-class films drawn with --selection-seed: for each method, the \
            share of positive relevance in the border band, in the corners (--corners of each \
            side) and in the centre, against the regions' share of the area; and Spearman's ρ \
            between a film's border share and the probability its prediction loses when the \
            border is blanked (which explanation predicts the intervention's effect).

            Files in --out: audit.md (the reading), audit.json, interventions.csv, films.csv \
            (per film × method), figures/ as PNG and SVG (border and corner shares per class and \
            method, example interventions with the detected text outlined).
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var resizeOptions: ResizeOptions
    @OptionGroup var precisionOptions: PrecisionOptions
    @OptionGroup var imageOptions: ImageReadingOptions
    @Option(help: ArgumentHelp("Dataset root (split folders, COVID-QU-Ex or class folders).", valueName: "dir"))
    var data: String
    @Option(help: "Split: train, val (validation) or test.") var split = "Test"
    @Option(help: "COVID-QU-Ex subset (which of its mask folders).") var subset = CovidQuExSubset.infection
    @Option(help: ArgumentHelp("Explanation methods, comma-separated.", valueName: "m,m,..."))
    var methods = "chefer-lrp,attnlrp,attention-rollout,integrated-gradients,lime"
    @Option(help: "Films explained per class (drawn with --selection-seed).") var perClass = 30
    @Option(help: "Seed of the draw of explained films.") var selectionSeed: UInt64 = 0
    @Option(help: "Depth of the border band, as a fraction of each side.") var border = GroundTruthMask.defaultBorderFraction
    @Option(help: "Side of the corner rectangles, as a fraction of each side.") var corners = GroundTruthMask.defaultCornerFraction
    @Option(help: "Images per forward pass.") var batch = 32
    @Option(help: ArgumentHelp("Output folder.", valueName: "dir")) var out: String
    @OptionGroup var methodOptions: ExplanationMethodOptions
    @OptionGroup var limeOptions: LIMEOptions
    @OptionGroup var classMap: ClassMapOptions
    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        if DatasetSplit(folderName: split) == nil { throw ValidationError("--split must be train, val or test, got \(split)") }
        if !(border > 0 && border < 0.5) { throw ValidationError("--border must lie in (0, 0.5), got \(border)") }
        if !(corners > 0 && corners < 0.5) { throw ValidationError("--corners must lie in (0, 0.5), got \(corners)") }
        if perClass < 0 { throw ValidationError("--per-class must be 0 or more") }
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
    }

    func run() throws {
        runtime.apply()
        var model = try modelOptions.load()
        try precisionOptions.apply(to: &model)
        resizeOptions.apply(to: &model)
        let explaining = try PixelExplainers(methods: methods, model: model, methodOptions: methodOptions, limeOptions: limeOptions)
        var request = AuditRequest(
            model: model, data: URL(fileURLWithPath: data), dataName: data, split: DatasetSplit(folderName: split)!, splitName: split,
            explainers: explaining.explainers, perClass: perClass, output: URL(fileURLWithPath: out), command: CompareCommand.commandLine)
        request.subset = subset
        request.classAliases = try classMap.aliases()
        request.imageOptions = try imageOptions.options()
        request.selectionSeed = selectionSeed
        request.borderFraction = border
        request.cornerFraction = corners
        request.batchSize = batch
        let observer = TerminalRunObserver()
        let run: AuditRun
        do { run = try AuditRun(request, observer: observer) } catch let error as AuditError {
            if case .noCentre = error { throw ValidationError("\(error)") }
            throw CLIError("\(error)")
        }
        printError("interventions on \(run.prepared.count) \(split) images: \(run.audit.interventions.map(\.description).joined(separator: ", "))")
        let report = try run.run(observer: observer)
        print(report.headline())
        print(URL(fileURLWithPath: out).appendingPathComponent("audit.md").path)
        try observer.problems.finish()
    }
}
