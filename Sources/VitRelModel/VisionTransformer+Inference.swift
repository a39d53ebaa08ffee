/// The forward pass for callers that need only the outputs (predict, evaluate, LIME, the
/// metrics' perturbation curves).
extension VisionTransformer {
    /// Logits [B, classes] for images [B, C, H, W] already preprocessed, without a trace.
    ///
    /// Runs the blocks in place over one set of scratch buffers (`InferenceBuffers`) and keeps
    /// the attention maps only in one [N, N] scratch per thread, where `forward(_:)` keeps
    /// every block's activations: ~140 MB per image for ViT-B/16 (4.4 GB for a LIME batch of
    /// 32) written and never read. Same kernels in the same order as `forward(_:)`, so the
    /// logits are the same bits (tested).
    public func logits(_ images: Tensor<Scalar>) throws -> Tensor<Scalar> {
        var embedding = try embed(images)
        let batch = embedding.batch, n = embedding.tokens
        var x = [Scalar]()  // [B·N, D], taken over (not copied) from the embedding
        swap(&x, &embedding.sequence)
        embedding.patches = []
        embedding.patchTokens = []
        var buffers = TransformerBlock<Scalar>.InferenceBuffers(
            rows: batch * n, dimension: config.embedDimension, hiddenDimension: config.mlpHiddenDimension,
            gatedDimension: config.mlpKind == .swiGLU ? config.mlpInnerDimension : 0)
        try Self.checkFinite(x, layer: "patch and position embedding", batch: batch, rowsPerImage: n * config.embedDimension)
        if let normPre {
            var normalised = [Scalar].uninitialized(x.count)
            normPre.forward(x, rows: batch * n, into: &normalised)
            x = normalised
        }
        for (index, block) in blocks.enumerated() {
            block.forward(inPlace: &x, batch: batch, tokens: n, buffers: &buffers)
            try Self.checkFinite(x, layer: "block \(index) output", batch: batch, rowsPerImage: n * config.embedDimension)
        }
        let logits = classify(x, batch: batch, tokens: n).logits
        // A NaN or infinite logit would print as a probability of nan (or be argmax'd into a
        // class); no caller can use it, so it stops here with the layer named.
        if let index = logits.firstIndex(where: { !$0.isFinite }) {
            throw ModelError.nonFinite(layer: "logits", detail: "image \(index / config.classCount), class \(index % config.classCount): \(logits[index])")
        }
        return Tensor(shape: [batch, config.classCount], scalars: logits)
    }

    /// Stops the pass at the first layer whose output holds a NaN or an infinity, naming it
    /// (issue 13: an overflowing weight must be an error that says where, not `nan` printed
    /// as a probability). `Kernels.firstNonFiniteIndex`: a multiply-add per activation, in parallel.
    static func checkFinite(_ x: [Scalar], layer: String, batch: Int, rowsPerImage: Int) throws {
        guard let index = Kernels.firstNonFiniteIndex(x) else { return }
        throw ModelError.nonFinite(layer: layer, detail: "image \(index / rowsPerImage): \(x[index])")
    }
}
