import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRelTraining

/// A training run as `vitrel train` makes one (`TrainingRun`), on a tiny synthetic tree: the
/// model folder and training.json it writes, its refusals, and resumption.
final class TrainingRunTests: XCTestCase {
    /// Four phantoms per class at 64×64, two in Train and two in Val (6 + 6 images).
    func syntheticData() throws -> URL {
        let root = try TestPaths.temporaryDirectory(self).appendingPathComponent("synth")
        try SyntheticDataset.write(to: root, perClass: 4, seed: 5, size: 64, splits: [("Train", 0.5), ("Val", 0.5)])
        return root
    }

    /// A tiny architecture (16×16 input, 8-pixel patches, width 16, one block): a run takes
    /// a fraction of a second.
    func tinyRun(data: URL, output: URL, epochs: Int = 2) -> TrainingRun {
        TrainingRun(
            data: data.path, imageSize: 16, patchSize: 8, embedDimension: 16, depth: 1, headCount: 2, mlpRatio: 2,
            epochs: epochs, batchSize: 4, seed: 3, output: output, command: "TrainingRunTests")
    }

    /// What the run said, in order.
    final class Transcript: TrainingRunObserver {
        var events = [String]()
        func willPrepare(_ dataset: DatasetIndex) { events.append("read \(dataset.items.count)") }
        func inputProblem(_ file: SkippedFile) { events.append("skipped \(file.url.lastPathComponent)") }
        func prepared(training: Int, validation: Int, config: ViTConfig) {
            events.append("prepared \(training) \(validation) \(config.imageHeight)")
        }
        func resumed(afterEpoch: Int) { events.append("resumed \(afterEpoch)") }
        func step(_ progress: TrainingProgress) { events.append("step \(progress.epoch).\(progress.step)") }
        func epochFinished(_ summary: EpochSummary) { events.append("epoch \(summary.epoch)") }
    }

    func testATwoEpochRunWritesTheModelFolderAndARecordOfItsEpochs() throws {
        let data = try syntheticData()
        let output = try TestPaths.temporaryDirectory(self).appendingPathComponent("model")
        let transcript = Transcript()
        let result = try tinyRun(data: data, output: output).run(observer: transcript)

        // 6 training images in batches of 4: two steps an epoch.
        XCTAssertEqual(transcript.events, [
            "read 12", "prepared 6 6 16", "step 1.1", "step 1.2", "epoch 1", "step 2.1", "step 2.2", "epoch 2",
        ])
        XCTAssertEqual(result.history.count, 2)
        XCTAssertEqual(result.config.classNames, ["COVID-19", "Non-COVID", "Normal"])
        XCTAssertEqual(result.config.mlpHiddenDimension, 32)

        // The folder is the best model, loadable, with the data's classes and the default
        // preprocessing (bicubic, mean and std 0.5).
        let model = try ClassifierModel.load(from: output)
        XCTAssertEqual(model.classNames, ["COVID-19", "Non-COVID", "Normal"])
        XCTAssertEqual(model.config.imageHeight, 16)
        XCTAssertEqual(model.config.depth, 1)
        XCTAssertEqual(model.preprocessing.mean, [0.5, 0.5, 0.5])
        XCTAssertEqual(model.preprocessing.interpolation, .bicubic)
        for file in ["training/training-state.vtstate", "training/final/model.safetensors", "training/final/config.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: output.appendingPathComponent(file).path), file)
        }

        // training.json: the record returned, its epochs the history's.
        let record = try TrainingRecord(contentsOf: output.appendingPathComponent("training.json"))
        XCTAssertEqual(record, result.record)
        XCTAssertEqual(record.epochs, 2)
        XCTAssertEqual(record.trainImages, 6)
        XCTAssertEqual(record.validationImages, 6)
        XCTAssertEqual(record.seed, 3)
        XCTAssertEqual(record.data, data.path)
        XCTAssertEqual(record.command, "TrainingRunTests")
        XCTAssertEqual(record.history, result.history.map(TrainingRecord.Epoch.init))
        XCTAssertEqual(record.history.map(\.epoch), [1, 2])
        XCTAssertEqual(record.history.map(\.loss), result.history.map(\.trainingLoss))
        XCTAssertEqual(record.history.map(\.validationMacroRecall), result.history.map(\.validation?.macroRecall))
        XCTAssertEqual(record.history.first?.best, true, "the first validated epoch is the best so far")

        // The best epoch's weights are the folder's.
        let bestEpoch = try XCTUnwrap(result.history.last(where: \.isBest)?.epoch)
        if bestEpoch == 2 {
            XCTAssertEqual(
                try Data(contentsOf: output.appendingPathComponent("model.safetensors")),
                try Data(contentsOf: output.appendingPathComponent("training/final/model.safetensors")))
        }
    }

    /// Stopped after epoch 1 and resumed, a run ends with the weights and record of an
    /// uninterrupted one (the trainer's seeded streams and saved optimiser state).
    func testAResumedRunEndsAsAnUninterruptedOne() throws {
        let data = try syntheticData()
        let directory = try TestPaths.temporaryDirectory(self)
        let whole = directory.appendingPathComponent("whole"), resumed = directory.appendingPathComponent("resumed")
        let uninterrupted = try tinyRun(data: data, output: whole).run()

        var first = tinyRun(data: data, output: resumed)
        first.stopAfterEpoch = 1
        XCTAssertEqual(try first.run().history.count, 1)
        var second = tinyRun(data: data, output: resumed)
        second.resume = true
        let transcript = Transcript()
        let continued = try second.run(observer: transcript)

        XCTAssertEqual(transcript.events.filter { !$0.hasPrefix("step") }, ["read 12", "prepared 6 6 16", "resumed 1", "epoch 2"])
        XCTAssertEqual(continued.record.history, uninterrupted.record.history)
        for file in ["model.safetensors", "config.json", "training/final/model.safetensors"] {
            XCTAssertEqual(
                try Data(contentsOf: resumed.appendingPathComponent(file)), try Data(contentsOf: whole.appendingPathComponent(file)),
                file)
        }
    }

    /// A model to start from must classify the data's classes.
    func testInitFromAModelOfOtherClassesIsRefused() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let data = directory.appendingPathComponent("data")
        try DatasetTestTrees.writeImages(data, ["train/A/a.png", "train/B/b.png", "val/A/c.png", "val/B/d.png"])
        var run = TrainingRun(data: data.path, output: directory.appendingPathComponent("model"), command: "test")
        run.initFrom = TestPaths.tinyModel.path
        XCTAssertThrowsError(try run.run()) { error in
            XCTAssertEqual(error as? TrainingRunError, .classesDiffer(
                model: TestPaths.tinyModel.path, modelClasses: ["COVID-19", "Non-COVID", "Normal"], dataClasses: ["A", "B"]))
            XCTAssertEqual("\(error)", "\(TestPaths.tinyModel.path): the model's classes COVID-19, Non-COVID, Normal are not the data's A, B")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("model").path), "nothing written")
    }

    /// A model of the data's classes is the starting point: its architecture and input size,
    /// whatever the architecture settings say.
    func testInitFromAModelOfTheDataClassesKeepsItsArchitecture() throws {
        let data = try syntheticData()
        let output = try TestPaths.temporaryDirectory(self).appendingPathComponent("model")
        var run = tinyRun(data: data, output: output, epochs: 1)
        (run.imageSize, run.patchSize, run.embedDimension, run.depth, run.headCount, run.mlpRatio) = (nil, nil, nil, nil, nil, nil)
        run.initFrom = TestPaths.tinyModel.path
        let initial = try ClassifierModel.load(from: TestPaths.tinyModel)
        let result = try run.run()
        XCTAssertEqual(result.config, initial.config)
        XCTAssertEqual(try ClassifierModel.load(from: output).config, initial.config)
    }

    func testAnUnknownOrInvalidArchitectureIsRefusedBeforeReadingImages() throws {
        let data = try syntheticData()
        let output = try TestPaths.temporaryDirectory(self).appendingPathComponent("model")
        var unknown = tinyRun(data: data, output: output)
        unknown.architecture = "vit_huge_patch3_17"
        let transcript = Transcript()
        XCTAssertThrowsError(try unknown.run(observer: transcript)) { error in
            XCTAssertEqual(error as? TrainingRunError, .unknownArchitecture("vit_huge_patch3_17"))
            XCTAssertEqual(
                "\(error)", "unknown architecture \"vit_huge_patch3_17\"; expected vit_{tiny,small,base,large}_patch{8,16,32}_{224,384}")
        }
        var invalid = tinyRun(data: data, output: output)
        invalid.headCount = 3  // 16 is not divisible by 3
        XCTAssertThrowsError(try invalid.run(observer: transcript)) { error in
            guard case .invalidArchitecture = error as? TrainingRunError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".hasPrefix("invalid architecture: "), "\(error)")
        }
        XCTAssertEqual(transcript.events, [], "refused before any image is read")
    }

    func testATrainingSplitWithNoReadableImageIsAnError() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let data = directory.appendingPathComponent("data")
        try DatasetTestTrees.writeImages(data, ["val/A/c.png", "val/B/d.png"])
        for path in ["train/A/a.png", "train/B/b.png"] {
            let url = data.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data([0x89, 0x50, 0x4E, 0x47]).write(to: url)  // a PNG cut short
        }
        let transcript = Transcript()
        XCTAssertThrowsError(try tinyRun(data: data, output: directory.appendingPathComponent("model")).run(observer: transcript)) {
            XCTAssertEqual($0 as? TrainingRunError, .noReadableTrainingImages(data: data.path))
            XCTAssertEqual("\($0)", "\(data.path): no readable training images")
        }
        XCTAssertEqual(transcript.events, ["read 4", "skipped a.png", "skipped b.png"])
    }
}
