import ArgumentParser
import Foundation
import VitRel
import VitRelCompare

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Measure explanation methods against each other on a dataset: tables, figures, HTML and a notebook.",
        discussion: """
            For every selected image the model's prediction is explained by each method (the \
            predicted class by default) and every metric is computed on that explanation. Each \
            result is appended to <out>/results.csv as soon as it exists (one row per image × \
            method × metric), so an interrupted run — even one killed with SIGKILL — loses no \
            finished row: run the same command again and it resumes. A rerun may add methods or \
            metrics; only the missing rows are computed. Other settings must match the earlier \
            run (see run.json), or pass --fresh.

            Metrics (--metrics; defaults marked *):
            \(MetricKind.allCases.map { "  \($0.rawValue.padding(toLength: 26, withPad: " ", startingAt: 0))\(Self.defaultMetrics.contains($0) ? "* " : "  ")\($0.summary)" }.joined(separator: "\n"))

            Metric settings follow Quantus 0.6.0 except where a flag below says otherwise. \
            Feature-wise metrics (faithfulness estimate, monotonicity correlation, pixel \
            flipping) move one ViT patch (3·p² features) per step. Region perturbation (AOPC) \
            perturbs --region-size squares (default: the patch size) most relevant first with \
            additive Gaussian noise of std 0.1, as the COVID-19 Radiography study did. Maps are \
            compared at the model's input size (token maps upsampled bilinearly). Localisation \
            metrics read the --mask of each image (resized and cropped as the image is); images \
            without one, or with an empty one (Normal images have no infection), get NaN with a \
            note, and summaries count them as skipped. They read positive relevance only \
            (--localisation positive, as Arras et al. 2022 define relevance mass and rank): \
            with a signed map the net sum can be near zero and the ratio meaningless.

            Files in --out:
              results.csv           one row per image × method × metric: labels, score,
                                    forward passes, metric seconds, note, curve
              summary.md, .json     mean and 95% bootstrap interval (1000 resamples), overall
                                    and per class, per metric and method
              figures/              boxplot-<metric>.png per class (Figure 5 of the COVID ViT
                                    paper), curve-<metric>.png (AOPC and pixel flipping
                                    against steps), grid-<image>.png (input | each method's
                                    map per class | LIME's top 3 and 8 superpixels); each
                                    also as .svg (vector charts, text as text, image tiles
                                    embedded as PNG)
              index.html            everything above with the exact command and versions
              report.ipynb          the same as a Jupyter notebook (figures embedded)
              run.json              the settings the rows depend on
            """)

    static let defaultMethods: [ExplanationMethod] = [.cheferLRP, .lime]
    static let defaultMetrics: [MetricKind] = [
        .faithfulnessEstimate, .regionPerturbation, .pixelFlipping, .relevanceMass, .relevanceRank, .pointingGame, .seconds,
    ]

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var resizeOptions: ResizeOptions
    @OptionGroup var precisionOptions: PrecisionOptions
    @Option(help: ArgumentHelp("Dataset root: COVID-QU-Ex layout, split folders (<dir>/{train,val,test}/<class>/*) or class folders.", valueName: "dir"))
    var data: String
    @OptionGroup var imageOptions: ImageReadingOptions
    @Option(help: "Split: train, val (validation) or test, in any case.") var split = "Test"
    @Option(help: "COVID-QU-Ex subset (which of its mask folders).") var subset = CovidQuExSubset.infection
    @Option(help: ArgumentHelp("Methods, comma-separated (see `vitrel explain --help`).", valueName: "m,m,..."))
    var methods = defaultMethods.map(\.rawValue).joined(separator: ",")
    @Option(help: ArgumentHelp("Metrics, comma-separated (list above).", valueName: "m,m,..."))
    var metrics = defaultMetrics.map(\.rawValue).joined(separator: ",")
    @Option(help: "Draw this many images per class at random (seeded).") var perClass: Int?
    @Option(help: "Draw this many images in total at random (seeded).") var limit: Int?
    @Flag(help: "Only images the model classifies correctly (drawn until the quota is met).") var onlyCorrect = false
    @Option(help: "Seed of the image draw.") var selectionSeed: UInt64 = 0
    @Option(help: "Class explained and measured: predicted or label (the true class).") var target = ExplainedClass.predicted
    @Option(help: ArgumentHelp(
        "Region of the localisation metrics: infection, lung, shortcut (the squares of `synth --shortcut`), border[:fraction] (the band along the edges, default 0.1 of each side), corners[:fraction] (default 0.2), centre[:fraction] (inside the border band) or folder:DIR (a mask per image).",
        valueName: "mask")) var mask = GroundTruthMask.infection.description
    @Option(help: "Localisation metrics read positive relevance only (positive, Arras et al. 2022) or the signed map as Quantus does (signed).")
    var localisation = LocalisationSign.positive
    @Option(help: "Region perturbation: side of the square regions in pixels (default: the model's patch size).")
    var regionSize: Int?
    @Option(help: "Region perturbation: morf (most relevant first), lerf or random.") var regionOrder = RegionPerturbation.Order.morf
    @Option(help: "Region perturbation: regions perturbed.") var regions = 100
    @Option(help: "Region perturbation: noise:SIGMA (additive Gaussian), black, mean, uniform, blur:SIGMA, constant:V.")
    var perturbation = "noise:0.1"
    @Option(help: "Seed of the metrics' random draws (noise, random orders, bootstrap).") var metricSeed: UInt64 = 42
    @Option(help: "Perturbed inputs per forward pass in the metrics.") var metricBatch = 32
    @Option(help: "Figure grids drawn per class (the first images of each class).") var grids = 2
    @Option(help: "Opacity of the maps in the grids, in [0, 1].") var alpha: Float = 0.5
    @Option(help: ArgumentHelp("Output folder (created when missing).", valueName: "dir"))
    var out = "Notebooks-export/compare"
    @Flag(help: "Discard an earlier run in --out instead of resuming it.") var fresh = false
    @Option(help: ArgumentHelp(
        "Run only shard K of N (1 ≤ K ≤ N) of the selected images, its rows kept in <out>/shards/ for a run of the same command without --shard to assemble (see 'vitrel shards').",
        valueName: "K/N"))
    var shard: Shard?
    @OptionGroup(title: "Method settings") var methodOptions: ExplanationMethodOptions
    @OptionGroup(title: "LIME settings") var limeOptions: LIMEOptions
    @OptionGroup var classMap: ClassMapOptions
    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        if DatasetSplit(folderName: split) == nil { throw ValidationError("--split must be train, val (validation) or test, got \(split)") }
        if perClass != nil && limit != nil { throw ValidationError("give --per-class or --limit, not both") }
        if let perClass, perClass < 1 { throw ValidationError("--per-class must be at least 1") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        do { _ = try GroundTruthMask(argument: mask) } catch { throw ValidationError("\(error)") }
        // Beyond the largest input a model may have, a region is the whole input; past it,
        // counting regions overflowed (found by vitrel-fuzz).
        if let regionSize, regionSize < 1 || regionSize > Preprocessing.maximumResizedSide {
            throw ValidationError("--region-size must lie in 1…\(Preprocessing.maximumResizedSide), got \(regionSize)")
        }
        if regions < 1 { throw ValidationError("--regions must be at least 1") }
        if metricBatch < 1 { throw ValidationError("--metric-batch must be at least 1") }
        if grids < 0 { throw ValidationError("--grids must be 0 or more") }
        if !(alpha >= 0 && alpha <= 1) { throw ValidationError("--alpha must be in [0, 1]") }
    }

    func run() throws {
        runtime.apply()
        let chosenMetrics = try Self.parseList(metrics, what: "metric") { try MetricKind(name: $0) }
        var model = try modelOptions.load()
        try precisionOptions.apply(to: &model)
        resizeOptions.apply(to: &model)
        let chosen = try PixelExplainers(methods: methods, model: model, methodOptions: methodOptions, limeOptions: limeOptions)
        let metricSettings = ComparisonMetricSettings(
            regionSize: regionSize, regionOrder: regionOrder, regions: regions,
            perturbation: try PerturbationBaseline(parsing: perturbation), localisationPositiveOnly: localisation == .positive,
            seed: metricSeed, batchSize: metricBatch)
        let request = ComparisonRequest(
            model: model, data: data, split: split, subset: subset, classAliases: try classMap.aliases(), classMap: classMap.classMap,
            imageOptions: try imageOptions.options(), methods: chosen.methods, explanationOptions: methodOptions.options, lime: chosen.lime, limeSeed: limeOptions.seed ?? 0,
            metrics: chosenMetrics, metricSettings: metricSettings,
            selection: ImageSelection(quota: quota, seed: selectionSeed), onlyCorrect: onlyCorrect, explainTrueClass: target == .label,
            mask: try GroundTruthMask(argument: mask), gridsPerClass: grids, alpha: alpha, output: URL(fileURLWithPath: out), fresh: fresh,
            command: Self.commandLine, shard: shard)
        let observer = TerminalRunObserver()
        let outcome = try ComparisonRun(request).run(observer: observer)
        let failures = outcome.failures
        if let shard = outcome.shard {
            printError(
                "shard \(shard): compared \(outcome.compared)\(failures.isEmpty ? "" : " of \(outcome.selected)") images"
                + " × \(chosen.methods.count) methods × \(chosenMetrics.count) metrics"
                + (failures.isEmpty ? "" : " (\(failures.count) could not be compared, listed above)")
                + (outcome.resumedRows > 0 ? " (\(outcome.resumedRows) rows resumed)" : "")
                + (outcome.adoptedRows > 0 ? " (\(outcome.adoptedRows) rows taken from results.csv)" : ""))
            printError("when every shard is complete (vitrel shards \(out)), run the same command without --shard to assemble the report")
            for file in outcome.writtenFiles { print(file) }
            try observer.problems.finish()
            return
        }
        printError(
            "compared \(outcome.compared)\(failures.isEmpty ? "" : " of \(outcome.selected) selected") images"
            + " × \(chosen.methods.count) methods × \(chosenMetrics.count) metrics"
            + (failures.isEmpty ? "" : " (\(failures.count) could not be compared, listed above and in summary.md)")
            + (outcome.resumedRows > 0 ? " (\(outcome.resumedRows) rows resumed from results.csv)" : "")
            + (outcome.adoptedRows > 0 ? " (\(outcome.adoptedRows) rows assembled from shards)" : ""))
        print(outcome.headline)
        for file in outcome.writtenFiles { print(file) }
        try observer.problems.finish()
    }

    private var quota: ImageSelection.Quota {
        if let perClass { return .perClass(perClass) }
        if let limit { return .total(limit) }
        return .all
    }

    static func parseList<T: Equatable>(_ text: String, what: String, parse: (String) throws -> T) throws -> [T] {
        var values = [T]()
        for part in text.split(separator: ",") {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { continue }
            // A name the list does not know is a usage error (exit 64), as a bad flag is.
            let value: T
            do { value = try parse(name) } catch { throw ValidationError("\(error)") }
            if !values.contains(value) { values.append(value) }
        }
        guard !values.isEmpty else { throw ValidationError("no \(what) given") }
        return values
    }

    /// The command as typed, with arguments quoted where the shell needs it.
    static var commandLine: String {
        (["vitrel"] + CommandLine.arguments.dropFirst()).map { argument in
            argument.contains(where: { " \"'()$&;|<>*?".contains($0) })
                ? "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'" : argument
        }.joined(separator: " ")
    }
}
