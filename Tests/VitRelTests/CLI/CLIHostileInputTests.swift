import XCTest
import VitRelTestSupport
@testable import VitRel
@testable import VitRelModel
@testable import VitRelData
@testable import VitRelRendering
@testable import VitRelExplain
@testable import VitRelMetrics
@testable import VitRelTraining
@testable import VitRelReporting

/// Inputs a hostile or careless user gives: each ends in one error line and a non-zero exit
/// below 128 (no trap, no abort on a huge allocation).
final class CLIHostileInputTests: XCTestCase {
    private func assertOneLineError(_ arguments: [String], mentions: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let run = try CLI.run(arguments)
        XCTAssertTrue(run.status > 0 && run.status < 128, "exit \(run.status): \(run.stderr)", file: file, line: line)
        // One error line; argument validation may add ArgumentParser's usage hint after it.
        XCTAssertEqual(run.errorMessages.count, 1, run.stderr, file: file, line: line)
        for text in mentions { XCTAssertTrue(run.stderr.contains(text), "\"\(run.stderr)\" lacks \(text)", file: file, line: line) }
    }

    /// A copy of the tiny fixture model whose config.json has these class names.
    private func model(labelNames: [String]) throws -> URL {
        let folder = try TestPaths.temporaryDirectory(self).appendingPathComponent("model")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: CLI.tinyModel), to: folder)
        let configURL = folder.appendingPathComponent("config.json")
        var config = try CLI.json(file: configURL)
        config["label_names"] = labelNames
        try JSONSerialization.data(withJSONObject: config).write(to: configURL)
        return folder
    }

    func testDuplicateOrEmptyClassNamesAreRefusedByEveryCommandThatLoadsTheModel() throws {
        let image = try TestImages.write(in: try TestPaths.temporaryDirectory(self))
        for names in [["", "", ""], ["a", "b", "a"]] {
            let folder = try model(labelNames: names)
            for command in [["predict", "--image", image.path], ["explain", "--image", image.path, "--method", "attention-rollout"],
                            ["inspect"], ["conservation", "--image", image.path]] {
                try assertOneLineError(command + ["--model", folder.path], mentions: ["config.json"])
            }
        }
    }

    func testAbsurdSizesAreBoundedWithTheLimitStated() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let image = try TestImages.write(in: directory)
        try assertOneLineError(["synth", "--out", directory.appendingPathComponent("s").path, "--size", "100000000"], mentions: ["4096"])
        for samples in ["9223372036854775807", "100000000000"] {
            try assertOneLineError(["explain", "--model", CLI.tinyModel, "--image", image.path, "--method", "lime", "--samples", samples],
                                   mentions: ["--samples", "100000"])
        }
        try assertOneLineError(["explain", "--model", CLI.tinyModel, "--image", image.path, "--method", "integrated-gradients",
                                "--steps", "100000000000"], mentions: ["--steps", "10000"])
    }
}

/// `train --init-from`: the refusals (its classes must be the data's; its architecture is its own).
final class CLITrainInitTests: XCTestCase {
    func testInitFromRefusesOtherClassesAndArchitectureOptions() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let data = directory.appendingPathComponent("data")
        try DatasetTestTrees.writeImages(data, ["train/A/a.png", "train/B/b.png", "val/A/c.png", "val/B/d.png"])
        let other = try CLI.run(["train", "--data", data.path, "--init-from", CLI.tinyModel, "--out", directory.appendingPathComponent("m").path])
        XCTAssertTrue(other.status > 0 && other.status < 128, other.stderr)
        XCTAssertTrue(other.stderr.contains("COVID-19, Non-COVID, Normal") && other.stderr.contains("A, B"), other.stderr)
        let both = try CLI.run(["train", "--data", data.path, "--init-from", CLI.tinyModel, "--depth", "3", "--out", directory.appendingPathComponent("n").path])
        XCTAssertTrue(both.status > 0 && both.stderr.contains("--init-from takes the architecture"), both.stderr)
    }
}

/// A model folder refused at load is one error line naming what is wrong; every refusal is
/// tested on `ClassifierModel.load` in VitRelModelTests (ClassifierModelFileTests).
final class CLIHostileConfigTests: XCTestCase {
    private func modelFolder(_ edit: (inout [String: Any]) -> Void, weights: ((inout Data) -> Void)? = nil) throws -> URL {
        try EditedModelFolder.make(from: URL(fileURLWithPath: CLI.tinyModel), for: self, config: edit, weights: weights)
    }

    private func assertRefused(_ folder: URL, mentions: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let run = try CLI.run(["inspect", "--model", folder.path])
        XCTAssertTrue(run.status > 0 && run.status < 128, "exit \(run.status): \(run.stderr)", file: file, line: line)
        XCTAssertEqual(run.errorLines.count, 1, run.stderr, file: file, line: line)
        for text in mentions { XCTAssertTrue(run.stderr.contains(text), "\"\(run.stderr)\" lacks \(text)", file: file, line: line) }
    }

    /// A NaN written over the first weight's first element (the header stays valid).
    func testNonFiniteWeightsAreRefusedNamingTheTensor() throws {
        let folder = try modelFolder({ _ in }, weights: EditedModelFolder.nanOverFirstWeight)
        try assertRefused(folder, mentions: ["tensor", "nan", "finite"])
    }
}

/// `--class-map`: data classes named otherwise than the model's are an error until mapped.
final class CLIClassMapTests: XCTestCase {
    func testUnknownDataClassIsAnErrorUntilMapped() throws {
        let data = try TestPaths.temporaryDirectory(self).appendingPathComponent("data")
        try DatasetTestTrees.writeImages(data, ["val/covid 19/a.png", "val/pneumonia/b.png", "val/Normal/c.png"])
        let unmapped = try CLI.run(["evaluate", "--model", CLI.tinyModel, "--data", data.path, "--split", "val"])
        XCTAssertTrue(unmapped.status > 0 && unmapped.status < 128)
        XCTAssertTrue(unmapped.stderr.contains("unknown class \"pneumonia\""), unmapped.stderr)
        let mapped = try CLI.run(["evaluate", "--model", CLI.tinyModel, "--data", data.path, "--split", "val", "--json",
                                  "--class-map", "pneumonia=Non-COVID"])
        XCTAssertEqual(mapped.status, 0, mapped.stderr)
        let report = try CLI.json(Data(mapped.stdout.utf8))
        XCTAssertEqual((report["classes"] as? [[String: Any]])?.map { $0["support"] as? Int }, [1, 1, 1], "the map reached the dataset")
        let bad = try CLI.run(["evaluate", "--model", CLI.tinyModel, "--data", data.path, "--split", "val", "--class-map", "pneumonia"])
        XCTAssertTrue(bad.status > 0 && bad.stderr.contains("--class-map"), bad.stderr)
    }
}

/// `vitrel convert`: what it prints, and never over an existing model (the F16 folder itself
/// is tested on `ClassifierModel.write(timmFolder:storage:)` in VitRelModelTests).
final class CLIConvertTests: XCTestCase {
    func testConvertWritesAnF16FolderAndRefusesToOverwriteOne() throws {
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("half")
        let run = try CLI.run(["convert", "--model", CLI.tinyModel, "--dtype", "f16", "--out", out.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("largest logit change against the source"), run.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("model.safetensors").path))

        let again = try CLI.run(["convert", "--model", CLI.tinyModel, "--dtype", "f16", "--out", out.path])
        XCTAssertNotEqual(again.status, 0)
        XCTAssertTrue(again.stderr.contains("\(out.path)/model.safetensors: exists"), again.stderr)
        XCTAssertEqual(again.stderr.split(separator: "\n").count, 1, again.stderr)

        let bad = try CLI.run(["convert", "--model", CLI.tinyModel, "--dtype", "f8", "--out", out.path + "2"])
        XCTAssertEqual(bad.status, 64, bad.stderr)
    }
}
