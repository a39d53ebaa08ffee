import VitRel

/// The LRP rule sets a conservation audit runs (`vitrel conservation --rules`): the rules of
/// the pixel-level LRP methods, taken from their descriptors, and LRP-0 as the exactly
/// conservative reference. Auditing "attnlrp" audits what `--method attnlrp` runs.
public enum ConservationRuleSet: String, CaseIterable, Sendable {
    case chefer
    case attnlrp
    case cpLRP = "cp-lrp"
    case lrp0 = "lrp-0"

    /// The method whose rules this is (nil for LRP-0, which no method runs).
    public var method: ExplanationMethod? {
        switch self {
        case .chefer: return .lrpFull
        case .attnlrp: return .attnLRP
        case .cpLRP: return .cpLRP
        case .lrp0: return nil
        }
    }

    /// The named rule set: the method's (from its descriptor), or LRP-0.
    public var ruleSet: RelevanceRuleSet { method?.descriptor.ruleSet ?? .lrp0 }

    public func rules(epsilon: Double, gamma: Double) -> RelevanceRules {
        ruleSet.rules(epsilon: epsilon, gamma: gamma)
    }

    /// Chefer's rules are not built to conserve the logit (they start from one-hot 1 and
    /// drop shares by design), so they are reported but never fail the check.
    public var isChecked: Bool { ruleSet.startsFromLogit }
    public var startsFromLogit: Bool { ruleSet.startsFromLogit }
    /// Whether ε and γ mean anything to the rule set.
    public var takesEpsilonAndGamma: Bool { ruleSet.takesEpsilonAndGamma }
}
