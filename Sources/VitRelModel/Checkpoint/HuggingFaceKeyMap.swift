import Foundation

/// Hugging Face weight names ↔ timm's (`TimmKeyMap`, vitrel's one key map), per family.
///
/// The ViT and DeiT renaming inverts transformers' `convert_vit_timm_to_pytorch.py` and
/// `convert_deit_timm_to_pytorch.py` (`rename_keys`, `read_in_q_k_v`), which split timm's
/// `attn.qkv` into query, key and value by rows; here the three are stacked back in that
/// order. DINOv2's (`convert_dinov2_to_hf.py`) names the block's norms `norm1`/`norm2`, its
/// MLP `mlp.fc1`/`mlp.fc2` (the SwiGLU FFN of ViT-g/14 `mlp.weights_in`/`mlp.weights_out`) and
/// its LayerScales `layer_scale{1,2}.lambda1` (timm `ls{1,2}.gamma`).
/// transformers ≥ 5 renames these legacy names on load (`conversion_mapping.py`) and back on
/// save, so folders on the hub and folders saved today both hold them.
///
/// Two HF tensors have no timm counterpart: DINOv2's `embeddings.mask_token` (masked-image
/// pre-training only; never used by a classifier's forward pass) is skipped, and DINOv2 with
/// registers' position embedding covers [CLS, patches] while its registers get none: its CLS
/// row is folded into the CLS token (both are constants, added once before the first block, so
/// the sum is the same float HF computes) and the patch rows become timm's `no_embed_class`
/// table.
enum HuggingFaceKeyMap {
    typealias Family = HuggingFaceConfig.Family

    /// The HF tensors that make up one timm tensor, with their shapes: `attn.qkv` comes from
    /// three, everything else from one of the same shape.
    static func sources(
        ofTimmKey key: String, shape: [Int], family: Family, teacher: Bool, mlpKind: MLPKind = .mlp
    ) -> [(key: String, shape: [Int])] {
        let parts = key.split(separator: ".").map(String.init)
        let model = family.prefix
        let dinov2 = family.isDINOv2
        // Dinov2SwiGLUFFN's legacy names (what the hub holds and transformers ≥ 5 writes back):
        // `weights_in` is timm's packed fc1 ([gate_proj; up_proj] = [x₁ | x₂]), `weights_out` fc2.
        let (fc1, fc2) = mlpKind == .swiGLU ? ("weights_in", "weights_out") : ("fc1", "fc2")
        if parts[0] == "blocks", parts.count >= 4 {
            let layer = "\(model).encoder.layer.\(parts[1])"
            let leaf = parts[parts.count - 1]  // weight | bias | gamma
            switch (parts[2], parts.count == 5 ? parts[3] : "") {
            case ("attn", "qkv"):
                let rows = shape[0] / 3
                let partShape = [rows] + shape.dropFirst()
                return ["query", "key", "value"].map { ("\(layer).attention.attention.\($0).\(leaf)", partShape) }
            case ("attn", "proj"): return [("\(layer).attention.output.dense.\(leaf)", shape)]
            case ("mlp", "fc1"): return [(dinov2 ? "\(layer).mlp.\(fc1).\(leaf)" : "\(layer).intermediate.dense.\(leaf)", shape)]
            case ("mlp", "fc2"): return [(dinov2 ? "\(layer).mlp.\(fc2).\(leaf)" : "\(layer).output.dense.\(leaf)", shape)]
            case ("norm1", ""): return [(dinov2 ? "\(layer).norm1.\(leaf)" : "\(layer).layernorm_before.\(leaf)", shape)]
            case ("norm2", ""): return [(dinov2 ? "\(layer).norm2.\(leaf)" : "\(layer).layernorm_after.\(leaf)", shape)]
            case ("ls1", ""): return [("\(layer).layer_scale1.lambda1", shape)]
            case ("ls2", ""): return [("\(layer).layer_scale2.lambda1", shape)]
            default: break
            }
        }
        let embeddings = "\(model).embeddings"
        switch key {
        case TimmKeyMap.classToken: return [("\(embeddings).cls_token", shape)]
        case "dist_token": return [("\(embeddings).distillation_token", shape)]
        case "reg_token": return [("\(embeddings).register_tokens", shape)]
        case TimmKeyMap.positionEmbedding:
            // Registers: HF's table has CLS's row too (see the type's comment).
            let rows = family == .dinov2WithRegisters ? shape[1] + 1 : shape[1]
            return [("\(embeddings).position_embeddings", [1, rows, shape[2]])]
        case "patch_embed.proj.weight": return [("\(embeddings).patch_embeddings.projection.weight", shape)]
        case "patch_embed.proj.bias": return [("\(embeddings).patch_embeddings.projection.bias", shape)]
        case "norm.weight": return [("\(model).layernorm.weight", shape)]
        case "norm.bias": return [("\(model).layernorm.bias", shape)]
        case "head.weight": return [(teacher ? "cls_classifier.weight" : "classifier.weight", shape)]
        case "head.bias": return [(teacher ? "cls_classifier.bias" : "classifier.bias", shape)]
        case "head_dist.weight": return [("distillation_classifier.weight", shape)]
        case "head_dist.bias": return [("distillation_classifier.bias", shape)]
        default: preconditionFailure("no Hugging Face name for timm key \(key)")
        }
    }

    /// HF tensors a classifier folder may hold that the model does not use.
    static func ignored(family: Family) -> Set<String> {
        family.isDINOv2 ? ["\(family.prefix).embeddings.mask_token"] : []
    }

    /// Checks the HF file against `config` (errors name HF keys, as the user's file has them)
    /// and returns the weights under timm's names.
    static func timmWeights(_ file: SafeTensorsFile, config: ViTConfig, family: Family, teacher: Bool) throws -> [String: Tensor<Float>] {
        let timmKeys = TimmKeyMap.expectedShapes(for: config)
        let plan = timmKeys.map {
            (key: $0.key, sources: sources(ofTimmKey: $0.key, shape: $0.shape, family: family, teacher: teacher, mlpKind: config.mlpKind))
        }
        let skipped = ignored(family: family)
        let positionKey = "\(family.prefix).embeddings.position_embeddings"
        let foldsClassPosition = family == .dinov2WithRegisters
        try TimmKeyMap.check(
            found: file.entries.mapValues(\.shape).filter { !skipped.contains($0.key) }, expected: plan.flatMap(\.sources),
            file: file.url.path, positionEmbeddingKey: positionKey,
            prefixTokenCount: foldsClassPosition ? 1 : config.positionPrefixTokenCount)
        var weights: [String: Tensor<Float>] = [:]
        for (key, sources) in plan {
            let parts = try sources.map { try file.tensor($0.key, as: Float.self) }
            if parts.count == 1 {
                weights[key] = parts[0]
            } else {
                // Row-stack q | k | v: along the first axis, which is the flat order too.
                let rows = parts.reduce(0) { $0 + $1.shape[0] }
                weights[key] = Tensor(shape: [rows] + parts[0].shape.dropFirst(), scalars: parts.flatMap(\.scalars))
            }
        }
        if foldsClassPosition, let table = weights[TimmKeyMap.positionEmbedding], var classToken = weights[TimmKeyMap.classToken] {
            let d = config.embedDimension
            for i in 0..<d { classToken.scalars[i] += table.scalars[i] }
            weights[TimmKeyMap.classToken] = classToken
            weights[TimmKeyMap.positionEmbedding] = Tensor(shape: [1, table.shape[1] - 1, d], scalars: Array(table.scalars[d...]))
        }
        return weights
    }
}
