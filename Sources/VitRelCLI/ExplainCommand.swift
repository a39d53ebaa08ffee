import ArgumentParser
import Foundation
import VitRel
import VitRelCompare

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Relevance maps, overlays and figure panels for chest X-ray predictions.",
        discussion: """
            Each image is preprocessed as the model's config says and explained for the target \
            classes (default: the predicted class; --target all explains every class). Maps are \
            aligned with the model input (the resized, centre-cropped image).

            Methods (--method):
            \(ExplanationMethod.allCases.map { "  \($0.rawValue.padding(toLength: 24, withPad: " ", startingAt: 0))\(Self.summary($0))" }.joined(separator: "\n"))

            Figures: token-grid maps are upsampled bilinearly (align_corners=false) to the input \
            size and min-max normalised to [0, 1], as in Chefer et al. 2021, and drawn with \
            matplotlib's 'jet'; signed maps (lrp-full, attnlrp, cp-lrp, gradient-input, \
            integrated-gradients, deeplift, lime) are divided by max|R| into [-1, 1] and drawn with \
            matplotlib's 'RdBu_r' (red for, blue against the class). Overlays blend the map over \
            the grayscale input: (1 - alpha)·gray + alpha·colour.

            Files written to --out for each image (<stem>: its name without extension):
              <stem>.<method>.<class>.overlay.png  the map over the input (RGB)
              <stem>.<method>.<class>.pixels.npy   raw map at the input size [H, W]
              <stem>.<method>.<class>.tokens.npy   raw map on the patch grid [h, w]
                                                   (token-level methods)
              <stem>.<method>.panel.png            input | map per class (| LIME masks)
              <stem>.<method>.panel.svg            the same panel as SVG: text as text,
                                                   tiles embedded as PNG
              <stem>.<method>.json                 prediction, targets, settings, sums
                                                   of relevance, conservation ledger
                                                   (LRP to pixels), the completeness
                                                   gap Σ map − (F(x) − F(baseline))
                                                   (integrated-gradients, deeplift),
                                                   LIME weights and score, seconds
              <stem>.lime.superpixels.npy          LIME's superpixels [H, W] int32
            NPY arrays are float32 unless stated.

            Errors: an unknown method or class, or a setting given to a method that does \
            not use it, stops the run before any image is read; a method or setting the \
            model cannot take stops it at the first image. An image that cannot be read or \
            explained is reported in one line on standard error; the other images are still \
            explained, and the exit status is 1.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var resizeOptions: ResizeOptions
    @OptionGroup var precisionOptions: PrecisionOptions
    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp(
        "Images to explain (PNG, JPEG or DICOM); a folder stands for every image under it (sorted).", valueName: "file|dir"))
    var image: [String] = []
    @Option(help: ArgumentHelp("Also explain the images listed in this file, one path a line ('#' starts a comment line).", valueName: "file"))
    var imageList: String?
    @Option(help: ArgumentHelp(
        "Explain only shard K of N (1 ≤ K ≤ N) of the images, round-robin; a shard run again skips the images it finished (ledger in <out>/shards/).",
        valueName: "K/N"))
    var shard: Shard?
    @OptionGroup var imageOptions: ImageReadingOptions
    @Option(help: ArgumentHelp("Explanation method (see the list above).", valueName: "method"))
    var method = ExplanationMethod.cheferLRP.rawValue
    @Option(help: ArgumentHelp(
        "Classes to explain, by name or index, comma-separated, or 'all' (default: each image's predicted class).",
        valueName: "class"))
    var target: String?
    @Option(help: ArgumentHelp("Output folder (created when missing).", valueName: "dir"))
    var out = "explanations"
    @Option(help: "Opacity of the map over the X-ray, in [0, 1].")
    var alpha: Float = 0.5
    @Option(help: ArgumentHelp(
        "Also write every raw map at the input size, stacked [images, classes, H, W] float32 (images that failed are left out; --json lists the order).",
        valueName: "file.npy"))
    var saveRelevance: String?
    @Flag(help: "Print a JSON report of every image on standard output.")
    var json = false
    @OptionGroup(title: "Method settings") var methodOptions: ExplanationMethodOptions
    @OptionGroup(title: "LIME settings") var limeOptions: LIMEOptions
    @OptionGroup var runtime: RuntimeOptions

    static func summary(_ method: ExplanationMethod) -> String {
        switch method {
        case .cheferLRP: return "Chefer et al. 2021 transformer attribution (default)"
        case .cheferGradientRollout: return "Chefer et al. ICCV 2021 gradient rollout"
        case .lrpFull: return "LRP, Chefer's rules, to the pixels (signed)"
        case .lrpRollout: return "rollout of LRP attention relevance"
        case .lrpLastLayer: return "LRP attention relevance of the last block"
        case .attnLRP: return "AttnLRP (Achtibat et al. 2024), pixels (signed)"
        case .cpLRP: return "CP-LRP (Ali et al. 2022), pixels (signed)"
        case .rawAttention: return "CLS attention of the last block"
        case .attentionRollout: return "attention rollout (Abnar & Zuidema 2020)"
        case .attentionGradCAM: return "Grad-CAM on the last block's attention"
        case .gradCAM: return "Grad-CAM on the last block's tokens"
        case .gradient: return "|gradient|, max over channels"
        case .gradientInput: return "gradient × input (signed)"
        case .integratedGradients: return "integrated gradients, baseline 0 (signed)"
        case .deepLIFT: return "DeepLIFT rescale at GELU, softmax, LayerNorm (signed)"
        case .lime: return "LIME on superpixels, model-agnostic (signed)"
        }
    }

    func run() throws {
        runtime.apply()
        guard let method = ExplanationMethod(rawValue: method) else { throw ExplanationError.unknownMethod(self.method) }
        guard alpha >= 0 && alpha <= 1 else { throw ValidationError("--alpha must be in [0, 1], got \(alpha)") }
        guard !image.isEmpty || imageList != nil else { throw ValidationError("give images with --image (files or folders) or --image-list") }
        if shard != nil && saveRelevance != nil {
            throw ValidationError("--save-relevance cannot be combined with --shard (each shard would write its own stack); every image's raw map is in --out as .npy")
        }
        let images = try ImageList.expand(image, listFile: imageList)
        var model = try modelOptions.load()
        try precisionOptions.apply(to: &model)
        resizeOptions.apply(to: &model)
        try methodOptions.validate(for: method, depth: model.config.depth)
        if method != .lime, let flag = limeOptions.given.first {
            throw CLIError("\(flag) does not apply to method \(method.rawValue); it is a LIME setting")
        }
        let request = try TargetRequest(target, model: model)
        let job = ExplanationJob(
            model: model, imageOptions: try imageOptions.options(), method: method, options: methodOptions.options,
            lime: method == .lime ? try limeOptions.explainer(patchSize: model.config.patchSize) : nil,
            limeSeed: limeOptions.seed ?? 0, featureCounts: method == .lime ? try limeOptions.featureCounts() : [],
            alpha: alpha, outputDirectory: URL(fileURLWithPath: out))
        do {
            try FileManager.default.createDirectory(at: job.outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw CLIError("cannot create the output folder \(out): \((error as NSError).localizedDescription)")
        }

        let report = try job.run(
            images: images, targets: request, relevanceFile: saveRelevance, shard: shard, observer: TerminalRunObserver())
        if let shard, let resumed = report.resumedImages, resumed > 0 {
            printError("shard \(shard): \(resumed) images finished by an earlier run of this shard were skipped")
        }
        let records = report.images
        if json {
            print(try jsonString(report))
        } else {
            for record in records {
                let targets = record.targets.map { String(format: "%@ %.4f", $0.name, $0.probability) }.joined(separator: ", ")
                print("\(record.file)\t\(record.method)\t\(targets)\t\(record.panel)")
            }
        }
        if !report.errors.isEmpty { throw ExitCode(1) }
    }
}
