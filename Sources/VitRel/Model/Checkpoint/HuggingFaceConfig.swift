import Foundation

/// A Hugging Face transformers `ViTForImageClassification` folder, read into vitrel's terms:
/// `config.json` → `ViTConfig`, `preprocessor_config.json` (`ViTImageProcessor`) →
/// `Preprocessing`, and the weights renamed to timm's keys (`TimmKeyMap`).
///
/// The renaming inverts transformers' `convert_vit_timm_to_pytorch.py`
/// (`models/vit/convert_vit_timm_to_pytorch.py`, `rename_keys` and `read_in_q_k_v`), which
/// splits timm's `attn.qkv` into query, key and value by rows; here the three are stacked
/// back in that order.
enum HuggingFaceViT {
    /// HF `ViTConfig` defaults (transformers `models/vit/configuration_vit.py`).
    static let defaults = (
        hiddenSize: 768, layers: 12, heads: 12, intermediateSize: 3072, imageSize: 224, patchSize: 16,
        channels: 3, layerNormEpsilon: 1e-12
    )

    // MARK: config.json

    static func config(_ fields: ConfigFields, classifierRows: Int?) throws -> ViTConfig {
        if let modelType = try fields.string("model_type"), modelType != "vit" {
            throw CheckpointError.unsupportedConfig(file: fields.file, detail: "model_type '\(modelType)' (vitrel reads 'vit')")
        }
        if let architectures = fields.value("architectures")?.arrayValue?.compactMap(\.stringValue),
           !architectures.isEmpty, !architectures.contains("ViTForImageClassification") {
            throw CheckpointError.unsupportedConfig(
                file: fields.file, detail: "architectures \(architectures) (vitrel reads ViTForImageClassification, which has a classifier)")
        }
        let activation = try fields.string("hidden_act") ?? "gelu"
        guard activation == "gelu" else {
            throw CheckpointError.unsupportedConfig(file: fields.file, detail: "hidden_act '\(activation)' (vitrel implements the exact erf 'gelu')")
        }
        let image = try fields.size("image_size") ?? (defaults.imageSize, defaults.imageSize)
        let patch = try fields.size("patch_size") ?? (defaults.patchSize, defaults.patchSize)
        guard patch.height == patch.width else {
            throw CheckpointError.unsupportedConfig(file: fields.file, detail: "non-square patches \(patch.height)x\(patch.width)")
        }
        // Labels: id2label gives count and names; without it, num_labels or the classifier's rows.
        let names = try fields.classNames("id2label")
        let classCount = try names?.count ?? fields.int("num_labels") ?? classifierRows ?? 2
        guard classCount > 0, classCount <= ViTCheckpoint.dimensionLimits.classes else {
            throw fields.invalid("id2label", "gives \(classCount) classes, expected 1...\(ViTCheckpoint.dimensionLimits.classes)")
        }
        let epsilon = try fields.double("layer_norm_eps") ?? defaults.layerNormEpsilon
        let config = ViTConfig(
            imageHeight: image.height, imageWidth: image.width, patchSize: patch.height,
            channels: try fields.int("num_channels") ?? defaults.channels,
            embedDimension: try fields.int("hidden_size") ?? defaults.hiddenSize,
            depth: try fields.int("num_hidden_layers") ?? defaults.layers,
            headCount: try fields.int("num_attention_heads") ?? defaults.heads,
            mlpHiddenDimension: try fields.int("intermediate_size") ?? defaults.intermediateSize,
            classCount: classCount,
            qkvBias: try fields.bool("qkv_bias") ?? true,
            classToken: true, pooling: .token, normAfterPooling: false,
            layerNormEpsilon: epsilon, finalNormEpsilon: epsilon,
            classNames: names)
        try ViTCheckpoint.checkDimensions(config, file: fields.file)
        if let problem = config.validationProblem() {
            throw CheckpointError.invalidConfig(file: fields.file, detail: problem)
        }
        return config
    }

    // MARK: preprocessor_config.json

    /// `ViTImageProcessor`: resize to `size` exactly (or the shorter side to `shortest_edge`),
    /// rescale by `rescale_factor`, normalise. Preprocessing always maps pixels to [0, 1]
    /// first, so rescaling other than by 1/255 (or none) is folded into mean and std:
    /// (255 f x − m) / s = (x − m / 255f) / (s / 255f) for x in [0, 1].
    static func preprocessing(_ fields: ConfigFields, config: ViTConfig) throws -> Preprocessing {
        if try fields.bool("do_center_crop") == true {
            throw CheckpointError.unsupportedConfig(file: fields.file, detail: "do_center_crop (vitrel reads ViTImageProcessor, which resizes only)")
        }
        // do_resize false: inputs must already have the model's size, which an exact resize keeps.
        var height = config.imageHeight, width = config.imageWidth
        var resizeMode = Preprocessing.ResizeMode.exact
        if try fields.bool("do_resize") ?? true, let size = fields.value("size") {
            if let side = size.exactInteger, side > 0 {
                (height, width) = (side, side)
            } else if let sizeFields = try fields.object("size") {
                if let h = try sizeFields.int("height"), let w = try sizeFields.int("width"), h > 0, w > 0 {
                    (height, width) = (h, w)
                } else if let edge = try sizeFields.int("shortest_edge"), edge > 0 {
                    // Shorter side to `edge`, aspect kept; Preprocessing then takes the centre
                    // edge × edge, which is the whole image for square X-rays.
                    (height, width) = (edge, edge)
                    resizeMode = .resizeThenCenterCrop
                } else {
                    throw fields.invalid("size", "needs positive height and width, or shortest_edge")
                }
            } else {
                throw fields.invalid("size", "is \(size.kindDescription), expected {height, width}")
            }
        }
        // PIL resampling codes (PIL.Image.Resampling, transformers' PILImageResampling).
        let resample = try fields.int("resample") ?? 2
        let interpolation: Preprocessing.Interpolation
        switch resample {
        case 0: interpolation = .nearest
        case 1: interpolation = .lanczos
        case 2: interpolation = .bilinear
        case 3: interpolation = .bicubic
        case 4: interpolation = .box
        case 5: interpolation = .hamming
        default:
            throw CheckpointError.unsupportedConfig(
                file: fields.file, detail: "resample \(resample) (PIL's codes are 0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming)")
        }
        let doRescale = try fields.bool("do_rescale") ?? true
        let factor = doRescale ? try fields.double("rescale_factor") ?? 1 / 255 : 1
        guard factor > 0 else { throw fields.invalid("rescale_factor", "must be positive, got \(factor)") }
        // The processor sees bytes b = 255 x; 0.00392156862745098 · 255 misses 1 by an ulp.
        let scale = abs(factor * 255 - 1) < 1e-9 ? 1 : factor * 255
        var mean = [Double](repeating: 0, count: config.channels)
        var std = [Double](repeating: 1, count: config.channels)
        if try fields.bool("do_normalize") ?? true {
            mean = try fields.doubles("image_mean") ?? [0.5, 0.5, 0.5]
            std = try fields.doubles("image_std") ?? [0.5, 0.5, 0.5]
            if mean.count == 1 { mean = Array(repeating: mean[0], count: config.channels) }
            if std.count == 1 { std = Array(repeating: std[0], count: config.channels) }
        }
        guard !mean.isEmpty, mean.count == std.count, std.allSatisfy({ $0 > 0 }) else {
            throw fields.invalid("image_std", "and image_mean must be non-empty, of equal length, with std > 0")
        }
        return Preprocessing(
            inputHeight: height, inputWidth: width, interpolation: interpolation, resizeMode: resizeMode,
            cropPercent: 1, mean: mean.map { $0 / scale }, std: std.map { $0 / scale })
    }

    // MARK: Weights

    /// The HF tensors that make up one timm tensor, with their shapes: `attn.qkv` comes from
    /// three, everything else from one of the same shape.
    static func sources(ofTimmKey key: String, shape: [Int]) -> [(key: String, shape: [Int])] {
        let parts = key.split(separator: ".").map(String.init)
        if parts[0] == "blocks", parts.count == 5 {
            let layer = "vit.encoder.layer.\(parts[1])"
            let leaf = parts[4]  // weight | bias
            switch (parts[2], parts[3]) {
            case ("attn", "qkv"):
                let rows = shape[0] / 3
                let partShape = [rows] + shape.dropFirst()
                return ["query", "key", "value"].map { ("\(layer).attention.attention.\($0).\(leaf)", partShape) }
            case ("attn", "proj"): return [("\(layer).attention.output.dense.\(leaf)", shape)]
            case ("mlp", "fc1"): return [("\(layer).intermediate.dense.\(leaf)", shape)]
            case ("mlp", "fc2"): return [("\(layer).output.dense.\(leaf)", shape)]
            default: break
            }
        }
        if parts[0] == "blocks", parts.count == 4 {
            let layer = "vit.encoder.layer.\(parts[1])"
            switch parts[2] {
            case "norm1": return [("\(layer).layernorm_before.\(parts[3])", shape)]
            case "norm2": return [("\(layer).layernorm_after.\(parts[3])", shape)]
            default: break
            }
        }
        switch key {
        case TimmKeyMap.classToken: return [("vit.embeddings.cls_token", shape)]
        case TimmKeyMap.positionEmbedding: return [("vit.embeddings.position_embeddings", shape)]
        case "patch_embed.proj.weight": return [("vit.embeddings.patch_embeddings.projection.weight", shape)]
        case "patch_embed.proj.bias": return [("vit.embeddings.patch_embeddings.projection.bias", shape)]
        case "norm.weight": return [("vit.layernorm.weight", shape)]
        case "norm.bias": return [("vit.layernorm.bias", shape)]
        case "head.weight": return [("classifier.weight", shape)]
        case "head.bias": return [("classifier.bias", shape)]
        default: preconditionFailure("no Hugging Face name for timm key \(key)")
        }
    }

    /// Checks the HF file against `config` (errors name HF keys, as the user's file has them)
    /// and returns the weights under timm's names.
    static func timmWeights(_ file: SafeTensorsFile, config: ViTConfig) throws -> [String: Tensor<Float>] {
        let timmKeys = TimmKeyMap.expectedShapes(for: config)
        let plan = timmKeys.map { (key: $0.key, sources: sources(ofTimmKey: $0.key, shape: $0.shape)) }
        try TimmKeyMap.check(
            found: file.entries.mapValues(\.shape), expected: plan.flatMap(\.sources), file: file.url.path,
            positionEmbeddingKey: "vit.embeddings.position_embeddings", prefixTokenCount: config.prefixTokenCount)
        var weights: [String: Tensor<Float>] = [:]
        for (key, sources) in plan {
            let parts = try sources.map { try file.tensor($0.key, as: Float.self) }
            if parts.count == 1 {
                weights[key] = parts[0]
            } else {
                // Row-stack q | k | v: along the first axis, which is the flat order too.
                let rows = parts.reduce(0) { $0 + $1.shape[0] }
                weights[key] = Tensor(shape: [rows] + parts[0].shape.dropFirst(), scalars: parts.flatMap(\.scalars))
            }
        }
        return weights
    }
}
