import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRelModel

/// Writing timm folders: what vitrel writes reads back to the same checkpoint, and names an
/// architecture timm can build. (Whether timm itself loads it with the same logits is checked
/// by `Tools/make_checkpoint_fixtures.py --check-vitrel-folder`; set
/// VITREL_EXPORT_TIMM_FOLDERS=DIR to keep the folders these tests write for that check.)
final class CheckpointWritingTests: XCTestCase {
    static let fixtureNames = ["timm_token", "timm_nonsquare", "timm_avgpool", "timm_posresize", "hf_vit"]

    func testWrittenTimmFolderReadsBackToTheSameCheckpoint() throws {
        let output = try TestPaths.temporaryDirectory(self)
        for name in Self.fixtureNames {
            let source = try ViTCheckpoint.load(from: TestPaths.fixture("checkpoints/\(name)"))
            let folder = output.appendingPathComponent(name)
            try source.write(timmFolder: folder)
            try exportForTimmCheck(folder, name: name)
            let back = try ViTCheckpoint.load(from: folder)
            XCTAssertEqual(back.format, .timm, name)
            // A timm folder resamples its position table as timm does (antialiased), whatever
            // the source's rule: at the checkpoint's own grid nothing is resampled.
            var expected = source.config
            expected.positionInterpolation = .antialiasedBicubic
            XCTAssertEqual(back.config, expected, name)
            XCTAssertEqual(back.preprocessing, source.preprocessing, name)
            XCTAssertEqual(back.weights, source.weights, name)
            let file = try SafeTensors.read(folder.appendingPathComponent("model.safetensors"))
            XCTAssertTrue(file.entries.values.allSatisfy { $0.dtype == .float32 }, name)
            XCTAssertEqual(file.metadata, ["format": "pt"], name)
        }
    }

    /// The config.json keys timm reads: an architecture it has registered and model_args
    /// that spell out every dimension, so `create_model(architecture, **model_args)` builds
    /// this model whatever the factory's defaults.
    func testWrittenConfigSpellsOutEveryModelArgument() throws {
        let source = try ViTCheckpoint.load(from: TestPaths.fixture("checkpoints/hf_vit"))
        let folder = try TestPaths.temporaryDirectory(self)
        try source.write(timmFolder: folder)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("config.json"))) as? [String: Any])
        XCTAssertEqual(json["architecture"] as? String, "vit_base_patch16_224")
        XCTAssertEqual(json["label_names"] as? [String], CheckpointLoadingTests.labels)
        let arguments = try XCTUnwrap(json["model_args"] as? [String: Any])
        XCTAssertEqual(Set(arguments.keys), [
            "img_size", "patch_size", "in_chans", "embed_dim", "depth", "num_heads", "mlp_ratio", "qkv_bias",
            "class_token", "global_pool", "fc_norm", "num_classes",
        ])
        XCTAssertEqual(arguments["img_size"] as? [Int], [32, 32])
        XCTAssertEqual(arguments["embed_dim"] as? Int, 24)
        XCTAssertEqual(arguments["mlp_ratio"] as? Double, 2)
        XCTAssertEqual(arguments["global_pool"] as? String, "token")
        let pretrained = try XCTUnwrap(json["pretrained_cfg"] as? [String: Any])
        XCTAssertEqual(pretrained["crop_mode"] as? String, "squash")  // HF resizes without cropping
        XCTAssertEqual(pretrained["interpolation"] as? String, "bilinear")
        XCTAssertEqual(pretrained["input_size"] as? [Int], [3, 32, 32])
        let vitrel = try XCTUnwrap(json["vitrel"] as? [String: Any])
        XCTAssertEqual(vitrel["layer_norm_eps"] as? Double, 1e-12)
    }

    func testArchitectureNameIsTheRegisteredTimmNameOfTheDimensions() {
        let tiny = ViTConfig.timm(architecture: "vit_tiny_patch16_224", classCount: 3)!
        XCTAssertEqual(TimmConfigFile.architectureName(for: tiny), "vit_tiny_patch16_224")
        var base384 = ViTConfig.timm(architecture: "vit_base_patch32_384")!
        XCTAssertEqual(TimmConfigFile.architectureName(for: base384), "vit_base_patch32_384")
        base384.imageHeight = 128
        base384.imageWidth = 128
        XCTAssertEqual(TimmConfigFile.architectureName(for: base384), "vit_base_patch32_224")
        let small8 = ViTConfig.timm(architecture: "vit_small_patch8_224")!
        XCTAssertEqual(TimmConfigFile.architectureName(for: small8), "vit_small_patch8_224")
        // timm registers no tiny patch-8 ViT and no 20-layer base: the generic factory then.
        XCTAssertEqual(TimmConfigFile.architectureName(for: ViTConfig.timm(architecture: "vit_tiny_patch8_224")!), "vit_base_patch16_224")
        var deeper = ViTConfig.timm(architecture: "vit_base_patch16_224")!
        deeper.depth = 20
        XCTAssertEqual(TimmConfigFile.architectureName(for: deeper), "vit_base_patch16_224")
        for name in TimmConfigFile.registeredArchitectures {
            XCTAssertEqual(TimmConfigFile.architectureName(for: ViTConfig.timm(architecture: name)!), name)
        }
    }

    /// timm computes the MLP width as int(embed_dim * mlp_ratio) in doubles.
    func testMlpRatioGivesBackTheHiddenWidthInTimmArithmetic() {
        for width in 1...96 {
            for hidden in 1...400 {
                let ratio = TimmConfigFile.mlpRatio(hidden: hidden, width: width)
                XCTAssertEqual(Int(Double(width) * ratio), hidden, "\(hidden)/\(width)")
            }
        }
    }

    func testWriteRefusesWeightsThatDoNotFitTheConfig() throws {
        var checkpoint = try ViTCheckpoint.load(from: TestPaths.fixture("checkpoints/timm_token"))
        let folder = try TestPaths.temporaryDirectory(self).appendingPathComponent("out")
        let weightsPath = folder.appendingPathComponent("model.safetensors").path
        checkpoint.weights["head.bias"] = nil
        XCTAssertThrowsError(try checkpoint.write(timmFolder: folder)) {
            XCTAssertEqual($0 as? CheckpointError, .missingTensors(file: weightsPath, names: ["head.bias"]))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path))

        // A square pos_embed of another grid loads, but timm's load_state_dict would refuse it.
        checkpoint = try ViTCheckpoint.load(from: TestPaths.fixture("checkpoints/timm_token"))
        checkpoint.config.imageHeight = 48
        checkpoint.config.imageWidth = 48
        XCTAssertThrowsError(try checkpoint.write(timmFolder: folder)) {
            XCTAssertEqual($0 as? CheckpointError, .unsupportedConfig(
                file: weightsPath, detail: "pos_embed grid 4x4 differs from the image grid 6x6; timm would not load it"))
        }
    }

    func testPreprocessingOfAnotherSizeIsWrittenAsDynamicInput() throws {
        let source = try ViTCheckpoint.load(from: TestPaths.fixture("checkpoints/timm_posresize"))
        let folder = try TestPaths.temporaryDirectory(self)
        try source.write(timmFolder: folder)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("config.json"))) as? [String: Any])
        XCTAssertEqual((json["model_args"] as? [String: Any])?["dynamic_img_size"] as? Bool, true)
        XCTAssertEqual((json["pretrained_cfg"] as? [String: Any])?["fixed_input_size"] as? Bool, false)
        XCTAssertEqual((json["pretrained_cfg"] as? [String: Any])?["input_size"] as? [Int], [3, 48, 48])
    }

    /// With VITREL_EXPORT_TIMM_FOLDERS=DIR, keeps a copy in DIR/<fixture> for the Python check.
    private func exportForTimmCheck(_ folder: URL, name: String) throws {
        guard let root = ProcessInfo.processInfo.environment["VITREL_EXPORT_TIMM_FOLDERS"], !root.isEmpty else { return }
        let destination = URL(fileURLWithPath: root).appendingPathComponent(name)
        try? FileManager.default.removeItem(at: destination)
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: folder, to: destination)
    }
}
