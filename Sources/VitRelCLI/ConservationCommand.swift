import ArgumentParser
import Foundation
import VitRel

/// The rule sets `vitrel conservation --rule-set` audits.
enum ConservationRuleSet: String, CaseIterable, ExpressibleByArgument {
    case chefer
    case attnlrp
    case cpLRP = "cp-lrp"
    case lrp0 = "lrp-0"

    func rules(epsilon: Double, gamma: Double) -> RelevanceRules {
        switch self {
        case .chefer: return .chefer
        case .attnlrp: return .attnLRP(epsilon: epsilon, gamma: gamma)
        case .cpLRP: return .cpLRP(epsilon: epsilon, gamma: gamma)
        case .lrp0: return .lrp0
        }
    }

    /// Chefer's rules are not built to conserve the logit (they start from one-hot 1 and
    /// drop shares by design), so they are reported but never fail the check.
    var isChecked: Bool { self != .chefer }
    var startsFromLogit: Bool { self != .chefer }
    /// Whether --epsilon and --gamma mean anything to the rule set.
    var takesEpsilonAndGamma: Bool { self == .attnlrp || self == .cpLRP }
}

enum NumericPrecision: String, CaseIterable, ExpressibleByArgument {
    case float, double
}

struct ConservationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conservation",
        abstract: "Where an LRP rule set's relevance goes, layer by layer, and whether it conserves.",
        discussion: """
            Runs the relevance pass of a rule set on one image down to the pixels and prints \
            its conservation ledger: for every layer, Σ relevance arriving at its output (out), \
            Σ given to its input(s) (in), their difference (gap = out − in), and the gap's parts: \
            relevance absorbed by biases (Σ b·R/z), lost or created by the softmax rule, and the \
            rest, the stabiliser leak (ε, safe divisions, non-conservative rules): \
            stabiliser = gap − bias − softmax. The leaves are the relevance reaching the pixels, \
            the CLS token and the position embedding; end-to-end gap = explained output − leaves.

            Starting relevance: the target's logit for attnlrp, cp-lrp and lrp-0 (so a \
            conservative pass gives Σ leaves = logit − leaks), one-hot 1 for chefer (Chefer et \
            al. 2021's convention).

            The check (attnlrp, cp-lrp, lrp-0; chefer is reported, never checked):
              unaccounted = Σ_layers |stabiliser leak| + |end-to-end gap − Σ_layers gap|
              passes when unaccounted ≤ tolerance × |explained output|.
            Biases and the softmax rule leak by design and are measured, so they do not \
            count; what counts is relevance that vanished without a named cause. The second \
            term catches relevance lost between layers that no layer recorded. Absolute \
            values keep leaks of opposite sign in different layers from cancelling.

            Exit status: 0 when the check passes (or is not applied), 2 when the unaccounted \
            leak exceeds the tolerance (one line on standard error says by how much), 1 for bad \
            input (unreadable image, unknown class; 64 for a malformed command line). Computed \
            in float64 by default, so Float32 \
            rounding does not pass for a leak; --precision float audits the arithmetic \
            `vitrel explain` uses.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var resizeOptions: ResizeOptions
    @Option(help: ArgumentHelp("Image to explain (PNG or JPEG).", valueName: "file"))
    var image: String
    @Option(help: ArgumentHelp("Class to explain, by name or index (default: the predicted class).", valueName: "class"))
    var target: String?
    @Option(help: "Rule set to audit.")
    var ruleSet: ConservationRuleSet = .attnlrp
    @Option(help: "Largest unaccounted leak allowed, as a fraction of |explained output| (see the check above).")
    var tolerance: Double = 1e-3
    @Option(help: "attnlrp, cp-lrp: ε of the linear rules (default 1e-6).")
    var epsilon: Double?
    @Option(help: "attnlrp, cp-lrp: γ of the patch-embedding rule (default 0.25).")
    var gamma: Double?
    @Option(help: "Arithmetic of the audit.")
    var precision: NumericPrecision = .double
    @Flag(help: "Print JSON.")
    var json = false
    @OptionGroup var runtime: RuntimeOptions

    struct Layer: Encodable {
        var layer: String
        var relevanceOut: Double
        var relevanceIn: Double
        var gap: Double
        var biasAbsorbed: Double
        var softmaxLeak: Double
        var stabiliserLeak: Double
    }

    struct Check: Encodable {
        var applied: Bool
        /// Σ |stabiliser leak| + |end-to-end gap − Σ layer gaps|
        var unaccounted: Double
        /// unaccounted / |explained output|
        var relative: Double
        var tolerance: Double
        var passed: Bool
    }

    struct Report: Encodable {
        var model: String
        var image: String
        var target: Int
        var targetName: String
        var logit: Double
        var probability: Double
        var ruleSet: String
        var epsilon: Double?
        var gamma: Double?
        var precision: String
        /// "logit" or "one-hot"
        var startingRelevance: String
        var explainedOutput: Double
        var layers: [Layer]
        var leaves: [String: Double]
        var endToEndGap: Double
        var totalBiasAbsorbed: Double
        var totalSoftmaxLeak: Double
        var totalStabiliserLeak: Double
        /// end-to-end gap − Σ layer gaps: relevance lost between recorded layers
        var unrecorded: Double
        var check: Check
    }

    func run() throws {
        runtime.apply()
        guard tolerance >= 0 && tolerance.isFinite else { throw ValidationError("--tolerance must be 0 or positive, got \(tolerance)") }
        if !ruleSet.takesEpsilonAndGamma, epsilon != nil || gamma != nil {
            throw ValidationError("--\(epsilon != nil ? "epsilon" : "gamma") does not apply to rule set \(ruleSet.rawValue); it is a setting of attnlrp, cp-lrp")
        }
        try ExplanationMethodOptions.validateRuleParameters(epsilon: epsilon, gamma: gamma)
        var model = try modelOptions.load()
        resizeOptions.apply(to: &model)
        let picture = try ImageIO.read(URL(fileURLWithPath: image))
        let requested = try target.map { try model.classIndex($0) }
        let defaults = ExplanationOptions()
        let rules = ruleSet.rules(epsilon: epsilon ?? defaults.epsilon, gamma: gamma ?? defaults.gamma)
        let single = try model.preprocessing.checkedInput(for: picture, file: image)
        let input = single.reshaped([1] + single.shape)  // [1, 3, H, W]

        let audit: Audit
        switch precision {
        case .float: audit = try Self.audit(model.network, input: input, target: requested, rules: rules, fromLogit: ruleSet.startsFromLogit)
        case .double:
            audit = try Self.audit(
                VisionTransformer<Double>(converting: model.network), input: Tensor<Double>(input), target: requested, rules: rules,
                fromLogit: ruleSet.startsFromLogit)
        }
        let report = makeReport(audit, model: model)
        if json {
            print(try jsonString(report))
        } else {
            printTable(report)
        }
        if report.check.applied && !report.check.passed {
            printError(String(
                format: "conservation: unaccounted leak %.3g is %.3g of the explained output %.6g, above --tolerance %.3g (rule set %@)",
                report.check.unaccounted, report.check.relative, report.explainedOutput, tolerance, ruleSet.rawValue))
            throw ExitCode(2)
        }
    }

    struct Audit {
        var ledger: ConservationLedger
        var target: Int
        var logits: [Double]
    }

    /// One forward pass and the relevance pass to the pixels, in `Scalar`.
    static func audit<Scalar: TensorScalar>(
        _ network: VisionTransformer<Scalar>, input: Tensor<Scalar>, target requested: Int?, rules: RelevanceRules, fromLogit: Bool
    ) throws -> Audit {
        let trace = try network.forward(input)
        let logits = trace.logits.scalars.map { Double($0) }
        let target = requested ?? logits.indexOfMaximum!
        var seed = Tensor<Scalar>(zeros: [1, network.config.classCount])
        seed.scalars[target] = fromLogit ? trace.logits.scalars[target] : 1
        let pass = network.relevance(seed, trace: trace, rules: rules, toPixels: true)
        return Audit(ledger: pass.ledger, target: target, logits: logits)
    }

    func makeReport(_ audit: Audit, model: ClassifierModel) -> Report {
        let ledger = audit.ledger
        let layers = ledger.entries.map {
            Layer(
                layer: $0.layer, relevanceOut: $0.relevanceOut, relevanceIn: $0.relevanceIn, gap: $0.gap,
                biasAbsorbed: $0.biasAbsorbed, softmaxLeak: $0.softmaxLeak, stabiliserLeak: $0.stabiliserLeak)
        }
        let unrecorded = ledger.endToEndGap - layers.reduce(0) { $0 + $1.gap }
        let unaccounted = layers.reduce(0) { $0 + abs($1.stabiliserLeak) } + abs(unrecorded)
        let relative = unaccounted / abs(ledger.explainedOutput)
        let usesEpsilon = ruleSet.takesEpsilonAndGamma
        let defaults = ExplanationOptions()
        return Report(
            model: model.directory.path, image: image, target: audit.target, targetName: model.classNames[audit.target],
            logit: audit.logits[audit.target],
            probability: softmaxProbabilities(audit.logits.map { Float($0) })[audit.target],
            ruleSet: ruleSet.rawValue, epsilon: usesEpsilon ? epsilon ?? defaults.epsilon : nil,
            gamma: usesEpsilon ? gamma ?? defaults.gamma : nil, precision: precision.rawValue,
            startingRelevance: ruleSet.startsFromLogit ? "logit" : "one-hot", explainedOutput: ledger.explainedOutput,
            layers: layers,
            leaves: ["pixels": ledger.pixels ?? 0, "classToken": ledger.classToken, "positionEmbedding": ledger.positionEmbedding, "total": ledger.leaves],
            endToEndGap: ledger.endToEndGap, totalBiasAbsorbed: ledger.totalBiasAbsorbed, totalSoftmaxLeak: ledger.totalSoftmaxLeak,
            totalStabiliserLeak: ledger.totalStabiliserLeak, unrecorded: unrecorded,
            check: Check(
                applied: ruleSet.isChecked, unaccounted: unaccounted, relative: relative, tolerance: tolerance,
                passed: unaccounted <= tolerance * abs(ledger.explainedOutput)))
    }

    func printTable(_ r: Report) {
        func number(_ x: Double) -> String { String(format: "%12.5g", x) }
        let settings = r.epsilon.map { String(format: " (ε %g, γ %g)", $0, r.gamma ?? 0) } ?? ""
        print("model         \(r.model)")
        print("image         \(r.image)")
        print(String(format: "target        %@ (class %d), logit %.6g, probability %.4f", r.targetName, r.target, r.logit, r.probability))
        print("rule set      \(r.ruleSet)\(settings), computed in \(r.precision == "double" ? "float64" : "float32")")
        print(r.startingRelevance == "logit"
              ? "start         R = the target's logit = \(String(format: "%.6g", r.explainedOutput))"
              : "start         R = one-hot 1 at the target (Chefer et al. 2021), not the logit")
        print("")
        let width = max(24, (r.layers.map(\.layer.count).max() ?? 0) + 2)
        func pad(_ s: String) -> String { s.padding(toLength: width, withPad: " ", startingAt: 0) }
        print(pad("layer") + ["Σ out", "Σ in", "gap", "bias", "softmax", "stabiliser"].map { $0.leftPadded(12) }.joined(separator: " "))
        for layer in r.layers {
            print(pad(layer.layer) + [layer.relevanceOut, layer.relevanceIn, layer.gap, layer.biasAbsorbed, layer.softmaxLeak, layer.stabiliserLeak].map(number).joined(separator: " "))
        }
        print(pad("total") + [String(repeating: " ", count: 12), String(repeating: " ", count: 12),
                              number(r.layers.reduce(0) { $0 + $1.gap }), number(r.totalBiasAbsorbed), number(r.totalSoftmaxLeak),
                              number(r.totalStabiliserLeak)].joined(separator: " "))
        print("")
        print("leaves        pixels \(String(format: "%.6g", r.leaves["pixels"]!)), CLS token \(String(format: "%.6g", r.leaves["classToken"]!)), position embedding \(String(format: "%.6g", r.leaves["positionEmbedding"]!)); total \(String(format: "%.6g", r.leaves["total"]!))")
        print(String(format: "explained     %.6g", r.explainedOutput))
        print(String(format: "end-to-end    gap %.6g = bias %.6g + softmax %.6g + stabiliser %.6g + unrecorded %.3g",
                     r.endToEndGap, r.totalBiasAbsorbed, r.totalSoftmaxLeak, r.totalStabiliserLeak, r.unrecorded))
        let verdict = !r.check.applied ? "not applied to \(r.ruleSet) (reported only)" : r.check.passed ? "PASS" : "FAIL"
        print(String(format: "check         unaccounted %.3g = %.3g × |explained output| (tolerance %.3g): %@",
                     r.check.unaccounted, r.check.relative, r.check.tolerance, verdict))
    }
}

extension String {
    /// Right-aligned in `width` columns.
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
