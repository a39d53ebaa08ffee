import VitRelCore
import VitRelImaging

/// LIME for image classifiers (Ribeiro, Singh & Guestrin, "Why Should I Trust You?", KDD 2016),
/// with lime_image 0.2.0.1's semantics and defaults, and explicit seeds:
///
/// 1. Segment the image into superpixels (quickshift 4/200/0.2 by default).
/// 2. Draw `sampleCount` binary rows (Bernoulli ½, row 0 all ones); render each as the image
///    with the dropped superpixels filled (`hiddenFill`); run the classifier in batches.
/// 3. Weight each sample by the cosine kernel π = exp(−d²/(2w²)), d = 1 − sqrt(k/n).
/// 4. For each explained label, select superpixels and fit a weighted ridge surrogate
///    (`LIMESurrogate`).
///
/// ```swift
/// let explainer = LIMEExplainer(sampleCount: 1000, batchSize: 32)
/// let explanation = try explainer.explain(image, seed: 42) { batch in   // [B, C, H, W] in pixel space
///     try model.probabilities(preprocessing.normalise(batch))          // [B, classes]
/// }
/// let heatmap = try explanation.heatmap(label: explanation.explainedLabels[0])
/// ```
///
/// LIME perturbs pixels, so the image given here is the (already resized) input in pixel
/// space, values as `Image` holds them, and the classifier closure does everything else the
/// model needs (normalisation by mean and std, then the forward pass and softmax). A hidden
/// superpixel filled with black (0) in pixel space thus stays black after normalisation.
///
/// Cost: `sampleCount` forward passes dominate; building the masked batches is one pass over
/// [B, C, H, W] and the surrogates are small Double solves. Everything random derives from
/// `seed` (segmentation noise stream 1, samples stream 2), and every parallel loop is
/// split so that its result does not depend on `Parallel.threadCount`.
public struct LIMEExplainer: Sendable {
    /// How the image is cut into the superpixels LIME switches on and off.
    public enum Segmenter: Sendable, Equatable {
        /// lime_image's default: quickshift(kernel_size 4, max_dist 200, ratio 0.2).
        case quickshift(Quickshift)
        case slic(SLIC)
        /// The ViT's own patches.
        case patchGrid(PatchGrid)
        /// A segmentation computed elsewhere (must match the image's size).
        case given(Segmentation)
    }

    /// `[B, C, H, W]` perturbed images in pixel space → `[B, classes]` probabilities.
    public typealias Classifier = (Tensor<Float>) throws -> Tensor<Float>

    public var segmenter: Segmenter
    public var hiddenFill: HiddenSegmentFill
    /// lime_image's `num_samples` (default 1000); includes the unperturbed image.
    public var sampleCount: Int
    /// Images per classifier call (lime's default is 10; 32 keeps BLAS busier).
    public var batchSize: Int
    /// Kernel width w (lime_image's 0.25).
    public var kernelWidth: Double
    /// Feature selection, feature count and ridge penalty of the surrogates.
    public var surrogate: LIMESurrogate
    /// Explain the K most probable classes of the unperturbed image (lime's `top_labels`,
    /// default 5, capped at the class count); nil explains `labels` instead.
    public var topLabels: Int?
    /// The labels to explain when `topLabels` is nil.
    public var labels: [Int]

    public init(
        segmenter: Segmenter = .quickshift(Quickshift()), hiddenFill: HiddenSegmentFill = .segmentMean,
        sampleCount: Int = 1000, batchSize: Int = 32, kernelWidth: Double = 0.25,
        surrogate: LIMESurrogate = LIMESurrogate(), topLabels: Int? = 5, labels: [Int] = []
    ) {
        self.segmenter = segmenter
        self.hiddenFill = hiddenFill
        self.sampleCount = sampleCount
        self.batchSize = batchSize
        self.kernelWidth = kernelWidth
        self.surrogate = surrogate
        self.topLabels = topLabels
        self.labels = labels
    }

    /// The superpixels LIME would use for `image` with this `seed`. A gray image is segmented
    /// as its RGB copy (quickshift and automatic-colour SLIC use Lab), as lime_image does; the
    /// classifier still receives the image's own channels.
    public func segment(_ image: Image, seed: UInt64) throws -> Segmentation {
        let segmentation: Segmentation
        switch segmenter {
        case .quickshift(let quickshift):
            var stream = SeededGenerator(seed: seed, stream: 1)
            segmentation = try quickshift.segment(image, seed: stream.next())
        case .slic(var slic):
            // lime_image segments gray images as RGB (gray2rgb); SLIC's automatic choice
            // would use plain intensities instead.
            if slic.colorSpace == nil && image.channels < 3 { slic.colorSpace = .lab }
            segmentation = try slic.segment(image)
        case .patchGrid(let grid):
            segmentation = try grid.segment(image)
        case .given(let given):
            guard given.width == image.width, given.height == image.height else {
                throw LIMEError.segmentationSize(
                    segmentationWidth: given.width, segmentationHeight: given.height,
                    imageWidth: image.width, imageHeight: image.height)
            }
            segmentation = given
        }
        guard segmentation.count >= 2 else { throw LIMEError.tooFewSegments(count: segmentation.count) }
        return segmentation
    }

    /// Explains `image` (pixel space; see the type's documentation) for `classifier`.
    ///
    /// - Parameters:
    ///   - seed: every random draw (segmentation noise, samples) derives from it.
    ///   - progress: called after each batch with (samples done, samples in total).
    public func explain(
        _ image: Image, seed: UInt64, progress: ((Int, Int) -> Void)? = nil, classifier: Classifier
    ) throws -> LIMEExplanation {
        try validate()
        let segmentation = try segment(image, seed: seed)
        if let count = surrogate.featureCount, count > segmentation.count {
            throw LIMEError.tooManyFeatures(requested: count, segments: segmentation.count)
        }
        let perturbation = try LIMEPerturbation(image: image, segmentation: segmentation, fill: hiddenFill)
        var sampleStream = SeededGenerator(seed: seed, stream: 2)
        let samples = LIMESampleMatrix(sampleCount: sampleCount, featureCount: segmentation.count, seed: sampleStream.next())

        var predictions = [Float]()
        var classCount = 0
        var done = 0
        while done < sampleCount {
            let rows = done..<(done + min(batchSize, sampleCount - done))  // done + batchSize may overflow
            let output = try classifier(perturbation.batch(samples, rows: rows))
            if classCount == 0 { classCount = output.shape.count == 2 ? output.shape[1] : 0 }
            guard output.shape.count == 2, output.shape[0] == rows.count, output.shape[1] == classCount, classCount >= 1 else {
                throw LIMEError.classifierOutputShape(
                    got: output.shape, expected: "[\(rows.count), classes]" + (classCount >= 1 ? " with \(classCount) classes" : ""))
            }
            if predictions.isEmpty { predictions.reserveCapacity(sampleCount * classCount) }
            predictions += output.scalars
            done = rows.upperBound
            progress?(done, sampleCount)
        }

        let explained = try labelsToExplain(firstRow: Array(predictions[0..<classCount]))
        let weights = LIMESampleMatrix.kernelWeights(distances: samples.cosineDistances(), width: kernelWidth)
        let surrogates = try surrogate.explain(
            samples: samples, predictions: predictions.map(Double.init), classCount: classCount,
            weights: weights, labels: explained)
        return LIMEExplanation(
            segmentation: segmentation, samples: samples, predictions: predictions, classCount: classCount,
            kernelWeights: weights, labelExplanations: surrogates)
    }

    /// Explains a [C, H, W] pixel-space tensor (see `explain(_: Image, ...)`).
    public func explain(
        _ image: Tensor<Float>, seed: UInt64, progress: ((Int, Int) -> Void)? = nil, classifier: Classifier
    ) throws -> LIMEExplanation {
        guard image.rank == 3, image.shape.allSatisfy({ $0 > 0 }) else { throw LIMEError.imageShape(image.shape) }
        let asImage = Image(width: image.shape[2], height: image.shape[1], channels: image.shape[0], pixels: image.scalars)
        return try explain(asImage, seed: seed, progress: progress, classifier: classifier)
    }

    /// lime_image: `np.argsort(p)[-K:]` reversed, i.e. the K largest by probability, and among
    /// equal probabilities the higher class index first.
    private func labelsToExplain(firstRow: [Float]) throws -> [Int] {
        guard let k = topLabels else {
            for label in labels where label < 0 || label >= firstRow.count {
                throw LIMEError.labelOutOfRange(label: label, classCount: firstRow.count)
            }
            return labels
        }
        let order = firstRow.indices.sorted { firstRow[$0] != firstRow[$1] ? firstRow[$0] > firstRow[$1] : $0 > $1 }
        return Array(order.prefix(min(k, firstRow.count)))
    }

    private func validate() throws {
        guard sampleCount >= 2 else { throw LIMEError.tooFewSamples(count: sampleCount, minimum: 2) }
        guard batchSize >= 1 else {
            throw LIMEError.invalidParameter(name: "batchSize", value: "\(batchSize)", requirement: "at least 1")
        }
        guard kernelWidth > 0, kernelWidth.isFinite else {
            throw LIMEError.invalidParameter(name: "kernelWidth", value: "\(kernelWidth)", requirement: "positive")
        }
        if let k = topLabels, k < 1 {
            throw LIMEError.invalidParameter(name: "topLabels", value: "\(k)", requirement: "at least 1, or nil to explain `labels`")
        }
        if topLabels == nil, labels.isEmpty {
            throw LIMEError.invalidParameter(name: "labels", value: "[]", requirement: "non-empty when topLabels is nil")
        }
    }
}
