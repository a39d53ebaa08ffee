/// One option of `ExplanationOptions`, named by the flag that sets it; a method's descriptor
/// lists the ones it reads (`ExplanationMethodDescriptor.settings`).
public enum ExplanationSetting: String, CaseIterable, Sendable {
    case startLayer = "start-layer"
    case epsilon
    case gamma
    case headFusion = "head-fusion"
    case discardRatio = "discard-ratio"
    case gradCAMVariant = "gradcam-variant"
    case integrationSteps = "steps"
    case baseline

    /// The value in `options` as the flag takes it ("0", "1e-06", "mean").
    public func flagValue(in options: ExplanationOptions) -> String {
        switch self {
        case .startLayer: return "\(options.startLayer)"
        case .epsilon: return "\(options.epsilon)"
        case .gamma: return "\(options.gamma)"
        case .headFusion: return options.headFusion.rawValue
        case .discardRatio: return "\(options.discardRatio)"
        case .gradCAMVariant: return options.gradCAMVariant.rawValue
        case .integrationSteps: return "\(options.integrationSteps)"
        case .baseline: return "\(options.baselineValue)"
        }
    }
}

extension ExplanationOptions {
    /// The settings `method` actually uses, by the flag that sets each: what `vitrel explain`
    /// records in its JSON and figures.
    public func settings(of method: ExplanationMethod) -> [String: String] {
        Dictionary(uniqueKeysWithValues: method.descriptor.settings.map { ($0.rawValue, $0.flagValue(in: self)) })
    }
}
