import Foundation
import VitRel

/// One `vitrel explain` run's settings, applied image by image: classify, explain each target,
/// post-process, draw, and write the files. Package access: its files are the layout of
/// `vitrel explain`, not a promise of the library (which offers `PixelExplainer`).
package struct ExplanationJob {
    package let model: ClassifierModel
    /// How the images are decoded (`--window`).
    package let imageOptions: ImageReadOptions
    package let method: ExplanationMethod
    package let options: ExplanationOptions
    /// The LIME explainer (labels are set per image), for `--method lime`.
    package let lime: LIMEExplainer?
    package let limeSeed: UInt64
    /// Sizes of the LIME top-feature masks drawn.
    package let featureCounts: [Int]
    package let alpha: Float
    package let outputDirectory: URL

    package init(
        model: ClassifierModel, imageOptions: ImageReadOptions = .fileDefaults, method: ExplanationMethod, options: ExplanationOptions, lime: LIMEExplainer?, limeSeed: UInt64,
        featureCounts: [Int], alpha: Float, outputDirectory: URL
    ) {
        self.model = model
        self.imageOptions = imageOptions
        self.method = method
        self.options = options
        self.lime = lime
        self.limeSeed = limeSeed
        self.featureCounts = featureCounts
        self.alpha = alpha
        self.outputDirectory = outputDirectory
    }

    /// What one image produced.
    package struct Result {
        package var record: ExplanationRecord
        /// Each target's map at the input size, as written to its `*.pixels.npy` (and stacked
        /// into `--save-relevance`).
        package var pixelMaps: [Heatmap]
    }

    var overlay: Overlay { ExplanationFigure.overlay(for: method, alpha: alpha) }
    var scaling: Heatmap.Scaling { overlay.scaling }

    /// Explains every image in turn into `outputDirectory` (which must exist). An image that
    /// fails is reported through `observer` and recorded in the report's errors, and the others
    /// are still explained; an error that would recur on every image (a setting the model
    /// cannot take) stops the run. With `relevanceFile`, every raw map at the input size is
    /// also written there, stacked [images, classes, H, W].
    ///
    /// With `shard`, only its round-robin part of `images` is explained (files named as an
    /// unsharded run names them), and images its ledger lists as finished with the same
    /// settings are skipped (`ExplanationShardLedger`): a killed shard run again continues.
    package func run(
        images: [String], targets request: TargetRequest, relevanceFile: String?, shard: Shard? = nil, observer: RunObserver
    ) throws -> ExplanationReport {
        var records = [ExplanationRecord](), errors = [String: String](), stacked = [Float]()
        // Stems over the whole list, so a shard's files are named as an unsharded run's.
        var stems = Set<String>()
        let named = images.map { (path: $0, stem: uniqueStem(for: $0, taken: &stems)) }
        let mine = shard.map { $0.members(of: named) } ?? named
        let ledger = try shard.map { try ExplanationShardLedger(output: outputDirectory, shard: $0, settings: settingsKey(request)) }
        var resumed = 0
        let progress = observer.progress(label: "explain", total: mine.count, shown: method != .lime && mine.count > 1)
        for (index, (path, stem)) in mine.enumerated() {
            if let ledger, ledger.isDone(path) {
                resumed += 1
                progress.update(index + 1)
                continue
            }
            do {
                let result = try explain(path: path, stem: stem, targets: request, observer: observer)
                records.append(result.record)
                if relevanceFile != nil { stacked += result.pixelMaps.flatMap(\.values) }
            } catch let error where Self.isConfigurationError(error) {
                // The same for every image: stop instead of repeating it.
                progress.clear()
                throw error
            } catch {
                progress.clear()
                let message = VitRelCompare.message(for: error, path: path)
                errors[path] = message
                observer.error(message)
                progress.update(index + 1)
                continue
            }
            // Outside the per-image catch: a ledger that cannot be written stops the shard.
            try ledger?.markDone(path)
            progress.update(index + 1)
        }
        progress.clear()

        var writtenRelevanceFile: String?
        if let relevanceFile, let first = records.first {
            let shape = [records.count, first.targets.count, first.inputSize[0], first.inputSize[1]]
            do {
                try NPY.write(Tensor(shape: shape, scalars: stacked), to: URL(fileURLWithPath: relevanceFile))
                writtenRelevanceFile = relevanceFile
            } catch {
                errors[relevanceFile] = "\(error)"
                observer.error("\(error)")
            }
        }
        return ExplanationReport(
            images: records, errors: errors, relevanceFile: writtenRelevanceFile, shard: shard?.description,
            resumedImages: shard == nil ? nil : resumed)
    }

    /// What an explanation depends on besides the image, as one string (a sharded run's ledger
    /// keeps its checksum): model weights and folder, method, its settings, LIME's, targets,
    /// overlay opacity and the image pipeline.
    /// What a sharded explain's ledger keys finished images by: everything an image's files
    /// depend on, field by field (the model's path and weights, the method with its settings,
    /// the LIME figure settings, the targets, the DICOM window, the resize and the precision),
    /// encoded as JSON with sorted keys so equal settings give equal text.
    struct LedgerSettings: Encodable {
        var model: String
        var weights: String
        var method: String
        var settings: MethodSettings
        var featureCounts: [Int]
        var alpha: Float
        /// nil: each image's predicted class.
        var targets: [Int]?
        var window: DICOMWindow?
        var resize: String
        var precision: String
    }

    func settingsKey(_ request: TargetRequest) throws -> String {
        let settings = LedgerSettings(
            model: model.directory.standardizedFileURL.path,
            weights: try ContentChecksum.of([model.directory.appendingPathComponent("model.safetensors")]),
            method: method.rawValue,
            settings: MethodSettings(method, options: options, lime: lime, limeSeed: limeSeed),
            featureCounts: featureCounts, alpha: alpha,
            targets: { if case .classes(let indices) = request { return indices } else { return nil } }(),
            window: imageOptions.dicomWindow, resize: model.preprocessing.resizeArithmetic.rawValue,
            precision: model.network.inferencePrecision.rawValue)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(settings), as: UTF8.self)
    }

    /// Errors that do not depend on the image: the run stops at the first.
    package static func isConfigurationError(_ error: Error) -> Bool {
        switch error {
        case let error as ExplanationError:
            if case .notApplicable = error { return true }
            return false
        case is SuperpixelError: return true
        case let error as LIMEError:
            switch error {
            case .invalidParameter, .tooFewSamples: return true
            default: return false
            }
        default: return false
        }
    }

    /// Explains one image into the files named after `stem`.
    package func explain(path: String, stem: String, targets request: TargetRequest, observer: RunObserver) throws -> Result {
        let started = Date()
        let picture = try ImageIO.read(URL(fileURLWithPath: path), options: imageOptions)
        let image = try model.preprocessing.prepare(picture, file: path)
        let height = image.input.shape[1], width = image.input.shape[2]
        let batch = image.input.reshaped([1, 3, height, width])
        // At fp32 a method that reads the model's internals runs the one traced forward pass
        // here: its logits are the prediction (the untraced pass gives the same bits) and the
        // explanation starts from it. At bf16 the prediction is the bf16 pass's, as for every
        // prediction, and the explanation traces its own fp32 pass.
        let traced = method.descriptor.needsModelInternals && model.network.inferencePrecision == .fp32
        let trace = traced ? try model.network.forward(batch) : nil
        let logits = try trace?.logits.scalars ?? model.network(batch).scalars
        let probabilities = softmaxProbabilities(logits)
        let predicted = probabilities.indexOfMaximum!
        let targets = request.targets(predicted: predicted)
        let pixelImage = image.pixels

        let explainer = PixelExplainer(method: method, options: options, lime: lime, limeSeed: limeSeed)
        let bar = observer.progress(label: "LIME \(URL(fileURLWithPath: path).lastPathComponent)", total: lime?.sampleCount ?? 1, shown: lime != nil)
        let explanation = try explainer.explain(image, targets: targets, model: model, trace: trace) { done, _ in bar.update(done) }
        bar.clear()
        let limeExplanation = explanation.lime

        // Files.
        let classes = model.classNames
        let base = "\(stem).\(method.rawValue)"
        func url(_ name: String) -> URL { outputDirectory.appendingPathComponent(name) }
        let background = pixelImage.gray()
        var overlays = [Image](), targetRecords = [ExplanationRecord.Target]()
        var maskTiles = [[FigurePanel.Tile]]()
        // Each target's maps straight from the explanation: the raw map on the method's grid,
        // the map at the input size, and what the method reports beside them.
        let pixelMaps = explanation.pixelMaps
        for (k, target) in targets.enumerated() {
            let className = safeFileName(classes[target])
            var files = [String: String]()
            let shown = overlay.blend(pixelMaps[k].normalised(scaling), over: background)
            overlays.append(shown)
            files["overlay"] = try write(shown, to: url("\(base).\(className).overlay.png"))
            files["pixels"] = try write(pixelMaps[k], to: url("\(base).\(className).pixels.npy"))
            if method.isTokenLevel { files["tokens"] = try write(explanation.maps[k], to: url("\(base).\(className).tokens.npy")) }

            var limeSummary: ExplanationRecord.LIMESummary?
            if let limeExplanation {
                let surrogate = try limeExplanation.explanation(label: target)
                var masks = [String: [Int]](), tiles = [FigurePanel.Tile]()
                for count in featureCounts {
                    let (chosen, tile) = try ExplanationFigure.limeMask(
                        limeExplanation, label: target, className: classes[target], count: count, background: background)
                    masks["\(count)"] = surrogate.weights.map(\.feature).filter(chosen.contains)
                    tiles.append(tile)
                }
                maskTiles.append(tiles)
                limeSummary = ExplanationRecord.LIMESummary(
                    weights: surrogate.weights, intercept: surrogate.intercept, score: surrogate.score,
                    localPrediction: surrogate.localPrediction, modelPrediction: surrogate.modelPrediction, masks: masks)
            }
            targetRecords.append(ExplanationRecord.Target(
                index: target, name: classes[target], probability: probabilities[target], relevanceSum: explanation.maps[k].sum, files: files,
                conservation: explanation.ledgers.map { $0[k] }.map { ExplanationRecord.ConservationSummary($0, startingRelevance: method.descriptor.ruleSet?.startsFromLogit == false ? "one-hot" : "logit") },
                completenessGap: explanation.completenessGaps?[k], lime: limeSummary))
        }

        var limeSettings: ExplanationRecord.LIMESettings?
        if let lime, let limeExplanation {
            let labels = limeExplanation.segmentation
            let superpixelFile = try write(labels.labelArray, to: url("\(stem).lime.superpixels.npy"))
            limeSettings = ExplanationRecord.LIMESettings(
                segmentation: lime.segmenter.summary, superpixels: labels.count, samples: lime.sampleCount,
                seed: limeSeed, batchSize: lime.batchSize, superpixelFile: superpixelFile)
        }

        let settings = method == .lime ? [:] : options.settings(of: method)
        let panel = ExplanationFigure(
            file: URL(fileURLWithPath: path).lastPathComponent, method: method, settings: settings,
            limeSettings: limeSettings.map { "\($0.segmentation), \($0.superpixels) superpixels, \($0.samples) samples, seed \($0.seed)" },
            modelName: model.directory.lastPathComponent, classes: classes, probabilities: probabilities, predicted: predicted,
            input: pixelImage, targets: targets, overlays: overlays, maskTiles: maskTiles, overlay: overlay
        ).panel()
        let panelDrawing = panel.drawing()
        let panelFile = try write(panelDrawing.render(), to: url("\(base).panel.png"))
        let panelSVG = url("\(base).panel.svg")
        try panelDrawing.svg().write(to: panelSVG)

        let record = ExplanationRecord(
            file: path, model: model.directory.path, method: method.rawValue,
            options: method == .lime ? [:] : settings, classes: classes,
            prediction: .init(index: predicted, name: classes[predicted], probability: probabilities[predicted]),
            probabilities: Dictionary(uniqueKeysWithValues: zip(classes, probabilities)), logits: logits,
            inputSize: [height, width], mapSize: [explanation.maps[0].height, explanation.maps[0].width],
            displayScaling: scaling.rawValue, colorMap: overlay.colorMap.name, alpha: alpha,
            targets: targetRecords, lime: limeSettings, panel: panelFile, panelSVG: panelSVG.path, seconds: Date().timeIntervalSince(started))
        try writeJSON(record, to: url("\(base).json"))
        return Result(record: record, pixelMaps: pixelMaps)
    }

    private func write(_ image: Image, to url: URL) throws -> String {
        try ImageIO.writePNG(image, to: url)
        return url.path
    }

    private func write(_ heatmap: Heatmap, to url: URL) throws -> String {
        try write(NPYArray(shape: [heatmap.height, heatmap.width], values: heatmap.values), to: url)
    }

    private func write(_ array: NPYArray, to url: URL) throws -> String {
        try NPY.write(array, to: url)
        return url.path
    }

    private func writeJSON(_ record: ExplanationRecord, to url: URL) throws {
        do {
            try (jsonString(record) + "\n").write(to: url, atomically: true, encoding: .utf8)
        } catch {
            throw OutputFileError.unwritable(path: url.path, reason: OutputFileError.reason(error))
        }
    }
}
