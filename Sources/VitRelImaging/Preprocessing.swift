/// How an image becomes the model's input tensor: the training pipeline's eval transform.
///
/// timm: resize to floor(size / crop_pct) (shorter side for square inputs), centre crop to
/// the input size, scale to [0, 1], normalise. Hugging Face `ViTImageProcessor`: resize to
/// exactly the input size, rescale, normalise; `BitImageProcessor` (DINOv2): shorter side to
/// `shortest_edge`, centre crop; `DeiTImageProcessor`: resize to `size`, centre crop.
/// Grayscale X-rays are replicated to 3 channels.
public struct Preprocessing: Codable, Equatable, Sendable {
    /// Pillow's resampling filters, by the names timm configs use (`Image.Resampling`).
    public enum Interpolation: String, Codable, Sendable, CaseIterable {
        case nearest, box, bilinear, hamming, bicubic, lanczos
    }

    /// How the resize computes, for images decoded from 8-bit files.
    public enum ResizeArithmetic: String, Codable, Sendable, CaseIterable {
        /// Pillow's 8-bit fixed point, rounded to 8 bits after each pass (`PillowResampler`):
        /// what timm's eval pipeline feeds the model, bit for bit.
        case pillow
        /// Floats throughout, clamped to [0, 1] after each pass (`Resampler`): vitrel's path
        /// before Pillow's was reproduced, within about 1.5/255 of it. 16-bit files always
        /// take this path.
        case float
    }

    public enum ResizeMode: String, Codable, Sendable {
        /// timm eval: resize to floor(input / cropPercent), then centre crop to the input
        /// (torchvision `CenterCrop` offsets).
        case resizeThenCenterCrop
        /// Hugging Face: resize straight to the input size (aspect ratio not kept).
        case exact
        /// Hugging Face `BitImageProcessor` (DINOv2's) and `size: {shortest_edge}`: the shorter
        /// side to `resizeHeight`, the longer int(edge · long / short) (transformers
        /// `get_resize_output_image_size` with `default_to_square=False`), then centre crop to
        /// the input with transformers' offsets (`Image.CenterCropRounding.transformers`).
        case shortestEdgeThenCenterCrop
        /// Hugging Face `DeiTImageProcessor`: resize to `resizeHeight` × `resizeWidth`, then
        /// centre crop to the input with transformers' offsets.
        case exactThenCenterCrop

        /// The centre crop after the resize, with whose offsets; nil when there is none.
        public var centerCrop: Image.CenterCropRounding? {
            switch self {
            case .resizeThenCenterCrop: return .torchvision
            case .exact: return nil
            case .shortestEdgeThenCenterCrop, .exactThenCenterCrop: return .transformers
            }
        }
    }

    public var inputHeight: Int
    public var inputWidth: Int
    public var interpolation: Interpolation
    public var resizeMode: ResizeMode
    /// timm's crop_pct; 1 means the resize already gives the input size.
    public var cropPercent: Double
    /// The resize target Hugging Face processors name before their centre crop: the shorter
    /// side (`shortestEdgeThenCenterCrop`, in `resizeHeight`) or the whole size
    /// (`exactThenCenterCrop`); nil in the other modes, whose target follows from the input.
    public var resizeHeight: Int?
    public var resizeWidth: Int?
    public var mean: [Double]
    public var std: [Double]
    /// Not a property of the checkpoint (timm and transformers configs have no such field):
    /// the user's choice, Pillow's by default.
    public var resizeArithmetic: ResizeArithmetic

    public init(
        inputHeight: Int, inputWidth: Int, interpolation: Interpolation = .bicubic,
        resizeMode: ResizeMode = .resizeThenCenterCrop, cropPercent: Double = 1,
        mean: [Double] = [0.5, 0.5, 0.5], std: [Double] = [0.5, 0.5, 0.5], resizeArithmetic: ResizeArithmetic = .pillow,
        resizeHeight: Int? = nil, resizeWidth: Int? = nil
    ) {
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.interpolation = interpolation
        self.resizeMode = resizeMode
        self.cropPercent = cropPercent
        self.mean = mean
        self.std = std
        self.resizeArithmetic = resizeArithmetic
        self.resizeHeight = resizeHeight
        self.resizeWidth = resizeWidth
    }

    private enum CodingKeys: String, CodingKey {
        case inputHeight, inputWidth, interpolation, resizeMode, cropPercent, mean, std, resizeArithmetic, resizeHeight, resizeWidth
    }

    /// A record written before `resizeArithmetic` existed was made with the float path.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            inputHeight: try container.decode(Int.self, forKey: .inputHeight),
            inputWidth: try container.decode(Int.self, forKey: .inputWidth),
            interpolation: try container.decode(Interpolation.self, forKey: .interpolation),
            resizeMode: try container.decode(ResizeMode.self, forKey: .resizeMode),
            cropPercent: try container.decode(Double.self, forKey: .cropPercent),
            mean: try container.decode([Double].self, forKey: .mean),
            std: try container.decode([Double].self, forKey: .std),
            resizeArithmetic: try container.decodeIfPresent(ResizeArithmetic.self, forKey: .resizeArithmetic) ?? .float,
            resizeHeight: try container.decodeIfPresent(Int.self, forKey: .resizeHeight),
            resizeWidth: try container.decodeIfPresent(Int.self, forKey: .resizeWidth))
    }

    /// The longest side a resize may produce: 4× the largest input side a checkpoint may ask
    /// for (a crop_pct of 1e-9 would otherwise ask for a 10¹¹-pixel resize).
    public static let maximumResizedSide = 16_384

    /// Checks what the numbers imply before anything is allocated or divided: a finite crop
    /// percent whose resize stays within `maximumResizedSide`, one finite mean per std, and
    /// stds of at least 1e-6 (a std of 1e-45 turns every pixel into ±∞). Returns the first
    /// problem, naming the field as timm's config names it.
    public func validationProblem() -> String? {
        if !(cropPercent > 0 && cropPercent <= 1) { return "crop_pct must be in (0, 1], got \(cropPercent)" }
        let longest = Double(max(inputHeight, inputWidth)) / cropPercent
        if resizeMode == .resizeThenCenterCrop && !(longest <= Double(Self.maximumResizedSide)) {
            return "crop_pct \(cropPercent) resizes a \(inputHeight)×\(inputWidth) input to \(longest) pixels a side; at most \(Self.maximumResizedSide)"
        }
        switch resizeMode {
        case .shortestEdgeThenCenterCrop, .exactThenCenterCrop:
            let sides = resizeMode == .shortestEdgeThenCenterCrop ? [resizeHeight] : [resizeHeight, resizeWidth]
            for side in sides {
                guard let side, side > 0, side <= Self.maximumResizedSide else {
                    return "the resize before the centre crop needs sides in 1...\(Self.maximumResizedSide), got \(sides.map { $0.map(String.init) ?? "none" })"
                }
            }
        case .exact, .resizeThenCenterCrop:
            break
        }
        if mean.isEmpty || mean.count != std.count { return "mean and std must be lists of equal length, got \(mean.count) and \(std.count)" }
        if let bad = mean.first(where: { !$0.isFinite || abs($0) > 1e3 }) { return "mean \(bad) is not a finite pixel mean (|mean| ≤ 1000)" }
        if let bad = std.first(where: { !$0.isFinite || $0 < 1e-6 || $0 > 1e3 }) { return "std \(bad) is outside 1e-6…1000" }
        return nil
    }
}
