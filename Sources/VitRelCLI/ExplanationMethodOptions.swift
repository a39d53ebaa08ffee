import ArgumentParser
import VitRel

/// The settings of the model-internal methods (`vitrel explain`). Each belongs to some methods;
/// giving one to a method that ignores it is an error rather than a silent no-op.
struct ExplanationMethodOptions: ParsableArguments {
    @Option(help: "chefer-lrp, lrp-rollout: first block of the rollout product (default 0; Chefer's perturbation tests use 1).")
    var startLayer: Int?
    @Option(help: "attnlrp, cp-lrp: ε of the linear rules (default 1e-6).")
    var epsilon: Double?
    @Option(help: "attnlrp, cp-lrp: γ of the patch-embedding rule (default 0.25).")
    var gamma: Double?
    @Option(help: "attention-rollout: how heads are fused: mean, max or min (default mean).")
    var headFusion: ExplanationOptions.HeadFusion?
    @Option(help: "attention-rollout: fraction of the smallest fused attention entries zeroed, in [0, 1) (default 0).")
    var discardRatio: Double?
    @Option(help: "integrated-gradients: Gauss–Legendre nodes along the path (default 50).")
    var steps: Int?
    @Option(help: "integrated-gradients, deeplift: baseline value of every input element, in normalised input space (default 0; negative values as --baseline=-1).")
    var baseline: Double?
    @Option(help: "grad-cam: gap (channel weights = mean gradient) or elementwise (ReLU(gradient)·activation) (default gap).")
    var gradcamVariant: ExplanationOptions.GradCAMVariant?

    /// The flags given, each with the methods that use it.
    private var given: [(flag: String, methods: [ExplanationMethod])] {
        var list = [(String, [ExplanationMethod])]()
        if startLayer != nil { list.append(("--start-layer", [.cheferLRP, .lrpRollout])) }
        if epsilon != nil { list.append(("--epsilon", [.attnLRP, .cpLRP])) }
        if gamma != nil { list.append(("--gamma", [.attnLRP, .cpLRP])) }
        if headFusion != nil { list.append(("--head-fusion", [.attentionRollout])) }
        if discardRatio != nil { list.append(("--discard-ratio", [.attentionRollout])) }
        if steps != nil { list.append(("--steps", [.integratedGradients])) }
        if baseline != nil { list.append(("--baseline", [.integratedGradients, .deepLIFT])) }
        if gradcamVariant != nil { list.append(("--gradcam-variant", [.gradCAM])) }
        return list
    }

    /// Checks that every flag given belongs to `method` and lies in range, for `depth` blocks.
    func validate(for method: ExplanationMethod, depth: Int, checkingOwnership: Bool = true) throws {
        for (flag, methods) in given where checkingOwnership && !methods.contains(method) {
            throw CLIError("\(flag) does not apply to method \(method.rawValue); it is a setting of \(methods.map(\.rawValue).joined(separator: ", "))")
        }
        if let startLayer, !(0..<depth).contains(startLayer) {
            throw ValidationError("--start-layer \(startLayer) is out of range: the model has \(depth) blocks (0…\(depth - 1))")
        }
        try Self.validateRuleParameters(epsilon: epsilon, gamma: gamma)
        if let discardRatio, !(discardRatio >= 0 && discardRatio < 1) { throw ValidationError("--discard-ratio must be in [0, 1), got \(discardRatio)") }
        // Gauss–Legendre nodes reach Float64's rounding floor by 128 (README); each node costs a
        // forward and a backward pass, so 10,000 is already far past any use.
        if let steps, steps < 1 || steps > 10_000 { throw ValidationError("--steps must lie in 1…10000, got \(steps)") }
        if let baseline, !baseline.isFinite { throw ValidationError("--baseline must be a finite number, got \(baseline)") }
    }

    /// Checks that every flag given belongs to at least one of `methods` (`vitrel compare`).
    func validate(forAny methods: [ExplanationMethod], depth: Int) throws {
        for (flag, users) in given where !users.contains(where: methods.contains) {
            throw CLIError("\(flag) applies to none of the methods given; it is a setting of \(users.map(\.rawValue).joined(separator: ", "))")
        }
        for method in methods {
            // Range checks only: the flag-to-method check above is the one that applies here.
            if given.contains(where: { $0.methods.contains(method) }) { try validate(for: method, depth: depth, checkingOwnership: false) }
        }
    }

    /// --epsilon and --gamma of the LRP rule sets (here and in `vitrel conservation`).
    static func validateRuleParameters(epsilon: Double?, gamma: Double?) throws {
        if let epsilon, !(epsilon >= 0 && epsilon.isFinite) { throw ValidationError("--epsilon must be 0 or positive, got \(epsilon)") }
        if let gamma, !(gamma >= 0 && gamma.isFinite) { throw ValidationError("--gamma must be 0 or positive, got \(gamma)") }
    }

    /// The library's options with the given values over its defaults.
    var options: ExplanationOptions {
        var options = ExplanationOptions()
        if let startLayer { options.startLayer = startLayer }
        if let epsilon { options.epsilon = epsilon }
        if let gamma { options.gamma = gamma }
        if let headFusion { options.headFusion = headFusion }
        if let discardRatio { options.discardRatio = discardRatio }
        if let steps { options.integrationSteps = steps }
        if let baseline { options.baselineValue = baseline }
        if let gradcamVariant { options.gradCAMVariant = gradcamVariant }
        return options
    }
}
