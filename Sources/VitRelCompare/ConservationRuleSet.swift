import VitRel

/// The LRP rule sets a conservation audit runs.
public enum ConservationRuleSet: String, CaseIterable, Sendable {
    case chefer
    case attnlrp
    case cpLRP = "cp-lrp"
    case lrp0 = "lrp-0"

    public func rules(epsilon: Double, gamma: Double) -> RelevanceRules {
        switch self {
        case .chefer: return .chefer
        case .attnlrp: return .attnLRP(epsilon: epsilon, gamma: gamma)
        case .cpLRP: return .cpLRP(epsilon: epsilon, gamma: gamma)
        case .lrp0: return .lrp0
        }
    }

    /// Chefer's rules are not built to conserve the logit (they start from one-hot 1 and
    /// drop shares by design), so they are reported but never fail the check.
    public var isChecked: Bool { self != .chefer }
    public var startsFromLogit: Bool { self != .chefer }
    /// Whether ε and γ mean anything to the rule set.
    public var takesEpsilonAndGamma: Bool { self == .attnlrp || self == .cpLRP }
}
