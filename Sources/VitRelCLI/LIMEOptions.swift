import Foundation
import ArgumentParser
import VitRel

/// The settings of `vitrel explain --method lime` (lime_image's, with an explicit seed).
struct LIMEOptions: ParsableArguments {
    @Option(help: "lime: superpixels: quickshift (lime_image's default), slic or grid (the model's patches).")
    var segmentation: SuperpixelMethod?
    @Option(help: "lime: perturbed samples, the unperturbed image included (default 1000).")
    var samples: Int?
    @Option(help: ArgumentHelp(
        "lime: sizes of the top-feature masks drawn, comma-separated (default 3,8, as the COVID ViT paper shows).",
        valueName: "n,n,..."))
    var features: String?
    @Option(help: "lime: seed of the segmentation noise and the samples (default 0); equal seeds give equal explanations.")
    var seed: UInt64?
    @Option(help: "lime: images per forward pass (default 32).")
    var batchSize: Int?
    @OptionGroup var superpixels: SuperpixelOptions

    static let maximumSamples = 100_000

    /// The LIME flags given (for methods other than LIME, where each is an error).
    var given: [String] {
        var flags = [String]()
        if segmentation != nil { flags.append("--segmentation") }
        if samples != nil { flags.append("--samples") }
        if features != nil { flags.append("--features") }
        if seed != nil { flags.append("--seed") }
        if batchSize != nil { flags.append("--batch-size") }
        return flags + superpixels.given
    }

    /// The sizes of the masks to draw.
    func featureCounts() throws -> [Int] {
        guard let features else { return [3, 8] }
        let parts = features.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let counts = parts.compactMap { Int($0) }
        guard counts.count == parts.count, !counts.isEmpty, counts.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--features takes positive whole numbers separated by commas (e.g. 3,8), got \"\(features)\"")
        }
        return counts
    }

    /// The explainer (its labels are set per image), after checking the values; `patchSize`
    /// is the grid's default.
    func explainer(patchSize: Int) throws -> LIMEExplainer {
        let method = segmentation ?? .quickshift
        let misplaced = superpixels.misplaced(for: method)
        if let first = misplaced.first {
            throw ValidationError("\(first) does not apply to --segmentation \(method.rawValue)")
        }
        let sampleCount = samples ?? 1000, batch = batchSize ?? 32
        // 100,000 samples (100× lime's default) keep the sample matrix and the forward passes
        // within hours and a few hundred MB; more is a typo, not a setting.
        guard sampleCount >= 2 && sampleCount <= LIMEOptions.maximumSamples else {
            throw ValidationError("--samples must lie in 2…\(LIMEOptions.maximumSamples), got \(sampleCount)")
        }
        guard batch >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batch)") }
        return LIMEExplainer(
            segmenter: superpixels.segmenter(method, defaultPatchSize: patchSize), sampleCount: sampleCount, batchSize: batch,
            topLabels: nil, labels: [])
    }
}
