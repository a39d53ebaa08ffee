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
    /// Writes a timm folder (config.json + model.safetensors) that timm loads back.
    public static func write(_ network: VisionTransformer<Float>, preprocessing: Preprocessing, to directory: URL) throws {
        let checkpoint = ViTCheckpoint(
            config: network.config, preprocessing: preprocessing, weights: network.checkpointWeights(),
            format: .timm, directory: directory)
        try checkpoint.write(timmFolder: directory)
    }
}
