import Foundation

extension VisionTransformer where Scalar == Float {
    /// Parameters under their timm names and checkpoint shapes (cls_token [1,1,D],
    /// pos_embed [1,N,D], patch_embed.proj.weight [D,C,p,p]).
    public func checkpointWeights() -> [String: Tensor<Float>] {
        var copy = self
        var weights = [String: Tensor<Float>]()
        let config = self.config
        copy.forEachParameter { name, tensor in
            weights[name] = tensor.reshaped(Self.checkpointShape(of: name, internalShape: tensor.shape, config: config))
        }
        return weights
    }
}

extension ClassifierModel {
    /// Writes a timm folder (config.json + model.safetensors) that timm loads back, its weights
    /// stored as `storage` (F32, F16 or BF16; see `ViTCheckpoint.write(timmFolder:storage:)`).
    public static func write(
        _ network: VisionTransformer<Float>, preprocessing: Preprocessing, to directory: URL,
        storage: SafeTensors.DType = .float32
    ) throws {
        let checkpoint = ViTCheckpoint(
            config: network.config, preprocessing: preprocessing, weights: network.checkpointWeights(),
            format: .timm, directory: directory)
        try checkpoint.write(timmFolder: directory, storage: storage)
    }

    /// Writes this model as a timm folder (converting a Hugging Face folder, or changing how
    /// its weights are stored). A folder that already holds weights is refused
    /// (`CheckpointError.wouldOverwrite`), so a conversion never replaces a model.
    public func write(timmFolder directory: URL, storage: SafeTensors.DType = .float32) throws {
        let weights = directory.appendingPathComponent(ViTCheckpoint.weightsFileName)
        guard !FileManager.default.fileExists(atPath: weights.path) else { throw CheckpointError.wouldOverwrite(file: weights.path) }
        try Self.write(network, preprocessing: preprocessing, to: directory, storage: storage)
    }
}
