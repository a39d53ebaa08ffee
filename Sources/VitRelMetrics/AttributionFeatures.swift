/// What Quantus 0.6.0 does to an attribution before a metric reads it (`Metric.general_preprocess`):
/// divide by max|a| (`normalise_by_max`; an all-zero map is left alone), then take |a| if asked.
///
/// Quantus normalises over the whole batch it is handed; vitrel normalises each image on its
/// own, which is what Quantus does for a batch of one. Every metric but MaxSensitivity is
/// invariant to a positive scale, so this only matters there (where Quantus's default is
/// `normalise=False` anyway).
public struct AttributionPreprocessing: Sendable, Equatable, Codable {
    public var normalise: Bool
    public var absolute: Bool
    /// Keep only positive relevance (negative values become 0), as Arras et al. 2022 define the
    /// localisation metrics: with signed maps the net sum in the denominator of relevance mass
    /// can be near zero, making the ratio meaningless. Not a Quantus option (Quantus has
    /// `abs`); off by default.
    public var positiveOnly: Bool

    public init(normalise: Bool = true, absolute: Bool = false, positiveOnly: Bool = false) {
        self.normalise = normalise
        self.absolute = absolute
        self.positiveOnly = positiveOnly
    }

    /// Applied in Float, as Quantus applies it to float32 arrays.
    public func apply(_ values: [Float]) -> [Float] {
        var result = values
        if normalise {
            let largest = values.reduce(Float(0)) { Swift.max($0, Swift.abs($1)) }
            if largest > 0 { result = result.map { $0 / largest } }
        }
        if absolute { result = result.map(Swift.abs) }
        if positiveOnly { result = result.map { Swift.max($0, 0) } }
        return result
    }
}

/// An attribution read at the input's features, the way Quantus 0.6.0 perturbation metrics
/// read it.
///
/// Quantus broadcasts an [H, W] map to the input's [C, H, W] (`np.broadcast_to`) and flattens:
/// there are F = C·H·W features, feature f = c·H·W + p, and every channel of pixel p carries
/// the pixel's value. Steps take features in `descendingOrder` (or ascending), which keeps a
/// pixel's channels together, so a step of s features moves through the channels of a pixel
/// one at a time and a step of k·C features takes k whole pixels; a sum over a step counts a
/// pixel's value once per channel perturbed. A [C, H, W] attribution is used as it is.
/// (Quantus 0.5.3 used pixels as features instead.)
public struct AttributionFeatures: Sendable {
    /// One value per feature, length C·H·W, after preprocessing.
    public var values: [Float]
    /// 1 for a pixel map spread over the channels, C for a per-channel attribution.
    public var sourceChannels: Int
    public var shape: ImageShape

    /// Checks the attribution against `shape`, preprocesses it and spreads it over the channels.
    public init(_ attribution: [Float], shape: ImageShape, preprocessing: AttributionPreprocessing) throws {
        let source = try AttributionFeatures.channels(of: attribution, shape: shape)
        let prepared = preprocessing.apply(attribution)
        self.shape = shape
        self.sourceChannels = source
        if source == shape.channels {
            values = prepared
        } else {
            var spread = [Float](repeating: 0, count: shape.count)
            for c in 0..<shape.channels {
                for p in 0..<shape.plane { spread[c * shape.plane + p] = prepared[p] }
            }
            values = spread
        }
    }

    /// 1 when `attribution` is an [H, W] map, C when it is [C, H, W]; throws otherwise.
    public static func channels(of attribution: [Float], shape: ImageShape) throws -> Int {
        if attribution.count == shape.plane { return 1 }
        if attribution.count == shape.count { return shape.channels }
        throw MetricError.attributionShape(count: attribution.count, channels: shape.channels, height: shape.height, width: shape.width)
    }

    /// One value per pixel: the map itself, or the sum over channels of a [C, H, W] attribution
    /// (for the metrics that rank pixels rather than features: insertion/deletion and ROAD).
    public static func pixelMap(_ attribution: [Float], shape: ImageShape) throws -> [Float] {
        let source = try channels(of: attribution, shape: shape)
        guard source > 1 else { return attribution }
        return (0..<shape.plane).map { p in (0..<source).reduce(Float(0)) { $0 + attribution[$1 * shape.plane + p] } }
    }

    /// Feature indices from the largest value to the smallest, ties broken by pixel index and
    /// then by channel (`wholePixelOrder`): the order Pixel Flipping, Faithfulness Estimate and
    /// the other feature-stepping metrics perturb in (Quantus `np.argsort(-a)`).
    public var descendingOrder: [Int] { Self.wholePixelOrder(values, plane: shape.plane, descending: true) }
    /// Feature indices from the smallest value to the largest, ties broken by pixel, then channel.
    public var ascendingOrder: [Int] { Self.wholePixelOrder(values, plane: shape.plane, descending: false) }

    /// Feature indices f = c·plane + p of a [C, H, W] array sorted by value, ties broken by the
    /// pixel p first and the channel c second.
    ///
    /// Why this order: Quantus ranks the C·H·W features of the broadcast map with
    /// `np.argsort(-a)`. numpy's default sort is not stable, so on ties its order is the
    /// machine's; a stable argsort breaks ties by the feature index c·H·W + p, channel first.
    /// Every channel copy of a spread pixel map is a tie, and so are whole runs of pixels in a
    /// map upsampled from the token grid (a patch, the border bands, the corners). Channel-first
    /// tie breaking then takes channel 0 of every tied pixel before any channel 1, so a step of
    /// C features removes one channel of C different pixels. Ordering ties by pixel, then
    /// channel, keeps a pixel's channels together: a step of k·C features removes k whole
    /// pixels whatever ties the map has (Bach et al. 2015 flip pixels), and any step size gives
    /// one reproducible order. It is Quantus's order with a stable argsort over the pixel-major
    /// layout [H, W, C] (how Tools/make_metric_fixtures.py runs Quantus). For distinct pixel
    /// values it is also a stable argsort's order over Quantus's [C, H, W] layout.
    public static func wholePixelOrder<T: Comparable>(_ values: [T], plane: Int, descending: Bool) -> [Int] {
        precondition(plane > 0 && values.count % plane == 0, "\(values.count) values are not whole planes of \(plane)")
        return values.indices.sorted { a, b in
            if values[a] != values[b] { return descending ? values[a] > values[b] : values[a] < values[b] }
            let pixelA = a % plane, pixelB = b % plane
            return pixelA != pixelB ? pixelA < pixelB : a < b
        }
    }

    /// Indices by decreasing value; ties keep index order (a single plane: pixels or regions).
    public static func descendingOrder<T: Comparable>(_ values: [T]) -> [Int] {
        wholePixelOrder(values, plane: max(values.count, 1), descending: true)
    }

    /// Indices by increasing value; ties keep index order.
    public static func ascendingOrder<T: Comparable>(_ values: [T]) -> [Int] {
        wholePixelOrder(values, plane: max(values.count, 1), descending: false)
    }

    /// Σ of `values` over `indices`, in Double.
    public func sum<C: Collection>(over indices: C) -> Double where C.Element == Int {
        indices.reduce(0.0) { $0 + Double(values[$1]) }
    }
}

extension Tensor where Scalar == Float {
    /// The scalars of an input [C, H, W] or [1, C, H, W] with its shape.
    func metricImage() throws -> (pixels: [Float], shape: ImageShape) {
        (scalars, try ImageShape(of: self))
    }
}
