import Foundation
import VitRel

/// Where an LRP rule set's relevance goes, layer by layer, on one image, and whether it
/// conserves: `vitrel conservation`. One forward pass and the relevance pass down to the
/// pixels; the ledger's per-layer gaps are split into bias absorption, softmax leak and the
/// rest, the stabiliser leak, and the check asks whether relevance vanished without a named
/// cause:
///
///     unaccounted = Σ_layers |stabiliser leak| + |end-to-end gap − Σ_layers gap|
///     passes when unaccounted ≤ tolerance × |explained output|
///
/// Biases and the softmax rule leak by design and are measured, so they do not count; the
/// second term catches relevance lost between layers that no layer recorded; absolute values
/// keep leaks of opposite sign in different layers from cancelling.
public struct ConservationAudit {
    /// The arithmetic of the audit: float64 by default, so Float32 rounding does not pass for a
    /// leak; float audits the arithmetic explanations use.
    public enum Arithmetic: String, CaseIterable, Sendable {
        case float, double
    }

    public var ruleSet: ConservationRuleSet
    /// ε and γ of attnlrp and cp-lrp (nil: `ExplanationOptions`' defaults); ignored by the others.
    public var epsilon: Double?
    public var gamma: Double?
    /// Largest unaccounted leak allowed, as a fraction of |explained output|.
    public var tolerance: Double
    public var arithmetic: Arithmetic

    public init(ruleSet: ConservationRuleSet, epsilon: Double? = nil, gamma: Double? = nil, tolerance: Double = 1e-3, arithmetic: Arithmetic = .double) {
        self.ruleSet = ruleSet
        self.epsilon = epsilon
        self.gamma = gamma
        self.tolerance = tolerance
        self.arithmetic = arithmetic
    }

    /// Audits the image file at `image` (named so in the report) for `target` (a class name or
    /// index; nil: the predicted class); a DICOM file is windowed by `options`.
    public func run(
        model: ClassifierModel, image: String, options: ImageReadOptions = .fileDefaults, target: String?
    ) throws -> ConservationReport {
        let picture = try ImageIO.read(URL(fileURLWithPath: image), options: options)
        let requested = try target.map { try model.classIndex($0) }
        let single = try model.preprocessing.checkedInput(for: picture, file: image)
        return report(try ledger(model: model, input: single.reshaped([1] + single.shape), target: requested), model: model, image: image)
    }

    /// One forward pass and the relevance pass to the pixels of `input` ([1, 3, H, W]), in the
    /// audit's arithmetic.
    public func ledger(model: ClassifierModel, input: Tensor<Float>, target: Int?) throws -> Pass {
        let defaults = ExplanationOptions()
        let rules = ruleSet.rules(epsilon: epsilon ?? defaults.epsilon, gamma: gamma ?? defaults.gamma)
        switch arithmetic {
        case .float:
            return try Self.pass(model.network, input: input, target: target, rules: rules, fromLogit: ruleSet.startsFromLogit)
        case .double:
            return try Self.pass(
                VisionTransformer<Double>(converting: model.network), input: Tensor<Double>(input), target: target, rules: rules,
                fromLogit: ruleSet.startsFromLogit)
        }
    }

    /// What one relevance pass left: its ledger, the class explained and the logits.
    public struct Pass {
        public var ledger: ConservationLedger
        public var target: Int
        public var logits: [Double]
    }

    /// One forward pass and the relevance pass to the pixels, in `Scalar`.
    static func pass<Scalar: TensorScalar>(
        _ network: VisionTransformer<Scalar>, input: Tensor<Scalar>, target requested: Int?, rules: RelevanceRules, fromLogit: Bool
    ) throws -> Pass {
        let trace = try network.forward(input)
        let logits = trace.logits.scalars.map { Double($0) }
        let target = requested ?? logits.indexOfMaximum!
        var seed = Tensor<Scalar>(zeros: [1, network.config.classCount])
        seed.scalars[target] = fromLogit ? trace.logits.scalars[target] : 1
        let pass = network.relevance(seed, trace: trace, rules: rules, toPixels: true)
        return Pass(ledger: pass.ledger, target: target, logits: logits)
    }

    /// The pass's ledger summed per layer and checked against `tolerance`.
    public func report(_ pass: Pass, model: ClassifierModel, image: String) -> ConservationReport {
        let ledger = pass.ledger
        let layers = ledger.entries.map {
            ConservationReport.Layer(
                layer: $0.layer, relevanceOut: $0.relevanceOut, relevanceIn: $0.relevanceIn, gap: $0.gap,
                biasAbsorbed: $0.biasAbsorbed, softmaxLeak: $0.softmaxLeak, stabiliserLeak: $0.stabiliserLeak)
        }
        let unrecorded = ledger.endToEndGap - layers.reduce(0) { $0 + $1.gap }
        let unaccounted = layers.reduce(0) { $0 + abs($1.stabiliserLeak) } + abs(unrecorded)
        let relative = unaccounted / abs(ledger.explainedOutput)
        let usesEpsilon = ruleSet.takesEpsilonAndGamma
        let defaults = ExplanationOptions()
        return ConservationReport(
            model: model.directory.path, image: image, target: pass.target, targetName: model.classNames[pass.target],
            logit: pass.logits[pass.target],
            probability: softmaxProbabilities(pass.logits.map { Float($0) })[pass.target],
            ruleSet: ruleSet.rawValue, epsilon: usesEpsilon ? epsilon ?? defaults.epsilon : nil,
            gamma: usesEpsilon ? gamma ?? defaults.gamma : nil, precision: arithmetic.rawValue,
            startingRelevance: ruleSet.startsFromLogit ? "logit" : "one-hot", explainedOutput: ledger.explainedOutput,
            layers: layers,
            leaves: Self.leaves(of: ledger),
            endToEndGap: ledger.endToEndGap, totalBiasAbsorbed: ledger.totalBiasAbsorbed, totalSoftmaxLeak: ledger.totalSoftmaxLeak,
            totalStabiliserLeak: ledger.totalStabiliserLeak, unrecorded: unrecorded,
            check: ConservationReport.Check(
                applied: ruleSet.isChecked, unaccounted: unaccounted, relative: relative, tolerance: tolerance,
                passed: unaccounted <= tolerance * abs(ledger.explainedOutput)))
    }
}

extension ConservationAudit {
    /// The ledger's leaves by name; the distillation token and registers (DeiT, DINOv2 reg4)
    /// only where relevance reached them, so plain-ViT reports keep their keys.
    static func leaves(of ledger: ConservationLedger) -> [String: Double] {
        var leaves = ["pixels": ledger.pixels ?? 0, "classToken": ledger.classToken, "positionEmbedding": ledger.positionEmbedding, "total": ledger.leaves]
        if ledger.distillationToken != 0 { leaves["distillationToken"] = ledger.distillationToken }
        if ledger.registerTokens != 0 { leaves["registerTokens"] = ledger.registerTokens }
        return leaves
    }
}
