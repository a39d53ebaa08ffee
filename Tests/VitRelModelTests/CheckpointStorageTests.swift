import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRelModel

/// Storing a model's weights as F16 or BF16 (`vitrel convert --dtype`): each weight is the
/// nearest narrow value (ties to even), the file halves, and a weight the type cannot hold is
/// refused rather than written as infinity.
final class CheckpointStorageTests: XCTestCase {
    func testF16StorageRoundsEachWeightAsTheHardwareConversionDoes() throws {
        let source = try ViTCheckpoint.load(from: TestPaths.fixture("checkpoints/timm_token"))
        let folder = try TestPaths.temporaryDirectory(self).appendingPathComponent("f16")
        try source.write(timmFolder: folder, storage: .float16)
        let file = try SafeTensors.read(folder.appendingPathComponent("model.safetensors"))
        XCTAssertTrue(file.entries.values.allSatisfy { $0.dtype == .float16 })
        let back = try ViTCheckpoint.load(from: folder)
        XCTAssertEqual(back.config, source.config)
        XCTAssertEqual(Set(back.weights.keys), Set(source.weights.keys))
        var moved = 0
        for (name, tensor) in source.weights {
            // Swift's Float16 initialiser rounds to nearest even in hardware (F16C): an
            // independent reference for the writer's bit arithmetic.
            let expected = tensor.scalars.map { Float(Float16($0)) }
            XCTAssertEqual(back.weights[name]?.scalars, expected, name)
            moved += zip(expected, tensor.scalars).filter { $0 != $1 }.count
        }
        XCTAssertGreaterThan(moved, 1000, "random weights are not F16 values: the rounding is exercised")

        let f32 = try TestPaths.temporaryDirectory(self).appendingPathComponent("f32")
        try source.write(timmFolder: f32)
        let size = { (url: URL) in try XCTUnwrap(FileManager.default.attributesOfItem(atPath: url.appendingPathComponent("model.safetensors").path)[.size] as? Int) }
        let (narrow, wide) = (try size(folder), try size(f32))
        XCTAssertEqual(Double(narrow) / Double(wide), 0.5, accuracy: 0.02)
    }

    func testBF16StorageKeepsTheTopSixteenBitsRoundedToEven() throws {
        let source = try ViTCheckpoint.load(from: TestPaths.fixture("checkpoints/timm_token"))
        let folder = try TestPaths.temporaryDirectory(self).appendingPathComponent("bf16")
        try source.write(timmFolder: folder, storage: .bfloat16)
        let back = try ViTCheckpoint.load(from: folder)
        for (name, tensor) in source.weights {
            let expected = tensor.scalars.map { value -> Float in
                let bits = value.bitPattern
                let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)  // finite weights: no NaN case
                return Float(bitPattern: rounded & 0xFFFF_0000)
            }
            XCTAssertEqual(back.weights[name]?.scalars, expected, name)
        }
    }

    func testNarrowStorageRefusesAWeightBeyondItsRange() throws {
        var checkpoint = try ViTCheckpoint.load(from: TestPaths.fixture("checkpoints/timm_token"))
        var bias = try XCTUnwrap(checkpoint.weights["head.bias"])
        bias.scalars[1] = 70000
        checkpoint.weights["head.bias"] = bias
        let folder = try TestPaths.temporaryDirectory(self).appendingPathComponent("out")
        XCTAssertThrowsError(try checkpoint.write(timmFolder: folder, storage: .float16)) {
            XCTAssertEqual($0 as? CheckpointError, .unsupportedConfig(
                file: folder.appendingPathComponent("model.safetensors").path,
                detail: "tensor 'head.bias' holds 70000.0, beyond F16's largest finite value 65504.0; store it as F32"))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("model.safetensors").path))
        XCTAssertNoThrow(try checkpoint.write(timmFolder: folder, storage: .bfloat16))
    }

    /// The logit change `convert` prints: zero against itself, and for F16 storage of random
    /// weights small but not zero (the rounding reaches the logits).
    func testLogitChangeMeasuresTheStorageRounding() throws {
        let model = try ClassifierModel.load(from: TestPaths.fixture("checkpoints/timm_token"))
        XCTAssertEqual(try model.largestLogitChange(from: model, samples: 2, seed: 3).largestChange, 0)
        let folder = try TestPaths.temporaryDirectory(self).appendingPathComponent("f16")
        try model.write(timmFolder: folder, storage: .float16)
        let stored = try ClassifierModel.load(from: folder)
        let change = try stored.largestLogitChange(from: model, samples: 2, seed: 3)
        XCTAssertGreaterThan(change.largestChange, 0)
        XCTAssertLessThan(change.largestChange, 1e-2 * max(1, change.largestLogit))
    }
}
