/// Architecture of a Vision Transformer (Dosovitskiy et al. 2021), in timm's terms.
///
/// Field names spell out what timm's `model_args` abbreviate; `ViTConfig.timm(architecture:)`
/// gives the defaults a timm architecture name fixes.
public struct ViTConfig: Codable, Equatable, Sendable {
    public enum Pooling: String, Codable, Sendable {
        /// The CLS token's final state feeds the head (timm "token").
        case token
        /// Mean over patch tokens (timm "avg"; prefix tokens excluded).
        case average
        /// The CLS token's final state concatenated with the mean of the patch tokens' (every
        /// prefix token excluded, registers too), so the head reads 2·D features: Hugging Face
        /// `Dinov2ForImageClassification` and `Dinov2WithRegistersForImageClassification`
        /// (`torch.cat([cls_token, patch_tokens.mean(dim=1)], dim=1)` in transformers'
        /// `modeling_dinov2.py`), which follows DINOv2's linear probe (Oquab et al. 2023, §7).
        case classTokenAndPatchMean
    }

    /// How a position embedding stored for one patch grid is resampled to another.
    public enum PositionInterpolation: String, Codable, Sendable {
        /// Bicubic with antialiasing, Pillow's kernel (a = −0.5): timm's
        /// `resample_abs_pos_embed` and transformers' DINOv2 with registers
        /// (`F.interpolate(..., mode="bicubic", antialias=True)`).
        case antialiasedBicubic
        /// PyTorch's plain bicubic (`F.interpolate(..., mode="bicubic", align_corners=False)`
        /// without antialias: a = −0.75, border samples repeated): transformers' DINOv2.
        case bicubic
    }

    public var imageHeight: Int
    public var imageWidth: Int
    public var patchSize: Int
    public var channels: Int
    public var embedDimension: Int
    public var depth: Int
    public var headCount: Int
    public var mlpHiddenDimension: Int
    public var classCount: Int
    public var qkvBias: Bool
    public var classToken: Bool
    public var pooling: Pooling
    /// timm's fc_norm: the final LayerNorm after pooling instead of before it.
    public var normAfterPooling: Bool
    /// ε of every block LayerNorm (timm 1e-6, Hugging Face 1e-12).
    public var layerNormEpsilon: Double
    /// ε of the final LayerNorm.
    public var finalNormEpsilon: Double
    public var classNames: [String]
    /// timm's LayerScale (`init_values` set; DINOv2, DeiT-III, CaiT): a learned per-channel
    /// scale γ on the attention and MLP outputs before each residual add (Touvron et al. 2021).
    public var layerScale: Bool = false
    /// DINOv2's register tokens (`reg_tokens`; Darcet et al. 2024): learned tokens after CLS
    /// and before the patches; they are not image patches and no head reads them.
    public var registerTokenCount: Int = 0
    /// DeiT's distillation token (Touvron et al. 2021): a second learned token after CLS read
    /// by a second head, `head_dist`; at inference the two heads' logits are averaged.
    public var distillationToken: Bool = false
    /// Whether `pos_embed` has rows for the prefix tokens (timm's default) or only for the
    /// patches (timm `no_embed_class`: DeiT-III, DINOv2 with registers), where the prefix
    /// tokens then get no position embedding at all.
    public var positionEmbeddingCoversPrefix: Bool = true
    /// Whether a second head reads the distillation token (timm's distilled DeiT, Hugging Face
    /// `DeiTForImageClassificationWithTeacher`). Hugging Face `DeiTForImageClassification`
    /// carries the token in its sequence (every HF DeiT embeds it) but classifies from CLS
    /// alone: false. Meaningless without a distillation token.
    public var distillationHead: Bool = true
    /// How `pos_embed` is resampled when the input's grid is not the stored one.
    public var positionInterpolation: PositionInterpolation = .antialiasedBicubic
    /// timm's `pre_norm` (CLIP image towers, Radford et al. 2021): a LayerNorm `norm_pre` on the
    /// embedded sequence (patches, prefix tokens and position embedding) before the first
    /// block; timm then builds the patch embedding without a bias.
    public var preNorm: Bool = false
    /// The MLP's nonlinearity (timm `act_layer`): exact GELU, QuickGELU for OpenAI's CLIP,
    /// SiLU (SwiGLU's gate, with `mlpKind` `.swiGLU`).
    public var activation: Activation = .gelu
    /// The feed-forward network (timm `mlp_layer`): `Mlp`, or DINOv2 ViT-g/14's SwiGLU, whose
    /// fc1 is `mlpHiddenDimension` wide ([x₁ | x₂] packed) and fc2 reads half of that.
    public var mlpKind: MLPKind = .mlp
    /// timm's `qk_norm`: a LayerNorm over head_dim on every head's query and key (ε:
    /// `layerNormEpsilon`, as timm builds it with the blocks' norm_layer).
    public var queryKeyNorm: Bool = false

    public init(
        imageHeight: Int = 224, imageWidth: Int = 224, patchSize: Int = 16, channels: Int = 3,
        embedDimension: Int = 768, depth: Int = 12, headCount: Int = 12, mlpHiddenDimension: Int? = nil,
        classCount: Int = 1000, qkvBias: Bool = true, classToken: Bool = true, pooling: Pooling = .token,
        normAfterPooling: Bool? = nil, layerNormEpsilon: Double = 1e-6, finalNormEpsilon: Double? = nil,
        classNames: [String]? = nil
    ) {
        self.imageHeight = imageHeight
        self.imageWidth = imageWidth
        self.patchSize = patchSize
        self.channels = channels
        self.embedDimension = embedDimension
        self.depth = depth
        self.headCount = headCount
        self.mlpHiddenDimension = mlpHiddenDimension ?? 4 * embedDimension
        self.classCount = classCount
        self.qkvBias = qkvBias
        self.classToken = classToken
        self.pooling = pooling
        self.normAfterPooling = normAfterPooling ?? (pooling == .average)
        self.layerNormEpsilon = layerNormEpsilon
        self.finalNormEpsilon = finalNormEpsilon ?? layerNormEpsilon
        self.classNames = classNames ?? (0..<classCount).map { "class_\($0)" }
    }

    public var headDimension: Int { embedDimension / headCount }
    /// fc2's input width: the hidden width, or half of it for SwiGLU (silu(x₁) ⊙ x₂).
    public var mlpInnerDimension: Int { mlpKind == .swiGLU ? mlpHiddenDimension / 2 : mlpHiddenDimension }
    /// The MLP in a few words, for listings (`vitrel inspect`): "GELU 3072", or
    /// "SwiGLU 8192 → 4096 (SiLU gate)".
    public var mlpDescription: String {
        switch mlpKind {
        case .mlp:
            let name = ["gelu": "GELU", "quick_gelu": "QuickGELU", "silu": "SiLU"][activation.rawValue] ?? activation.rawValue
            return "\(name) \(mlpHiddenDimension)"
        case .swiGLU: return "SwiGLU \(mlpHiddenDimension) → \(mlpInnerDimension) (SiLU gate)"
        }
    }
    public var gridHeight: Int { imageHeight / patchSize }
    public var gridWidth: Int { imageWidth / patchSize }
    public var patchCount: Int { gridHeight * gridWidth }
    /// Tokens in the sequence: patches plus the prefix tokens.
    public var tokenCount: Int { patchCount + prefixTokenCount }
    /// Tokens before the patches, in timm's order: CLS, the distillation token, the registers.
    public var prefixTokenCount: Int { (classToken ? 1 : 0) + (distillationToken ? 1 : 0) + registerTokenCount }
    /// Rows of `pos_embed` before the patch rows: every prefix token, or none (`no_embed_class`).
    public var positionPrefixTokenCount: Int { positionEmbeddingCoversPrefix ? prefixTokenCount : 0 }
    /// Rows of `pos_embed` at the model's own grid.
    public var positionTokenCount: Int { patchCount + positionPrefixTokenCount }
    /// Index of the distillation token in the sequence (nil without one).
    public var distillationTokenIndex: Int? { distillationToken ? (classToken ? 1 : 0) : nil }
    /// Index of the distillation token when a head reads it (nil otherwise).
    public var distillationHeadTokenIndex: Int? { distillationHead ? distillationTokenIndex : nil }
    /// The token rows a token-pooled prediction reads: CLS, and the distillation token with
    /// DeiT's two heads (whose logits are averaged, so each row weighs ½).
    public var readoutTokens: [Int] { distillationHeadTokenIndex.map { [0, $0] } ?? [0] }
    /// Where the pooled vector [D'] holds the CLS token's state and the patch mean (offsets
    /// into D'; nil when the pooling does not read it).
    public var pooledSlots: (classToken: Int?, patchMean: Int?) {
        switch pooling {
        case .token: return (0, nil)
        case .average: return (nil, 0)
        case .classTokenAndPatchMean: return (0, embedDimension)
        }
    }
    /// Width of the head's input: D, or 2·D for `classTokenAndPatchMean`.
    public var headInputDimension: Int { pooling == .classTokenAndPatchMean ? 2 * embedDimension : embedDimension }

    /// Width, depth and heads of timm's named sizes.
    public static let timmSizes: [String: (width: Int, depth: Int, heads: Int)] = [
        "tiny": (192, 12, 3), "small": (384, 12, 6), "base": (768, 12, 12), "large": (1024, 24, 16),
    ]

    /// Defaults fixed by a timm architecture name `vit_{size}_patch{p}_{resolution}`;
    /// nil for names outside that family.
    public static func timm(architecture: String, classCount: Int = 1000) -> ViTConfig? {
        if var family = timmFamily(architecture: architecture) {
            family.classCount = classCount
            family.classNames = (0..<classCount).map { "class_\($0)" }
            return family
        }
        let parts = architecture.split(separator: "_")
        guard parts.count >= 4, parts[0] == "vit", let size = timmSizes[String(parts[1])],
              parts[2].hasPrefix("patch"), let patch = Int(parts[2].dropFirst(5)),
              let resolution = Int(parts[3])
        else { return nil }
        return ViTConfig(
            imageHeight: resolution, imageWidth: resolution, patchSize: patch,
            embedDimension: size.width, depth: size.depth, headCount: size.heads, classCount: classCount)
    }

    /// Checks that the numbers fit together; returns a description of the first problem.
    /// 96 × 96 patches (1,536 pixels at patch 16): each head's attention matrix then holds 85 M
    /// floats (340 MB); a 65,536² input would ask for terabytes.
    public static let maximumTokens = 9_216

    public func validationProblem() -> String? {
        if patchSize <= 0 { return "patch size must be positive" }
        if imageHeight % patchSize != 0 || imageWidth % patchSize != 0 {
            return "image size \(imageHeight)x\(imageWidth) is not a multiple of patch size \(patchSize)"
        }
        if headCount <= 0 || embedDimension % headCount != 0 {
            return "width \(embedDimension) is not divisible by \(headCount) heads"
        }
        if depth < 0 || classCount <= 0 { return "depth and class count must be positive" }
        if classNames.count != classCount { return "\(classNames.count) class names for \(classCount) classes" }
        // Every command maps names to outputs (targets, dataset classes, reports): a name that
        // is empty or given twice would make that mapping ambiguous.
        if let empty = classNames.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            return "class \(empty) has an empty name"
        }
        if Set(classNames).count != classNames.count {
            let duplicate = classNames.first { name in classNames.filter { $0 == name }.count > 1 }!
            return "class name \"\(duplicate)\" is given more than once"
        }
        if !classToken && pooling != .average { return "\(pooling.rawValue) pooling needs a class token" }
        if pooling == .classTokenAndPatchMean && normAfterPooling {
            return "CLS ⊕ patch-mean pooling reads the final norm's output (no fc_norm)"
        }
        if distillationToken && (!classToken || pooling != .token || normAfterPooling) {
            return "a distillation token needs a class token and token pooling without fc_norm (timm's distilled head)"
        }
        if mlpKind == .swiGLU && (mlpHiddenDimension % 2 != 0 || activation != .silu) {
            return "a SwiGLU MLP needs an even packed width and the SiLU gate, got width \(mlpHiddenDimension) and \(activation.rawValue)"
        }
        if registerTokenCount < 0 || registerTokenCount > 64 { return "register token count \(registerTokenCount) is outside 0...64" }
        for (name, epsilon) in [("layer_norm_eps", layerNormEpsilon), ("final_norm_eps", finalNormEpsilon)]
        where !(epsilon > 0 && epsilon <= 1) {
            return "\(name) must be in (0, 1], got \(epsilon)"
        }
        let tokens = (imageHeight / patchSize) * (imageWidth / patchSize)
        if tokens > Self.maximumTokens {
            return "a \(imageHeight)×\(imageWidth) input in \(patchSize)-pixel patches is \(tokens) tokens; at most \(Self.maximumTokens) (each head's attention matrix is tokens² floats)"
        }
        return nil
    }
}

extension ViTConfig {
    /// Decodes configs written before the family fields existed (training states): a missing
    /// field is the plain ViT's value.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            imageHeight: try c.decode(Int.self, forKey: .imageHeight), imageWidth: try c.decode(Int.self, forKey: .imageWidth),
            patchSize: try c.decode(Int.self, forKey: .patchSize), channels: try c.decode(Int.self, forKey: .channels),
            embedDimension: try c.decode(Int.self, forKey: .embedDimension), depth: try c.decode(Int.self, forKey: .depth),
            headCount: try c.decode(Int.self, forKey: .headCount),
            mlpHiddenDimension: try c.decode(Int.self, forKey: .mlpHiddenDimension),
            classCount: try c.decode(Int.self, forKey: .classCount), qkvBias: try c.decode(Bool.self, forKey: .qkvBias),
            classToken: try c.decode(Bool.self, forKey: .classToken), pooling: try c.decode(Pooling.self, forKey: .pooling),
            normAfterPooling: try c.decode(Bool.self, forKey: .normAfterPooling),
            layerNormEpsilon: try c.decode(Double.self, forKey: .layerNormEpsilon),
            finalNormEpsilon: try c.decode(Double.self, forKey: .finalNormEpsilon),
            classNames: try c.decode([String].self, forKey: .classNames))
        layerScale = try c.decodeIfPresent(Bool.self, forKey: .layerScale) ?? false
        registerTokenCount = try c.decodeIfPresent(Int.self, forKey: .registerTokenCount) ?? 0
        distillationToken = try c.decodeIfPresent(Bool.self, forKey: .distillationToken) ?? false
        positionEmbeddingCoversPrefix = try c.decodeIfPresent(Bool.self, forKey: .positionEmbeddingCoversPrefix) ?? true
        distillationHead = try c.decodeIfPresent(Bool.self, forKey: .distillationHead) ?? true
        positionInterpolation = try c.decodeIfPresent(PositionInterpolation.self, forKey: .positionInterpolation) ?? .antialiasedBicubic
        preNorm = try c.decodeIfPresent(Bool.self, forKey: .preNorm) ?? false
        activation = try c.decodeIfPresent(Activation.self, forKey: .activation) ?? .gelu
        queryKeyNorm = try c.decodeIfPresent(Bool.self, forKey: .queryKeyNorm) ?? false
        mlpKind = try c.decodeIfPresent(MLPKind.self, forKey: .mlpKind) ?? .mlp
    }
}
