import Foundation
import VitRel

extension ExplanationOptions {
    /// The settings `method` actually uses, by the flag that sets each: what `vitrel explain`
    /// records in its JSON and figures, and `vitrel compare` in run.json.
    package func settings(of method: ExplanationMethod) -> [String: String] {
        switch method {
        case .cheferLRP, .lrpRollout: return ["start-layer": "\(startLayer)"]
        case .attnLRP, .cpLRP: return ["epsilon": "\(epsilon)", "gamma": "\(gamma)"]
        case .attentionRollout: return ["head-fusion": headFusion.rawValue, "discard-ratio": "\(discardRatio)"]
        case .integratedGradients: return ["steps": "\(integrationSteps)", "baseline": "\(baselineValue)"]
        case .deepLIFT: return ["baseline": "\(baselineValue)"]
        case .gradCAM: return ["gradcam-variant": gradCAMVariant.rawValue]
        default: return [:]
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
