import XCTest
@testable import VitRelExplain

/// Explanations do not depend on the thread count (the determinism contract): the attention
/// relevance runs its heads in parallel, the gradient pass its heads too, and the GEMMs are
/// cut into blocks; with 1 thread or 2 every map must have the same bits.
final class ExplanationThreadIndependenceTests: XCTestCase {
    override func tearDown() {
        Parallel.setThreadCount(ProcessInfo.processInfo.activeProcessorCount)
        super.tearDown()
    }

    func testEveryRelevanceMethodGivesTheSameBitsOnOneAndTwoThreads() throws {
        // Large enough that the qkv and MLP products are cut into blocks (≥ 2M multiply-adds).
        let config = ViTConfig(
            imageHeight: 64, imageWidth: 64, patchSize: 8, embedDimension: 128, depth: 2, headCount: 4, classCount: 3)
        let model = VisionTransformer<Float>(config: config, seed: 7)
        var generator = SeededGenerator(seed: 8)
        let images = Tensor<Float>(shape: [2, 3, 64, 64], scalars: (0..<(2 * 3 * 64 * 64)).map { _ in Float(generator.nextGaussian()) })
        let explainer = Explainer(model: model)
        for method in ExplanationMethod.allCases where method != .lime {
            Parallel.setThreadCount(1)
            let serial = try explainer.explain(images, method: method, targets: [1, 2])
            Parallel.setThreadCount(2)
            let parallel = try explainer.explain(images, method: method, targets: [1, 2])
            XCTAssertEqual(serial.targets, parallel.targets, method.rawValue)
            for (a, b) in zip(serial.maps, parallel.maps) {
                XCTAssertEqual(a.values.map(\.bitPattern), b.values.map(\.bitPattern), "\(method.rawValue): maps differ between 1 and 2 threads")
            }
            XCTAssertFalse(serial.maps.flatMap(\.values).allSatisfy { $0 == 0 }, "\(method.rawValue): maps of zeros prove nothing")
        }
    }
}
