/// The transformer's feed-forward network: fc1 → activation → fc2 (timm `Mlp`); the
/// activation is the exact GELU, or QuickGELU for OpenAI's CLIP towers.
public struct MLP<Scalar: TensorScalar>: Sendable {
    /// [hidden, D]
    public var fc1: Linear<Scalar>
    /// [D, hidden]
    public var fc2: Linear<Scalar>
    public var activation: Activation

    public init(fc1: Linear<Scalar>, fc2: Linear<Scalar>, activation: Activation = .gelu) {
        precondition(fc1.outputCount == fc2.inputCount && fc1.inputCount == fc2.outputCount, "MLP shapes")
        self.fc1 = fc1
        self.fc2 = fc2
        self.activation = activation
    }

    public func zeroed() -> MLP { MLP(fc1: fc1.zeroed(), fc2: fc2.zeroed(), activation: activation) }

    public struct Cache: Sendable {
        /// [rows, hidden]: fc1 output, before the activation
        public var hiddenPreActivation: [Scalar]
        /// [rows, hidden]: the activation's output, fc2's input
        public var hidden: [Scalar]
    }

    public func forward(_ x: [Scalar], rows: Int) -> (y: [Scalar], cache: Cache) {
        let preActivation = fc1.forward(x, rows: rows)
        let hidden = activation.forward(preActivation)
        let y = fc2.forward(hidden, rows: rows)
        return (y, Cache(hiddenPreActivation: preActivation, hidden: hidden))
    }

    /// The forward pass without a cache (inference): fc1 into `hidden` [rows, hidden], the
    /// activation in place, fc2 into `y` [rows, D]. Same arithmetic as `forward`, so the same bits (unless
    /// fc1 and fc2 carry bfloat16 weights, `InferencePrecision.bf16`).
    public func forward(_ x: [Scalar], rows: Int, hidden: inout [Scalar], into y: inout [Scalar]) {
        fc1.inferenceForward(x, rows: rows, into: &hidden)
        activation.forwardInPlace(&hidden)
        fc2.inferenceForward(hidden, rows: rows, into: &y)
    }

    /// `baseline`: the baseline's cache, for `GradientRule.deepLIFTRescale` only.
    public func backward(
        _ dy: [Scalar], input x: [Scalar], cache: Cache, rows: Int, gradient: inout MLP, accumulate: Bool = true,
        rule: GradientRule = .exact, baseline: Cache? = nil
    ) -> [Scalar] {
        let dHidden = fc2.backward(dy, input: cache.hidden, rows: rows, gradient: &gradient.fc2, accumulate: accumulate)
        let dPreActivation: [Scalar]
        if let baseline {
            dPreActivation = activation.rescaleBackward(
                dHidden, input: cache.hiddenPreActivation, output: cache.hidden,
                baselineInput: baseline.hiddenPreActivation, baselineOutput: baseline.hidden)
        } else if rule.usesIdentityForGELU {
            dPreActivation = activation.identityRuleBackward(dHidden, input: cache.hiddenPreActivation)
        } else {
            dPreActivation = activation.backward(dHidden, input: cache.hiddenPreActivation)
        }
        return fc1.backward(dPreActivation, input: x, rows: rows, gradient: &gradient.fc1, accumulate: accumulate)
    }
}

// MARK: - Relevance

extension MLP {
    /// fc2 rule → activation identity (GELU and QuickGELU alike, all rule sets: Chefer 2021,
    /// AttnLRP eq. 9) → fc1 rule.
    /// `output`: the MLP's forward output, which lets fc2 use the fast αβ form.
    public func relevance(
        _ r: [Scalar], input x: [Scalar], cache: Cache, rows: Int, rules: RelevanceRules, output: [Scalar]? = nil
    ) -> (relevance: [Scalar], biasAbsorbed: Double) {
        let fast = rules.fastAlphaBeta
        let (rHidden, fc2Absorbed) = fc2.relevance(
            r, input: cache.hidden, rows: rows, rule: rules.linear, stabiliser: rules.weightRuleStabiliser, output: fast ? output : nil)
        let (rInput, fc1Absorbed) = fc1.relevance(
            rHidden, input: x, rows: rows, rule: rules.linear, stabiliser: rules.weightRuleStabiliser,
            output: fast ? cache.hiddenPreActivation : nil)
        return (rInput, fc1Absorbed + fc2Absorbed)
    }
}
