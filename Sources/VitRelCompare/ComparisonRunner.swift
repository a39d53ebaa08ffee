import Foundation
import VitRel

/// The per-image work of a comparison: classify each image, explain it with each method, run
/// each metric on the explanation and append the row; then draw the figure grids.
final class ComparisonRunner {
    let model: ClassifierModel
    let index: DatasetIndex
    /// How the images are decoded (`--window`); masks are read as their files say.
    let imageOptions: ImageReadOptions
    let methods: [ExplanationMethod]
    let metrics: [MetricKind]
    let suite: MetricSuite
    let explainers: [PixelExplainer]
    /// Explain the true class instead of the predicted one.
    let explainTrueClass: Bool
    let mask: GroundTruthMask
    /// The folder of `--mask folder:DIR`.
    let maskFolder: MaskFolder?
    let metricModel: MetricModel
    /// Seed of the MPRT's layer redraws.
    let randomisationSeed: UInt64
    private var predictions = [URL: Prediction]()
    /// Rows `measure` copied from elsewhere instead of measuring them.
    private(set) var adoptedRows = 0
    /// Keys of the images the figure grids will most likely show (chosen before measuring;
    /// a grid image that later fails is replaced and explained afresh).
    var gridCandidates = Set<String>()
    /// LIME's explanation of every class of each grid candidate, kept from its rows so that the
    /// grid does not run LIME a second time (its surrogates are fitted per label, so the rows'
    /// class has the same map whichever labels are explained).
    private var gridLIME = [String: Explanation]()

    struct Prediction {
        var probabilities: [Double]
        var predicted: Int
    }

    init(
        model: ClassifierModel, index: DatasetIndex, imageOptions: ImageReadOptions, methods: [ExplanationMethod], metrics: [MetricKind], suite: MetricSuite,
        explainers: [PixelExplainer], explainTrueClass: Bool, mask: GroundTruthMask, metricBatch: Int, randomisationSeed: UInt64
    ) throws {
        self.randomisationSeed = randomisationSeed
        self.model = model
        self.index = index
        self.imageOptions = imageOptions
        self.methods = methods
        self.metrics = metrics
        self.suite = suite
        self.explainers = explainers
        self.explainTrueClass = explainTrueClass
        self.mask = mask
        if case .folder(let path) = mask { maskFolder = try MaskFolder(directory: URL(fileURLWithPath: path)) } else { maskFolder = nil }
        let network = model.network
        metricModel = MetricModel(batchSize: metricBatch) { try network($0) }
    }

    /// The row key of an image: its path relative to the dataset root.
    func key(for item: LabelledImage) -> String {
        let root = index.root.standardizedFileURL.path
        let path = item.imageURL.standardizedFileURL.path
        return path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }

    /// The checksum a row of `item` carries: its image file's bytes and, when the run reads a
    /// mask file for it (a dataset mask, `--mask folder:DIR`), the mask's.
    func checksum(for item: LabelledImage) throws -> String {
        var files = [item.imageURL]
        if let kind = mask.datasetMask, let url = item.maskURL(kind) { files.append(url) }
        if let maskFolder, let url = maskFolder.maskURL(for: item.imageURL, root: index.root) { files.append(url) }
        return try ContentChecksum.of(files)
    }

    /// The model's prediction for an image (classified once, then remembered); `input` is the
    /// image's model input when the caller already has it.
    func prediction(for item: LabelledImage, input known: Tensor<Float>? = nil) throws -> Prediction {
        if let remembered = predictions[item.imageURL] { return remembered }
        let input = try known ?? model.preprocessing.input(reading: item.imageURL, options: imageOptions)
        let logits = try model.network(input.reshaped([1] + input.shape)).scalars
        let probabilities = softmaxProbabilities(logits)
        let prediction = Prediction(probabilities: probabilities, predicted: probabilities.indexOfMaximum!)
        predictions[item.imageURL] = prediction
        return prediction
    }

    /// One decoded image: the pixel image and model input, its masks at the input size, and
    /// the forward trace every model-internal method starts from.
    struct Prepared {
        var image: PreparedImage
        var input: Tensor<Float> { image.input }
        var masks: [GroundTruthMask: [Bool]]
        var prediction: Prediction
        var target: Int
        /// The traced forward pass of the input (a batch of one), run once for all the methods
        /// that read the model's internals; nil when none does.
        var trace: VisionTransformer<Float>.Trace?
        /// Its wall time, charged to each method that starts from it, so a method's `seconds`
        /// is still the cost of explaining the image with it alone.
        var traceSeconds: Double
    }

    /// A mask image taken through the image's geometry (resize, crop) and thresholded at 0.5.
    private func inputMask(_ image: Image) -> [Bool] {
        model.preprocessing.geometry(image).gray().pixels.map { $0 >= 0.5 }
    }

    /// Decodes `item` once into what its rows need; `traced` false skips the traced forward pass
    /// (the figure grids explain every class in one batch and cannot start from it).
    func prepare(_ item: LabelledImage, traced: Bool = true) throws -> Prepared {
        let report = index.loadImages([item], includeMasks: mask.datasetMask != nil) { [imageOptions] url in
            // The window is the image's; a mask file (never DICOM in practice) is read as it is.
            try ImageIO.read(url, options: url == item.imageURL ? imageOptions : .fileDefaults)
        }
        if let skipped = report.skipped.first { throw ComparisonInputError.unreadable(skipped) }
        let loaded = report.loaded[0]
        let preparedImage = try model.preprocessing.prepare(loaded.image, file: item.imageURL.path)
        let input = preparedImage.input
        var masks = [GroundTruthMask: [Bool]]()
        if let region = mask.region(height: input.shape[1], width: input.shape[2]) {
            masks[mask] = region
        } else if let kind = mask.datasetMask, let image = loaded.mask(kind) {
            masks[mask] = inputMask(image)
        } else if let maskFolder, let url = maskFolder.maskURL(for: item.imageURL, root: index.root) {
            let image = try ImageIO.read(url)
            guard image.width == loaded.image.width && image.height == loaded.image.height else {
                throw ComparisonInputError.maskSizeMismatch(
                    mask: url.path, maskWidth: image.width, maskHeight: image.height,
                    imageWidth: loaded.image.width, imageHeight: loaded.image.height)
            }
            masks[mask] = inputMask(image)
        }
        let prediction = try self.prediction(for: item, input: input)
        let clock = Stopwatch()
        let needsTrace = traced && methods.contains { $0.descriptor.needsModelInternals }
        let trace = try needsTrace ? model.network.forward(input.reshaped([1] + input.shape)) : nil
        return Prepared(
            image: preparedImage, masks: masks, prediction: prediction, target: explainTrueClass ? item.classIndex : prediction.predicted,
            trace: trace, traceSeconds: trace == nil ? 0 : clock.seconds)
    }

    /// Computes every missing row of `items` and appends it to `results`; returns the images
    /// that failed (each reported once, in one line, through `observer`).
    ///
    /// `adoptable` holds rows measured elsewhere (by shards, or a whole run a shard finds in
    /// results.csv): a missing row whose key and image checksum match one of them is copied
    /// instead of measured, in the order it would have been measured.
    func measure(
        _ items: [LabelledImage], into results: ResultsFile, adopting adoptable: [ComparisonRecord.Key: [ComparisonRecord]] = [:],
        observer: RunObserver
    ) throws -> [ComparisonFailure] {
        var failures = [ComparisonFailure]()
        let jobs = items.count * methods.count
        let bar = observer.progress(label: "compare", total: jobs, shown: true)
        var done = 0
        let started = Stopwatch()
        for item in items {
            let key = self.key(for: item)
            let checksum: String
            do { checksum = try self.checksum(for: item) } catch {
                done = min(jobs, done + methods.count)
                bar.clear()
                let message = VitRelCompare.message(for: error, path: item.imageURL.path)
                observer.inputProblem(path: item.imageURL.path, message: message)
                failures.append(ComparisonFailure(image: key, problem: message))
                continue
            }
            let missing = try methods.map { method in
                try metrics.filter { metric in
                    let rowKey = ComparisonRecord.Key(image: key, method: method.rawValue, metric: metric.rawValue)
                    guard !results.contains(rowKey, checksum: checksum) else { return false }
                    guard let row = adoptable[rowKey]?.last(where: { $0.imageChecksum == checksum }) else { return true }
                    try results.append(row)
                    adoptedRows += 1
                    return false
                }
            }
            guard missing.contains(where: { !$0.isEmpty }) else {
                done += methods.count
                bar.update(done)
                continue
            }
            do {
                let prepared = try prepare(item)
                for (m, method) in methods.enumerated() where !missing[m].isEmpty {
                    bar.update(done, extra: "\(method.rawValue) \(item.imageURL.lastPathComponent)")
                    try measure(item, key: key, checksum: checksum, prepared: prepared, explainer: explainers[m], metrics: missing[m], into: results)
                    done += 1
                    bar.update(done)
                }
            } catch let error as ComparisonError {
                throw error  // results.csv itself failed: stop
            } catch {
                done = min(jobs, done + methods.count)
                bar.clear()
                let message = "\(error)".contains(item.imageURL.path) ? "\(error)" : "\(item.imageURL.path): \(error)"
                observer.inputProblem(path: item.imageURL.path, message: message)
                failures.append(ComparisonFailure(image: key, problem: message))
            }
        }
        bar.finish(done, extra: String(format: "%.1f s", started.seconds))
        return failures
    }

    private func measure(
        _ item: LabelledImage, key: String, checksum: String, prepared: Prepared, explainer: PixelExplainer, metrics: [MetricKind],
        into results: ResultsFile
    ) throws {
        let keptForGrid = explainer.method == .lime && gridCandidates.contains(key)
        let targets = keptForGrid ? Array(model.classNames.indices) : [prepared.target]
        let explanation = try explainer.explain(prepared.image, targets: targets, model: model, trace: prepared.trace)
        if keptForGrid { gridLIME[key] = explanation }
        let k = targets.firstIndex(of: prepared.target)!
        let seconds = explanation.seconds + (explainer.method.descriptor.needsModelInternals ? prepared.traceSeconds : 0)
        let attribution = explanation.pixelMap(k).values
        let classes = model.classNames
        let explain: ExplainFunction<VisionTransformer<Float>> = { [model] network, input, target in
            let image = input.rank == 4 ? input.reshaped(Array(input.shape.dropFirst())) : input
            return try explainer.explain(image, targets: [target], model: model, network: network).pixelMap(0).values
        }
        let inputs = MetricInputs<VisionTransformer<Float>>(
            model: metricModel, input: prepared.input, attribution: attribution, target: prepared.target,
            masks: prepared.masks, subject: model.network, explain: explain,
            randomisation: metrics.contains { $0.descriptor.needs.contains(.randomisedModels) } ? ViTParameterRandomisation(seed: randomisationSeed).cascade(model.network) : nil,
            conservation: explanation.conservation(k), seconds: seconds)
        for metric in metrics {
            let clock = Stopwatch()
            var note = ""
            var result: MetricResult
            do {
                result = try suite.run(metric, inputs, mask: mask)
                if !result.score.isFinite { note = Self.reasonForNaN(metric, masks: prepared.masks, mask: mask) }
            } catch let error as MetricError {
                // Undefined here (no mask, no ledger): a NaN row that says why.
                if case .missing = error {
                    result = MetricResult(score: .nan)
                    note = "\(error)"
                } else {
                    throw error
                }
            }
            try results.append(ComparisonRecord(
                image: key, imageChecksum: checksum, label: classes[item.classIndex], predicted: classes[prepared.prediction.predicted],
                target: classes[prepared.target], probability: prepared.prediction.probabilities[prepared.target],
                method: explainer.method.rawValue, metric: metric.rawValue, score: result.score,
                forwardPasses: result.forwardPasses, explanations: result.explanations, metricSeconds: clock.seconds,
                note: note, curve: result.curve ?? []))
        }
    }

    static func reasonForNaN(_ metric: MetricKind, masks: [GroundTruthMask: [Bool]], mask: GroundTruthMask) -> String {
        if metric.needsMask, let values = masks[mask], !values.contains(true) { return "empty \(mask) mask" }
        if metric.needsMask, case .folder(let path) = mask { return "no mask for this image in \(path)" }
        if metric.needsMask { return "undefined for this mask" }
        return "undefined (constant series or map)"
    }

    /// Draws the figure grid of each item into `folder`; returns the files (relative to the
    /// output folder) by image key.
    func drawGrids(
        _ items: [LabelledImage], alpha: Float, folder: URL, observer: RunObserver
    ) throws -> [(image: String, file: String)] {
        guard !items.isEmpty else { return [] }
        try createFolder(folder)
        var files = [(image: String, file: String)]()
        var stems = Set<String>()
        let bar = observer.progress(label: "figures", total: items.count, shown: true)
        for (n, item) in items.enumerated() {
            let stem = uniqueStem(for: item.imageURL.path, taken: &stems)
            let name = "grid-\(stem).png"
            let svgName = "grid-\(stem).svg"
            do {
                let prepared = try prepare(item, traced: false)
                let grid = ComparisonGrid(
                    file: item.imageURL.lastPathComponent, label: model.classNames[item.classIndex], model: model,
                    image: prepared.image, probabilities: prepared.prediction.probabilities,
                    predicted: prepared.prediction.predicted, explainers: explainers, alpha: alpha,
                    precomputed: gridLIME[key(for: item)].map { [.lime: $0] } ?? [:])
                let drawing = try grid.drawing()
                try ImageIO.writePNG(drawing.render(), to: folder.appendingPathComponent(name))
                try drawing.svg().write(to: folder.appendingPathComponent(svgName))
                files.append((key(for: item), "figures/\(name)"))
            } catch {
                bar.clear()
                observer.error("\(VitRelCompare.message(for: error, path: item.imageURL.path)) (figure grid)")
            }
            bar.update(n + 1)
        }
        bar.clear()
        return files
    }
}
