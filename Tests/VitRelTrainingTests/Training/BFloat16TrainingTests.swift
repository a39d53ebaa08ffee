import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRelTraining

/// Training at `ProductPrecision.bf16` (mixed precision: bfloat16 operands for the blocks'
/// Linear products, Float32 for everything kept): it learns what fp32 learns, stays
/// reproducible, is recorded, and is refused cleanly where oneDNN has no bfloat16 matmul.
final class BFloat16TrainingTests: XCTestCase {
    override func tearDown() {
        Parallel.setThreadCount(ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Where oneDNN has no bfloat16 matmul (below AVX-512, `make test`'s AVX2 pass), asking
    /// for bf16 is an error that names the instruction set, from the trainer and from a run
    /// before it reads any image; then the test is skipped.
    private func requireBFloat16() throws {
        guard BFloat16Matrix.isSupported else {
            var configuration = TrainerTests.configuration(epochs: 1)
            configuration.precision = .bf16
            let expected = ProductPrecisionError.bf16Unsupported(instructionSet: OneDNNGEMM.instructionSet)
            XCTAssertThrowsError(try Trainer(model: VisionTransformer(config: TrainerTests.tinyConfig, seed: 7), configuration: configuration)) {
                XCTAssertEqual($0 as? ProductPrecisionError, expected)
            }
            let run = TrainingRun(data: "/nonexistent-data", precision: .bf16, output: URL(fileURLWithPath: "/nonexistent-out"), command: "test")
            XCTAssertThrowsError(try run.run()) { XCTAssertEqual($0 as? ProductPrecisionError, expected) }
            throw XCTSkip("oneDNN has no bfloat16 matmul on \(OneDNNGEMM.instructionSet)")
        }
    }

    /// The quadrant task of `TrainerTests.testTrainingLearnsTheQuadrantTask` at bf16: the same
    /// bar (loss halved, ≥ 90% training and validation accuracy), with weights that differ from
    /// the fp32 run's (bfloat16 ran) and a final validation accuracy within 0.05 of it.
    func testBFloat16TrainingLearnsTheQuadrantTaskAsFloat32Does() throws {
        try requireBFloat16()
        let training = try TrainerTests.dataSource(count: 96, seed: 1)
        let validation = try TrainerTests.dataSource(count: 48, seed: 2)
        let (config, fp32Configuration) = TrainerTests.learningSetup()
        var bf16Configuration = fp32Configuration
        bf16Configuration.precision = .bf16
        var fp32 = try Trainer(model: VisionTransformer(config: config, seed: 7), configuration: fp32Configuration)
        var bf16 = try Trainer(model: VisionTransformer(config: config, seed: 7), configuration: bf16Configuration)
        let initial = try bf16.evaluate(training)
        let fp32History = try fp32.train(training: training, validation: validation)
        let bf16History = try bf16.train(training: training, validation: validation)
        let final = try bf16.evaluate(training)
        let numbers = String(
            format: "bf16: training loss %.4f → %.4f, accuracy %.3f, validation accuracy %.3f (fp32 %.3f)",
            initial.loss, final.loss, final.accuracy, bf16History.last!.validation!.accuracy,
            fp32History.last!.validation!.accuracy)
        XCTAssertLessThan(final.loss, 0.5 * initial.loss, numbers)
        XCTAssertGreaterThanOrEqual(final.accuracy, 0.9, numbers)
        XCTAssertGreaterThanOrEqual(bf16History.last!.validation!.accuracy, 0.9, numbers)
        XCTAssertEqual(bf16History.last!.validation!.accuracy, fp32History.last!.validation!.accuracy, accuracy: 0.05, numbers)
        XCTAssertNotEqual(ParameterList(bf16.model), ParameterList(fp32.model), "bf16 ran")
        print("quadrant task " + numbers)
    }

    /// The same seed gives the same bf16 weights on 1 and 2 threads; a resume state saved at
    /// fp32 is refused by a bf16 trainer (another precision would silently be another run),
    /// and one saved at bf16 continues to the uninterrupted run's bits.
    func testBFloat16TrainingIsReproducibleAndResumesOnlyAtItsPrecision() throws {
        try requireBFloat16()
        let training = try TrainerTests.dataSource(count: 40, seed: 1)
        var configuration = TrainerTests.configuration(epochs: 2)
        configuration.precision = .bf16
        let model = VisionTransformer<Float>(config: TrainerTests.tinyConfig, seed: 7)
        func run(threads: Int) throws -> ParameterList<Float> {
            Parallel.setThreadCount(threads)
            var trainer = try Trainer(model: model, configuration: configuration)
            try trainer.train(training: training)
            return ParameterList(trainer.model)
        }
        let one = try run(threads: 1), two = try run(threads: 2)
        XCTAssertEqual(one, two)

        let directory = try TestPaths.temporaryDirectory(self)
        let outputs = TrainingOutputs(directory: directory) { _, _ in }
        var first = try Trainer(model: model, configuration: configuration)
        try first.train(training: training, outputs: outputs, stopAfterEpoch: 1)
        var fp32Configuration = configuration
        fp32Configuration.precision = .fp32
        XCTAssertThrowsError(try Trainer(resumingFrom: outputs.stateURL, configuration: fp32Configuration)) {
            guard case TrainingError.stateMismatch = $0 else { return XCTFail("\($0)") }
        }
        var resumed = try Trainer(resumingFrom: outputs.stateURL, configuration: configuration)
        try resumed.train(training: training, outputs: outputs)
        XCTAssertEqual(ParameterList(resumed.model), two)
    }

    /// A configuration saved before the option existed decodes as fp32 (what it trained at),
    /// and a bf16 one round-trips.
    func testConfigurationReadsOldStatesAsFloat32() throws {
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(TrainingConfiguration())) as? [String: Any])
        XCTAssertEqual(object["precision"] as? String, "fp32")
        object.removeValue(forKey: "precision")
        let decoded = try JSONDecoder().decode(TrainingConfiguration.self, from: JSONSerialization.data(withJSONObject: object))
        XCTAssertEqual(decoded.precision, .fp32)
        XCTAssertEqual(decoded, TrainingConfiguration())
        let bf16 = TrainingConfiguration(layerDecay: 0.75, precision: .bf16)
        XCTAssertEqual(try JSONDecoder().decode(TrainingConfiguration.self, from: JSONEncoder().encode(bf16)), bf16)
    }

    /// `TrainingRun` at bf16 writes the precision into training.json (fp32 runs say fp32).
    func testARunRecordsItsPrecision() throws {
        try requireBFloat16()
        let root = try TestPaths.temporaryDirectory(self)
        let data = root.appendingPathComponent("synth")
        try SyntheticDataset.write(to: data, perClass: 4, seed: 5, size: 64, splits: [("Train", 0.5), ("Val", 0.5)])
        let output = root.appendingPathComponent("model")
        let run = TrainingRun(
            data: data.path, imageSize: 16, patchSize: 8, embedDimension: 16, depth: 1, headCount: 2, mlpRatio: 2,
            epochs: 1, batchSize: 4, precision: .bf16, seed: 3, output: output, command: "BFloat16TrainingTests")
        let result = try run.run()
        XCTAssertEqual(result.record.precision, .bf16)
        XCTAssertEqual(try TrainingRecord(contentsOf: run.recordURL).precision, .bf16)
    }
}
