import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRel
@testable import VitRelCompare

/// Requests as `vitrel compare` builds them from its defaults (Quantus settings, noise:0.1,
/// metric seed 42, LIME on the model's patch grid), for the tests that call the engine the
/// way the command does.
enum CompareFixtures {
    /// The four metrics the rows-and-figures tests compute.
    static let metrics: [MetricKind] = [.faithfulnessEstimate, .regionPerturbation, .relevanceMass, .pointingGame]

    /// `vitrel synth --per-class 8 --size 64 --seed 3`: 18 training phantoms with masks.
    static func phantoms(_ test: XCTestCase, perClass: Int = 8) throws -> URL {
        let root = try TestPaths.temporaryDirectory(test).appendingPathComponent("phantoms")
        _ = try SyntheticDataset.write(to: root, perClass: perClass, seed: 3, size: 64)
        return root
    }

    /// `vitrel compare --model <tiny> --data <data> --split <split> --methods <methods>
    /// --metrics <metrics> --segmentation grid --samples <samples> --grids <grids> --out <out>`
    /// with the command's defaults for everything else.
    static func request(
        data: URL, out: URL, split: String = "Train", methods: [ExplanationMethod] = [.cheferLRP, .lime], metrics: [MetricKind] = metrics,
        samples: Int = 400, grids: Int = 1, selection: ImageSelection = ImageSelection(), imageOptions: ImageReadOptions = .fileDefaults,
        resize: Preprocessing.ResizeArithmetic = .pillow, fresh: Bool = false, shard: Shard? = nil
    ) throws -> ComparisonRequest {
        var model = try ClassifierModel.load(from: TestPaths.tinyModel)
        model.preprocessing.resizeArithmetic = resize
        let lime = methods.contains(.lime)
            ? LIMEExplainer(segmenter: .patchGrid(PatchGrid(patchSize: model.config.patchSize)), sampleCount: samples, batchSize: 32, topLabels: nil, labels: [])
            : nil
        return ComparisonRequest(
            model: model, data: data.path, split: split, imageOptions: imageOptions, methods: methods, lime: lime, metrics: metrics,
            metricSettings: ComparisonMetricSettings(perturbation: try PerturbationBaseline(parsing: "noise:0.1")),
            selection: selection, gridsPerClass: grids, output: out, fresh: fresh, command: "vitrel compare (test)", shard: shard)
    }

    static func json(file url: URL) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }
}
