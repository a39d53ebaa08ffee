import Foundation

/// Settings of AdamW; the defaults are PyTorch's except the weight decay (timm's ViT recipes
/// use 0.05, torch defaults to 0.01).
public struct AdamWHyperparameters: Codable, Equatable, Sendable {
    public var beta1: Double
    public var beta2: Double
    /// Added to √v̂ (outside the square root, as torch and the paper do).
    public var epsilon: Double
    /// λ of the decoupled decay p ← p − lr·λ·p, for the parameters that decay at all.
    public var weightDecay: Double

    public init(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0.05) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }
}

/// Adam with decoupled weight decay (Loshchilov & Hutter 2019, "Decoupled Weight Decay
/// Regularization", Algorithm 2), step for step as `torch.optim.AdamW`:
///
///     p ← p·(1 − lr·λ)                          decay, decoupled from the gradient
///     m ← m + (1 − β₁)·(g − m)                  (torch's lerp; = β₁m + (1 − β₁)g)
///     v ← β₂·v + (1 − β₂)·g²
///     p ← p − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
///
/// The learning rate is the scheduled value for this step (the paper's η_t·α folded into one).
/// Which parameters decay follows timm's `param_groups_weight_decay`: no decay for tensors of
/// rank ≤ 1 (biases, LayerNorm γ/β), names ending in ".bias", and the model's
/// `no_weight_decay()` set (`cls_token`, `pos_embed`, `dist_token`), which keeps the learned
/// embeddings from being pulled towards zero.
///
/// The update is elementwise, so it is split over threads by element ranges without changing
/// a single bit of the result.
public struct AdamW<Scalar: TensorScalar>: Sendable {
    public var hyperparameters: AdamWHyperparameters
    /// Steps taken so far (torch's `state["step"]`); the bias corrections use it.
    public private(set) var stepCount: Int
    /// m per parameter in visiting order; empty before the first step.
    public private(set) var firstMoments: [Tensor<Scalar>]
    /// v per parameter in visiting order; empty before the first step.
    public private(set) var secondMoments: [Tensor<Scalar>]

    /// timm's `VisionTransformer.no_weight_decay()`.
    public static var namesWithoutWeightDecay: Set<String> { ["cls_token", "pos_embed", "dist_token"] }

    /// Whether the parameter `name` of shape `shape` gets weight decay (timm's rule).
    public static func decays(name: String, shape: [Int]) -> Bool {
        shape.count > 1 && !name.hasSuffix(".bias") && !namesWithoutWeightDecay.contains(name)
    }

    public init(hyperparameters: AdamWHyperparameters = AdamWHyperparameters()) {
        self.hyperparameters = hyperparameters
        stepCount = 0
        firstMoments = []
        secondMoments = []
    }

    /// Restores an optimiser from saved state (resume). Moments must match the parameters'
    /// shapes in visiting order; `step` checks that on first use.
    public init(
        hyperparameters: AdamWHyperparameters, stepCount: Int, firstMoments: [Tensor<Scalar>],
        secondMoments: [Tensor<Scalar>]
    ) {
        precondition(firstMoments.count == secondMoments.count, "moment lists differ in length")
        self.hyperparameters = hyperparameters
        self.stepCount = stepCount
        self.firstMoments = firstMoments
        self.secondMoments = secondMoments
    }

    /// One AdamW step: updates every parameter of `parameters` from the tensor of the same
    /// visiting index in `gradient`. With `layerDecay` each parameter steps at `learningRate`
    /// times its layer's scale (step size and decoupled decay alike, as a torch parameter group
    /// with that `lr` would).
    public mutating func step<P: NamedParameters>(
        _ parameters: inout P, gradient: P, learningRate: Double, layerDecay: LayerwiseLearningRateDecay? = nil
    ) where P.Scalar == Scalar {
        let gradients = gradient.parameterTensors
        if firstMoments.isEmpty {
            firstMoments = gradients.map { Tensor(zeros: $0.shape) }
            secondMoments = firstMoments
        }
        precondition(firstMoments.count == gradients.count, "optimiser state has \(firstMoments.count) tensors, the model \(gradients.count)")
        stepCount += 1
        let h = hyperparameters
        let t = Double(stepCount)
        let biasCorrection1 = 1 - Foundation.pow(h.beta1, t)
        let biasCorrection2 = 1 - Foundation.pow(h.beta2, t)
        var index = 0
        parameters.forEachParameter { name, value in
            let rate = learningRate * (layerDecay?.scale(forParameter: name) ?? 1)
            let coefficients = Coefficients(
                beta1Complement: Scalar(1 - h.beta1), beta2: Scalar(h.beta2), beta2Complement: Scalar(1 - h.beta2),
                stepSize: Scalar(rate / biasCorrection1),
                biasCorrection2SquareRoot: Scalar(biasCorrection2.squareRoot()), epsilon: Scalar(h.epsilon))
            let decayFactor = Scalar(1 - rate * h.weightDecay)
            let g = gradients[index]
            precondition(
                value.shape == g.shape && value.shape == firstMoments[index].shape,
                "\(name): parameter \(value.shape), gradient \(g.shape), moment \(firstMoments[index].shape)")
            let decay: Scalar? = h.weightDecay != 0 && Self.decays(name: name, shape: value.shape) ? decayFactor : nil
            value.scalars.withUnsafeMutableBufferPointer { p in
                firstMoments[index].scalars.withUnsafeMutableBufferPointer { m in
                    secondMoments[index].scalars.withUnsafeMutableBufferPointer { v in
                        g.scalars.withUnsafeBufferPointer { gp in
                            let (pp, mp, vp, gq) = (p.baseAddress!, m.baseAddress!, v.baseAddress!, gp.baseAddress!)
                            Parallel.forEachChunk(p.count, grain: 1 << 15) { range in
                                Self.update(
                                    pp + range.lowerBound, mp + range.lowerBound, vp + range.lowerBound,
                                    gq + range.lowerBound, count: range.count, decay: decay, coefficients)
                            }
                        }
                    }
                }
            }
            index += 1
        }
    }

    struct Coefficients {
        var beta1Complement, beta2, beta2Complement, stepSize, biasCorrection2SquareRoot, epsilon: Scalar
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func update(
        _ p: UnsafeMutablePointer<Scalar>, _ m: UnsafeMutablePointer<Scalar>, _ v: UnsafeMutablePointer<Scalar>,
        _ g: UnsafePointer<Scalar>, count: Int, decay: Scalar?, _ c: Coefficients
    ) {
        if Scalar.self == Float.self {
            // The same operations in C, eight lanes wide: Swift left this loop scalar.
            func float(_ x: Scalar) -> Float { unsafeBitCast(x, to: Float.self) }
            func floats(_ x: UnsafeMutablePointer<Scalar>) -> UnsafeMutablePointer<Float> {
                UnsafeMutableRawPointer(x).assumingMemoryBound(to: Float.self)
            }
            FastMath.adamWUpdate(
                parameter: floats(p), firstMoment: floats(m), secondMoment: floats(v),
                gradient: UnsafeRawPointer(g).assumingMemoryBound(to: Float.self), count: count,
                beta1Complement: float(c.beta1Complement), beta2: float(c.beta2), beta2Complement: float(c.beta2Complement),
                stepSize: float(c.stepSize), biasCorrection2SquareRoot: float(c.biasCorrection2SquareRoot),
                epsilon: float(c.epsilon), decay: decay.map(float))
            return
        }
        plainUpdate(p, m, v, g, count: count, decay: decay, c)
    }

    /// The update written out in Swift: Double's path, and the reference the Float kernel is
    /// tested against bit for bit.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func plainUpdate(
        _ p: UnsafeMutablePointer<Scalar>, _ m: UnsafeMutablePointer<Scalar>, _ v: UnsafeMutablePointer<Scalar>,
        _ g: UnsafePointer<Scalar>, count: Int, decay: Scalar?, _ c: Coefficients
    ) {
        if let decay { for i in 0..<count { p[i] *= decay } }
        for i in 0..<count {
            let gi = g[i]
            m[i] += c.beta1Complement * (gi - m[i])
            v[i] = v[i] * c.beta2 + c.beta2Complement * (gi * gi)
            let denominator = v[i].squareRoot() / c.biasCorrection2SquareRoot + c.epsilon
            p[i] -= c.stepSize * (m[i] / denominator)
        }
    }
}
