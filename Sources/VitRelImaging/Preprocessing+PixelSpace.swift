import VitRelCore

/// A model input seen as a picture again, for tensors a caller made itself; and pixel batches
/// normalised.
extension Preprocessing {
    /// The normalised model input [3, H, W] back in pixel space: x·std + mean per channel,
    /// clamped to [0, 1] against float rounding, pixel for pixel aligned with every map.
    ///
    /// Only for an input a caller made itself, which no transform computed a picture of:
    /// `PixelExplainer.explain(_:targets:model:…)` on perturbed or noised inputs (LIME then
    /// perturbs this picture). Everything with an image behind it — figures, masks, LIME in
    /// `explain` and `compare`, the shortcut audit's interventions and text detection — uses
    /// the picture the transform computed (`geometry(_:)`, `PreparedImage.pixels`,
    /// `PreparedSplit.pictures`): undoing the normalisation rounds, and is off from that
    /// picture in the last bits.
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

    /// Normalises a pixel-space batch [B, C, H, W] in [0, 1] as `apply` does, (x − mean)/std
    /// per channel, into [B, 3, H, W]: a gray batch (C = 1) is replicated to three channels,
    /// as preprocessing does with gray X-rays.
    public func normalise(pixelBatch batch: Tensor<Float>) -> Tensor<Float> {
        precondition(batch.rank == 4 && (batch.shape[1] == 3 || batch.shape[1] == 1),
                     "pixel batch of shape \(batch.shape); expected [B, 3, H, W] or [B, 1, H, W]")
        let images = batch.shape[0], channels = batch.shape[1]
        let plane = batch.shape[2] * batch.shape[3]
        let means = mean.map(Float.init), stds = std.map(Float.init)
        // Pointer loops, one plane per task: LIME normalises every batch it classifies.
        let scalars = [Float](unsafeUninitializedCapacity: images * 3 * plane) { out, initialised in
            batch.scalars.withUnsafeBufferPointer { input in
                guard let output = out.baseAddress, let source = input.baseAddress else { return }
                Parallel.forEachChunk(images * 3) { planes in
                    for index in planes {
                        let b = index / 3, c = index % 3
                        let m = means[c], s = stds[c]
                        let from = source + (b * channels + (channels == 1 ? 0 : c)) * plane
                        let to = output + index * plane
                        for i in 0..<plane { to[i] = (from[i] - m) / s }
                    }
                }
            }
            initialised = images * 3 * plane
        }
        return Tensor(shape: [images, 3, batch.shape[2], batch.shape[3]], scalars: scalars)
    }
}
