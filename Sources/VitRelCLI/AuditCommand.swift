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
        let (height, width) = (model.config.imageHeight, model.config.imageWidth)
        // A band of round(border · side) pixels on both sides can cover a small input whole:
        // nothing would be left to crop to.
        guard GroundTruthMask.centre(fraction: border).region(height: height, width: width)!.contains(true) else {
            throw ValidationError("--border \(border) leaves no centre on the model's \(height)×\(width) input; choose a smaller band")
        }
        let explaining = try PixelExplainers(methods: methods, model: model, methodOptions: methodOptions, limeOptions: limeOptions)
        let chosenMethods = explaining.methods, explainers = explaining.explainers
        let index = try DatasetIndex.open(URL(fileURLWithPath: data), subset: subset)
            .mapped(toModelClasses: model.classNames, aliases: classMap.aliases())
        let chosenSplit = DatasetSplit(folderName: split)!
        // The pictures are kept: the interventions change them and LIME perturbs them.
        let prepared = PreparedSplit.prepare(
            index, split: chosenSplit, preprocessing: model.preprocessing, options: try imageOptions.options(), keepingPictures: true)
        let pictures = prepared.pictures!
        let problems = InputProblems()
        for skipped in prepared.skipped { problems.report(skipped) }
        guard prepared.count > 0 else { throw CLIError("\(data): no readable images in split \(split); the dataset has \(index.splitSummary)") }
        let outURL = URL(fileURLWithPath: out)
        let figures = outURL.appendingPathComponent("figures")
        do { try FileManager.default.createDirectory(at: figures, withIntermediateDirectories: true) } catch {
            throw CLIError("cannot create \(figures.path): \((error as NSError).localizedDescription)")
        }

        let lock: OutputFolderLock
        do { lock = try OutputFolderLock(folder: outURL) } catch { throw CLIError("\(error)") }
        defer { withExtendedLifetime(lock) {} }

        let audit = ShortcutAudit(model: model, borderFraction: border, cornerFraction: corners, batchSize: batch)
        printError("interventions on \(prepared.count) \(split) images: \(audit.interventions.map(\.description).joined(separator: ", "))")
        let outcomes = try InterventionRun.outcomes(
            model: model, pictures: pictures, labels: prepared.labels, interventions: audit.interventions, batchSize: batch)

        let selection = ImageSelection(quota: .perClass(perClass), seed: selectionSeed)
        let chosen = perClass == 0 ? [] : try selection.select(prepared.items, classCount: model.classNames.count) { $0.map { _ in true } }
        let position = Dictionary(uniqueKeysWithValues: prepared.items.enumerated().map { ($1.imageURL, $0) })
        let bar = ProgressBar(label: "explain", total: chosen.count)
        var films = [ShortcutAudit.ExplainedFilm]()
        for (n, item) in chosen.enumerated() {
            bar.update(n, extra: item.imageURL.lastPathComponent)
            let row = position[item.imageURL]!
            films.append(try audit.explain(
                image: index.relativePath(of: item.imageURL), film: PreparedImage(pixels: pictures[row].rgb(), input: prepared.inputs.slice(row)),
                label: item.classIndex, explainers: explainers))
        }
        bar.finish(chosen.count, extra: "explained")

        let report = ShortcutAuditReport(
            audit: audit, classNames: model.classNames, methods: chosenMethods.map(\.rawValue), outcomes: outcomes, films: films,
            command: CompareCommand.commandLine, model: model.directory.path, data: data, split: split)
        try writeTextFile(report.markdown(), to: outURL.appendingPathComponent("audit.md"))
        try writeTextFile(report.interventionsCSV(), to: outURL.appendingPathComponent("interventions.csv"))
        try writeTextFile(report.filmsCSV(), to: outURL.appendingPathComponent("films.csv"))
        try writeJSON(report, to: outURL.appendingPathComponent("audit.json"))
        for (name, drawing) in report.figures(examples: Self.examples(prepared, classCount: model.classNames.count)) {
            do {
                try ImageIO.writePNG(drawing.render(), to: figures.appendingPathComponent(name + ".png"))
                try drawing.svg().write(to: figures.appendingPathComponent(name + ".svg"))
            } catch { throw CLIError("\(error)") }
        }
        print(report.headline())
        print(outURL.appendingPathComponent("audit.md").path)
        try problems.finish()
    }

    /// The first film of each class, for the intervention figure.
    static func examples(_ prepared: PreparedSplit, classCount: Int) -> [(label: Int, picture: Image)] {
        (0..<classCount).compactMap { label in
            prepared.labels.firstIndex(of: label).map { (label, prepared.pictures![$0]) }
        }
    }
}
