import Foundation

/// A Hugging Face transformers classifier folder's `config.json`, read into a `ViTConfig`.
///
/// The families vitrel reads, by `model_type`, and what each is in timm's terms (the model runs
/// them all; `HuggingFaceKeyMap` renames their weights, `HuggingFaceImageProcessor` reads
/// their preprocessing):
///
/// | model_type              | architectures                                | as a ViT                                             |
/// |-------------------------|----------------------------------------------|------------------------------------------------------|
/// | `vit`                   | `ViTForImageClassification`                  | plain ViT, CLS head, LayerNorm ε 1e-12               |
/// | `deit`                  | `DeiTForImageClassification`                 | + distillation token in the sequence, CLS head only  |
/// | `deit`                  | `DeiTForImageClassificationWithTeacher`      | + `distillation_classifier`, the two logits averaged |
/// | `dinov2`                | `Dinov2ForImageClassification`              | LayerScale, `mlp_ratio`, head on [CLS ⊕ patch mean]  |
/// | `dinov2_with_registers` | `Dinov2WithRegistersForImageClassification` | + register tokens (no position embedding)            |
///
/// Either DINOv2 family with `use_swiglu_ffn` (ViT-g/14) has a SwiGLU MLP (`Dinov2SwiGLUFFN`,
/// `mlp.weights_in` / `mlp.weights_out`; `SwiGLU`).
///
/// Sources: transformers 5.24 `models/{vit,deit,dinov2,dinov2_with_registers}/
/// configuration_*.py` (defaults) and `modeling_*.py` (what the fields mean).
enum HuggingFaceConfig {
    /// A `model_type` vitrel reads.
    enum Family: String, CaseIterable {
        case vit, deit, dinov2
        case dinov2WithRegisters = "dinov2_with_registers"

        /// The classification architectures of the family (the first is the default).
        var architectures: [String] {
            switch self {
            case .vit: return ["ViTForImageClassification"]
            case .deit: return ["DeiTForImageClassification", "DeiTForImageClassificationWithTeacher"]
            case .dinov2: return ["Dinov2ForImageClassification"]
            case .dinov2WithRegisters: return ["Dinov2WithRegistersForImageClassification"]
            }
        }

        /// The backbone's attribute name, the prefix of its weights (`base_model_prefix`).
        var prefix: String { rawValue }

        var isDINOv2: Bool { self == .dinov2 || self == .dinov2WithRegisters }
    }

    /// The defaults of transformers' config classes where the families differ.
    static func defaults(_ family: Family) -> (patchSize: Int, layerNormEpsilon: Double) {
        family.isDINOv2 ? (14, 1e-6) : (16, 1e-12)
    }

    /// The family and whether the classifier is DeiT's with-teacher pair, from `model_type` and
    /// `architectures` (or, without `architectures`, from the classifier weights present).
    static func family(_ fields: ConfigFields, hasTeacherHeads: Bool) throws -> (family: Family, teacher: Bool) {
        let modelType = try fields.string("model_type")
        let architectures = fields.value("architectures")?.arrayValue?.compactMap(\.stringValue) ?? []
        let family: Family
        if let modelType {
            guard let known = Family(rawValue: modelType) else {
                let names = Family.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
                throw CheckpointError.unsupportedConfig(file: fields.file, detail: "model_type '\(modelType)' (vitrel reads \(names))")
            }
            family = known
        } else if let known = Family.allCases.first(where: { !Set($0.architectures).isDisjoint(with: architectures) }) {
            family = known
        } else {
            family = .vit
        }
        if !architectures.isEmpty, Set(family.architectures).isDisjoint(with: architectures) {
            throw CheckpointError.unsupportedConfig(
                file: fields.file,
                detail: "architectures \(architectures) (vitrel reads \(family.architectures.joined(separator: " or ")), a model with a classifier head)")
        }
        let teacher = architectures.isEmpty ? hasTeacherHeads : architectures.contains("DeiTForImageClassificationWithTeacher")
        return (family, teacher)
    }

    // MARK: config.json

    static func config(_ fields: ConfigFields, family: Family, teacher: Bool, classifierRows: Int?) throws -> ViTConfig {
        // DINOv2 ViT-g/14's SwiGLU FFN gates with SiLU whatever hidden_act says (the hub's
        // facebook/dinov2-giant keeps "gelu" there); hidden_act is the plain MLP's.
        let swiGLU = try family.isDINOv2 && fields.bool("use_swiglu_ffn") == true
        let activation = try fields.string("hidden_act") ?? "gelu"
        guard activation == "gelu" || swiGLU else {
            throw CheckpointError.unsupportedConfig(file: fields.file, detail: "hidden_act '\(activation)' (vitrel implements the exact erf 'gelu')")
        }
        let defaults = Self.defaults(family)
        let image = try fields.size("image_size") ?? (224, 224)
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
        let width = try fields.int("hidden_size") ?? 768
        let mlpHidden: Int
        if family.isDINOv2 {
            // Dinov2MLP: int(hidden_size * mlp_ratio); the config has no intermediate_size.
            let ratio = try fields.double("mlp_ratio") ?? 4
            guard ratio > 0, ratio * Double(width) < 0x1p40 else { throw fields.invalid("mlp_ratio", "must be positive and moderate, got \(ratio)") }
            let hidden = Int(Double(width) * ratio)
            // Dinov2SwiGLUFFN: k = (int(hidden * 2 / 3) + 7) // 8 * 8 (two thirds, rounded up to
            // a multiple of 8; ViT-g: 4096), `weights_in` D → 2k packed as timm's fc1.
            mlpHidden = swiGLU ? 2 * ((Int(Double(2 * hidden) / 3) + 7) / 8 * 8) : hidden
        } else {
            mlpHidden = try fields.int("intermediate_size") ?? 3072
        }
        let epsilon = try fields.double("layer_norm_eps") ?? defaults.layerNormEpsilon
        var config = ViTConfig(
            imageHeight: image.height, imageWidth: image.width, patchSize: patch.height,
            channels: try fields.int("num_channels") ?? 3,
            embedDimension: width,
            depth: try fields.int("num_hidden_layers") ?? 12,
            headCount: try fields.int("num_attention_heads") ?? 12,
            mlpHiddenDimension: mlpHidden,
            classCount: classCount,
            qkvBias: try fields.bool("qkv_bias") ?? true,
            classToken: true, pooling: family.isDINOv2 ? .classTokenAndPatchMean : .token, normAfterPooling: false,
            layerNormEpsilon: epsilon, finalNormEpsilon: epsilon,
            classNames: names)
        if swiGLU {
            config.mlpKind = .swiGLU
            config.activation = .silu
        }
        switch family {
        case .vit:
            // transformers' ViT (`ViTEmbeddings.interpolate_pos_encoding`) resamples with
            // PyTorch's plain bicubic, as DINOv2 and DeiT do.
            config.positionInterpolation = .bicubic
        case .deit:
            // Every HF DeiT embeds the distillation token; only the teacher variant reads it.
            config.distillationToken = true
            config.distillationHead = teacher
            config.positionInterpolation = .bicubic
        case .dinov2:
            config.layerScale = true
            config.positionInterpolation = .bicubic
        case .dinov2WithRegisters:
            config.layerScale = true
            config.registerTokenCount = try fields.int("num_register_tokens") ?? 4
            // HF adds the position embedding to [CLS, patches] and inserts the registers after:
            // CLS's row is folded into the CLS token on load (`HuggingFaceKeyMap`), leaving a
            // patches-only table, which is timm's `no_embed_class` layout.
            config.positionEmbeddingCoversPrefix = false
            config.positionInterpolation = .antialiasedBicubic
        }
        try ViTCheckpoint.checkDimensions(config, file: fields.file)
        if let problem = config.validationProblem() {
            throw CheckpointError.invalidConfig(file: fields.file, detail: problem)
        }
        return config
    }
}
