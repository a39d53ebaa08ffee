/// The explanation methods `vitrel explain --method` offers.
public enum ExplanationMethod: String, CaseIterable, Codable, Sendable {
    /// Chefer et al. CVPR 2021 "transformer attribution": rollout of mean_h(∇A ⊙ R_A)⁺.
    case cheferLRP = "chefer-lrp"
    /// Chefer et al. ICCV 2021: R ← R + mean_h(∇A ⊙ A)⁺·R, no LRP pass.
    case cheferGradientRollout = "chefer-gradient-rollout"
    /// Full LRP (Chefer's rule set) down to the pixels.
    case lrpFull = "lrp-full"
    /// Rollout of mean_h(R_A⁺) (Chefer's "rollout" baseline).
    case lrpRollout = "lrp-rollout"
    /// mean_h(R_A⁺) of the last block (Chefer's "last_layer").
    case lrpLastLayer = "lrp-last-layer"
    /// AttnLRP (Achtibat et al. 2024), pixel level, conservative.
    case attnLRP = "attnlrp"
    /// CP-LRP (Ali et al. 2022), pixel level, conservative.
    case cpLRP = "cp-lrp"
    /// Raw attention of the last block (Chefer's "last_layer_attn").
    case rawAttention = "raw-attention"
    /// Attention rollout (Abnar & Zuidema 2020).
    case attentionRollout = "attention-rollout"
    /// Grad-CAM on the last block's attention (Chefer's "attn_gradcam" baseline).
    case attentionGradCAM = "attn-gradcam"
    /// Token Grad-CAM on the last block's input (pytorch-grad-cam for ViTs).
    case gradCAM = "grad-cam"
    /// |∂y/∂x|, max over channels (Simonyan et al. 2014).
    case gradient
    /// Σ_c x ⊙ ∂y/∂x.
    case gradientInput = "gradient-input"
    /// Integrated gradients (Sundararajan et al. 2017), Gauss–Legendre quadrature.
    case integratedGradients = "integrated-gradients"
    /// DeepLIFT with the rescale rule at GELU, softmax and LayerNorm (Shrikumar et al. 2017);
    /// summation-to-delta: Σ attributions = F(x) − F(baseline).
    case deepLIFT = "deeplift"
    /// LIME on superpixels (model-agnostic; see the LIME module).
    case lime

    /// Whether the map lives on the token grid (upsampled for display) or on the pixels.
    public var isTokenLevel: Bool { descriptor.output == .tokenMap }

    /// Whether the map carries a sign (drawn with a diverging colour map).
    public var isSigned: Bool { descriptor.isSigned }

    /// Whether the method needs the model's internals (all but LIME).
    public var needsModelInternals: Bool { descriptor.needsModelInternals }
}

/// Settings of the methods that have any.
public struct ExplanationOptions: Sendable, Equatable {
    /// First block of the rollout products (Chefer: 0 by default; their perturbation tests use 1).
    public var startLayer = 0
    /// ε of the AttnLRP / CP-LRP linear rules (zennit `Epsilon`), also the stabiliser of their
    /// γ rule (`RelevanceRules.attnLRP`).
    public var epsilon = 1e-6
    /// γ of the AttnLRP / CP-LRP patch-embedding rule: the generalised γ for signed inputs
    /// (zennit `Gamma`; `RelevanceRules.LinearRule.gamma`).
    public var gamma = 0.25
    /// Head fusion of attention rollout.
    public var headFusion: HeadFusion = .mean
    /// Fraction of the smallest fused attention entries zeroed (jacobgil/vit-explain).
    public var discardRatio = 0.0
    /// Grad-CAM channel weights: spatial mean of the gradient, or element-wise ReLU(G)·A.
    public var gradCAMVariant: GradCAMVariant = .globalAveragePooling
    /// Integrated-gradients quadrature nodes.
    public var integrationSteps = 50
    /// Baseline of integrated gradients and DeepLIFT: one value for every input element, in
    /// normalised input space (0: the "zero input" of both papers).
    public var baselineValue = 0.0

    public enum HeadFusion: String, CaseIterable, Sendable { case mean, max, min }
    public enum GradCAMVariant: String, CaseIterable, Sendable {
        case globalAveragePooling = "gap"
        case elementwise
    }

    public init() {}
}
