import Foundation

/// A trained Vision Transformer as a user brings it: architecture, eval preprocessing and
/// weights, read from a timm hub folder or a Hugging Face classifier folder (ViT, DeiT, DINOv2;
/// `HuggingFaceConfig`).
///
/// Whatever the source, `weights` uses timm's names (`TimmKeyMap`), so the model has one key
/// map; loading checks that every weight the config implies is there with its shape and that
/// nothing else is.
///
/// ```swift
/// let checkpoint = try ViTCheckpoint.load(from: URL(fileURLWithPath: "covid-vit"))
/// print(checkpoint.config.classNames, checkpoint.preprocessing.mean)
/// try checkpoint.write(timmFolder: URL(fileURLWithPath: "covid-vit-timm"))
/// ```
public struct ViTCheckpoint: Sendable {
    public enum Format: String, Sendable, Equatable {
        /// `config.json` with `architecture` + `model_args` + `pretrained_cfg`, timm keys.
        case timm
        /// transformers `config.json` + `preprocessor_config.json`, `vit.encoder.layer...` keys
        /// (or `deit.`, `dinov2.`, `dinov2_with_registers.`).
        case huggingFace
    }

    public static let configFileName = "config.json"
    public static let weightsFileName = "model.safetensors"
    public static let preprocessorFileName = "preprocessor_config.json"

    public var config: ViTConfig
    public var preprocessing: Preprocessing
    /// Under timm's names, shapes as `TimmKeyMap.expectedShapes(for: config)` lists them
    /// (`pos_embed` may hold another square grid; see `positionEmbeddingGrid`).
    public var weights: [String: Tensor<Float>]
    public var format: Format
    public var directory: URL

    public init(config: ViTConfig, preprocessing: Preprocessing, weights: [String: Tensor<Float>], format: Format, directory: URL) {
        self.config = config
        self.preprocessing = preprocessing
        self.weights = weights
        self.format = format
        self.directory = directory
    }

    /// The grid of the stored position embedding: the config's grid, or the square grid of a
    /// checkpoint trained at another resolution (the model resamples it to the input's grid).
    public var positionEmbeddingGrid: (height: Int, width: Int) {
        let tokens = weights[TimmKeyMap.positionEmbedding]?.shape[1] ?? config.positionTokenCount
        if tokens == config.positionTokenCount { return (config.gridHeight, config.gridWidth) }
        let side = TimmKeyMap.squareGridSide(tokenCount: tokens, prefixTokenCount: config.positionPrefixTokenCount) ?? 0
        return (side, side)
    }

    // MARK: Loading

    /// Reads a timm or Hugging Face folder, telling them apart by config.json: timm's has
    /// `architecture`, transformers' has `model_type` / `architectures`.
    public static func load(from directory: URL) throws -> ViTCheckpoint {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CheckpointError.unreadable(file: directory.path, reason: "not a folder")
        }
        let configURL = try requiredFile(configFileName, in: directory)
        let weightsURL = try requiredFile(weightsFileName, in: directory)
        let fields = try ConfigFields(contentsOf: configURL)
        if fields.has("architecture") {
            return try loadTimm(directory: directory, fields: fields, weightsURL: weightsURL)
        }
        if fields.has("model_type") || fields.has("architectures") {
            return try loadHuggingFace(directory: directory, fields: fields, weightsURL: weightsURL)
        }
        throw CheckpointError.invalidConfig(
            file: configURL.path,
            detail: "neither a timm config (no 'architecture') nor a Hugging Face one (no 'model_type')")
    }

    private static func loadTimm(directory: URL, fields: ConfigFields, weightsURL: URL) throws -> ViTCheckpoint {
        let (config, preprocessing) = try TimmConfigFile.read(fields)
        try checkInputSize(preprocessing, file: fields.file)
        let file = try SafeTensors.read(weightsURL)
        try TimmKeyMap.check(
            found: file.entries.mapValues(\.shape), expected: TimmKeyMap.expectedShapes(for: config), file: file.url.path,
            positionEmbeddingKey: TimmKeyMap.positionEmbedding, prefixTokenCount: config.positionPrefixTokenCount)
        let weights = try file.tensors(as: Float.self)
        try checkFinite(weights, file: file.url.path)
        return ViTCheckpoint(config: config, preprocessing: preprocessing, weights: weights, format: .timm, directory: directory)
    }

    private static func loadHuggingFace(directory: URL, fields: ConfigFields, weightsURL: URL) throws -> ViTCheckpoint {
        let preprocessorURL = try requiredFile(preprocessorFileName, in: directory)
        let file = try SafeTensors.read(weightsURL)
        let teacherHeads = file.entries["cls_classifier.weight"] != nil
        let (family, teacher) = try HuggingFaceConfig.family(fields, hasTeacherHeads: teacherHeads)
        let classifier = file.entries[teacher ? "cls_classifier.weight" : "classifier.weight"]
        let config = try HuggingFaceConfig.config(fields, family: family, teacher: teacher, classifierRows: classifier?.shape.first)
        let preprocessorFields = try ConfigFields(contentsOf: preprocessorURL)
        let kind = try HuggingFaceImageProcessor.kind(preprocessorFields, family: family)
        let preprocessing = try HuggingFaceImageProcessor.preprocessing(preprocessorFields, kind: kind, config: config)
        try checkInputSize(preprocessing, file: preprocessorFields.file)
        let weights = try HuggingFaceKeyMap.timmWeights(file, config: config, family: family, teacher: teacher)
        try checkFinite(weights, file: file.url.path)
        return ViTCheckpoint(config: config, preprocessing: preprocessing, weights: weights, format: .huggingFace, directory: directory)
    }

    /// Bounds far beyond any real ViT (ViT-22B has width 6144, 48 layers) that keep every
    /// shape product well inside Int: a hostile config must fail here, not overflow later.
    static let dimensionLimits = (width: 1 << 16, depth: 1 << 12, imageSide: 1 << 16, channels: 1 << 10, classes: 1 << 24)

    /// Throws unless every dimension of `config` lies within `dimensionLimits`. The config
    /// readers call it before anything allocates or multiplies by a dimension.
    static func checkDimensions(_ config: ViTConfig, file: String) throws {
        let limits = dimensionLimits
        try checkRange([
            ("width", config.embedDimension, limits.width), ("MLP width", config.mlpHiddenDimension, limits.width * 16),
            ("depth", config.depth, limits.depth), ("heads", config.headCount, limits.width),
            ("image height", config.imageHeight, limits.imageSide), ("image width", config.imageWidth, limits.imageSide),
            ("patch size", config.patchSize, limits.imageSide), ("channels", config.channels, limits.channels),
            ("classes", config.classCount, limits.classes),
        ], file: file)
    }

    private static func checkInputSize(_ preprocessing: Preprocessing, file: String) throws {
        let side = dimensionLimits.imageSide
        try checkRange([("input height", preprocessing.inputHeight, side), ("input width", preprocessing.inputWidth, side)], file: file)
        if let problem = preprocessing.validationProblem() { throw CheckpointError.invalidConfig(file: file, detail: problem) }
    }

    /// Throws on the first weight that is NaN or infinite, naming its tensor: such a model
    /// prints NaN probabilities (or, for a finite but huge weight, plausible ones where timm
    /// gives NaN), and nothing downstream can tell.
    static func checkFinite(_ weights: [String: Tensor<Float>], file: String) throws {
        for key in weights.keys.sorted() {
            let scalars = weights[key]!.scalars
            if let index = Kernels.firstNonFiniteIndex(scalars) {
                throw CheckpointError.invalidConfig(file: file, detail: "tensor \(key) holds \(scalars[index]) at element \(index); every weight must be finite")
            }
        }
    }

    private static func checkRange(_ checks: [(String, Int, Int)], file: String) throws {
        for (name, value, limit) in checks where value < 1 || value > limit {
            throw CheckpointError.invalidConfig(file: file, detail: "\(name) \(value) is outside 1...\(limit)")
        }
    }

    private static func requiredFile(_ name: String, in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: url.path) { return url }
        var hint: String?
        let has = { (other: String) in FileManager.default.fileExists(atPath: directory.appendingPathComponent(other).path) }
        if name == weightsFileName && has("model.safetensors.index.json") {
            hint = "sharded checkpoints are not supported; merge the shards into one model.safetensors"
        } else if name == weightsFileName && (has("pytorch_model.bin") || has("open_clip_pytorch_model.bin")) {
            hint = "only safetensors weights are read; re-save with safe_serialization=True"
        }
        throw CheckpointError.missingFile(directory: directory.path, name: name, hint: hint)
    }

    // MARK: Writing

    /// Writes a timm hub folder, the layout of `timm.models.save_for_hf`: config.json
    /// (`TimmConfigFile.json`) and model.safetensors in `storage` (F32 by default; F16 or BF16
    /// halve the file, rounding each weight to nearest even as torch's `.half()`/`.bfloat16()`
    /// do, and timm and vitrel read them back as F32) (with the `{"format": "pt"}`
    /// metadata transformers writes and expects; timm ignores it). timm loads it
    /// with `timm.create_model(architecture, pretrained=False, **model_args)` +
    /// `load_state_dict`; `Tools/make_checkpoint_fixtures.py --check-vitrel-folder` checks that.
    ///
    /// The weights are checked against the config first. A `pos_embed` on another grid than
    /// the config's is refused: timm's `load_state_dict` does not resample.
    public func write(timmFolder directory: URL, storage: SafeTensors.DType = .float32) throws {
        let weightsURL = directory.appendingPathComponent(Self.weightsFileName)
        precondition(storage.isReal, "a model's weights are stored as F32, F16, BF16 or F64")
        try TimmKeyMap.check(
            found: weights.mapValues(\.shape), expected: TimmKeyMap.expectedShapes(for: config), file: weightsURL.path,
            positionEmbeddingKey: TimmKeyMap.positionEmbedding, prefixTokenCount: config.positionPrefixTokenCount)
        if let shape = weights[TimmKeyMap.positionEmbedding]?.shape, shape[1] != config.positionTokenCount {
            let grid = positionEmbeddingGrid
            throw CheckpointError.unsupportedConfig(
                file: weightsURL.path,
                detail: "pos_embed grid \(grid.height)x\(grid.width) differs from the image grid \(config.gridHeight)x\(config.gridWidth); timm would not load it")
        }
        if let problem = config.validationProblem() {
            throw CheckpointError.invalidConfig(file: directory.appendingPathComponent(Self.configFileName).path, detail: problem)
        }
        // Hugging Face heads timm's VisionTransformer cannot express.
        let configPath = directory.appendingPathComponent(Self.configFileName).path
        if config.pooling == .classTokenAndPatchMean {
            throw CheckpointError.unsupportedConfig(
                file: configPath, detail: "the [CLS ⊕ patch mean] head of Hugging Face DINOv2 has no timm global_pool; keep the Hugging Face folder")
        }
        if config.distillationToken && !config.distillationHead {
            throw CheckpointError.unsupportedConfig(
                file: configPath, detail: "a distillation token without head_dist (Hugging Face DeiTForImageClassification) has no timm model; keep the Hugging Face folder")
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw CheckpointError.unwritable(file: directory.path, reason: error.localizedDescription)
        }
        let configURL = directory.appendingPathComponent(Self.configFileName)
        let text = TimmConfigFile.json(config: config, preprocessing: preprocessing).prettySerialized
        do {
            try Data(text.utf8).write(to: configURL, options: .atomic)
        } catch {
            throw CheckpointError.unwritable(file: configURL.path, reason: error.localizedDescription)
        }
        let ordered = weights.keys.sorted().map { (name: $0, tensor: weights[$0]!) }
        if let largest = storage.largestFinite {
            for (name, tensor) in ordered {
                if let value = tensor.scalars.first(where: { abs(Double($0)) > largest }) {
                    throw CheckpointError.unsupportedConfig(
                        file: weightsURL.path,
                        detail: "tensor '\(name)' holds \(value), beyond \(storage.rawValue)'s largest finite value \(largest); store it as F32")
                }
            }
        }
        try SafeTensors.write(ordered, as: storage, metadata: ["format": "pt"], to: weightsURL)
    }
}
