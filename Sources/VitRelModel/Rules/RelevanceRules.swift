/// The relevance rule used for each layer family, and the named rule sets of the literature.
///
/// What each rule conserves (ε = 0, biases zero) is stated on the case; the conservation
/// ledger measures every leak so nothing is hidden.
public struct RelevanceRules: Equatable, Sendable {
    /// Rules for fully connected layers (qkv, proj, fc1, fc2, head).
    public enum LinearRule: Equatable, Sendable {
        /// LRP-ε (Bach et al. 2015; zennit `rules.Epsilon`, `zennit/rules.py`) with the
        /// sign-aware stabiliser z + ε·sign(z), sign(0) = 1; ε = 0 is LRP-0. The bias is part of
        /// z and absorbs Σ_j b_j·R_j/z_j (reported as leak). Valid for inputs of either sign.
        case epsilon(Double)
        /// LRP-αβ (Bach et al. 2015) with α − β = 1, bias ignored, as Chefer et al. 2021 use it
        /// (α = 1, β = 0 by default; `layers_ours.Linear.relprop`). x⁺ and x⁻ are read apart, so
        /// it is valid for signed inputs; α = 1, β = 0 is zennit's `AlphaBeta(1, 0)` with the
        /// bias zeroed. Conserves exactly where the denominators are non-zero.
        case alphaBeta(alpha: Double, beta: Double)
        /// LRP-z⁺ for signed inputs (Montavon et al. 2017; zennit `rules.ZPlus`,
        /// `zennit/rules.py`): z′ = x⁺·W⁺ᵀ + x⁻·W⁻ᵀ + b⁺, R_in = x⁺ ⊙ (s·W⁺) + x⁻ ⊙ (s·W⁻),
        /// s = R ⊘ z′; only positive contributions x_i·w_ji receive relevance, b⁺ absorbs
        /// Σ b⁺·s. (`Linear.zPlusTerm`.)
        case zPlus
        /// The generalised LRP-γ for signed inputs (Montavon et al. 2019 §10.2.3, Andéol et al.
        /// 2021; zennit `rules.Gamma`, `zennit/rules.py`): where z > 0, x⁺ against W + γW⁺,
        /// x⁻ against W + γW⁻, bias b + γb⁺; where z < 0 the mirror (x⁺ against W + γW⁻, x⁻
        /// against W + γW⁺, bias b + γb⁻); z = 0 is dropped. The denominator keeps the sign of
        /// z and |z′| ≥ |z| for inputs of either sign. (`Linear.gammaTerms`.)
        case gamma(Double)
    }

    /// Rules for LayerNorm y = γ·(x − μ)/σ + β.
    public enum LayerNormRule: Equatable, Sendable {
        /// R_in = R (Chefer et al. 2021). Conservative by fiat, blind to the normalisation.
        case identity
        /// 1/σ held constant, centring kept (Ali et al. ICML 2022, AttnLRP): y − β is then a
        /// bias-free linear map of x, so LRP-0 through it conserves exactly; β leaks Σβ·R/y.
        case conservative
        /// Plain gradient × input through the full LayerNorm: keeps only ε/(ε + Var) of the
        /// relevance (why the conservative rule exists). For tests and the conservation report.
        case gradientTimesInput
        /// μ and σ both frozen: not conservative (the frozen mean acts as a bias). For tests.
        case frozenMeanAndStandardDeviation
    }

    /// Rules for the attention core softmax(q·kᵀ/√d)·v.
    public enum AttentionRule: Equatable, Sendable {
        /// Chefer et al. 2021: generic rule on A·V and q·kᵀ, each operand halved; softmax is
        /// identity. Saves R_A (the "attention relevance" the rollout methods use).
        case cheferHalved
        /// CP-LRP "AH rule" (Ali et al. 2022): the softmax output is a constant, so all
        /// relevance flows through V. Conservative.
        case constantAttention
        /// AttnLRP (Achtibat et al. 2024): uniform matmul rule on both products and the softmax
        /// rule R_in = x ⊙ (R − s·ΣR); the softmax leaks its Taylor remainder.
        case attnLRP
    }

    /// Rules for the gated product h = silu(x₁) ⊙ x₂ of a SwiGLU feed-forward (DINOv2 ViT-g/14;
    /// `SwiGLU`, whose comment gives each rule set's reason). The SiLU before it takes the
    /// identity rule under every set, as GELU does. Both rules conserve exactly.
    public enum GatedProductRule: Equatable, Sendable {
        /// AttnLRP's uniform rule for a product of two inputs (Achtibat et al. 2024): R_h/2 to
        /// each factor; also Chefer et al. 2021's halved generic rule, as on A·V.
        case uniform
        /// The gate silu(x₁) is a constant, so x₂ takes all of R_h (CP-LRP's constant
        /// attention, Ali et al. 2022; Arras et al. 2017's signal-take-all rule).
        case constantGate
    }

    /// Rules for residual additions z = a + b.
    public enum ResidualRule: Equatable, Sendable {
        /// Chefer et al. 2021: proportional split, then each branch rescaled so that
        /// Σa' : Σb' = |Σa| : |Σb| and Σa' + Σb' = ΣR (per sample).
        case cheferRenormalised
        /// R_a = a·R/(a + b), R_b likewise (stabilised by ε). Conservative.
        case proportional
    }

    /// Rules for the pixel layer (patch embedding).
    public enum PatchRule: Equatable, Sendable {
        /// zᴮ (Montavon et al. 2017) with the input's min/max as bounds, bias ignored (Chefer).
        case zB
        /// The linear rule of the same name on the unfolded patches.
        case linear(LinearRule)
    }

    public var linear: LinearRule
    public var head: LinearRule
    public var layerNorm: LayerNormRule
    public var attention: AttentionRule
    public var residual: ResidualRule
    public var patch: PatchRule
    public var gatedProduct: GatedProductRule
    /// ε of the structural rules: the proportional residual split, the attention rules'
    /// quotients (uniform matmul, constant attention, Chefer's halved rules) and LayerNorm's.
    public var stabiliser: Double
    /// ε of the divisions in the rules of the layers with weights (αβ, z⁺, γ on the linear
    /// layers, the head and the patch embedding; zᴮ), zennit's `stabilizer` (its default is
    /// 1e-6; Chefer's `safe_divide` 1e-9). The ε rule carries its own ε.
    public var weightRuleStabiliser: Double
    /// Whether αβ with β = 0 runs in its fast form from the forward outputs the trace holds
    /// (`Linear.activatorRelevance`, 3 GEMMs); false runs the textbook form (4 GEMMs), the
    /// reference the fast form is tested against. Same rule, same results up to rounding.
    public var fastAlphaBeta = true

    public init(
        linear: LinearRule, head: LinearRule? = nil, layerNorm: LayerNormRule, attention: AttentionRule,
        residual: ResidualRule, patch: PatchRule, gatedProduct: GatedProductRule? = nil, stabiliser: Double = 1e-9,
        weightRuleStabiliser: Double? = nil
    ) {
        self.linear = linear
        self.head = head ?? linear
        self.layerNorm = layerNorm
        self.attention = attention
        self.residual = residual
        self.patch = patch
        // The gate is an input-dependent weight like the attention probabilities: constant
        // where they are constant, split uniformly where A·V is split.
        self.gatedProduct = gatedProduct ?? (attention == .constantAttention ? .constantGate : .uniform)
        self.stabiliser = stabiliser
        self.weightRuleStabiliser = weightRuleStabiliser ?? stabiliser
    }

    /// Chefer, Gur & Wolf, CVPR 2021 (the official Transformer-Explainability code).
    public static let chefer = RelevanceRules(
        linear: .alphaBeta(alpha: 1, beta: 0), layerNorm: .identity, attention: .cheferHalved,
        residual: .cheferRenormalised, patch: .zB, gatedProduct: .uniform)

    /// AttnLRP (Achtibat et al., ICML 2024) as LXT 2.1 runs it on a ViT: ε-LRP on the linear
    /// layers and the head (zennit `Epsilon(ε)`), conservative LayerNorm, softmax and uniform
    /// matmul rules, proportional residuals, and the generalised γ on the patch embedding
    /// (zennit `Gamma(γ)` on the Conv2d, as LXT's ViT example composes it) with ε as its
    /// stabiliser (zennit's default 1e-6 = vitrel's default ε). The structural rules have no
    /// stabiliser: LXT computes them as gradient × input, where residuals and the products
    /// divide by nothing (vitrel's divisions return 0 for 0/0). An ε there would move the
    /// relevance of near-cancelling residual sums by up to 0.3 % of max |R| on the parity
    /// fixtures of Tools/make_lrp_parity_fixtures.py (issue 17).
    public static func attnLRP(epsilon: Double = 1e-6, gamma: Double = 0.25) -> RelevanceRules {
        RelevanceRules(
            linear: .epsilon(epsilon), layerNorm: .conservative, attention: .attnLRP, residual: .proportional,
            patch: .linear(.gamma(gamma)), gatedProduct: .uniform, stabiliser: 0, weightRuleStabiliser: epsilon)
    }

    /// CP-LRP (Ali et al., ICML 2022) as LXT 2.1's default map for torchvision ViTs runs it:
    /// constant attention (AH: q and k detached), otherwise as `attnLRP`.
    public static func cpLRP(epsilon: Double = 1e-6, gamma: Double = 0.25) -> RelevanceRules {
        RelevanceRules(
            linear: .epsilon(epsilon), layerNorm: .conservative, attention: .constantAttention,
            residual: .proportional, patch: .linear(.gamma(gamma)), gatedProduct: .constantGate, stabiliser: 0,
            weightRuleStabiliser: epsilon)
    }

    /// LRP-0 everywhere it is defined, with the conservative LayerNorm and constant attention:
    /// the exactly conservative reference (leaks only through biases and constants).
    public static let lrp0 = RelevanceRules(
        linear: .epsilon(0), layerNorm: .conservative, attention: .constantAttention, residual: .proportional,
        patch: .linear(.epsilon(0)), gatedProduct: .constantGate, stabiliser: 0)
}

/// Division helpers of the relevance rules.
@usableFromInline
package enum Stabilise {
    /// Chefer's `safe_divide`: a/(b + ε) with ε = 1e-9 in the official code, and 0 where b = 0.
    @inline(__always) @usableFromInline
    static func cheferDivide<S: TensorScalar>(_ a: S, _ b: S, epsilon: S = S(1e-9)) -> S {
        b == 0 ? 0 : a / (b + epsilon)
    }

    /// a/(b + ε·sign(b)) with sign(0) = 1; 0/0 (ε = 0, b = 0) gives 0.
    @inline(__always) @usableFromInline
    package static func signedDivide<S: TensorScalar>(_ a: S, _ b: S, epsilon: S) -> S {
        let denominator = b + (b >= 0 ? epsilon : -epsilon)
        return denominator == 0 ? 0 : a / denominator
    }
}

/// Which gradient the backward pass computes: the exact one, or a modified gradient whose
/// product with the input equals an LRP rule set's relevance (Achtibat et al. 2024, §3.3:
/// "LRP as modified gradient × input"; the explicit rules and this path must agree).
public enum GradientRule: Sendable, Equatable {
    case exact
    /// AttnLRP with ε = 0: LayerNorm's σ held constant, GELU's gradient replaced by y/x = Φ(x)
    /// (identity rule), ∂/∂A and ∂/∂V halved (uniform rule on A·V), ∂/∂q and ∂/∂k halved
    /// again (uniform rule on q·kᵀ), SwiGLU's two factors halved likewise (`SwiGLU.backward`);
    /// linear layers, residuals and softmax keep their gradient.
    case attnLRP
    /// CP-LRP with ε = 0: as AttnLRP but the attention probabilities are constants
    /// (no gradient reaches q and k) and V keeps its whole gradient; so is SwiGLU's gate
    /// (x₂ keeps its whole gradient, none reaches x₁).
    case constantAttention
    /// DeepLIFT with the rescale rule (Shrikumar et al. 2017, §3.5.1 and eq. 3): every
    /// derivative is replaced by a multiplier m with Σ m·Δx = Δy, Δ = value at the input minus
    /// value at the baseline, read from the forward traces of both (the backward pass takes
    /// the baseline's trace as `baseline`). Linear layers, residuals, pooling and the patch
    /// embedding pass multipliers on exactly as gradients (chain rule for multipliers, eq. 3);
    /// the nonlinearities use secant ("linearised") multipliers:
    /// - GELU: m = Δy/Δx per element (the rescale rule), the derivative at the midpoint when
    ///   |Δx| is at rounding level.
    /// - LayerNorm y = γ·c·r + β with c = x − μ (linear), v = mean(c²) + ε, r = v^(−½): the
    ///   square's secant is exact (c² − c′² = (c + c′)·Δc), r gets the rescale rule
    ///   Δr/Δv, and the product c·r the two-factor product rule Δ(c·r) = c̄·Δr + Δc·r̄ (bars:
    ///   means of the two endpoints; the Shapley value of a two-factor product).
    /// - softmax p = e·(1/Z) with e = exp(s − c) (rescale rule per element), Z = Σe (linear),
    ///   1/Z (secant −1/(Z·Z′), exact) and the product rule for e·(1/Z).
    /// - attention products q·kᵀ and A·v: the product rule, Δ(ab) = ā·Δb + Δa·b̄.
    /// Each layer's multipliers therefore satisfy summation-to-delta exactly, and so does the
    /// whole model: Σ Δx·m = F(x) − F(x′) with the CLS token and position embedding (the
    /// same at both endpoints) taking nothing.
    case deepLIFTRescale

    var detachesLayerNormDeviation: Bool { self == .attnLRP || self == .constantAttention }
    var usesIdentityForGELU: Bool { self == .attnLRP || self == .constantAttention }
}
