import VitRelCore

/// One image as a model sees it, made once by `Preprocessing.prepare(_:file:)`: the pixel image
/// after the transform's geometry (RGB, resized, cropped; samples in [0, 1]) and the normalised
/// input tensor computed from it.
///
/// Figures draw their maps over `pixels`, masks are taken through the same geometry, and LIME
/// perturbs `pixels`: the picture is the one computed, never reconstructed from the tensor by
/// undoing the normalisation (which rounds).
public struct PreparedImage: Sendable {
    /// The image at the input size, three channels in [0, 1].
    public let pixels: Image
    /// The model input [3, H, W]: `pixels` normalised.
    public let input: Tensor<Float>

    public init(pixels: Image, input: Tensor<Float>) {
        precondition(input.shape == [3, pixels.height, pixels.width], "input \(input.shape) for a \(pixels.width)×\(pixels.height) image")
        self.pixels = pixels
        self.input = input
    }
}
