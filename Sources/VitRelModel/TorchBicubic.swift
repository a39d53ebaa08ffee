/// PyTorch's plain bicubic resize, `F.interpolate(x, size=(h, w), mode="bicubic",
/// align_corners=False)` without antialias, on planes [C, H, W]: how transformers' DINOv2
/// (`Dinov2Embeddings.interpolate_pos_encoding`, `models/dinov2/modeling_dinov2.py`) resamples
/// its position embedding to the input's patch grid.
///
/// It is not Pillow's bicubic (`Resampler`, which timm and the antialiased torch path use):
/// the kernel is Keys' cubic convolution with a = −0.75 (Pillow: −0.5), it always reads four
/// taps whatever the scale (no widening when downscaling, hence no antialiasing), and taps
/// beyond the border repeat the edge sample. Following ATen's CPU kernel
/// (`aten/src/ATen/native/cpu/UpSampleKernel.cpp`, `HelperInterpCubic`, and
/// `UpSample.h`: `area_pixel_compute_scale`, `area_pixel_compute_source_index`,
/// `guard_index_and_lambda`, `get_cubic_upsample_coefficients`):
///
///     scale = in / out                      (float; `size=` given, no scale factor)
///     s     = scale · (o + 0.5) − 0.5       (not clamped at 0 for cubic)
///     i     = min(⌊s⌋, in − 1),  t = clamp(s − i, 0, 1)
///     taps  i − 1 … i + 2 clamped to 0 … in − 1, weights
///           W(t + 1), W(t), W(1 − t), W(2 − t)  with W Keys' kernel at a = −0.75
///
/// and the 2-D value Σ_j w_y[j] · Σ_k w_x[k] · x[y_j, x_k], rows outside, columns inside,
/// accumulated in that order. Coordinates and weights are computed in Float, as ATen does for
/// float32 tensors (transformers casts the embedding to float32 before interpolating).
enum TorchBicubic {
    /// Keys (1981) cubic convolution with ATen's a = −0.75.
    static let a: Float = -0.75

    /// Tap indices and weights along one axis, ATen's `HelperInterpCubic.compute_indices_weights`.
    static func taps(input: Int, output: Int) -> [(indices: [Int], weights: [Float])] {
        let scale = Float(input) / Float(output)
        func near(_ x: Float) -> Float { ((a + 2) * x - (a + 3)) * x * x + 1 }  // |x| ≤ 1
        func far(_ x: Float) -> Float { ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }  // 1 < |x| < 2
        return (0..<output).map { o in
            let source = scale * (Float(o) + 0.5) - 0.5
            let index = min(Int(source.rounded(.down)), input - 1)
            let t = min(max(source - Float(index), 0), 1)
            let weights = [far(t + 1), near(t), near(1 - t), far(2 - t)]
            let indices = (0..<4).map { min(max(index - 1 + $0, 0), input - 1) }
            return (indices, weights)
        }
    }

    /// Planes [C, H, W] → [C, toHeight, toWidth].
    static func resize<Scalar: TensorScalar>(
        _ planes: [Scalar], channels: Int, height: Int, width: Int, toHeight: Int, toWidth: Int
    ) -> [Scalar] {
        precondition(planes.count == channels * height * width, "\(planes.count) values for \(channels)×\(height)×\(width)")
        let rows = taps(input: height, output: toHeight), columns = taps(input: width, output: toWidth)
        var out = [Scalar].uninitialized(channels * toHeight * toWidth)
        for c in 0..<channels {
            let plane = c * height * width
            for (oy, row) in rows.enumerated() {
                for (ox, column) in columns.enumerated() {
                    var value: Scalar = 0
                    for j in 0..<4 {
                        let line = plane + row.indices[j] * width
                        var inner: Scalar = 0
                        for k in 0..<4 { inner += planes[line + column.indices[k]] * Scalar(column.weights[k]) }
                        value += inner * Scalar(row.weights[j])
                    }
                    out[(c * toHeight + oy) * toWidth + ox] = value
                }
            }
        }
        return out
    }
}
