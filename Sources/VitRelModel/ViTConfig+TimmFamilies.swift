/// The timm ViT families vitrel reads, by factory name, with the defaults each factory fixes
/// (timm 1.0 `vision_transformer.py` and `deit.py`; `model_args` in a config.json override them).
///
/// | factory                              | what differs from the plain ViT                         |
/// |--------------------------------------|---------------------------------------------------------|
/// | `vit_{size}_patch{p}_{res}`          | nothing                                                 |
/// | `vit_{size}_patch14_dinov2`          | LayerScale, patch 14, 518 px                            |
/// | `vit_{size}_patch14_reg4_dinov2`     | + 4 register tokens, `pos_embed` on patches only        |
/// | `vit_giant_patch14[_reg4]_dinov2`    | + SwiGLU MLP (`SwiGLUPacked`, SiLU gate), 1536 × 40 × 24 |
/// | `deit_{size}_patch16_{res}`          | nothing (the DeiT recipe, timm's plain ViT)             |
/// | `deit_{size}_distilled_patch16_{res}`| distillation token + `head_dist`, logits averaged       |
/// | `deit3_{size}_patch{p}_{res}`        | LayerScale, `pos_embed` on patches only                 |
/// | `vit_{size}_patch{p}[_plus]_clip_{res}` | `norm_pre`, no patch-embedding bias, LayerNorm ε 1e-5   |
/// | `vit_{size}_patch{p}_clip_quickgelu_{res}` | + QuickGELU (OpenAI's CLIP weights)               |
extension ViTConfig {
    /// Widths, depths and heads of the DeiT-III sizes timm registers beyond `timmSizes`.
    static let deit3Sizes: [String: (width: Int, depth: Int, heads: Int)] = [
        "medium": (512, 12, 8), "huge": (1280, 32, 16),
    ]

    /// DINOv2 ViT-g/14 (Oquab et al. 2023): width, depth and heads of timm's
    /// `vit_giant_patch14_dinov2`.
    static let dinov2GiantSize = (width: 1536, depth: 40, heads: 24)

    /// The `mlp_ratio` timm's `vit_giant_patch14[_reg4]_dinov2` factories fix, `2.66667 * 2`
    /// (fc1 int(1536·5.33334) = 8192 = 2·4096 wide, `SwiGLUPacked`): the default a config.json
    /// that overrides `embed_dim` but not `mlp_ratio` gets, as timm applies it.
    public static let dinov2GiantMLPRatio = 2.66667 * 2

    /// The `mlp_ratio` a timm factory fixes, the default a config.json that overrides
    /// `embed_dim` but not `mlp_ratio` gets: `dinov2GiantMLPRatio` for the giant DINOv2 names;
    /// the CLIP giant's 48/11 and gigantic's 64/13 (the ratio of the factory's widths, 6144/1408
    /// and 8192/1664, is the same rational and so the same double); 4 for the others.
    public static func timmMLPRatio(architecture name: String) -> Double {
        guard let config = timmFamily(architecture: name) else { return 4 }
        if config.mlpKind == .swiGLU { return dinov2GiantMLPRatio }
        return Double(config.mlpHiddenDimension) / Double(config.embedDimension)
    }

    /// The config of a timm factory name of one of the families above (the tag after a dot,
    /// `.lvd142m`, names weights and is ignored); nil for any other name. Strict: the name
    /// must have exactly the family's parts, so `vit_base_patch16_224_miil` is not plain ViT.
    public static func timmFamily(architecture name: String) -> ViTConfig? {
        let architecture = String(name.split(separator: ".", maxSplits: 1).first ?? "")
        let parts = architecture.split(separator: "_").map(String.init)
        func patch(_ part: String) -> Int? { part.hasPrefix("patch") ? Int(part.dropFirst(5)) : nil }
        func make(_ size: (width: Int, depth: Int, heads: Int), patch: Int, resolution: Int) -> ViTConfig {
            ViTConfig(
                imageHeight: resolution, imageWidth: resolution, patchSize: patch,
                embedDimension: size.width, depth: size.depth, headCount: size.heads)
        }
        guard parts.count >= 4 else { return nil }
        switch parts[0] {
        case "vit":
            if parts[3] == "clip" || (parts.count > 4 && parts[3] == "plus" && parts[4] == "clip") { return clip(parts) }
            let giant = parts[1] == "giant"
            guard let size = giant ? dinov2GiantSize : timmSizes[parts[1]], let p = patch(parts[2]) else { return nil }
            if !giant, parts.count == 4, let resolution = Int(parts[3]) { return make(size, patch: p, resolution: resolution) }
            // DINOv2 (Oquab et al. 2023): LayerScale; trained at 518 px (a 37 × 37 grid).
            if parts[1] != "tiny", p == 14, parts.last == "dinov2", parts.count == 4 || (parts.count == 5 && parts[3] == "reg4") {
                var config = make(size, patch: 14, resolution: 518)
                config.layerScale = true
                if giant {
                    // ViT-g/14: mlp_layer=SwiGLUPacked, act_layer=nn.SiLU, mlp_ratio 2.66667·2.
                    config.mlpKind = .swiGLU
                    config.activation = .silu
                    config.mlpHiddenDimension = Int(Double(size.width) * dinov2GiantMLPRatio)
                }
                if parts.count == 5 {
                    // Darcet et al. 2024: registers, and timm's no_embed_class for that checkpoint.
                    config.registerTokenCount = 4
                    config.positionEmbeddingCoversPrefix = false
                }
                return config
            }
            return nil
        case "deit":
            let distilled = parts.count == 5 && parts[2] == "distilled"
            guard parts.count == 4 || distilled, ["tiny", "small", "base"].contains(parts[1]), let size = timmSizes[parts[1]],
                  let p = patch(parts[parts.count - 2]), p == 16, let resolution = Int(parts[parts.count - 1])
            else { return nil }
            var config = make(size, patch: p, resolution: resolution)
            config.distillationToken = distilled
            return config
        case "deit3":
            guard parts.count == 4, let size = timmSizes[parts[1]] ?? deit3Sizes[parts[1]], parts[1] != "tiny",
                  let p = patch(parts[2]), let resolution = Int(parts[3])
            else { return nil }
            var config = make(size, patch: p, resolution: resolution)
            config.layerScale = true
            config.positionEmbeddingCoversPrefix = false
            return config
        default:
            return nil
        }
    }

    /// Widths, depths, heads and MLP widths of the CLIP image towers (timm 1.0
    /// `vision_transformer.py`, the `vit_*_clip_*` factories; OpenCLIP's sizes beside OpenAI's).
    static let clipSizes: [String: (width: Int, depth: Int, heads: Int, mlp: Int)] = [
        "xsmall": (256, 10, 4, 1024), "medium": (512, 12, 8, 2048), "betwixt": (640, 12, 10, 2560),
        "base": (768, 12, 12, 3072), "base_plus": (896, 12, 14, 3584), "large": (1024, 24, 16, 4096),
        "huge": (1280, 32, 16, 5120), "giant": (1408, 40, 16, 6144), "gigantic": (1664, 48, 16, 8192),
    ]

    /// The CLIP image towers timm registers as ViTs (Radford et al. 2021; timm 1.0
    /// `vit_{size}_patch{p}[_plus]_clip_[quickgelu_]{res}`, sizes in `clipSizes`):
    /// `pre_norm=True` (a LayerNorm `norm_pre` before the blocks, the patch embedding without
    /// bias) and `norm_layer=partial(LayerNorm, eps=1e-5)` on every norm; the `quickgelu` names
    /// add `act_layer='quick_gelu'`, which OpenAI's own weights need. `parts` starts "vit",
    /// size, "patch{p}", then "plus" for base_plus, then "clip". Checked against every name timm
    /// lists (`Tools/make_clip_name_fixtures.py`).
    static func clip(_ parts: [String]) -> ViTConfig? {
        var parts = parts
        if parts.count > 3 && parts[3] == "plus" {
            parts.remove(at: 3)
            parts[1] += "_plus"
        }
        let quickGELU = parts.count == 6 && parts[4] == "quickgelu"
        guard parts.count == 5 || quickGELU, parts[3] == "clip", let size = clipSizes[parts[1]], parts[2].hasPrefix("patch"),
              let patch = Int(parts[2].dropFirst(5)), [14, 16, 32].contains(patch), let resolution = Int(parts[parts.count - 1])
        else { return nil }
        var config = ViTConfig(
            imageHeight: resolution, imageWidth: resolution, patchSize: patch, embedDimension: size.width,
            depth: size.depth, headCount: size.heads, mlpHiddenDimension: size.mlp, layerNormEpsilon: 1e-5)
        config.preNorm = true
        config.activation = quickGELU ? .quickGELU : .gelu
        return config
    }
}
