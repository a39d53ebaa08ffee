/// Which feed-forward network a block has (timm's `mlp_layer`).
public enum MLPKind: String, Codable, CaseIterable, Sendable {
    /// fc1 → activation → fc2 (timm `Mlp`; transformers' `ViTIntermediate`/`ViTOutput`,
    /// `Dinov2MLP`).
    case mlp
    /// fc1 → silu(x₁) ⊙ x₂ → fc2 with fc1's output packed as [x₁ | x₂] (`SwiGLU`; timm
    /// `SwiGLUPacked`, transformers' `Dinov2SwiGLUFFN`): DINOv2 ViT-g/14.
    case swiGLU = "swiglu"
}

/// The transformer's feed-forward network: fc1 → activation → fc2 (timm `Mlp`); the
/// activation is the exact GELU, or QuickGELU for OpenAI's CLIP towers. With `kind` `.swiGLU`
/// the activation is SwiGLU's gated product (`SwiGLU`): fc1 is twice as wide as fc2's input.
public struct MLP<Scalar: TensorScalar>: Sendable {
    /// [hidden, D] (hidden = 2k, the packed [x₁ | x₂], for SwiGLU)
    public var fc1: Linear<Scalar>
    /// [D, hidden] (or [D, k] for SwiGLU)
    public var fc2: Linear<Scalar>
    /// The elementwise activation (`.silu`, SwiGLU's gate, for `.swiGLU`).
    public var activation: Activation
    public var kind: MLPKind

    public init(fc1: Linear<Scalar>, fc2: Linear<Scalar>, activation: Activation = .gelu, kind: MLPKind = .mlp) {
        let hidden = kind == .swiGLU ? 2 * fc2.inputCount : fc2.inputCount
        precondition(fc1.outputCount == hidden && fc1.inputCount == fc2.outputCount, "MLP shapes")
        precondition(kind == .mlp || activation == .silu, "SwiGLU's gate is SiLU, not \(activation)")
        self.fc1 = fc1
        self.fc2 = fc2
        self.activation = activation
        self.kind = kind
    }

    public func zeroed() -> MLP { MLP(fc1: fc1.zeroed(), fc2: fc2.zeroed(), activation: activation, kind: kind) }

    public struct Cache: Sendable {
        /// [rows, hidden]: fc1 output, before the activation (SwiGLU: [x₁ | x₂] per row)
        public var hiddenPreActivation: [Scalar]
        /// [rows, hidden] (SwiGLU [rows, k]): the activation's output, fc2's input
        public var hidden: [Scalar]
        /// fc1's and fc2's rounded operands when the pass ran at bf16 (training), else nil.
        public var fc1Operands: BFloat16Operands? = nil
        public var fc2Operands: BFloat16Operands? = nil
    }

    /// `precision`: of fc1's and fc2's products (`Linear.tracedForward`); bf16 only for training.
    public func forward(_ x: [Scalar], rows: Int, precision: ProductPrecision = .fp32) -> (y: [Scalar], cache: Cache) {
        let (preActivation, fc1Operands) = fc1.tracedForward(x, rows: rows, precision: precision)
        let hidden = kind == .swiGLU ? SwiGLU.forward(preActivation, rows: rows) : activation.forward(preActivation)
        let (y, fc2Operands) = fc2.tracedForward(hidden, rows: rows, precision: precision)
        return (y, Cache(hiddenPreActivation: preActivation, hidden: hidden, fc1Operands: fc1Operands, fc2Operands: fc2Operands))
    }

    /// The forward pass without a cache (inference): fc1 into `hidden` [rows, hidden], the
    /// activation in place, fc2 into `y` [rows, D]; SwiGLU writes its product into `gated`
    /// [rows, k] (resized if it is not). Same arithmetic as `forward`, so the same bits (unless
    /// fc1 and fc2 carry bfloat16 weights, `ProductPrecision.bf16`).
    public func forward(_ x: [Scalar], rows: Int, hidden: inout [Scalar], gated: inout [Scalar], into y: inout [Scalar]) {
        fc1.inferenceForward(x, rows: rows, into: &hidden)
        guard kind == .swiGLU else {
            activation.forwardInPlace(&hidden)
            fc2.inferenceForward(hidden, rows: rows, into: &y)
            return
        }
        if gated.count != rows * fc2.inputCount { gated = .uninitialized(rows * fc2.inputCount) }
        SwiGLU.forward(hidden, rows: rows, into: &gated)
        fc2.inferenceForward(gated, rows: rows, into: &y)
    }

    /// `baseline`: the baseline's cache, for `GradientRule.deepLIFTRescale` only.
    public func backward(
        _ dy: [Scalar], input x: [Scalar], cache: Cache, rows: Int, gradient: inout MLP, accumulate: Bool = true,
        rule: GradientRule = .exact, baseline: Cache? = nil
    ) -> [Scalar] {
        let dHidden = fc2.backward(
            dy, input: cache.hidden, rows: rows, gradient: &gradient.fc2, accumulate: accumulate, operands: cache.fc2Operands)
        let dPreActivation: [Scalar]
        if kind == .swiGLU {
            dPreActivation = baseline.map {
                SwiGLU.rescaleBackward(dHidden, packed: cache.hiddenPreActivation, baseline: $0.hiddenPreActivation, rows: rows)
            } ?? SwiGLU.backward(dHidden, packed: cache.hiddenPreActivation, rows: rows, rule: rule)
        } else if let baseline {
            dPreActivation = activation.rescaleBackward(
                dHidden, input: cache.hiddenPreActivation, output: cache.hidden,
                baselineInput: baseline.hiddenPreActivation, baselineOutput: baseline.hidden)
        } else if rule.usesIdentityForGELU {
            dPreActivation = activation.identityRuleBackward(dHidden, input: cache.hiddenPreActivation)
        } else {
            dPreActivation = activation.backward(dHidden, input: cache.hiddenPreActivation)
        }
        return fc1.backward(
            dPreActivation, input: x, rows: rows, gradient: &gradient.fc1, accumulate: accumulate, operands: cache.fc1Operands)
    }
}

// MARK: - Relevance

extension MLP {
    /// fc2 rule → activation identity (GELU and QuickGELU alike, all rule sets: Chefer 2021,
    /// AttnLRP eq. 9) → fc1 rule. SwiGLU: fc2 rule → the gated product's rule
    /// (`rules.gatedProduct`, exactly conservative; `SwiGLU`) → fc1 rule.
    /// `output`: the MLP's forward output, which lets fc2 use the fast αβ form.
    public func relevance(
        _ r: [Scalar], input x: [Scalar], cache: Cache, rows: Int, rules: RelevanceRules, output: [Scalar]? = nil
    ) -> (relevance: [Scalar], biasAbsorbed: Double) {
        let fast = rules.fastAlphaBeta
        var (rHidden, fc2Absorbed) = fc2.relevance(
            r, input: cache.hidden, rows: rows, rule: rules.linear, stabiliser: rules.weightRuleStabiliser, output: fast ? output : nil)
        if kind == .swiGLU { rHidden = SwiGLU.relevance(rHidden, rows: rows, rule: rules.gatedProduct) }
        let (rInput, fc1Absorbed) = fc1.relevance(
            rHidden, input: x, rows: rows, rule: rules.linear, stabiliser: rules.weightRuleStabiliser,
            output: fast ? cache.hiddenPreActivation : nil)
        return (rInput, fc1Absorbed + fc2Absorbed)
    }
}
