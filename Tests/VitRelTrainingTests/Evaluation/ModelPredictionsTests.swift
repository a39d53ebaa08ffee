import XCTest
@testable import VitRelTraining

final class ModelPredictionsTests: XCTestCase {
    func testPredictionsCoverTheSourceInOrderAcrossBatchBoundaries() throws {
        let (images, labels) = TrainerTests.quadrantImages(count: 7, seed: 4)
        let source = try InMemoryDataSource(images: images, targets: .classes(labels))
        let model = VisionTransformer<Float>(config: TrainerTests.tinyConfig, seed: 3)
        let inThrees = try ModelPredictions(model: model, source: source, batchSize: 3)  // 3 + 3 + 1
        let whole = try model(images)
        XCTAssertEqual(inThrees.logits.shape, [7, 3])
        XCTAssertLessThan(inThrees.logits.maxAbsDifference(whole), 1e-6)
        XCTAssertEqual(inThrees.targets, .classes(labels))
        for row in inThrees.softmaxProbabilities { XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-12) }
        let report = try inThrees.classificationReport(classNames: ["a", "b", "c"])
        XCTAssertEqual(report.sampleCount, 7)
        XCTAssertEqual(report.classes.map(\.support), [3, 2, 2])  // labels cycle 0, 1, 2
    }

    func testMultiHotPredictionsHaveNoClassificationReport() throws {
        let (images, _) = TrainerTests.quadrantImages(count: 4, seed: 4)
        let source = try InMemoryDataSource(images: images, targets: .multiHot([[1, 0, 0], [0, 1, 1], [0, 0, 0], [1, 1, 1]]))
        let predictions = try ModelPredictions(
            model: VisionTransformer<Float>(config: TrainerTests.tinyConfig, seed: 3), source: source, batchSize: 8)
        XCTAssertTrue(predictions.sigmoidProbabilities.joined().allSatisfy { $0 > 0 && $0 < 1 })
        XCTAssertThrowsError(try predictions.classificationReport(classNames: ["a", "b", "c"]))
    }
}
