import Foundation
import XCTest
@testable import VitRelModel

/// The inference pass (`VisionTransformer.logits`) against the traced pass, and both against
/// the thread count, on a model large enough that its products are cut into blocks and its
/// heads shared out.
final class InferencePassTests: XCTestCase {
    override func tearDown() {
        Parallel.setThreadCount(ProcessInfo.processInfo.activeProcessorCount)
    }

    static func blockedModel(pooling: ViTConfig.Pooling) -> (VisionTransformer<Float>, Tensor<Float>) {
        let config = ViTConfig(
            imageHeight: 64, imageWidth: 64, patchSize: 8, channels: 3, embedDimension: 128, depth: 2, headCount: 4,
            mlpHiddenDimension: 512, classCount: 3, pooling: pooling, layerNormEpsilon: 1e-6)
        var model = VisionTransformer<Float>(config: config, seed: 3)
        // timm's initialisation leaves biases zero and LayerNorm γ = 1; perturb everything so
        // every parameter shapes the output.
        var generator = SeededGenerator(seed: 4)
        model.forEachParameter { _, tensor in
            for i in 0..<tensor.count { tensor.scalars[i] += Float(0.05 * generator.nextGaussian()) }
        }
        var inputs = SeededGenerator(seed: 5)
        let images = Tensor<Float>(shape: [8, 3, 64, 64], scalars: (0..<(8 * 3 * 64 * 64)).map { _ in Float(inputs.nextGaussian()) })
        return (model, images)
    }

    func testInferenceAndTracedPassesGiveTheSameBitsWithOneOrTwoThreads() throws {
        for pooling in [ViTConfig.Pooling.token, .average, .classTokenAndPatchMean] {
            let (model, images) = Self.blockedModel(pooling: pooling)
            // 8 images × 65 tokens: fc1 is 520×512×128, qkv 520×384×128 — both cut into blocks.
            XCTAssertGreaterThan(GEMMBlocks(m: 520, n: 512, k: 128).count, 1)
            XCTAssertGreaterThan(GEMMBlocks(m: 520, n: 384, k: 128).count, 1)
            Parallel.setThreadCount(1)
            let logitsOne = try model.logits(images)
            let traceOne = try model.forward(images)
            Parallel.setThreadCount(2)
            let logitsTwo = try model.logits(images)
            let traceTwo = try model.forward(images)
            XCTAssertEqual(logitsOne, logitsTwo, "\(pooling): inference bits depend on the thread count")
            XCTAssertEqual(traceOne.logits, traceTwo.logits, "\(pooling): traced bits depend on the thread count")
            XCTAssertEqual(traceOne.attention(block: 1), traceTwo.attention(block: 1))
            XCTAssertEqual(logitsTwo, traceTwo.logits, "\(pooling): inference vs traced")
            XCTAssertTrue(logitsTwo.scalars.allSatisfy(\.isFinite))
        }
    }

    /// Logits that overflow Float stop the pass with the layer named, instead of printing nan.
    func testOverflowingLogitsAreAnErrorNamingTheLayer() throws {
        var (model, images) = Self.blockedModel(pooling: .token)
        for i in 0..<model.head.weight.count { model.head.weight.scalars[i] = 3e38 }
        XCTAssertThrowsError(try model.logits(images)) { error in
            guard case ModelError.nonFinite(let layer, _)? = error as? ModelError else { return XCTFail("\(error)") }
            XCTAssertEqual(layer, "logits")
            XCTAssertFalse("\(error)".contains("\n"))
        }
    }

    /// Each head's attention rows are probabilities: the per-head parallel softmax is complete.
    func testAttentionMapsOfEveryHeadAreRowStochastic() throws {
        let (model, images) = Self.blockedModel(pooling: .token)
        let trace = try model.forward(images)
        let n = trace.tokens
        for block in 0..<model.blocks.count {
            let maps = trace.attention(block: block)
            XCTAssertEqual(maps.count, 8 * 4 * n * n)
            for row in 0..<(maps.count / n) {
                let sum = maps[(row * n)..<((row + 1) * n)].reduce(0.0) { $0 + Double($1) }
                XCTAssertEqual(sum, 1, accuracy: 1e-5)
            }
        }
    }
}
