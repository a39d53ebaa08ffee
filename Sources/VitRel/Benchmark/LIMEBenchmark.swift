import Foundation

/// LIME's wall time per image and the share of it spent outside the model's forward passes
/// (`vitrel bench lime`): the classifier closure is timed on its own, so the overhead
/// (segmentation, masking, regression) is wall time − forward time.
public struct LIMEBenchmark {
    public var model: ClassifierModel
    public var explainer: LIMEExplainer
    public var rounds: Int

    public init(model: ClassifierModel, explainer: LIMEExplainer, rounds: Int = 3) {
        self.model = model
        self.explainer = explainer
        self.rounds = rounds
    }

    public struct Result: Sendable {
        public var rounds: Int
        /// Superpixels of the benchmark image.
        public var superpixels: Int
        /// Medians over the explanations.
        public var seconds: Double
        public var forwardSeconds: Double
        /// Percent of the wall time outside the classifier: median and range.
        public var overheadPercent: (median: Double, lowest: Double, highest: Double)
    }

    /// Explains a seeded smooth gray image at the model's input size (LIME perturbs pixel
    /// space) `rounds` times with seed 0.
    public func measure() throws -> Result {
        let image = Self.seededImage(height: model.config.imageHeight, width: model.config.imageWidth)
        var measured = [(wall: Double, forward: Double)]()
        var explanation: LIMEExplanation?
        for _ in 0..<max(1, rounds) {
            var forwardSeconds = 0.0
            let wall = Stopwatch()
            explanation = try explainer.explain(image, seed: 0) { batch in
                let watch = Stopwatch()
                defer { forwardSeconds += watch.seconds }
                return try model.pixelSpaceProbabilities(batch)
            }
            measured.append((wall.seconds, forwardSeconds))
        }
        return Result(
            rounds: measured.count, superpixels: explanation!.segmentation.count,
            seconds: PairedTiming.median(measured.map(\.wall)), forwardSeconds: PairedTiming.median(measured.map(\.forward)),
            overheadPercent: PairedTiming.summary(measured.map { 100 * ($0.wall - $0.forward) / $0.wall }))
    }

    /// A smooth gray image of sines with seeded phases: superpixel segmentations find regions
    /// in it as in an X-ray, and it is the same on every machine.
    public static func seededImage(height h: Int, width w: Int) -> Image {
        var generator = SeededGenerator(seed: 3)
        let phases = (0..<6).map { _ in generator.nextUnit() * 6.28 }
        let pixels = (0..<(h * w)).map { i -> Float in
            let y = Double(i / w) / Double(h), x = Double(i % w) / Double(w)
            return Float(0.5 + 0.25 * sin(7 * x + phases[0]) * cos(5 * y + phases[1]) + 0.2 * sin(13 * (x + y) + phases[2]))
        }
        return Image(width: w, height: h, channels: 1, pixels: pixels)
    }
}
