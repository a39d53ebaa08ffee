import Foundation
import VitRel

/// One method's settings as run.json records them, field by field: the options of
/// `ExplanationOptions` the method reads (its descriptor's `settings`), or LIME's
/// segmentation, sample count and seed. Fields a method does not read are absent.
package struct MethodSettings: Codable, Equatable {
    package var startLayer: Int?
    package var epsilon: Double?
    package var gamma: Double?
    package var headFusion: String?
    package var discardRatio: Double?
    package var gradCAMVariant: String?
    package var integrationSteps: Int?
    package var baseline: Double?
    /// LIME's superpixels.
    package var segmentation: SegmentationSettings?
    /// LIME's perturbed samples.
    package var samples: Int?
    /// LIME's sampling seed.
    package var seed: UInt64?

    /// The settings of a model-internal method: the options its descriptor says it reads.
    package init(_ method: ExplanationMethod, options: ExplanationOptions) {
        for setting in method.descriptor.settings {
            switch setting {
            case .startLayer: startLayer = options.startLayer
            case .epsilon: epsilon = options.epsilon
            case .gamma: gamma = options.gamma
            case .headFusion: headFusion = options.headFusion.rawValue
            case .discardRatio: discardRatio = options.discardRatio
            case .gradCAMVariant: gradCAMVariant = options.gradCAMVariant.rawValue
            case .integrationSteps: integrationSteps = options.integrationSteps
            case .baseline: baseline = options.baselineValue
            }
        }
    }

    /// LIME's settings.
    package init(lime: LIMEExplainer, seed: UInt64) {
        segmentation = SegmentationSettings(lime.segmenter)
        samples = lime.sampleCount
        self.seed = seed
    }

    /// What a run of `method` records: LIME's settings when it is LIME (with its explainer),
    /// otherwise the options the method reads.
    package init(_ method: ExplanationMethod, options: ExplanationOptions, lime: LIMEExplainer?, limeSeed: UInt64) {
        if method == .lime, let lime {
            self.init(lime: lime, seed: limeSeed)
        } else {
            self.init(method, options: options)
        }
    }

    /// The one line run.json held before settings were recorded field by field ("discard-ratio
    /// 0.0, head-fusion mean"; LIME: "quickshift (kernel 4, …), 1000 samples, seed 0"), kept to
    /// compare with folders written then.
    package static func legacyDescription(
        of method: ExplanationMethod, options: ExplanationOptions, lime: LIMEExplainer?, limeSeed: UInt64
    ) -> String {
        if method == .lime, let lime {
            return "\(lime.segmenter.summary), \(lime.sampleCount) samples, seed \(limeSeed)"
        }
        let settings = options.settings(of: method)
        return settings.isEmpty ? "defaults" : settings.keys.sorted().map { "\($0) \(settings[$0]!)" }.joined(separator: ", ")
    }
}

/// LIME's segmentation as run.json records it: the algorithm and the parameters a user sets.
package struct SegmentationSettings: Codable, Equatable {
    package var algorithm: String
    package var kernelSize: Double?
    package var maxDistance: Double?
    package var ratio: Double?
    package var segments: Int?
    package var compactness: Double?
    package var patchSize: Int?

    package init(_ segmenter: LIMEExplainer.Segmenter) {
        switch segmenter {
        case .quickshift(let q):
            algorithm = "quickshift"
            kernelSize = q.kernelSize
            maxDistance = q.maxDistance
            ratio = q.ratio
        case .slic(let s):
            algorithm = "slic"
            segments = s.segmentCount
            compactness = s.compactness
        case .patchGrid(let g):
            algorithm = "grid"
            patchSize = g.patchSize
        case .given:
            algorithm = "given"
        }
    }
}

extension LIMEExplainer.Segmenter {
    /// A short account for figure subtitles and JSON: "quickshift (kernel 4, max distance
    /// 200, ratio 0.2)".
    package var summary: String {
        switch self {
        case .quickshift(let q):
            return String(format: "quickshift (kernel %g, max distance %g, ratio %g)", q.kernelSize, q.maxDistance, q.ratio)
        case .slic(let s): return String(format: "slic (%d segments, compactness %g)", s.segmentCount, s.compactness)
        case .patchGrid(let g): return "grid (\(g.patchSize) px patches)"
        case .given: return "given"
        }
    }
}
