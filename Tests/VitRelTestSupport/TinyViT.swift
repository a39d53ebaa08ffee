import VitRelModel

/// The tiny random ViT of the gradient checks (8 × 12 input, 4-pixel patches, width 8, two
/// blocks), its inputs and its loss, shared by the model's, the methods' and the optimiser's
/// tests.
public enum TinyViT {
    /// A tiny ViT whose every parameter (biases, LayerNorm γ/β, CLS, position) is random and
    /// far from its initial value, so no term of the backward pass can hide behind a zero.
    /// `family` switches on the timm family features (LayerScale, registers, ...).
    public static func model(
        pooling: ViTConfig.Pooling = .token, seed: UInt64 = 1, family: (inout ViTConfig) -> Void = { _ in }
    ) -> VisionTransformer<Double> {
        var config = ViTConfig(
            imageHeight: 8, imageWidth: 12, patchSize: 4, channels: 3, embedDimension: 8, depth: 2, headCount: 2,
            mlpHiddenDimension: 12, classCount: 3, pooling: pooling, layerNormEpsilon: 1e-6)
        family(&config)
        var model = VisionTransformer<Double>(config: config, seed: seed)
        var generator = SeededGenerator(seed: seed &+ 100)
        model.forEachParameter { name, tensor in
            // norm1, norm2, norm / fc_norm, attn.q_norm / k_norm (qk_norm), norm_pre (CLIP).
            let isScale = name.hasSuffix("norm1.weight") || name.hasSuffix("norm2.weight") || name.hasSuffix("norm.weight")
                || name == "norm_pre.weight"
            for i in 0..<tensor.count {
                tensor.scalars[i] = (isScale ? 1 : 0) + 0.4 * generator.nextGaussian()
            }
        }
        return model
    }

    public static func randomTensor(_ shape: [Int], seed: UInt64) -> Tensor<Double> {
        var generator = SeededGenerator(seed: seed)
        return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in generator.nextGaussian() })
    }

    /// L = Σ seed ⊙ logits.
    public static func loss(_ model: VisionTransformer<Double>, _ images: Tensor<Double>, _ seed: Tensor<Double>,
                     offsets: [Int: [Double]] = [:]) -> Double {
        let logits = try! model.forward(images, attentionOffsets: offsets).logits
        return zip(logits.scalars, seed.scalars).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// Every timm family feature at once: LayerScale (γ random, of both signs), DeiT's
    /// distillation token and averaged heads, two registers, `pos_embed` on patches only.
    public static func familyFeatures(_ config: inout ViTConfig) {
        config.layerScale = true
        config.distillationToken = true
        config.registerTokenCount = 2
        config.positionEmbeddingCoversPrefix = false
    }

    /// Every feature of timm's CLIP towers at once: norm_pre (and so no patch-embedding bias),
    /// QuickGELU, qk_norm, CLIP's ε.
    public static func clipFeatures(_ config: inout ViTConfig) {
        config.preNorm = true
        config.activation = .quickGELU
        config.queryKeyNorm = true
        config.layerNormEpsilon = 1e-5
        config.finalNormEpsilon = 1e-5
    }

    /// DINOv2 ViT-g/14's SwiGLU MLP in every block, with DINOv2's LayerScale.
    public static func swiGLUFeatures(_ config: inout ViTConfig) {
        config.mlpKind = .swiGLU
        config.activation = .silu
        config.layerScale = true
    }
}
