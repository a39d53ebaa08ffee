/// Cascading randomisation of a Vision Transformer for the MPRT, from the output end:
/// `head`, `norm`, `blocks.{depth−1}` … `blocks.0`, `embeddings` (patch embedding, position
/// embedding, CLS token).
///
/// Quantus 0.6.0 randomises every torch module that has `reset_parameters`, one at a time in
/// reverse `named_modules()` order, by calling it with the seed + 1. Here a step is a whole
/// block, and each tensor is redrawn as that call draws it: Linear and the patch-embedding
/// convolution weight and bias U(−1/√fan_in, 1/√fan_in) (torch's kaiming-uniform with a = √5),
/// LayerNorm back to γ = 1, β = 0. `pos_embed` and `cls_token` are not modules there and stay
/// trained; here they are redrawn from timm's initialisation (truncated normal, std 0.02 and
/// 1e-6) so that the last step leaves no trained parameter. Tensor t of layer l is drawn from
/// `SeededGenerator(seed: seed, stream: l << 32 | t)`, so a layer's draw does not depend on
/// the order layers are randomised in.
public struct ViTParameterRandomisation: Sendable, Equatable {
    public var seed: UInt64

    /// Quantus's default MPRT seed.
    public init(seed: UInt64 = 42) { self.seed = seed }

    /// Layer names in randomisation order.
    public static func layerNames(depth: Int) -> [String] {
        ["head", "norm"] + (0..<depth).reversed().map { "blocks.\($0)" } + ["embeddings"]
    }

    /// The randomisation step of the parameter with timm name `name`.
    public static func layer(of name: String, depth: Int) -> Int {
        if name.hasPrefix("head.") { return 0 }
        if name.hasPrefix("norm.") || name.hasPrefix("fc_norm.") { return 1 }
        if name.hasPrefix("blocks.") {
            let index = Int(name.dropFirst("blocks.".count).prefix { $0.isNumber })!
            return 2 + (depth - 1 - index)
        }
        return depth + 2  // cls_token, pos_embed, patch_embed.*
    }

    /// Redraws the parameters of step `layer` of `model` in place.
    public func randomise<Scalar: TensorScalar>(_ model: inout VisionTransformer<Scalar>, layer: Int) {
        let depth = model.config.depth
        precondition(layer >= 0 && layer < depth + 3, "layer \(layer) outside 0..<\(depth + 3)")
        // fan_in of each module, from its weight: [out, in] for Linear and the flattened conv.
        var fanIn = [String: Int]()
        for (name, shape) in model.parameterNamesAndShapes where name.hasSuffix(".weight") && shape.count == 2 {
            fanIn[String(name.dropLast(".weight".count))] = shape[1]
        }
        var ordinal: UInt64 = 0
        model.forEachParameter { name, tensor in
            defer { ordinal += 1 }
            guard Self.layer(of: name, depth: depth) == layer else { return }
            var generator = SeededGenerator(seed: seed, stream: UInt64(layer) << 32 | ordinal)
            let module = String(name[..<(name.lastIndex(of: ".") ?? name.endIndex)])
            // norm, fc_norm, norm1, norm2, attn.q_norm, attn.k_norm (qk_norm), norm_pre (CLIP).
            let isLayerNorm = module.hasSuffix("norm") || module.hasSuffix("norm1") || module.hasSuffix("norm2") || module == "norm_pre"
            if isLayerNorm {
                tensor = Tensor(repeating: name.hasSuffix(".weight") ? 1 : 0, shape: tensor.shape)
            } else if name == "cls_token" || name == "pos_embed" {
                let std = name == "cls_token" ? 1e-6 : 0.02
                tensor.scalars = tensor.scalars.map { _ in
                    var z = generator.nextGaussian()
                    while abs(z) > 2 { z = generator.nextGaussian() }
                    return Scalar(z * std)
                }
            } else {
                let bound = 1 / Double(fanIn[module] ?? max(1, tensor.count)).squareRoot()
                tensor.scalars = tensor.scalars.map { _ in Scalar((2 * generator.nextUnit() - 1) * bound) }
            }
        }
    }

    /// The cascade for `model`: step k returns the model with steps 0…k randomised. Consecutive
    /// steps reuse the previous model, so walking the layers in order costs one redraw each.
    public func cascade<Scalar: TensorScalar>(_ model: VisionTransformer<Scalar>) -> LayerRandomisation<VisionTransformer<Scalar>> {
        let cache = CascadeCache(original: model)
        let names = Self.layerNames(depth: model.config.depth)
        return LayerRandomisation(layerNames: names) { [self] k in
            guard k >= 0 && k < names.count else {
                throw MetricError.invalidParameter("layer", "\(k) outside 0..<\(names.count)")
            }
            if k < cache.step {
                cache.step = -1
                cache.model = cache.original
            }
            while cache.step < k {
                cache.step += 1
                randomise(&cache.model, layer: cache.step)
            }
            return cache.model
        }
    }
}

/// The last model of a cascade and how far it is randomised.
private final class CascadeCache<Scalar: TensorScalar> {
    let original: VisionTransformer<Scalar>
    var model: VisionTransformer<Scalar>
    var step = -1

    init(original: VisionTransformer<Scalar>) {
        self.original = original
        self.model = original
    }
}
