/// The model input seen as a picture again: what figures draw under a relevance map and what
/// LIME perturbs.
extension Preprocessing {
    /// The normalised model input [3, H, W] (one image of `apply(to:)`) back in pixel space:
    /// x·std + mean per channel, clamped to [0, 1] against float rounding. The result is the
    /// resized and cropped image the model saw, pixel for pixel aligned with every map.
    public func pixelImage(fromInput input: Tensor<Float>) -> Image {
        precondition(input.rank == 3 && input.shape[0] == 3, "model input of shape \(input.shape); expected [3, H, W]")
        let height = input.shape[1], width = input.shape[2], plane = height * width
        var pixels = input.scalars
        for c in 0..<3 {
            let m = Float(mean[c]), s = Float(std[c])
            for i in (c * plane)..<((c + 1) * plane) { pixels[i] = min(max(pixels[i] * s + m, 0), 1) }
        }
        return Image(width: width, height: height, channels: 3, pixels: pixels)
    }

    /// Normalises a pixel-space batch [B, 3, H, W] in [0, 1] as `apply` does, (x − mean)/std
    /// per channel.
    public func normalise(pixelBatch batch: Tensor<Float>) -> Tensor<Float> {
        precondition(batch.rank == 4 && batch.shape[1] == 3, "pixel batch of shape \(batch.shape); expected [B, 3, H, W]")
        let plane = batch.shape[2] * batch.shape[3]
        var out = batch
        for b in 0..<batch.shape[0] {
            for c in 0..<3 {
                let m = Float(mean[c]), s = Float(std[c])
                let start = (b * 3 + c) * plane
                for i in start..<(start + plane) { out.scalars[i] = (batch.scalars[i] - m) / s }
            }
        }
        return out
    }
}
