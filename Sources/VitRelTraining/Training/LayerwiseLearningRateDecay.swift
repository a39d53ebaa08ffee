import Foundation

/// Layer-wise learning-rate decay: the blocks near the input learn more slowly than those
/// near the head, so fine-tuning adapts the task-specific top of a pretrained backbone while
/// keeping its general low-level features (Clark et al. 2020, ELECTRA, §3.3; Bao et al. 2022,
/// BEiT, §2.3 "layer-wise learning rate decay", the recipe DINOv2 and MAE fine-tuning follow).
///
/// The scale of each parameter is timm's `param_groups_layer_decay` for a ViT (its
/// `group_matcher`), checked against timm by `Tools/make_layer_decay_fixtures.py`. For a
/// model of depth L and decay rate r:
///
///     cls_token, reg_token, dist_token, pos_embed, patch_embed.*,
///     norm_pre.* (CLIP; timm's stem pattern names it)              r^(L+1)
///     blocks.k.*                                                   r^(L−k)
///     norm.*  (the final LayerNorm: timm groups it with the last block)   r
///     everything else (head, head_dist, fc_norm)                   1
///
/// The scaled rate drives the whole AdamW step of that parameter, the decoupled weight decay
/// included (timm's scheduler writes lr·scale into the parameter group's `lr`).
public struct LayerwiseLearningRateDecay: Codable, Equatable, Sendable {
    /// r in (0, 1]; 1 leaves every rate unscaled.
    public var rate: Double
    /// L: the number of transformer blocks.
    public var depth: Int

    public init(rate: Double, depth: Int) {
        self.rate = rate
        self.depth = depth
    }

    /// Names of the embedding ("stem") parameters, which sit below the first block.
    static let stemNames: Set<String> = ["cls_token", "reg_token", "dist_token", "pos_embed"]

    /// The factor on the scheduled learning rate of the parameter called `name` (timm's name).
    public func scale(forParameter name: String) -> Double {
        Foundation.pow(rate, Double(depth + 1 - layerIndex(ofParameter: name)))
    }

    /// timm's layer id: 0 for the stem, k + 1 for block k, L for the final norm (the last
    /// block's id), L + 1 for the head and anything after it.
    func layerIndex(ofParameter name: String) -> Int {
        if Self.stemNames.contains(name) || name.hasPrefix("patch_embed.") || name.hasPrefix("norm_pre.") { return 0 }
        if name.hasPrefix("blocks.") {
            let number = name.dropFirst("blocks.".count).prefix { $0.isNumber }
            if let block = Int(number) { return block + 1 }
        }
        if name.hasPrefix("norm.") { return depth }
        return depth + 1
    }
}
