import ArgumentParser
import Foundation
import VitRel

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
    @Option(help: "Class explained and measured: predicted or label (the true class).") var target = "predicted"
    @Option(help: ArgumentHelp(
        "Region of the localisation metrics: infection, lung, shortcut (the squares of `synth --shortcut`), border[:fraction] (the band along the edges, default 0.1 of each side), corners[:fraction] (default 0.2), centre[:fraction] (inside the border band) or folder:DIR (a mask per image).",
        valueName: "mask")) var mask = GroundTruthMask.infection.description
    @Option(help: "Localisation metrics read positive relevance only (positive, Arras et al. 2022) or the signed map as Quantus does (signed).")
    var localisation = "positive"
    @Option(help: "Region perturbation: side of the square regions in pixels (default: the model's patch size).")
    var regionSize: Int?
    @Option(help: "Region perturbation: morf (most relevant first), lerf or random.") var regionOrder = "morf"
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
    @OptionGroup(title: "Method settings") var methodOptions: ExplanationMethodOptions
    @OptionGroup(title: "LIME settings") var limeOptions: LIMEOptions
    @OptionGroup var classMap: ClassMapOptions
    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        if DatasetSplit(folderName: split) == nil { throw ValidationError("--split must be train, val (validation) or test, got \(split)") }
        if perClass != nil && limit != nil { throw ValidationError("give --per-class or --limit, not both") }
        if let perClass, perClass < 1 { throw ValidationError("--per-class must be at least 1") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if target != "predicted" && target != "label" { throw ValidationError("--target must be predicted or label, got \(target)") }
        do { _ = try GroundTruthMask(argument: mask) } catch { throw ValidationError("\(error)") }
        if localisation != "positive" && localisation != "signed" { throw ValidationError("--localisation must be positive or signed, got \(localisation)") }
        if RegionPerturbation.Order(rawValue: regionOrder) == nil { throw ValidationError("--region-order must be morf, lerf or random") }
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
        let chosenMethods = chosen.methods, lime = chosen.lime
        let suite = try metricSuite(for: model)

        let dataURL = URL(fileURLWithPath: data)
        let index = try DatasetIndex.open(dataURL, subset: subset).mapped(toModelClasses: model.classNames, aliases: classMap.aliases())
        let candidates = index.items(in: DatasetSplit(folderName: split)!)
        guard !candidates.isEmpty else { throw CLIError("\(data): split \(split) has no images; the dataset has \(index.splitSummary)") }

        let outURL = URL(fileURLWithPath: out)
        let runner = try ComparisonRunner(
            model: model, index: index, methods: chosenMethods, metrics: chosenMetrics, suite: suite,
            explainers: chosen.explainers,
            explainTrueClass: target == "label", mask: try GroundTruthMask(argument: mask), metricBatch: metricBatch,
            randomisationSeed: metricSeed)

        let settings = ComparisonSettings(
            model: model.directory.standardizedFileURL.lastPathComponent,
            modelChecksum: try ComparisonSettings.checksum(of: model.directory.appendingPathComponent("model.safetensors")),
            data: dataURL.standardizedFileURL.path, split: split, subset: subset.rawValue, selection: selectionDescription,
            onlyCorrect: onlyCorrect, target: target, mask: try GroundTruthMask(argument: mask).description, classMap: classMap.classMap,
            precision: precisionOptions.precision == .fp32 ? nil : precisionOptions.precision.rawValue,
            resize: resizeOptions.resize.rawValue,
            methodSettings: Dictionary(uniqueKeysWithValues: chosenMethods.map { ($0.rawValue, describe($0, lime: lime)) }),
            metricSettings: Dictionary(uniqueKeysWithValues: chosenMetrics.map { ($0.rawValue, Self.describe(suite, $0)) }))
        // Claimed before anything in the folder is read or removed (--fresh), and held until the
        // process ends: a second run into this folder stops here with one line.
        do { try FileManager.default.createDirectory(at: outURL, withIntermediateDirectories: true) } catch {
            throw CLIError("cannot create the output folder \(outURL.path): \((error as NSError).localizedDescription)")
        }
        let lock: OutputFolderLock
        do { lock = try OutputFolderLock(folder: outURL) } catch { throw CLIError("\(error)") }
        defer { withExtendedLifetime(lock) {} }
        let settingsToKeep = try prepareOutput(outURL, settings: settings)

        // The images: drawn, and (with --only-correct) kept only when predicted correctly.
        let problems = InputProblems()
        let selection = ImageSelection(quota: quota, seed: selectionSeed)
        let selected = try selection.select(candidates, classCount: model.classNames.count) { batch in
            batch.map { item in
                guard onlyCorrect else { return true }
                do { return try runner.prediction(for: item).predicted == item.classIndex } catch {
                    problems.report(item.imageURL.path, "\(error)")
                    return false
                }
            }
        }
        guard !selected.isEmpty else {
            throw ComparisonError.noImages(onlyCorrect ? "the model classifies none of the \(candidates.count) \(split) images correctly" : "the split is empty")
        }
        if let shortfall = Self.shortfall(
            quota, selected: selected, candidates: candidates, classNames: model.classNames, split: split, onlyCorrect: onlyCorrect) {
            reportWarning(shortfall)
        }
        let record = ComparisonRunRecord(
            settings: settingsToKeep, command: Self.commandLine, version: VitRel.version,
            blas: VitRel.blasConfiguration, kernels: VitRel.kernelInstructionSet, threads: Parallel.threadCount,
            methods: chosenMethods.map(\.rawValue), metrics: chosenMetrics.map(\.rawValue), images: selected.count)
        try writeJSON(record, to: outURL.appendingPathComponent("run.json"))

        let results = try ResultsFile(url: outURL.appendingPathComponent("results.csv"))
        let resumed = results.records.count
        let failures = try runner.measure(selected, into: results, problems: problems)
        try results.synchronize()
        // Grids of images that could be compared only: a failed image would fail again, and be reported twice.
        let failed = Set(failures.map(\.image))
        let gridImages = Self.gridImages(
            selected.filter { !failed.contains(runner.key(for: $0)) }, perClass: grids, classCount: model.classNames.count)
        let gridFiles = try runner.drawGrids(gridImages, alpha: alpha, folder: outURL.appendingPathComponent("figures"))

        let report = ComparisonReport(
            records: results.records.filter { record in
                chosenMethods.contains { $0.rawValue == record.method } && chosenMetrics.contains { $0.rawValue == record.metric }
                    && selected.contains { runner.key(for: $0) == record.image }
            },
            methods: chosenMethods.map(\.rawValue), metrics: chosenMetrics.map(\.rawValue), classes: model.classNames,
            run: record, metricSettings: settingsToKeep.metricSettings, gridFiles: gridFiles, failures: failures,
            bootstrapSeed: metricSeed)
        let written = try report.write(to: outURL)
        let compared = selected.count - failures.count
        printError(
            "compared \(compared)\(failures.isEmpty ? "" : " of \(selected.count) selected") images"
            + " × \(chosenMethods.count) methods × \(chosenMetrics.count) metrics"
            + (failures.isEmpty ? "" : " (\(failures.count) could not be compared, listed above and in summary.md)")
            + (resumed > 0 ? " (\(resumed) rows resumed from results.csv)" : ""))
        print(report.headline())
        for file in written { print(file) }
        try problems.finish()
    }

    /// Why the selection is smaller than the quota asked (nil when it is not): a split with
    /// fewer images, or fewer the model classifies correctly (`--only-correct`).
    static func shortfall(
        _ quota: ImageSelection.Quota, selected: [LabelledImage], candidates: [LabelledImage], classNames: [String],
        split: String, onlyCorrect: Bool
    ) -> String? {
        let qualifier = onlyCorrect ? " that the model classifies correctly" : ""
        switch quota {
        case .all:
            return nil
        case .total(let count):
            guard selected.count < count else { return nil }
            return "--limit \(count): the \(split) split has \(candidates.count) images"
                + (onlyCorrect ? ", \(selected.count) of them classified correctly (and readable)" : "")
                + "; comparing \(selected.count)"
        case .perClass(let count):
            let got = ImageSelection.classCounts(selected, classCount: classNames.count)
            guard got.contains(where: { $0 < count }) else { return nil }
            let perClass = zip(classNames, got).map { "\($0) \($1)" }.joined(separator: ", ")
            return "--per-class \(count): the \(split) split has fewer\(qualifier) in some classes; images per class: \(perClass)"
        }
    }

    private var quota: ImageSelection.Quota {
        if let perClass { return .perClass(perClass) }
        if let limit { return .total(limit) }
        return .all
    }

    private var selectionDescription: String {
        switch quota {
        case .all: return "all"
        case .perClass(let n): return "\(n) per class, seed \(selectionSeed)"
        case .total(let n): return "\(n) in total, seed \(selectionSeed)"
        }
    }

    private func describe(_ method: ExplanationMethod, lime: LIMEExplainer?) -> String {
        if method == .lime, let lime {
            return "\(SuperpixelOptions.describe(lime.segmenter)), \(lime.sampleCount) samples, seed \(limeOptions.seed ?? 0)"
        }
        let settings = ExplanationMethodOptions.settings(of: method, methodOptions.options)
        return settings.isEmpty ? "defaults" : settings.keys.sorted().map { "\($0) \(settings[$0]!)" }.joined(separator: ", ")
    }

    /// The metric configuration: Quantus defaults, one ViT patch per step for the
    /// feature-wise metrics, and the region perturbation asked for.
    private func metricSuite(for model: ClassifierModel) throws -> MetricSuite {
        var suite = MetricSuite.vit(patchSize: model.config.patchSize, channels: 3)
        suite.regionPerturbation = RegionPerturbation(
            patchSize: regionSize ?? model.config.patchSize, order: RegionPerturbation.Order(rawValue: regionOrder)!,
            regions: regions, baseline: try PerturbationBaseline(parsing: perturbation), seed: metricSeed)
        let localisationPreprocessing = AttributionPreprocessing(normalise: true, absolute: false, positiveOnly: localisation == "positive")
        suite.relevanceMass.preprocessing = localisationPreprocessing
        suite.relevanceRank.preprocessing = localisationPreprocessing
        suite.pointingGame.preprocessing = localisationPreprocessing
        suite.faithfulnessEstimate.seed = metricSeed
        suite.faithfulnessCorrelation.seed = metricSeed
        suite.monotonicityCorrelation.seed = metricSeed
        suite.pixelFlipping.seed = metricSeed
        suite.selectivity.seed = metricSeed
        suite.road.seed = metricSeed
        suite.maxSensitivity.seed = metricSeed
        suite.insertion.seed = metricSeed
        suite.deletion.seed = metricSeed
        return suite
    }

    /// One metric's configuration, as run.json records it.
    static func describe(_ suite: MetricSuite, _ kind: MetricKind) -> String {
        if let metric = suite.perturbationMetric(kind) { return "\(metric)" }
        switch kind {
        case .relevanceMass: return "\(suite.relevanceMass)"
        case .relevanceRank: return "\(suite.relevanceRank)"
        case .pointingGame: return "\(suite.pointingGame)"
        case .randomisation: return "\(suite.randomisation)"
        case .maxSensitivity: return "\(suite.maxSensitivity)"
        case .conservationGap: return "\(suite.conservationGap)"
        case .seconds: return "\(suite.seconds)"
        default: preconditionFailure("\(kind.rawValue) is a perturbation metric")
        }
    }

    /// Creates the folder; with an earlier run there, checks its settings (or, with --fresh,
    /// removes what it wrote). Returns the settings to record.
    private func prepareOutput(_ url: URL, settings: ComparisonSettings) throws -> ComparisonSettings {
        let manager = FileManager.default
        do { try manager.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw CLIError("cannot create the output folder \(url.path): \((error as NSError).localizedDescription)")
        }
        let runFile = url.appendingPathComponent("run.json")
        if fresh {
            for name in ["results.csv", "run.json", "summary.md", "summary.json", "index.html", "report.ipynb", "figures"] {
                let item = url.appendingPathComponent(name)
                if manager.fileExists(atPath: item.path) { try? manager.removeItem(at: item) }
            }
            return settings
        }
        guard manager.fileExists(atPath: runFile.path) else {
            if manager.fileExists(atPath: url.appendingPathComponent("results.csv").path) {
                throw CLIError("\(url.path) has a results.csv but no run.json, so its settings are unknown; rerun with --fresh")
            }
            return settings
        }
        let previous: ComparisonRunRecord
        do {
            previous = try JSONDecoder().decode(ComparisonRunRecord.self, from: Data(contentsOf: runFile))
        } catch {
            throw CLIError("\(runFile.path): not a vitrel run record (\((error as NSError).localizedDescription)); rerun with --fresh")
        }
        let differences = settings.differences(from: previous.settings)
        guard differences.isEmpty else { throw ComparisonError.settingsMismatch(path: url.path, differences: differences) }
        return settings.merged(with: previous.settings)
    }

    /// The first `perClass` selected images of each class, for the figure grids.
    static func gridImages(_ selected: [LabelledImage], perClass: Int, classCount: Int) -> [LabelledImage] {
        (0..<classCount).flatMap { c in selected.filter { $0.classIndex == c }.prefix(perClass) }
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

/// Writes JSON (sorted keys, NaN as "nan") to a file, with a one-line error naming it.
func writeJSON<T: Encodable>(_ value: T, to url: URL) throws {
    let text: String
    do { text = try jsonString(value, nonFiniteAsStrings: true) } catch {
        throw CLIError("cannot write \(url.path): \((error as NSError).localizedDescription)")
    }
    try writeTextFile(text + "\n", to: url)
}
