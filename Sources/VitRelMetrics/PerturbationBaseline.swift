/// What a perturbation puts in place of the features it removes; shared by every perturbation
/// metric (Faithfulness Estimate/Correlation, Monotonicity Correlation, Pixel Flipping, Region
/// Perturbation, Selectivity, insertion/deletion).
///
/// Quantus 0.6.0 (`get_baseline_dict`, batched): black is the minimum of the array being
/// perturbed (not 0: inputs are normalised, so 0 is a mid grey), white its maximum, mean its
/// mean, uniform one U(low, high) draw per perturbation shared by all its features. The fill
/// is computed from the array as it is when the perturbation is applied; for cumulative
/// metrics (pixel flipping, region perturbation) that is the already perturbed image, which
/// changes the mean from step to step but not the minimum or maximum.
public enum PerturbationBaseline: Sendable, Hashable, Codable, CustomStringConvertible {
    case black
    case white
    case mean
    /// One draw per perturbation (Quantus "uniform": U(0, 1) unless bounds are given).
    case uniform(low: Float, high: Float)
    case constant(Float)
    /// x + N(0, σ²) per feature: additive noise (Quantus `gaussian_noise`); the COVID-19
    /// AOPC protocol uses σ = 0.1.
    case gaussianNoise(standardDeviation: Float)
    /// The feature's value in the Gaussian-blurred input (RISE's insertion substrate:
    /// σ = 5, 11×11, zero padding; see `GaussianBlur`).
    case blur(sigma: Double, kernelSize: Int)

    /// Quantus's "uniform": U(0, 1).
    public static let uniformUnit = PerturbationBaseline.uniform(low: 0, high: 1)
    /// RISE's insertion substrate.
    public static let riseBlur = PerturbationBaseline.blur(sigma: 5, kernelSize: 11)

    /// Parses the CLI spelling: `black`, `white`, `mean`, `uniform`, `uniform:LOW:HIGH`,
    /// `zero`, `constant:V`, `noise:SIGMA`, `blur:SIGMA` (11×11) or `blur:SIGMA:SIZE`.
    public init(parsing text: String) throws {
        let parts = text.lowercased().split(separator: ":").map(String.init)
        func number(_ i: Int) throws -> Double {
            guard i < parts.count, let value = Double(parts[i]) else { throw MetricError.unknownBaseline(text) }
            return value
        }
        switch (parts.first ?? "", parts.count) {
        case ("black", 1): self = .black
        case ("white", 1): self = .white
        case ("mean", 1): self = .mean
        case ("zero", 1): self = .constant(0)
        case ("uniform", 1): self = .uniformUnit
        case ("uniform", 3): self = .uniform(low: Float(try number(1)), high: Float(try number(2)))
        case ("constant", 2): self = .constant(Float(try number(1)))
        case ("noise", 2): self = .gaussianNoise(standardDeviation: Float(try number(1)))
        case ("blur", 2): self = .blur(sigma: try number(1), kernelSize: 11)
        case ("blur", 3):
            let size = try number(2)
            guard size >= 1, size == size.rounded(), Int(size) % 2 == 1 else { throw MetricError.unknownBaseline(text) }
            self = .blur(sigma: try number(1), kernelSize: Int(size))
        default: throw MetricError.unknownBaseline(text)
        }
    }

    public var description: String {
        switch self {
        case .black: return "black"
        case .white: return "white"
        case .mean: return "mean"
        case .uniform(let low, let high): return low == 0 && high == 1 ? "uniform" : "uniform:\(low):\(high)"
        case .constant(let value): return value == 0 ? "zero" : "constant:\(value)"
        case .gaussianNoise(let sigma): return "noise:\(sigma)"
        case .blur(let sigma, let size): return size == 11 ? "blur:\(sigma)" : "blur:\(sigma):\(size)"
        }
    }

    /// Encoded as the CLI spelling ("noise:0.1"), so run.json and the reports show what
    /// `--perturbation` takes.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do { self = try PerturbationBaseline(parsing: text) } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(error)")
        }
    }

}

/// Applies a `PerturbationBaseline` to feature indices of a flat [C, H, W] array.
struct Perturber {
    let baseline: PerturbationBaseline
    let shape: ImageShape
    /// The blurred original, for `.blur`.
    let blurred: [Float]?

    /// `original` is the array the perturbations start from; only `.blur` reads it here.
    init(_ baseline: PerturbationBaseline, original: [Float], shape: ImageShape) throws {
        self.baseline = baseline
        self.shape = shape
        switch baseline {
        case .blur(let sigma, let size):
            guard sigma > 0, size >= 1, size % 2 == 1 else {
                throw MetricError.invalidParameter("baseline", "blur needs σ > 0 and an odd kernel size, got σ \(sigma), size \(size)")
            }
            blurred = GaussianBlur.blur(original, shape: shape, kernel: GaussianBlur.riseKernel(size: size, sigma: sigma))
        case .uniform(let low, let high) where !(low <= high):
            throw MetricError.invalidParameter("baseline", "uniform needs low ≤ high, got \(low), \(high)")
        case .gaussianNoise(let sigma) where !(sigma >= 0):
            throw MetricError.invalidParameter("baseline", "noise σ must be ≥ 0, got \(sigma)")
        default:
            blurred = nil
        }
    }

    /// Sets the features `indices` of `x` to the baseline, computed from `x` as it is now.
    /// `generator` is used only by the random baselines.
    func perturb<C: Collection>(_ x: inout [Float], at indices: C, generator: inout SeededGenerator) where C.Element == Int {
        switch baseline {
        case .black:
            let value = x.min() ?? 0
            for i in indices { x[i] = value }
        case .white:
            let value = x.max() ?? 0
            for i in indices { x[i] = value }
        case .mean:
            let value = Float(x.withUnsafeBufferPointer { Kernels.sumAsDouble($0) } / Double(max(1, x.count)))
            for i in indices { x[i] = value }
        case .uniform(let low, let high):
            let value = Float(Double(low) + Double(high - low) * generator.nextUnit())
            for i in indices { x[i] = value }
        case .constant(let value):
            for i in indices { x[i] = value }
        case .gaussianNoise(let sigma):
            for i in indices { x[i] = Float(Double(x[i]) + Double(sigma) * generator.nextGaussian()) }
        case .blur:
            let source = blurred!
            for i in indices { x[i] = source[i] }
        }
    }

    /// The whole array replaced by the baseline (a substrate image for insertion/deletion).
    func substrate(of x: [Float], generator: inout SeededGenerator) -> [Float] {
        var result = x
        perturb(&result, at: x.indices, generator: &generator)
        return result
    }
}
