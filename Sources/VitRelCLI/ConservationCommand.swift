import ArgumentParser
import Foundation
import VitRel
import VitRelCompare

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
    @OptionGroup var imageOptions: ImageReadingOptions
    @Option(help: ArgumentHelp("Image to explain (PNG, JPEG or DICOM).", valueName: "file"))
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
    var precision: ConservationAudit.Arithmetic = .double
    @Flag(help: "Print JSON.")
    var json = false
    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        runtime.apply()
        guard tolerance >= 0 && tolerance.isFinite else { throw ValidationError("--tolerance must be 0 or positive, got \(tolerance)") }
        if !ruleSet.takesEpsilonAndGamma, epsilon != nil || gamma != nil {
            throw ValidationError("--\(epsilon != nil ? "epsilon" : "gamma") does not apply to rule set \(ruleSet.rawValue); it is a setting of attnlrp, cp-lrp")
        }
        try ExplanationMethodOptions.validateRuleParameters(epsilon: epsilon, gamma: gamma)
        var model = try modelOptions.load()
        resizeOptions.apply(to: &model)
        let audit = ConservationAudit(ruleSet: ruleSet, epsilon: epsilon, gamma: gamma, tolerance: tolerance, arithmetic: precision)
        let report = try audit.run(model: model, image: image, options: try imageOptions.options(), target: target)
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

    func printTable(_ r: ConservationReport) {
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
