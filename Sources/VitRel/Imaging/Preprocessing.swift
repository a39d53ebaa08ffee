/// How an image becomes the model's input tensor: the training pipeline's eval transform.
///
/// timm: resize to floor(size / crop_pct) (shorter side for square inputs), centre crop to
/// the input size, scale to [0, 1], normalise. Hugging Face `ViTImageProcessor`: resize to
/// exactly the input size, rescale, normalise. Grayscale X-rays are replicated to 3 channels.
public struct Preprocessing: Codable, Equatable, Sendable {
    public enum Interpolation: String, Codable, Sendable, CaseIterable {
        case nearest, bilinear, bicubic
    }

    public enum ResizeMode: String, Codable, Sendable {
        /// timm eval: resize to floor(input / cropPercent), then centre crop to the input.
        case resizeThenCenterCrop
        /// Hugging Face: resize straight to the input size (aspect ratio not kept).
        case exact
    }

    public var inputHeight: Int
    public var inputWidth: Int
    public var interpolation: Interpolation
    public var resizeMode: ResizeMode
    /// timm's crop_pct; 1 means the resize already gives the input size.
    public var cropPercent: Double
    public var mean: [Double]
    public var std: [Double]

    public init(
        inputHeight: Int, inputWidth: Int, interpolation: Interpolation = .bicubic,
        resizeMode: ResizeMode = .resizeThenCenterCrop, cropPercent: Double = 1,
        mean: [Double] = [0.5, 0.5, 0.5], std: [Double] = [0.5, 0.5, 0.5]
    ) {
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.interpolation = interpolation
        self.resizeMode = resizeMode
        self.cropPercent = cropPercent
        self.mean = mean
        self.std = std
    }
}
