import Foundation
import VitRel

/// Everything a comparison depends on: the model, the data and which of its images, the
/// methods and metrics with their settings, and where the results go. `vitrel compare` builds
/// one from its flags; `ComparisonRun` carries it out.
public struct ComparisonRequest {
    /// The classifier, its `--precision` already applied (run.json records it).
    public var model: ClassifierModel
    /// The dataset root as given: messages quote it as the user typed it.
    public var data: String
    /// The split's folder name as given ("Test", "val", any case).
    public var split: String
    public var subset: CovidQuExSubset
    /// How the images are decoded (`--window` for DICOM); run.json records it.
    public var imageOptions: ImageReadOptions
    /// Data class name → model class name, for names that differ beyond case and punctuation.
    public var classAliases: [String: String]
    /// The class map as the user gave it, for run.json (nil for none): it decides the labels.
    public var classMap: String?

    public var methods: [ExplanationMethod]
    /// The model-internal methods' settings.
    public var explanationOptions: ExplanationOptions
    /// LIME's settings, required when `methods` lists LIME.
    public var lime: LIMEExplainer?
    public var limeSeed: UInt64
    public var metrics: [MetricKind]
    public var metricSettings: ComparisonMetricSettings

    /// The draw of images (quota and seed).
    public var selection: ImageSelection
    /// Only images the model classifies correctly count towards the quota.
    public var onlyCorrect: Bool
    /// Explain and measure the true class instead of the predicted one.
    public var explainTrueClass: Bool
    /// The region the localisation metrics read.
    public var mask: GroundTruthMask

    /// Figure grids drawn per class (the first selected images of each class).
    public var gridsPerClass: Int
    /// Opacity of the maps in the grids, in [0, 1].
    public var alpha: Float
    /// The output folder (created when missing).
    public var output: URL
    /// Discard an earlier run in `output` instead of resuming it.
    public var fresh: Bool
    /// The command as typed, for run.json and the reports.
    public var command: String
    /// Only this shard of the selection, its rows kept in `output/shards/` until a whole run
    /// (nil) assembles them (see `ShardFolder`).
    public var shard: Shard?

    public init(
        model: ClassifierModel, data: String, split: String, subset: CovidQuExSubset = .infection,
        classAliases: [String: String] = [:], classMap: String? = nil, imageOptions: ImageReadOptions = .fileDefaults,
        methods: [ExplanationMethod], explanationOptions: ExplanationOptions = ExplanationOptions(), lime: LIMEExplainer? = nil,
        limeSeed: UInt64 = 0, metrics: [MetricKind], metricSettings: ComparisonMetricSettings,
        selection: ImageSelection = ImageSelection(), onlyCorrect: Bool = false, explainTrueClass: Bool = false,
        mask: GroundTruthMask = .infection, gridsPerClass: Int = 2, alpha: Float = 0.5, output: URL, fresh: Bool = false,
        command: String, shard: Shard? = nil
    ) {
        precondition(!methods.contains(.lime) || lime != nil, "comparing LIME needs a LIMEExplainer")
        self.model = model
        self.data = data
        self.split = split
        self.subset = subset
        self.imageOptions = imageOptions
        self.classAliases = classAliases
        self.classMap = classMap
        self.methods = methods
        self.explanationOptions = explanationOptions
        self.lime = lime
        self.limeSeed = limeSeed
        self.metrics = metrics
        self.metricSettings = metricSettings
        self.selection = selection
        self.onlyCorrect = onlyCorrect
        self.explainTrueClass = explainTrueClass
        self.mask = mask
        self.gridsPerClass = gridsPerClass
        self.alpha = alpha
        self.output = output
        self.fresh = fresh
        self.command = command
        self.shard = shard
    }

    /// One explainer per method, in list order.
    var explainers: [PixelExplainer] {
        methods.map { PixelExplainer(method: $0, options: explanationOptions, lime: $0 == .lime ? lime : nil, limeSeed: limeSeed) }
    }

    /// The selection as run.json records it.
    var selectionDescription: String {
        switch selection.quota {
        case .all: return "all"
        case .perClass(let n): return "\(n) per class, seed \(selection.seed)"
        case .total(let n): return "\(n) in total, seed \(selection.seed)"
        }
    }

    /// One method's settings as run.json records them.
    func recordedSettings(of method: ExplanationMethod) throws -> RecordedSettings {
        try RecordedSettings(
            MethodSettings(method, options: explanationOptions, lime: lime, limeSeed: limeSeed),
            legacyText: MethodSettings.legacyDescription(of: method, options: explanationOptions, lime: lime, limeSeed: limeSeed))
    }

    /// One metric's configuration as run.json records it: the metric struct itself, and (to
    /// compare with folders written before) its `String(describing:)` as those vitrels wrote it,
    /// when every library type lived in the module `VitRel` ("VitRel.ModelOutput.logits", now
    /// "VitRelMetrics.ModelOutput.logits").
    static func recordedSettings(of metric: any Metric) throws -> RecordedSettings {
        let text = "\(metric)".replacingOccurrences(
            of: #"\bVitRel(Model|Data|Rendering|Explain|Metrics|Training|Reporting)\."#, with: "VitRel.",
            options: .regularExpression)
        return try RecordedSettings(metric, legacyText: text)
    }

    /// The settings the rows depend on (run.json), with `suite` the metrics' configuration.
    func settings(suite: MetricSuite) throws -> ComparisonSettings {
        ComparisonSettings(
            model: model.directory.standardizedFileURL.lastPathComponent,
            modelChecksum: try ComparisonSettings.checksum(of: model.directory.appendingPathComponent("model.safetensors")),
            data: URL(fileURLWithPath: data).standardizedFileURL.path, split: split, subset: subset.rawValue,
            selection: selectionDescription, onlyCorrect: onlyCorrect, target: explainTrueClass ? "label" : "predicted",
            mask: mask.description, classMap: classMap,
            precision: model.network.inferencePrecision == .fp32 ? nil : model.network.inferencePrecision.rawValue,
            window: imageOptions.dicomWindow?.description, resize: model.preprocessing.resizeArithmetic.rawValue,
            methodSettings: Dictionary(uniqueKeysWithValues: try methods.map { ($0.rawValue, try recordedSettings(of: $0)) }),
            metricSettings: Dictionary(uniqueKeysWithValues: try metrics.map { ($0.rawValue, try Self.recordedSettings(of: suite[$0])) }))
    }
}
