/// The named LRP rule sets, each resolved to `RelevanceRules` with the ε and γ of the run.
///
/// The one place that says which rules a name stands for: the explanation methods
/// (`ExplanationMethodDescriptor.ruleSet`) and the conservation audit (`ConservationRuleSet`)
/// both resolve their rules here.
public enum RelevanceRuleSet: String, CaseIterable, Sendable {
    /// Chefer, Gur & Wolf, CVPR 2021.
    case chefer
    /// AttnLRP (Achtibat et al. 2024).
    case attnLRP = "attnlrp"
    /// CP-LRP (Ali et al. 2022).
    case cpLRP = "cp-lrp"
    /// LRP-0 with the conservative structural rules: the exactly conservative reference.
    case lrp0 = "lrp-0"

    public func rules(epsilon: Double, gamma: Double) -> RelevanceRules {
        switch self {
        case .chefer: return .chefer
        case .attnLRP: return .attnLRP(epsilon: epsilon, gamma: gamma)
        case .cpLRP: return .cpLRP(epsilon: epsilon, gamma: gamma)
        case .lrp0: return .lrp0
        }
    }

    /// The rules `options` choose (their ε and γ).
    public func rules(_ options: ExplanationOptions) -> RelevanceRules {
        rules(epsilon: options.epsilon, gamma: options.gamma)
    }

    /// Whether the pass starts from the target's logit (Σ R_pixels ≈ logit) rather than from a
    /// one-hot 1. Chefer's rules are not built to conserve the logit (they drop shares by
    /// design), so they start from one-hot as the official code does.
    public var startsFromLogit: Bool { self != .chefer }

    /// Whether ε and γ mean anything to the rule set.
    public var takesEpsilonAndGamma: Bool { self == .attnLRP || self == .cpLRP }
}
