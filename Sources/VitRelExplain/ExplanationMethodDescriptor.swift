/// Everything vitrel knows about one explanation method, in one value: its name, how it is
/// computed (and so, for the LRP family, which rules it runs), what it needs from the model,
/// what it outputs, and which options it reads.
///
/// `Explainer.explain` dispatches on `computation` instead of deciding per method, and the
/// conservation audit takes its rules from `ruleSet`, so a method's rules are stated once,
/// in `ExplanationMethod.descriptor`.
public struct ExplanationMethodDescriptor: Equatable, Sendable {
    public var method: ExplanationMethod
    public var computation: Computation
    public var output: Output
    /// Whether the map carries a sign (drawn with a diverging colour map).
    public var isSigned: Bool
    /// The options of `ExplanationOptions` the method reads, in flag order.
    public var settings: [ExplanationSetting]

    public init(method: ExplanationMethod, computation: Computation, output: Output, isSigned: Bool, settings: [ExplanationSetting] = []) {
        self.method = method
        self.computation = computation
        self.output = output
        self.isSigned = isSigned
        self.settings = settings
    }

    /// How the map is computed. Each case is one code path of `Explainer.explain` (LIME's is
    /// `LIMEExplainer`); its associated values are the choices that distinguish the methods
    /// sharing that path.
    public enum Computation: Equatable, Sendable {
        /// Relevance of the attention maps from a relevance pass with `rules` (Chefer et al.
        /// CVPR 2021), mean over heads of R_A⁺, or of (∇A ⊙ R_A)⁺ when `weightedByGradient`;
        /// rolled out from the start layer or read at the last block.
        case attentionRelevance(rules: RelevanceRuleSet, blocks: AttentionBlocks, weightedByGradient: Bool)
        /// Mean over heads of the last block's attention.
        case rawAttention
        /// Chefer et al. ICCV 2021: R ← R + mean_h(∇A ⊙ A)⁺·R over all blocks.
        case gradientWeightedRollout
        /// Abnar & Zuidema 2020, with the head fusion and discard ratio of the options.
        case attentionRollout
        /// Grad-CAM on the last block's attention, CLS row.
        case attentionGradCAM
        /// Grad-CAM on the last block's input tokens.
        case tokenGradCAM
        /// A relevance pass with `rules` down to the pixels, one image at a time (per-image ledgers).
        case pixelRelevance(rules: RelevanceRuleSet)
        /// ∂y/∂x reduced over channels.
        case inputGradient(InputGradientReduction)
        case integratedGradients
        case deepLIFT
        /// LIME on superpixels: the model is only queried on perturbed images.
        case lime
    }

    /// Which blocks an attention-relevance method reads.
    public enum AttentionBlocks: Equatable, Sendable {
        /// The rollout product from `ExplanationOptions.startLayer` to the last block.
        case rolloutFromStartLayer
        /// The last block alone (both passes stop at its attention).
        case lastBlock
    }

    /// How the input gradient becomes one value per pixel.
    public enum InputGradientReduction: Equatable, Sendable {
        /// max_c |∂y/∂x_c| (Simonyan et al. 2014).
        case largestMagnitude
        /// Σ_c x_c · ∂y/∂x_c.
        case timesInput
    }

    /// What the method produces.
    public enum Output: Equatable, Sendable {
        /// One value per patch token (upsampled for display and metrics).
        case tokenMap
        /// One value per pixel.
        case pixelMap
        /// One weight per superpixel (LIME's surrogate), painted onto the pixels.
        case superpixelWeights
    }

    /// What a method needs from the model and the run.
    public struct Needs: OptionSet, Sendable, Hashable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// A forward pass that keeps the activations (`VisionTransformer.Trace`).
        public static let tracedForward = Needs(rawValue: 1 << 0)
        /// A backward pass for ∂y/∂A or ∂y/∂x.
        public static let gradients = Needs(rawValue: 1 << 1)
        /// An LRP relevance pass.
        public static let relevancePass = Needs(rawValue: 1 << 2)
        /// Forward passes on perturbed inputs only (model-agnostic).
        public static let perturbation = Needs(rawValue: 1 << 3)
        /// The row of the token the prediction reads (CLS, or the patch mean under average
        /// pooling); a model that pools a class token it lacks cannot be explained so.
        public static let predictionRow = Needs(rawValue: 1 << 4)
    }

    public var needs: Needs {
        switch computation {
        case .attentionRelevance(_, _, let weightedByGradient):
            return weightedByGradient ? [.tracedForward, .relevancePass, .gradients, .predictionRow] : [.tracedForward, .relevancePass, .predictionRow]
        case .rawAttention, .attentionRollout: return [.tracedForward, .predictionRow]
        case .gradientWeightedRollout, .attentionGradCAM: return [.tracedForward, .gradients, .predictionRow]
        case .tokenGradCAM, .inputGradient, .integratedGradients, .deepLIFT: return [.tracedForward, .gradients]
        case .pixelRelevance: return [.tracedForward, .relevancePass]
        case .lime: return .perturbation
        }
    }

    /// The LRP rule set the method runs, nil for methods without a relevance pass.
    public var ruleSet: RelevanceRuleSet? {
        switch computation {
        case .attentionRelevance(let rules, _, _), .pixelRelevance(let rules): return rules
        default: return nil
        }
    }

    /// The rules the method runs with `options` (their ε and γ), nil without a relevance pass.
    public func relevanceRules(_ options: ExplanationOptions) -> RelevanceRules? {
        ruleSet?.rules(options)
    }

    /// Whether the method needs the model's internals (all but LIME).
    public var needsModelInternals: Bool { !needs.contains(.perturbation) }
}

extension ExplanationMethod {
    /// The method as one value: the table of what every method is.
    public var descriptor: ExplanationMethodDescriptor {
        typealias D = ExplanationMethodDescriptor
        switch self {
        case .cheferLRP:
            return D(method: self, computation: .attentionRelevance(rules: .chefer, blocks: .rolloutFromStartLayer, weightedByGradient: true),
                     output: .tokenMap, isSigned: false, settings: [.startLayer])
        case .cheferGradientRollout:
            return D(method: self, computation: .gradientWeightedRollout, output: .tokenMap, isSigned: false)
        case .lrpFull:
            return D(method: self, computation: .pixelRelevance(rules: .chefer), output: .pixelMap, isSigned: true)
        case .lrpRollout:
            return D(method: self, computation: .attentionRelevance(rules: .chefer, blocks: .rolloutFromStartLayer, weightedByGradient: false),
                     output: .tokenMap, isSigned: false, settings: [.startLayer])
        case .lrpLastLayer:
            return D(method: self, computation: .attentionRelevance(rules: .chefer, blocks: .lastBlock, weightedByGradient: false),
                     output: .tokenMap, isSigned: false)
        case .attnLRP:
            return D(method: self, computation: .pixelRelevance(rules: .attnLRP), output: .pixelMap, isSigned: true, settings: [.epsilon, .gamma])
        case .cpLRP:
            return D(method: self, computation: .pixelRelevance(rules: .cpLRP), output: .pixelMap, isSigned: true, settings: [.epsilon, .gamma])
        case .rawAttention:
            return D(method: self, computation: .rawAttention, output: .tokenMap, isSigned: false)
        case .attentionRollout:
            return D(method: self, computation: .attentionRollout, output: .tokenMap, isSigned: false, settings: [.headFusion, .discardRatio])
        case .attentionGradCAM:
            return D(method: self, computation: .attentionGradCAM, output: .tokenMap, isSigned: false)
        case .gradCAM:
            return D(method: self, computation: .tokenGradCAM, output: .tokenMap, isSigned: false, settings: [.gradCAMVariant])
        case .gradient:
            return D(method: self, computation: .inputGradient(.largestMagnitude), output: .pixelMap, isSigned: false)
        case .gradientInput:
            return D(method: self, computation: .inputGradient(.timesInput), output: .pixelMap, isSigned: true)
        case .integratedGradients:
            return D(method: self, computation: .integratedGradients, output: .pixelMap, isSigned: true, settings: [.integrationSteps, .baseline])
        case .deepLIFT:
            return D(method: self, computation: .deepLIFT, output: .pixelMap, isSigned: true, settings: [.baseline])
        case .lime:
            return D(method: self, computation: .lime, output: .superpixelWeights, isSigned: true)
        }
    }
}
