/// The weights a `ViTConfig` implies, under timm's names, with their shapes.
///
/// This is the one key map of vitrel: Hugging Face checkpoints are renamed into it on load,
/// and the model reads only these names. Names and layouts follow timm's
/// `VisionTransformer` (pytorch-image-models, `timm/models/vision_transformer.py`): PyTorch
/// Linear weights are [out, in], the patch embedding is a Conv2d [D, C, p, p], and
/// `attn.qkv` stacks the rows of q, k and v (in that order, heads contiguous inside each).
public enum TimmKeyMap {
    public static let classToken = "cls_token"
    public static let positionEmbedding = "pos_embed"

    /// Every tensor `config` needs, in module order, with the shape it must have.
    ///
    /// `pos_embed` is listed with the config's own grid; `check` also accepts a different
    /// square grid there, which the model resamples (timm's `resample_abs_pos_embed`).
    public static func expectedShapes(for config: ViTConfig) -> [(key: String, shape: [Int])] {
        let d = config.embedDimension
        let m = config.mlpHiddenDimension
        let p = config.patchSize
        var keys: [(key: String, shape: [Int])] = []
        if config.classToken { keys.append((classToken, [1, 1, d])) }
        if config.distillationToken { keys.append(("dist_token", [1, 1, d])) }
        if config.registerTokenCount > 0 { keys.append(("reg_token", [1, config.registerTokenCount, d])) }
        keys.append((positionEmbedding, [1, config.positionTokenCount, d]))
        keys.append(("patch_embed.proj.weight", [d, config.channels, p, p]))
        // timm builds the patch embedding without a bias when pre_norm follows it (CLIP).
        if !config.preNorm { keys.append(("patch_embed.proj.bias", [d])) }
        if config.preNorm {
            keys.append(("norm_pre.weight", [d]))
            keys.append(("norm_pre.bias", [d]))
        }
        for i in 0..<config.depth {
            let block = "blocks.\(i)"
            keys.append(("\(block).norm1.weight", [d]))
            keys.append(("\(block).norm1.bias", [d]))
            keys.append(("\(block).attn.qkv.weight", [3 * d, d]))
            if config.qkvBias { keys.append(("\(block).attn.qkv.bias", [3 * d])) }
            if config.queryKeyNorm {
                for norm in ["q_norm", "k_norm"] {
                    keys.append(("\(block).attn.\(norm).weight", [config.headDimension]))
                    keys.append(("\(block).attn.\(norm).bias", [config.headDimension]))
                }
            }
            keys.append(("\(block).attn.proj.weight", [d, d]))
            keys.append(("\(block).attn.proj.bias", [d]))
            if config.layerScale { keys.append(("\(block).ls1.gamma", [d])) }
            keys.append(("\(block).norm2.weight", [d]))
            keys.append(("\(block).norm2.bias", [d]))
            keys.append(("\(block).mlp.fc1.weight", [m, d]))
            keys.append(("\(block).mlp.fc1.bias", [m]))
            // SwiGLUPacked's fc2 reads half of fc1's width; its `mlp.norm` is an Identity.
            keys.append(("\(block).mlp.fc2.weight", [d, config.mlpInnerDimension]))
            keys.append(("\(block).mlp.fc2.bias", [d]))
            if config.layerScale { keys.append(("\(block).ls2.gamma", [d])) }
        }
        // timm puts the final LayerNorm before pooling (`norm`) or, with fc_norm, after it.
        let finalNorm = config.normAfterPooling ? "fc_norm" : "norm"
        keys.append(("\(finalNorm).weight", [d]))
        keys.append(("\(finalNorm).bias", [d]))
        keys.append(("head.weight", [config.classCount, config.headInputDimension]))
        keys.append(("head.bias", [config.classCount]))
        if config.distillationHeadTokenIndex != nil {
            keys.append(("head_dist.weight", [config.classCount, d]))
            keys.append(("head_dist.bias", [config.classCount]))
        }
        return keys
    }

    /// Checks a file's tensor shapes against `expected`: first that nothing is missing, then
    /// that nothing is left over, then every shape. Errors name `file` and the tensors.
    ///
    /// The tensor named `positionEmbeddingKey` may instead hold a square grid of another size,
    /// [1, prefix + s², D], as a checkpoint trained at another resolution does (timm's
    /// `checkpoint_filter_fn` infers such a grid as square too).
    static func check(
        found: [String: [Int]], expected: [(key: String, shape: [Int])], file: String,
        positionEmbeddingKey: String, prefixTokenCount: Int
    ) throws {
        let missing = expected.map(\.key).filter { found[$0] == nil }
        if !missing.isEmpty { throw CheckpointError.missingTensors(file: file, names: missing) }
        let expectedKeys = Set(expected.map(\.key))
        let unexpected = found.keys.filter { !expectedKeys.contains($0) }.sorted()
        if !unexpected.isEmpty { throw CheckpointError.unexpectedTensors(file: file, names: unexpected) }
        for (key, shape) in expected {
            let actual = found[key]!
            if actual == shape { continue }
            if key == positionEmbeddingKey, actual.count == 3, actual[0] == 1, actual[2] == shape[2],
               squareGridSide(tokenCount: actual[1], prefixTokenCount: prefixTokenCount) != nil {
                continue
            }
            throw CheckpointError.wrongShape(file: file, tensor: key, expected: shape, found: actual)
        }
    }

    /// s when `tokenCount` = prefix + s² with s ≥ 1, else nil.
    static func squareGridSide(tokenCount: Int, prefixTokenCount: Int) -> Int? {
        let patches = tokenCount - prefixTokenCount
        guard patches > 0 else { return nil }
        var side = Int(Double(patches).squareRoot())
        while side * side > patches { side -= 1 }
        while (side + 1) * (side + 1) <= patches { side += 1 }
        return side * side == patches ? side : nil
    }
}
