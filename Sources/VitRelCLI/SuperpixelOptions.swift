import ArgumentParser
import Foundation
import VitRel

/// The superpixel algorithms `vitrel segment --method` and `vitrel explain --segmentation` offer.
enum SuperpixelMethod: String, CaseIterable, ExpressibleByArgument {
    /// scikit-image quickshift; lime_image's default (kernel 4, max distance 200, ratio 0.2).
    case quickshift
    /// scikit-image SLIC (100 segments, compactness 10).
    case slic
    /// The ViT's own patches.
    case grid
}

/// Settings of the superpixel algorithms, shared by `segment` and `explain`. Each belongs to
/// one algorithm; giving it with another is an error, so a typo cannot pass unnoticed.
struct SuperpixelOptions: ParsableArguments {
    @Option(help: "slic: approximate number of superpixels (default 100).")
    var segments: Int?
    @Option(help: "slic: weight of space against colour; higher gives squarer superpixels (default 10).")
    var compactness: Double?
    @Option(help: "quickshift: width of the density kernel in pixels; higher gives fewer superpixels (default 4).")
    var kernelSize: Double?
    @Option(help: "quickshift: links longer than this are cut; higher gives fewer superpixels (default 200).")
    var maxDist: Double?
    @Option(help: "quickshift: weight of colour against position (default 0.2).")
    var ratio: Double?
    @Option(help: "grid: patch side in pixels (default: the model's patch size for explain, 16 for segment).")
    var patchSize: Int?

    /// The flags given that `method` does not use.
    func misplaced(for method: SuperpixelMethod) -> [String] {
        var given = [(String, SuperpixelMethod)]()
        if segments != nil { given.append(("--segments", .slic)) }
        if compactness != nil { given.append(("--compactness", .slic)) }
        if kernelSize != nil { given.append(("--kernel-size", .quickshift)) }
        if maxDist != nil { given.append(("--max-dist", .quickshift)) }
        if ratio != nil { given.append(("--ratio", .quickshift)) }
        if patchSize != nil { given.append(("--patch-size", .grid)) }
        return given.filter { $0.1 != method }.map { "\($0.0) (a \($0.1.rawValue) setting)" }
    }

    /// The flags given that any superpixel method would use (for methods other than LIME).
    var given: [String] {
        SuperpixelMethod.allCases.reduce(into: Set<String>()) { $0.formUnion(misplaced(for: $1)) }.sorted()
    }

    /// The segmenter. Values are checked by the algorithms themselves when they run (one-line
    /// `SuperpixelError`s naming the parameter).
    func segmenter(_ method: SuperpixelMethod, defaultPatchSize: Int) -> LIMEExplainer.Segmenter {
        switch method {
        case .slic: return .slic(SLIC(segmentCount: segments ?? 100, compactness: compactness ?? 10))
        case .quickshift: return .quickshift(Quickshift(kernelSize: kernelSize ?? 4, maxDistance: maxDist ?? 200, ratio: ratio ?? 0.2))
        case .grid: return .patchGrid(PatchGrid(patchSize: patchSize ?? defaultPatchSize))
        }
    }
}
