import Foundation

/// timm's hub `config.json`, read into a `ViTConfig` + `Preprocessing` and written back.
///
/// What timm writes (`timm.models.save_for_hf` → `save_config_for_hf`): `architecture`, the
/// factory name fixing the defaults; `model_args`, the keyword arguments that override them
/// (`timm.create_model(architecture, **model_args)`); `num_classes`, `global_pool` and
/// `label_names` at the top; `pretrained_cfg`, the eval preprocessing. Old exports without
/// `pretrained_cfg` keep everything at the top level (timm's `_parse_model_cfg` "legacy").
enum TimmConfigFile {
    /// timm's defaults when `pretrained_cfg` leaves a field out
    /// (`timm.data.constants`: `DEFAULT_CROP_PCT`, `IMAGENET_DEFAULT_MEAN/STD`).
    static let defaultCropPercent = 0.875
    static let imagenetMean = [0.485, 0.456, 0.406]
    static let imagenetStd = [0.229, 0.224, 0.225]

    /// Names of timm 1.0 factories in the family vitrel reads whose defaults match
    /// `ViTConfig.timm(architecture:)` (from `timm.list_models('vit_*')`). The writer names
    /// one of these so `timm.create_model` finds it.
    static let registeredArchitectures: Set<String> = [
        "vit_tiny_patch16_224", "vit_tiny_patch16_384",
        "vit_small_patch8_224", "vit_small_patch16_224", "vit_small_patch16_384", "vit_small_patch32_224", "vit_small_patch32_384",
        "vit_base_patch8_224", "vit_base_patch16_224", "vit_base_patch16_384", "vit_base_patch32_224", "vit_base_patch32_384",
        "vit_large_patch16_224", "vit_large_patch16_384", "vit_large_patch32_224", "vit_large_patch32_384",
    ]

    /// The factory the writer names when no registered one has the config's dimensions:
    /// every field is in `model_args`, so the factory only has to exist.
    static let genericArchitecture = "vit_base_patch16_224"

    /// `model_args` keys that only matter for training (dropouts, init) or for inputs of other
    /// sizes (`dynamic_img_size`: resample `pos_embed` to the input's grid, which vitrel
    /// always does when the grids differ).
    static let ignoredModelArguments: Set<String> = [
        "drop_rate", "pos_drop_rate", "patch_drop_rate", "proj_drop_rate", "attn_drop_rate", "drop_path_rate",
        "weight_init", "fix_init", "dynamic_img_size",
    ]

    /// `model_args` keys accepted only at timm's default, the plain ViT vitrel implements.
    static let defaultOnlyModelArguments: [String: JSONValue] = [
        "scale_attn_norm": .bool(false), "scale_mlp_norm": .bool(false),
        "proj_bias": .bool(true), "pos_embed": .string("learn"),
        "final_norm": .bool(true), "pool_include_prefix": .bool(false), "dynamic_img_pad": .bool(false),
        "embed_norm_layer": .null,
    ]

    /// `act_layer` names vitrel implements (timm `get_act_layer`, which lower-cases the name).
    static let activations: [String: Activation] = ["gelu": .gelu, "quick_gelu": .quickGELU]

    /// Keys of a vitrel-written config that timm ignores: what timm cannot express (LayerNorm
    /// ε of a model converted from Hugging Face) so a round trip keeps it.
    static let vitrelKey = "vitrel"

    // MARK: Reading

    static func read(_ fields: ConfigFields) throws -> (config: ViTConfig, preprocessing: Preprocessing) {
        guard let architectureField = try fields.string("architecture") else {
            throw fields.invalid("architecture", "is missing")
        }
        // "vit_base_patch16_224.augreg_in21k": the tag after the dot names weights, not shape.
        // The families: ViTConfig.timmFamily (plain ViT, DINOv2, DeiT, DeiT-III, CLIP). Its
        // LayerNorm ε is the factory's: timm's LayerNorm default 1e-6, CLIP's 1e-5.
        guard var config = ViTConfig.timmFamily(architecture: architectureField)
        else { throw CheckpointError.unknownArchitecture(file: fields.file, name: architectureField) }

        let pretrained = try fields.object("pretrained_cfg") ?? fields
        let arguments = try fields.object("model_args") ?? ConfigFields(file: fields.file, path: "model_args", members: [:])
        try checkSupported(arguments)

        if config.distillationToken, let pool = try arguments.string("global_pool"), pool != "token" {
            throw arguments.invalid("global_pool", "must be 'token' for a distilled DeiT (timm asserts it), got '\(pool)'")
        }
        if let size = try arguments.size("img_size") {
            (config.imageHeight, config.imageWidth) = size
        }
        if let patch = try arguments.size("patch_size") {
            guard patch.height == patch.width else {
                throw CheckpointError.unsupportedConfig(file: fields.file, detail: "non-square patches \(patch.height)x\(patch.width)")
            }
            config.patchSize = patch.height
        }
        config.channels = try arguments.int("in_chans") ?? config.channels
        config.embedDimension = try arguments.int("embed_dim") ?? config.embedDimension
        config.depth = try arguments.int("depth") ?? config.depth
        config.headCount = try arguments.int("num_heads") ?? config.headCount
        // The factory's ratio when model_args has none (ViT-g/14's 2.66667·2, else timm's 4).
        let mlpRatio = try arguments.double("mlp_ratio") ?? ViTConfig.timmMLPRatio(architecture: architectureField)
        guard mlpRatio > 0, mlpRatio * Double(config.embedDimension) < 0x1p40 else {
            throw arguments.invalid("mlp_ratio", "must be positive and moderate, got \(mlpRatio)")
        }
        // timm's Mlp and GluMlp: hidden_features = int(dim * mlp_ratio), truncating like
        // Swift's Int(_:); GluMlp asserts it is even (fc2 reads half).
        config.mlpHiddenDimension = Int(Double(config.embedDimension) * mlpRatio)
        if config.mlpKind == .swiGLU && config.mlpHiddenDimension % 2 != 0 {
            throw arguments.invalid("mlp_ratio", "gives SwiGLUPacked an odd hidden width \(config.mlpHiddenDimension) (timm asserts it is even)")
        }
        config.qkvBias = try arguments.bool("qkv_bias") ?? true
        config.classToken = try arguments.bool("class_token") ?? true
        // init_values: LayerScale's initial γ; any number means the blocks have ls1/ls2.
        if let initValues = arguments.members["init_values"] {
            switch initValues {
            case .null: config.layerScale = false
            case .number: config.layerScale = true
            default: throw arguments.invalid("init_values", "must be a number or null, got \(initValues.serialized)")
            }
        }
        config.registerTokenCount = try arguments.int("reg_tokens") ?? config.registerTokenCount
        if let noEmbedClass = try arguments.bool("no_embed_class") { config.positionEmbeddingCoversPrefix = !noEmbedClass }
        try readNormalisationAndActivation(arguments, into: &config)

        // model_args is what timm builds from; the top-level copies are informational.
        let topClasses = try fields.int("num_classes")
        if let argumentClasses = try arguments.int("num_classes"), let topClasses, argumentClasses != topClasses {
            throw arguments.invalid("num_classes", "is \(argumentClasses) but num_classes is \(topClasses)")
        }
        config.classCount = try arguments.int("num_classes") ?? topClasses ?? pretrained.int("num_classes") ?? 1000
        guard config.classCount > 0, config.classCount <= ViTCheckpoint.dimensionLimits.classes else {
            throw fields.invalid("num_classes", "must be in 1...\(ViTCheckpoint.dimensionLimits.classes), got \(config.classCount) (a model without a head has nothing to explain)")
        }

        let poolName = try arguments.string("global_pool") ?? fields.string("global_pool") ?? "token"
        switch poolName {
        case "token": config.pooling = .token
        case "avg": config.pooling = .average
        default:
            throw CheckpointError.unsupportedConfig(file: fields.file, detail: "global_pool '\(poolName)' (vitrel implements 'token' and 'avg')")
        }
        // timm: use_fc_norm = global_pool in ('avg', 'avgmax', 'max') if fc_norm is None else fc_norm
        config.normAfterPooling = try arguments.bool("fc_norm") ?? (config.pooling == .average)

        let names = try fields.classNames("label_names") ?? pretrained.classNames("label_names")
        if let names {
            guard names.count == config.classCount else {
                throw fields.invalid("label_names", "has \(names.count) names for \(config.classCount) classes")
            }
            config.classNames = names
        } else {
            config.classNames = (0..<config.classCount).map { "class_\($0)" }
        }

        if let vitrel = try fields.object(vitrelKey) {
            config.layerNormEpsilon = try vitrel.double("layer_norm_eps") ?? config.layerNormEpsilon
            config.finalNormEpsilon = try vitrel.double("final_norm_eps") ?? config.finalNormEpsilon
        }
        try ViTCheckpoint.checkDimensions(config, file: fields.file)
        if let problem = config.validationProblem() {
            throw CheckpointError.invalidConfig(file: fields.file, detail: problem)
        }
        return (config, try preprocessing(pretrained, config: config))
    }

    /// Refuses `model_args` that change the architecture into one vitrel does not implement.
    private static func checkSupported(_ arguments: ConfigFields) throws {
        let understood: Set<String> = [
            "img_size", "patch_size", "in_chans", "num_classes", "global_pool", "embed_dim", "depth", "num_heads",
            "mlp_ratio", "qkv_bias", "class_token", "fc_norm", "init_values", "reg_tokens", "no_embed_class",
            "pre_norm", "qk_norm", "act_layer", "norm_layer",
        ]
        for key in arguments.members.keys.sorted() where !understood.contains(key) && !ignoredModelArguments.contains(key) {
            let value = arguments.members[key]!
            if let neutral = defaultOnlyModelArguments[key] {
                if value == neutral { continue }
                throw CheckpointError.unsupportedConfig(
                    file: arguments.file, detail: "\(arguments.fieldName(key)) = \(value.serialized) (vitrel implements the default \(neutral.serialized))")
            }
            throw CheckpointError.unsupportedConfig(file: arguments.file, detail: "\(arguments.fieldName(key)) is not a ViT argument vitrel knows")
        }
    }

    /// `pre_norm`, `qk_norm`, `act_layer` and `norm_layer` over the factory's defaults (null is
    /// the factory's choice, as timm's `dict(model_args, **kwargs)` passes None on).
    ///
    /// - pre_norm: `norm_pre` before the blocks and, as timm builds it, no patch-embedding bias.
    /// - qk_norm: LayerNorms on each head's q and k, with the blocks' ε.
    /// - act_layer: "gelu" or "quick_gelu" (case-insensitive, as timm's `get_act_layer`); "silu"
    ///   (or "swish") only on a SwiGLU factory, whose gate it is.
    /// - norm_layer: "layernorm" (timm's `get_norm_layer` drops underscores and case), timm's
    ///   LayerNorm at its default ε 1e-6 on every norm: in a config.json it replaces even a
    ///   CLIP factory's `partial(LayerNorm, eps=1e-5)`, which JSON cannot spell.
    private static func readNormalisationAndActivation(_ arguments: ConfigFields, into config: inout ViTConfig) throws {
        config.preNorm = try arguments.bool("pre_norm") ?? config.preNorm
        config.queryKeyNorm = try arguments.bool("qk_norm") ?? config.queryKeyNorm
        if let name = try arguments.string("act_layer"), config.mlpKind == .swiGLU {
            // SwiGLUPacked gates with the factory's nn.SiLU; timm's get_act_layer also
            // spells it "swish".
            guard ["silu", "swish"].contains(name.lowercased()) else {
                throw CheckpointError.unsupportedConfig(
                    file: arguments.file,
                    detail: "\(arguments.fieldName("act_layer")) '\(name)' on SwiGLUPacked (vitrel implements its SiLU gate, 'silu')")
            }
        } else if let name = try arguments.string("act_layer") {
            guard let activation = activations[name.lowercased()] else {
                throw CheckpointError.unsupportedConfig(
                    file: arguments.file,
                    detail: "\(arguments.fieldName("act_layer")) '\(name)' (vitrel implements \(activations.keys.sorted().map { "'\($0)'" }.joined(separator: " and ")))")
            }
            config.activation = activation
        }
        if let name = try arguments.string("norm_layer") {
            guard name.replacingOccurrences(of: "_", with: "").lowercased() == "layernorm" else {
                throw CheckpointError.unsupportedConfig(
                    file: arguments.file, detail: "\(arguments.fieldName("norm_layer")) '\(name)' (vitrel implements 'layernorm')")
            }
            config.layerNormEpsilon = 1e-6
            config.finalNormEpsilon = 1e-6
        }
    }

    /// timm's eval transform (`timm.data.transforms_factory.transforms_imagenet_eval`):
    /// crop_mode "center" resizes to input / crop_pct and centre-crops; "squash" with
    /// crop_pct 1 is a plain resize to the input size.
    private static func preprocessing(_ pretrained: ConfigFields, config: ViTConfig) throws -> Preprocessing {
        var height = config.imageHeight, width = config.imageWidth
        if let inputSize = try pretrained.ints("input_size") {
            guard inputSize.count == 3, inputSize[1] > 0, inputSize[2] > 0 else {
                throw pretrained.invalid("input_size", "is \(inputSize), expected [channels, height, width]")
            }
            height = inputSize[1]
            width = inputSize[2]
        }
        let interpolationName = try pretrained.string("interpolation") ?? "bicubic"
        guard let interpolation = Preprocessing.Interpolation(rawValue: interpolationName) else {
            throw CheckpointError.unsupportedConfig(
                file: pretrained.file, detail: "\(pretrained.fieldName("interpolation")) '\(interpolationName)' (vitrel resizes with \(Preprocessing.Interpolation.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let cropPercent = try pretrained.double("crop_pct") ?? defaultCropPercent
        guard cropPercent > 0, cropPercent <= 1 else {
            throw pretrained.invalid("crop_pct", "must be in (0, 1], got \(cropPercent)")
        }
        let cropMode = try pretrained.string("crop_mode") ?? "center"
        let resizeMode: Preprocessing.ResizeMode
        switch cropMode {
        case "center": resizeMode = .resizeThenCenterCrop
        case "squash" where cropPercent == 1: resizeMode = .exact
        default:
            throw CheckpointError.unsupportedConfig(
                file: pretrained.file, detail: "\(pretrained.fieldName("crop_mode")) '\(cropMode)' with crop_pct \(cropPercent) (vitrel implements 'center', and 'squash' at crop_pct 1)")
        }
        let mean = try pretrained.doubles("mean") ?? imagenetMean
        let std = try pretrained.doubles("std") ?? imagenetStd
        guard !mean.isEmpty, mean.count == std.count, std.allSatisfy({ $0 > 0 }) else {
            throw pretrained.invalid("std", "and mean must be lists of equal length with std > 0 (mean \(mean), std \(std))")
        }
        return Preprocessing(
            inputHeight: height, inputWidth: width, interpolation: interpolation, resizeMode: resizeMode,
            cropPercent: resizeMode == .exact ? 1 : cropPercent, mean: mean, std: std)
    }

    // MARK: Writing

    /// The config.json for `config` + `preprocessing`, loadable by
    /// `timm.create_model(architecture, pretrained=False, **model_args)`.
    ///
    /// `model_args` lists every field, so the factory named in `architecture` fixes nothing:
    /// it is the matching timm name when the dimensions are those of a named size, otherwise
    /// `genericArchitecture` (timm's own exporter likewise keeps the factory name when
    /// model_args change the shape). LayerNorm ε other than timm's 1e-6 cannot be told to timm;
    /// it is kept under "vitrel" for vitrel's reader.
    static func json(config: ViTConfig, preprocessing: Preprocessing) -> JSONValue {
        let pool = config.pooling == .token ? "token" : "avg"
        let numbers = { (values: [Double]) in JSONValue.array(values.map(JSONValue.number)) }
        var modelArguments: [String: JSONValue] = [
            "img_size": numbers([Double(config.imageHeight), Double(config.imageWidth)]),
            "patch_size": .number(Double(config.patchSize)),
            "in_chans": .number(Double(config.channels)),
            "embed_dim": .number(Double(config.embedDimension)),
            "depth": .number(Double(config.depth)),
            "num_heads": .number(Double(config.headCount)),
            "mlp_ratio": .number(mlpRatio(hidden: config.mlpHiddenDimension, width: config.embedDimension)),
            "qkv_bias": .bool(config.qkvBias),
            "class_token": .bool(config.classToken),
            "global_pool": .string(pool),
            "fc_norm": .bool(config.normAfterPooling),
            "num_classes": .number(Double(config.classCount)),
        ]
        // The family fields, written only when they differ from the plain ViT (the γ values
        // are in the weights; timm only needs to know that LayerScale is there).
        if config.layerScale { modelArguments["init_values"] = .number(1e-5) }
        if config.registerTokenCount > 0 { modelArguments["reg_tokens"] = .number(Double(config.registerTokenCount)) }
        if !config.positionEmbeddingCoversPrefix { modelArguments["no_embed_class"] = .bool(true) }
        // A CLIP factory fixes pre_norm and (its quickgelu names) act_layer: say both then.
        let architecture = architectureName(for: config)
        let clipFactory = architecture.contains("_clip_")
        if config.preNorm || clipFactory { modelArguments["pre_norm"] = .bool(config.preNorm) }
        if config.activation != .gelu || clipFactory { modelArguments["act_layer"] = .string(config.activation.rawValue) }
        if config.queryKeyNorm { modelArguments["qk_norm"] = .bool(true) }
        // The ViT-g/14 factory fixes SwiGLUPacked (no JSON spelling) and LayerScale: say when
        // there is none.
        if config.mlpKind == .swiGLU && !config.layerScale { modelArguments["init_values"] = .null }
        // An input size other than the model's needs timm's run-time pos_embed resampling,
        // and fixed_input_size would make timm replace input_size by img_size.
        let fixedInput = preprocessing.inputHeight == config.imageHeight && preprocessing.inputWidth == config.imageWidth
        if !fixedInput { modelArguments["dynamic_img_size"] = .bool(true) }
        let exact = preprocessing.resizeMode == .exact
        let pretrained: [String: JSONValue] = [
            "input_size": numbers([Double(config.channels), Double(preprocessing.inputHeight), Double(preprocessing.inputWidth)]),
            "interpolation": .string(preprocessing.interpolation.rawValue),
            "crop_pct": .number(exact ? 1 : cropPercent(preprocessing)),
            "crop_mode": .string(exact ? "squash" : "center"),
            "mean": numbers(preprocessing.mean),
            "std": numbers(preprocessing.std),
            "num_classes": .number(Double(config.classCount)),
            "fixed_input_size": .bool(fixedInput),
            "first_conv": .string("patch_embed.proj"),
            "classifier": .string("head"),
        ]
        return .object([
            "architecture": .string(architecture),
            "num_classes": .number(Double(config.classCount)),
            "num_features": .number(Double(config.embedDimension)),
            "global_pool": .string(pool),
            "label_names": .array(config.classNames.map(JSONValue.string)),
            "model_args": .object(modelArguments),
            "pretrained_cfg": .object(pretrained),
            vitrelKey: .object([
                "layer_norm_eps": .number(config.layerNormEpsilon),
                "final_norm_eps": .number(config.finalNormEpsilon),
                "version": .string(VitRel.version),
            ]),
        ])
    }

    /// The registered timm name whose defaults are `config`'s dimensions, else the generic one.
    static func architectureName(for config: ViTConfig) -> String {
        // timm's distilled class is chosen by the factory; model_args fix every dimension.
        if config.distillationToken { return "deit_base_distilled_patch16_224" }
        // Only the ViT-g/14 factories build SwiGLUPacked MLPs; model_args fix the rest
        // (registers and no_embed_class included).
        if config.mlpKind == .swiGLU { return "vit_giant_patch14_dinov2" }
        // Only a CLIP factory gives timm's norms ε 1e-5 (partial(LayerNorm, eps=1e-5) has no
        // JSON spelling); model_args then set pre_norm and act_layer explicitly.
        if config.layerNormEpsilon == 1e-5 && config.finalNormEpsilon == 1e-5 && (config.preNorm || config.activation == .quickGELU) {
            return "vit_base_patch16_clip_224"
        }
        guard !config.layerScale, config.registerTokenCount == 0, config.positionEmbeddingCoversPrefix else { return genericArchitecture }
        let resolution = config.imageHeight == config.imageWidth && config.imageHeight == 384 ? 384 : 224
        for (size, dimensions) in ViTConfig.timmSizes.sorted(by: { $0.key < $1.key })
        where dimensions.width == config.embedDimension && dimensions.depth == config.depth
            && dimensions.heads == config.headCount && config.mlpHiddenDimension == 4 * config.embedDimension {
            for candidate in [resolution, 224] {
                let name = "vit_\(size)_patch\(config.patchSize)_\(candidate)"
                if registeredArchitectures.contains(name) { return name }
            }
        }
        return genericArchitecture
    }

    /// timm's crop_pct for a resize-then-crop: the preprocessing's own, or for a Hugging Face
    /// processor's explicit resize (`shortestEdgeThenCenterCrop`, `exactThenCenterCrop`) a
    /// crop_pct r with ⌊input / r⌋ == the resize side in IEEE double arithmetic (timm's
    /// `scale_size`), nudged an ulp at a time. timm then resizes the shorter side and rounds
    /// the crop offsets as torchvision does: the same tensor for square images whose margin
    /// is even; a non-square image keeps its aspect ratio where `DeiTImageProcessor` squashes
    /// it, and an odd margin may shift the crop by one pixel.
    static func cropPercent(_ preprocessing: Preprocessing) -> Double {
        guard preprocessing.resizeMode == .shortestEdgeThenCenterCrop || preprocessing.resizeMode == .exactThenCenterCrop,
              let side = preprocessing.resizeHeight, side >= preprocessing.inputHeight
        else { return preprocessing.cropPercent }
        let input = Double(preprocessing.inputHeight)
        var ratio = input / Double(side)
        while Int((input / ratio).rounded(.down)) < side { ratio = ratio.nextDown }
        while Int((input / ratio).rounded(.down)) > side { ratio = ratio.nextUp }
        return ratio
    }

    /// An mlp_ratio r with int(width · r) == hidden in IEEE double arithmetic (what both timm
    /// and the reader compute): hidden / width, nudged up an ulp at a time if the product
    /// rounds below the integer.
    static func mlpRatio(hidden: Int, width: Int) -> Double {
        var ratio = Double(hidden) / Double(width)
        while Int(Double(width) * ratio) < hidden { ratio = ratio.nextUp }
        return ratio
    }
}
