/// A Vision Transformer classifier (Dosovitskiy et al. 2021) in timm's structure:
/// patch embedding → [CLS] + position embedding → pre-norm blocks → final norm → pooling → head.
///
/// Parameters carry timm's checkpoint names (`forEachParameter`), so the same type reads and
/// writes checkpoints, holds gradients (`zeroed()`), and feeds the optimiser.
public struct VisionTransformer<Scalar: TensorScalar>: Sendable {
    public var config: ViTConfig
    public var patchEmbedding: PatchEmbedding<Scalar>
    /// [D]; unused (empty) when the model has no class token.
    public var classToken: Tensor<Scalar>
    /// [D] DeiT's distillation token; empty when the model has none.
    public var distillationToken: Tensor<Scalar>
    /// [R, D] DINOv2's register tokens; [0, D] when the model has none.
    public var registerTokens: Tensor<Scalar>
    /// [positionPrefix + gridH·gridW, D] for the grid the checkpoint was trained on, where
    /// positionPrefix is `config.positionPrefixTokenCount` (0 with timm's `no_embed_class`).
    public var positionEmbedding: Tensor<Scalar>
    /// Patch grid of `positionEmbedding` (rows, columns).
    public var positionGrid: (height: Int, width: Int)
    /// timm's `norm_pre` (CLIP, `config.preNorm`): LayerNorm of the embedded sequence before
    /// the first block; nil without pre_norm.
    public var normPre: LayerNorm<Scalar>?
    public var blocks: [TransformerBlock<Scalar>]
    /// Final LayerNorm: on all tokens before pooling, or after pooling (timm fc_norm).
    public var norm: LayerNorm<Scalar>
    /// [classes, D'], D' = `config.headInputDimension` (2·D for DINOv2's [CLS ⊕ mean] head).
    public var head: Linear<Scalar>
    /// DeiT's `head_dist` on the distillation token; nil without one, or when no head reads it.
    public var distillationHead: Linear<Scalar>?

    /// Builds a model with every parameter drawn from `initialiser` (or zeros when nil).
    /// timm's initialisation: trunc-normal(0.02) weights, zero biases, unit LayerNorm γ.
    public init(config: ViTConfig, seed: UInt64? = nil) {
        var generator = SeededGenerator(seed: seed ?? 0)
        let d = config.embedDimension, p = config.patchSize
        func normal(_ shape: [Int], _ std: Double) -> Tensor<Scalar> {
            guard seed != nil else { return Tensor(zeros: shape) }
            // Drawn in concrete Double code, converted once: a generic per-element closure
            // spent ~15 s in runtime metadata look-ups for ViT-B's 86M parameters.
            var values = [Double](repeating: 0, count: shape.reduce(1, *))
            for i in values.indices {
                var z = generator.nextGaussian()
                while abs(z) > 2 { z = generator.nextGaussian() }  // truncated at ±2σ as timm
                values[i] = z * std
            }
            return Tensor(Tensor<Double>(shape: shape, scalars: values))
        }
        func linear(_ outputs: Int, _ inputs: Int, bias: Bool = true) -> Linear<Scalar> {
            Linear(weight: normal([outputs, inputs], 0.02), bias: bias ? Tensor(zeros: [outputs]) : nil)
        }
        func layerNorm(_ eps: Double, width: Int? = nil) -> LayerNorm<Scalar> {
            let width = width ?? d
            return LayerNorm(weight: Tensor(repeating: seed == nil ? 0 : 1, shape: [width]), bias: Tensor(zeros: [width]), epsilon: eps)
        }
        self.config = config
        // timm: PatchEmbed(bias=not pre_norm), the CLIP towers' bias-free patch projection.
        patchEmbedding = PatchEmbedding(
            projection: linear(d, config.channels * p * p, bias: !config.preNorm), patchSize: p, channels: config.channels)
        classToken = config.classToken ? normal([d], 1e-6) : Tensor(zeros: [0])
        distillationToken = config.distillationToken ? normal([d], 0.02) : Tensor(zeros: [0])
        registerTokens = normal([config.registerTokenCount, d], 1e-6)
        positionEmbedding = normal([config.positionTokenCount, d], 0.02)
        positionGrid = (config.gridHeight, config.gridWidth)
        normPre = config.preNorm ? layerNorm(config.layerNormEpsilon) : nil
        // qk_norm: timm's norm_layer of width head_dim, the blocks' ε.
        func queryKeyNorm() -> LayerNorm<Scalar>? {
            config.queryKeyNorm ? layerNorm(config.layerNormEpsilon, width: config.headDimension) : nil
        }
        // timm's LayerScale init_values (DINOv2's 1e-5).
        func layerScale() -> LayerScale<Scalar>? {
            config.layerScale ? LayerScale(gamma: Tensor(repeating: seed == nil ? 0 : 1e-5, shape: [d])) : nil
        }
        blocks = (0..<config.depth).map { _ in
            TransformerBlock(
                norm1: layerNorm(config.layerNormEpsilon),
                attention: MultiHeadAttention(
                    queryKeyValue: linear(3 * d, d, bias: config.qkvBias), projection: linear(d, d),
                    headCount: config.headCount, queryNorm: queryKeyNorm(), keyNorm: queryKeyNorm()),
                layerScale1: layerScale(),
                norm2: layerNorm(config.layerNormEpsilon),
                mlp: MLP(
                    fc1: linear(config.mlpHiddenDimension, d), fc2: linear(d, config.mlpInnerDimension),
                    activation: config.activation, kind: config.mlpKind),
                layerScale2: layerScale())
        }
        norm = layerNorm(config.finalNormEpsilon)
        head = linear(config.classCount, config.headInputDimension)
        distillationHead = config.distillationHeadTokenIndex != nil ? linear(config.classCount, d) : nil
    }

    /// A model of the same shape with every parameter zero (a gradient accumulator).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func zeroed() -> VisionTransformer {
        var copy = self
        copy.forEachParameter { _, tensor in tensor = Tensor(zeros: tensor.shape) }
        return copy
    }

    /// Visits every parameter with its timm checkpoint name, in timm's order.
    public mutating func forEachParameter(_ body: (String, inout Tensor<Scalar>) throws -> Void) rethrows {
        if config.classToken { try body("cls_token", &classToken) }
        if config.distillationToken { try body("dist_token", &distillationToken) }
        if config.registerTokenCount > 0 { try body("reg_token", &registerTokens) }
        try body("pos_embed", &positionEmbedding)
        try body("patch_embed.proj.weight", &patchEmbedding.projection.weight)
        if patchEmbedding.projection.bias != nil { try body("patch_embed.proj.bias", &patchEmbedding.projection.bias!) }
        if normPre != nil {
            try body("norm_pre.weight", &normPre!.weight)
            try body("norm_pre.bias", &normPre!.bias)
        }
        for i in blocks.indices {
            let prefix = "blocks.\(i)."
            try body(prefix + "norm1.weight", &blocks[i].norm1.weight)
            try body(prefix + "norm1.bias", &blocks[i].norm1.bias)
            try body(prefix + "attn.qkv.weight", &blocks[i].attention.queryKeyValue.weight)
            if blocks[i].attention.queryKeyValue.bias != nil {
                try body(prefix + "attn.qkv.bias", &blocks[i].attention.queryKeyValue.bias!)
            }
            if blocks[i].attention.queryNorm != nil {
                try body(prefix + "attn.q_norm.weight", &blocks[i].attention.queryNorm!.weight)
                try body(prefix + "attn.q_norm.bias", &blocks[i].attention.queryNorm!.bias)
                try body(prefix + "attn.k_norm.weight", &blocks[i].attention.keyNorm!.weight)
                try body(prefix + "attn.k_norm.bias", &blocks[i].attention.keyNorm!.bias)
            }
            try body(prefix + "attn.proj.weight", &blocks[i].attention.projection.weight)
            try body(prefix + "attn.proj.bias", &blocks[i].attention.projection.bias!)
            if blocks[i].layerScale1 != nil { try body(prefix + "ls1.gamma", &blocks[i].layerScale1!.gamma) }
            try body(prefix + "norm2.weight", &blocks[i].norm2.weight)
            try body(prefix + "norm2.bias", &blocks[i].norm2.bias)
            try body(prefix + "mlp.fc1.weight", &blocks[i].mlp.fc1.weight)
            try body(prefix + "mlp.fc1.bias", &blocks[i].mlp.fc1.bias!)
            try body(prefix + "mlp.fc2.weight", &blocks[i].mlp.fc2.weight)
            try body(prefix + "mlp.fc2.bias", &blocks[i].mlp.fc2.bias!)
            if blocks[i].layerScale2 != nil { try body(prefix + "ls2.gamma", &blocks[i].layerScale2!.gamma) }
        }
        let normName = config.normAfterPooling ? "fc_norm" : "norm"
        try body(normName + ".weight", &norm.weight)
        try body(normName + ".bias", &norm.bias)
        try body("head.weight", &head.weight)
        try body("head.bias", &head.bias!)
        if distillationHead != nil {
            try body("head_dist.weight", &distillationHead!.weight)
            try body("head_dist.bias", &distillationHead!.bias!)
        }
    }

    /// Parameter names and shapes as stored in a timm checkpoint (conv weight 4-D,
    /// cls_token [1,1,D], pos_embed [1,N,D]).
    public static func checkpointShape(of name: String, internalShape: [Int], config: ViTConfig) -> [Int] {
        switch name {
        case "cls_token", "dist_token": return [1, 1] + internalShape
        case "pos_embed", "reg_token": return [1] + internalShape
        case "patch_embed.proj.weight":
            let p = config.patchSize
            return [internalShape[0], config.channels, p, p]
        default: return internalShape
        }
    }

    /// Loads parameters named as in timm (`blocks.3.attn.qkv.weight`, …). Every expected name
    /// must be present with its shape; extra names are an error too. `pos_embed` may come from
    /// another square or rectangular grid (`positionGrid` records it).
    public init(config: ViTConfig, weights: [String: Tensor<Scalar>]) throws {
        if let problem = config.validationProblem() { throw ModelError.invalidConfig(problem) }
        self.init(config: config, seed: nil)
        var remaining = weights
        let d = config.embedDimension
        var grid = (height: config.gridHeight, width: config.gridWidth)
        try forEachParameter { name, tensor in
            guard let stored = remaining.removeValue(forKey: name) else { throw ModelError.missingWeight(name) }
            let expected = Self.checkpointShape(of: name, internalShape: tensor.shape, config: config)
            if name == "pos_embed" {
                // Any grid is accepted; it is interpolated to the input's grid at run time.
                let prefix = config.positionPrefixTokenCount
                guard stored.rank == 3, stored.shape[0] == 1, stored.shape[2] == d, stored.shape[1] > prefix,
                      let found = Self.inferGrid(patchTokens: stored.shape[1] - prefix, preferred: grid)
                else { throw ModelError.wrongShape(name, expected: expected, found: stored.shape) }
                grid = found
                tensor = stored.reshaped([stored.shape[1], d])
                return
            }
            guard stored.shape == expected else { throw ModelError.wrongShape(name, expected: expected, found: stored.shape) }
            tensor = stored.reshaped(tensor.shape)
        }
        if !remaining.isEmpty { throw ModelError.unexpectedWeights(remaining.keys.sorted()) }
        positionGrid = grid
    }

    /// The grid of a position embedding with `patchTokens` entries: the model's own grid when
    /// the count matches, else the square grid.
    static func inferGrid(patchTokens: Int, preferred: (height: Int, width: Int)) -> (height: Int, width: Int)? {
        if patchTokens == preferred.height * preferred.width { return preferred }
        let side = Int(Double(patchTokens).squareRoot().rounded())
        return side * side == patchTokens ? (side, side) : nil
    }

    public var parameterCount: Int {
        var copy = self
        var total = 0
        copy.forEachParameter { _, tensor in total += tensor.count }
        return total
    }
}

/// Problems with a model's configuration or weights; messages are one line.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case invalidConfig(String)
    case missingWeight(String)
    case wrongShape(String, expected: [Int], found: [Int])
    case unexpectedWeights([String])
    case inputShape(String)
    /// A NaN or infinite value computed at `layer` (the weights and input were finite).
    case nonFinite(layer: String, detail: String)

    public var description: String {
        switch self {
        case .invalidConfig(let problem): return "invalid model configuration: \(problem)"
        case .missingWeight(let name): return "weight \"\(name)\" is missing"
        case .wrongShape(let name, let expected, let found):
            return "weight \"\(name)\" has shape \(found), the configuration needs \(expected)"
        case .unexpectedWeights(let names):
            let shown = names.prefix(5).joined(separator: ", ")
            return "\(names.count) weight(s) the configuration does not use: \(shown)\(names.count > 5 ? ", …" : "")"
        case .inputShape(let problem): return "input does not fit the model: \(problem)"
        case .nonFinite(let layer, let detail): return "non-finite value in the model's \(layer) (\(detail)); the weights or the input overflow Float"
        }
    }
}
