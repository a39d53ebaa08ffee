import XCTest
import VitRelTestSupport
@testable import VitRelModel

final class CheckpointExportTests: XCTestCase {
    /// A model written as a timm folder loads back with identical weights and logits.
    func testWrittenTimmFolderLoadsBackIdentically() throws {
        let config = ViTConfig(
            imageHeight: 16, imageWidth: 16, patchSize: 8, embedDimension: 12, depth: 2, headCount: 3,
            classCount: 3, classNames: ["COVID-19", "Non-COVID", "Normal"])
        let network = VisionTransformer<Float>(config: config, seed: 4)
        let preprocessing = Preprocessing(inputHeight: 16, inputWidth: 16)
        let folder = try TestPaths.temporaryDirectory(self).appendingPathComponent("model")
        try ClassifierModel.write(network, preprocessing: preprocessing, to: folder)
        let loaded = try ClassifierModel.load(from: folder)
        XCTAssertEqual(loaded.config, config)
        XCTAssertEqual(loaded.preprocessing, preprocessing)
        XCTAssertEqual(loaded.network.checkpointWeights(), network.checkpointWeights())
        let input = TinyViT.randomTensor([2, 3, 16, 16], seed: 1)
        XCTAssertEqual(try loaded.network(Tensor<Float>(input)), try network(Tensor<Float>(input)))
    }
}
