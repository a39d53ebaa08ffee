import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRelModel

/// Loading timm and Hugging Face folders (fixtures from Tools/make_checkpoint_fixtures.py):
/// every config field, the key renaming, and the errors for broken folders.
final class CheckpointLoadingTests: XCTestCase {
    static let labels = ["COVID-19", "Non-COVID", "Normal"]

    private func fixture(_ name: String) -> URL { TestPaths.fixture("checkpoints/\(name)") }

    // MARK: timm folders

    func testTimmTokenFolderLoadsWithEveryConfigField() throws {
        let checkpoint = try ViTCheckpoint.load(from: fixture("timm_token"))
        XCTAssertEqual(checkpoint.format, .timm)
        XCTAssertEqual(checkpoint.directory, fixture("timm_token"))
        XCTAssertEqual(checkpoint.config, ViTConfig(
            imageHeight: 32, imageWidth: 32, patchSize: 8, channels: 3, embedDimension: 24, depth: 2, headCount: 3,
            mlpHiddenDimension: 96, classCount: 3, qkvBias: true, classToken: true, pooling: .token,
            normAfterPooling: false, layerNormEpsilon: 1e-6, finalNormEpsilon: 1e-6, classNames: Self.labels))
        XCTAssertEqual(checkpoint.preprocessing, Preprocessing(
            inputHeight: 32, inputWidth: 32, interpolation: .bicubic, resizeMode: .resizeThenCenterCrop,
            cropPercent: 0.9, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5]))
        XCTAssertTrue(checkpoint.positionEmbeddingGrid == (4, 4))
        // The weights are the file's tensors, all of them, unchanged.
        let raw = try SafeTensors.read(fixture("timm_token/model.safetensors")).tensors(as: Float.self)
        XCTAssertEqual(checkpoint.weights, raw)
        XCTAssertEqual(checkpoint.weights.count, 4 + 2 * 12 + 4)
        XCTAssertEqual(checkpoint.weights["blocks.1.attn.qkv.weight"]?.shape, [72, 24])
        XCTAssertEqual(checkpoint.weights["pos_embed"]?.shape, [1, 17, 24])
    }

    /// The example config.json of docs/checkpoints.md: architecture defaults + model_args.
    func testSpecExampleTimmConfigReadsAsDocumented() throws {
        let text = """
            {"architecture": "vit_tiny_patch16_224", "num_classes": 3, "num_features": 192,
             "global_pool": "token", "label_names": ["COVID-19", "Non-COVID", "Normal"],
             "model_args": {"num_classes": 3, "img_size": [128, 128], "in_chans": 3, "global_pool": "token"},
             "pretrained_cfg": {"input_size": [3, 128, 128], "interpolation": "bicubic", "crop_pct": 0.9,
               "crop_mode": "center", "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]}}
            """
        let members = try XCTUnwrap(JSONValue.parse(Data(text.utf8)).objectValue)
        let (config, preprocessing) = try TimmConfigFile.read(ConfigFields(file: "config.json", path: "", members: members))
        XCTAssertEqual(config, ViTConfig(
            imageHeight: 128, imageWidth: 128, patchSize: 16, channels: 3, embedDimension: 192, depth: 12, headCount: 3,
            mlpHiddenDimension: 768, classCount: 3, qkvBias: true, classToken: true, pooling: .token,
            normAfterPooling: false, layerNormEpsilon: 1e-6, finalNormEpsilon: 1e-6, classNames: Self.labels))
        XCTAssertEqual(preprocessing, Preprocessing(
            inputHeight: 128, inputWidth: 128, interpolation: .bicubic, resizeMode: .resizeThenCenterCrop, cropPercent: 0.9))
        XCTAssertEqual(TimmKeyMap.expectedShapes(for: config).count, 4 + 12 * 12 + 4)
    }

    /// timm_nonsquare, timm_avgpool and timm_posresize share timm_token's preprocessing
    /// (vit_tiny_patch16_224's pretrained_cfg) except for their input sizes.
    private func timmPreprocessing(height: Int, width: Int) -> Preprocessing {
        Preprocessing(
            inputHeight: height, inputWidth: width, interpolation: .bicubic, resizeMode: .resizeThenCenterCrop,
            cropPercent: 0.9, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])
    }

    func testTimmNonSquareFolderKeepsHeightAndWidthApart() throws {
        let checkpoint = try ViTCheckpoint.load(from: fixture("timm_nonsquare"))
        XCTAssertEqual(checkpoint.config, ViTConfig(
            imageHeight: 32, imageWidth: 48, patchSize: 8, channels: 3, embedDimension: 16, depth: 2, headCount: 2,
            mlpHiddenDimension: 64, classCount: 3, qkvBias: true, classToken: true, pooling: .token,
            normAfterPooling: false, layerNormEpsilon: 1e-6, finalNormEpsilon: 1e-6, classNames: Self.labels))
        XCTAssertEqual([checkpoint.config.gridHeight, checkpoint.config.gridWidth], [4, 6])
        XCTAssertEqual(checkpoint.preprocessing, timmPreprocessing(height: 32, width: 48))
        XCTAssertEqual(checkpoint.weights["pos_embed"]?.shape, [1, 25, 16])
        XCTAssertTrue(checkpoint.positionEmbeddingGrid == (4, 6))
    }

    func testTimmAveragePoolFolderUsesFcNormAndItsMlpRatio() throws {
        let checkpoint = try ViTCheckpoint.load(from: fixture("timm_avgpool"))
        XCTAssertEqual(checkpoint.config, ViTConfig(
            imageHeight: 32, imageWidth: 32, patchSize: 8, channels: 3, embedDimension: 16, depth: 2, headCount: 4,
            mlpHiddenDimension: 48, classCount: 3, qkvBias: true, classToken: true, pooling: .average,
            normAfterPooling: true, layerNormEpsilon: 1e-6, finalNormEpsilon: 1e-6, classNames: Self.labels))
        XCTAssertEqual(checkpoint.preprocessing, timmPreprocessing(height: 32, width: 32))
        XCTAssertNotNil(checkpoint.weights["fc_norm.weight"])
        XCTAssertNil(checkpoint.weights["norm.weight"])
        XCTAssertEqual(checkpoint.weights["blocks.0.mlp.fc1.weight"]?.shape, [48, 16])
    }

    func testTimmPositionResizeFolderKeepsItsGridAndTheLargerInput() throws {
        let checkpoint = try ViTCheckpoint.load(from: fixture("timm_posresize"))
        XCTAssertEqual(checkpoint.config, ViTConfig(
            imageHeight: 32, imageWidth: 32, patchSize: 8, channels: 3, embedDimension: 16, depth: 2, headCount: 2,
            mlpHiddenDimension: 64, classCount: 3, qkvBias: true, classToken: true, pooling: .token,
            normAfterPooling: false, layerNormEpsilon: 1e-6, finalNormEpsilon: 1e-6, classNames: Self.labels))
        XCTAssertEqual(checkpoint.preprocessing, timmPreprocessing(height: 48, width: 48))
        XCTAssertTrue(checkpoint.positionEmbeddingGrid == (4, 4))
        let resampled = try NPY.read(fixture("timm_posresize/pos_embed_resampled.npy")).tensor(of: Float.self)
        XCTAssertEqual(resampled.shape, [1, 1 + 6 * 6, 16])
        // timm keeps the CLS entry when it resamples the grid.
        XCTAssertEqual(Array(resampled.scalars.prefix(16)), Array(checkpoint.weights["pos_embed"]!.scalars.prefix(16)))
    }

    /// input.npy matches what the loaded preprocessing produces and logits.npy has one row per
    /// input and one column per class: the parity tests can rely on both.
    func testFixtureInputsAndLogitsMatchTheLoadedConfigs() throws {
        for name in ["timm_token", "timm_nonsquare", "timm_avgpool", "timm_posresize", "hf_vit"] {
            let checkpoint = try ViTCheckpoint.load(from: fixture(name))
            let input = try NPY.read(fixture("\(name)/input.npy")).tensor(of: Float.self)
            let logits = try NPY.read(fixture("\(name)/logits.npy")).tensor(of: Float.self)
            let p = checkpoint.preprocessing
            XCTAssertEqual(input.shape, [2, checkpoint.config.channels, p.inputHeight, p.inputWidth], name)
            XCTAssertEqual(logits.shape, [2, checkpoint.config.classCount], name)
            XCTAssertTrue(logits.scalars.allSatisfy(\.isFinite), name)
        }
    }

    /// Half-precision weights load like F32 ones (timm_avgpool's weights are exact in both).
    func testHalfPrecisionTimmFolderLoadsToTheSameWeights() throws {
        let reference = try ViTCheckpoint.load(from: fixture("timm_avgpool"))
        for tag in ["f16", "bf16"] {
            let folder = try copyFixture("timm_avgpool")
            try FileManager.default.removeItem(at: folder.appendingPathComponent("model.safetensors"))
            try FileManager.default.copyItem(
                at: fixture("dtypes/timm_avgpool_\(tag).safetensors"), to: folder.appendingPathComponent("model.safetensors"))
            let checkpoint = try ViTCheckpoint.load(from: folder)
            XCTAssertEqual(checkpoint.config, reference.config, tag)
            XCTAssertEqual(checkpoint.weights, reference.weights, tag)
        }
    }

    // MARK: Hugging Face folders

    func testHuggingFaceFolderLoadsWithEveryConfigField() throws {
        let checkpoint = try ViTCheckpoint.load(from: fixture("hf_vit"))
        XCTAssertEqual(checkpoint.format, .huggingFace)
        // transformers' ViTEmbeddings.interpolate_pos_encoding: PyTorch's plain bicubic.
        var expected = ViTConfig(
            imageHeight: 32, imageWidth: 32, patchSize: 8, channels: 3, embedDimension: 24, depth: 2, headCount: 3,
            mlpHiddenDimension: 48, classCount: 3, qkvBias: true, classToken: true, pooling: .token,
            normAfterPooling: false, layerNormEpsilon: 1e-12, finalNormEpsilon: 1e-12, classNames: Self.labels)
        expected.positionInterpolation = .bicubic
        XCTAssertEqual(checkpoint.config, expected)
        XCTAssertEqual(checkpoint.preprocessing, Preprocessing(
            inputHeight: 32, inputWidth: 32, interpolation: .bilinear, resizeMode: .exact, cropPercent: 1,
            mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]))
        XCTAssertEqual(
            Set(checkpoint.weights.keys), Set(TimmKeyMap.expectedShapes(for: checkpoint.config).map(\.key)))
        for (key, shape) in TimmKeyMap.expectedShapes(for: checkpoint.config) {
            XCTAssertEqual(checkpoint.weights[key]?.shape, shape, key)
        }
    }

    /// qkv rows are query | key | value, each tensor as the HF file stores it.
    func testHuggingFaceQueryKeyValueAreStackedIntoTimmQkv() throws {
        let checkpoint = try ViTCheckpoint.load(from: fixture("hf_vit"))
        let raw = try SafeTensors.read(fixture("hf_vit/model.safetensors"))
        for layer in 0..<2 {
            for leaf in ["weight", "bias"] {
                let parts = try ["query", "key", "value"].map {
                    try raw.tensor("vit.encoder.layer.\(layer).attention.attention.\($0).\(leaf)")
                }
                let qkv = try XCTUnwrap(checkpoint.weights["blocks.\(layer).attn.qkv.\(leaf)"])
                XCTAssertEqual(qkv.shape, [72] + parts[0].shape.dropFirst())
                XCTAssertEqual(qkv.scalars, parts[0].scalars + parts[1].scalars + parts[2].scalars)
                XCTAssertNotEqual(parts[0].scalars, parts[1].scalars)  // distinct, so order is tested
            }
        }
    }

    func testHuggingFaceTensorsAreRenamedOneToOne() throws {
        let checkpoint = try ViTCheckpoint.load(from: fixture("hf_vit"))
        let raw = try SafeTensors.read(fixture("hf_vit/model.safetensors"))
        let pairs = [
            ("cls_token", "vit.embeddings.cls_token"),
            ("pos_embed", "vit.embeddings.position_embeddings"),
            ("patch_embed.proj.weight", "vit.embeddings.patch_embeddings.projection.weight"),
            ("blocks.1.norm1.bias", "vit.encoder.layer.1.layernorm_before.bias"),
            ("blocks.1.attn.proj.weight", "vit.encoder.layer.1.attention.output.dense.weight"),
            ("blocks.0.norm2.weight", "vit.encoder.layer.0.layernorm_after.weight"),
            ("blocks.0.mlp.fc1.weight", "vit.encoder.layer.0.intermediate.dense.weight"),
            ("blocks.0.mlp.fc2.bias", "vit.encoder.layer.0.output.dense.bias"),
            ("norm.weight", "vit.layernorm.weight"),
            ("head.weight", "classifier.weight"),
            ("head.bias", "classifier.bias"),
        ]
        for (timm, hf) in pairs {
            XCTAssertEqual(checkpoint.weights[timm], try raw.tensor(hf), timm)
        }
    }

    func testHuggingFaceRescaleAndNormaliseFoldIntoMeanAndStd() throws {
        let folder = try copyFixture("hf_vit")
        try editJSON(folder.appendingPathComponent("preprocessor_config.json")) {
            $0["do_normalize"] = false
            $0["resample"] = 3
            $0["size"] = ["shortest_edge": 40]
        }
        var checkpoint = try ViTCheckpoint.load(from: folder)
        XCTAssertEqual(checkpoint.preprocessing, Preprocessing(
            inputHeight: 40, inputWidth: 40, interpolation: .bicubic, resizeMode: .shortestEdgeThenCenterCrop,
            cropPercent: 1, mean: [0, 0, 0], std: [1, 1, 1], resizeHeight: 40))
        // Without rescaling, the processor normalises bytes 0...255: (255x − m) / s.
        try editJSON(folder.appendingPathComponent("preprocessor_config.json")) {
            $0["do_normalize"] = true
            $0["do_rescale"] = false
            $0["image_mean"] = [127.5, 127.5, 127.5]
            $0["image_std"] = [51, 51, 51]
        }
        checkpoint = try ViTCheckpoint.load(from: folder)
        XCTAssertEqual(checkpoint.preprocessing.mean, [0.5, 0.5, 0.5])
        XCTAssertEqual(checkpoint.preprocessing.std, [0.2, 0.2, 0.2])
    }

    // MARK: Broken folders

    func testFolderWithoutConfigOrWeightsNamesTheMissingFile() throws {
        let folder = try copyFixture("timm_token")
        try FileManager.default.removeItem(at: folder.appendingPathComponent("model.safetensors"))
        assertLoadError(folder, .missingFile(directory: folder.path, name: "model.safetensors", hint: nil))
        try Data("{}".utf8).write(to: folder.appendingPathComponent("model.safetensors.index.json"))
        assertLoadError(folder, .missingFile(
            directory: folder.path, name: "model.safetensors",
            hint: "sharded checkpoints are not supported; merge the shards into one model.safetensors"))
        try FileManager.default.removeItem(at: folder.appendingPathComponent("config.json"))
        assertLoadError(folder, .missingFile(directory: folder.path, name: "config.json", hint: nil))

        let hf = try copyFixture("hf_vit")
        try FileManager.default.removeItem(at: hf.appendingPathComponent("preprocessor_config.json"))
        assertLoadError(hf, .missingFile(directory: hf.path, name: "preprocessor_config.json", hint: nil))

        let absent = folder.appendingPathComponent("absent")
        assertLoadError(absent, .unreadable(file: absent.path, reason: "not a folder"))
    }

    func testUnknownArchitectureAndUnsupportedArgumentsAreNamed() throws {
        let folder = try copyFixture("timm_token")
        let config = folder.appendingPathComponent("config.json")
        // (DeiT, DeiT-III, DINOv2 with ViT-g/14's SwiGLU, and CLIP are families vitrel reads:
        // ModelFamilyTests, ClipFamilyTests, SwiGLUFamilyTests. The plain ViT-g, 1408 wide, is not.)
        for name in ["vit_giant_patch14_224", "vit_base_patch16_siglip_224", "vit_huge_patch14_224", "vit_base_patch16_224_miil"] {
            try editJSON(config) { $0["architecture"] = name }
            assertLoadError(folder, .unknownArchitecture(file: config.path, name: name))
        }
        // A pretrained tag after the dot names weights, not a shape.
        try editJSON(config) { $0["architecture"] = "vit_tiny_patch16_224.augreg_in21k" }
        XCTAssertEqual(try ViTCheckpoint.load(from: folder).config.embedDimension, 24)

        try editJSON(config) { Self.set(&$0, "model_args", "scale_attn_norm", true) }
        assertLoadError(folder, .unsupportedConfig(file: config.path, detail: "model_args.scale_attn_norm = true (vitrel implements the default false)"))
        // qk_norm is read now; a file without q_norm and k_norm is then missing them.
        try editJSON(config) { Self.remove(&$0, "model_args", "scale_attn_norm"); Self.set(&$0, "model_args", "qk_norm", true) }
        let weights = folder.appendingPathComponent("model.safetensors").path
        assertLoadError(folder, .missingTensors(file: weights, names: (0..<2).flatMap { block in
            ["q_norm.weight", "q_norm.bias", "k_norm.weight", "k_norm.bias"].map { "blocks.\(block).attn.\($0)" }
        }))
        // Registers are read now; a file without them is then missing a tensor.
        try editJSON(config) { Self.remove(&$0, "model_args", "qk_norm"); Self.set(&$0, "model_args", "reg_tokens", 4) }
        assertLoadError(folder, .missingTensors(file: weights, names: ["reg_token"]))
        try editJSON(config) { Self.set(&$0, "model_args", "reg_tokens", 0); Self.set(&$0, "model_args", "global_pool", "map") }
        assertLoadError(folder, .unsupportedConfig(file: config.path, detail: "global_pool 'map' (vitrel implements 'token' and 'avg')"))
        try editJSON(config) { Self.set(&$0, "model_args", "global_pool", "token"); Self.set(&$0, "model_args", "block_fn", "ParallelBlock") }
        assertLoadError(folder, .unsupportedConfig(file: config.path, detail: "model_args.block_fn is not a ViT argument vitrel knows"))
        try editJSON(config) { Self.remove(&$0, "model_args", "block_fn"); Self.set(&$0, "model_args", "drop_path_rate", 0.1) }
        XCTAssertNoThrow(try ViTCheckpoint.load(from: folder))  // training-only arguments are ignored
    }

    func testInconsistentClassInformationIsAnError() throws {
        let folder = try copyFixture("timm_token")
        let config = folder.appendingPathComponent("config.json")
        try editJSON(config) { $0["label_names"] = ["a", "b"] }
        assertLoadError(folder, .invalidConfig(file: config.path, detail: "label_names has 2 names for 3 classes"))
        try editJSON(config) { $0["label_names"] = ["0": "x", "1": "y", "2": "z"] }
        XCTAssertEqual(try ViTCheckpoint.load(from: folder).config.classNames, ["x", "y", "z"])
        try editJSON(config) { $0.removeValue(forKey: "label_names") }
        XCTAssertEqual(try ViTCheckpoint.load(from: folder).config.classNames, ["class_0", "class_1", "class_2"])
        try editJSON(config) { $0["num_classes"] = 4 }
        assertLoadError(folder, .invalidConfig(file: config.path, detail: "model_args.num_classes is 3 but num_classes is 4"))
        try editJSON(config) { $0["num_classes"] = 4; Self.set(&$0, "model_args", "num_classes", 4) }
        assertLoadError(folder, .wrongShape(
            file: folder.appendingPathComponent("model.safetensors").path, tensor: "head.weight", expected: [4, 24], found: [3, 24]))
        try editJSON(config) { Self.set(&$0, "model_args", "embed_dim", "24") }
        assertLoadError(folder, .invalidConfig(file: config.path, detail: "model_args.embed_dim is a string, expected an integer"))
    }

    func testMissingExtraAndMisshapenTimmTensorsAreNamed() throws {
        let folder = try copyFixture("timm_token")
        let weightsURL = folder.appendingPathComponent("model.safetensors")
        let original = try SafeTensors.read(weightsURL).tensors(as: Float.self)

        try rewrite(weightsURL, original.filter { $0.key != "blocks.1.norm2.bias" && $0.key != "head.bias" })
        assertLoadError(folder, .missingTensors(file: weightsURL.path, names: ["blocks.1.norm2.bias", "head.bias"]))

        var extra = original
        extra["blocks.0.ls1.gamma"] = Tensor(zeros: [24])
        try rewrite(weightsURL, extra)
        assertLoadError(folder, .unexpectedTensors(file: weightsURL.path, names: ["blocks.0.ls1.gamma"]))

        var misshapen = original
        misshapen["blocks.0.mlp.fc1.weight"] = Tensor(zeros: [95, 24])
        try rewrite(weightsURL, misshapen)
        assertLoadError(folder, .wrongShape(file: weightsURL.path, tensor: "blocks.0.mlp.fc1.weight", expected: [96, 24], found: [95, 24]))
    }

    /// pos_embed may hold a square grid other than the config's (the model resamples it), but
    /// not a grid whose size cannot be read as square.
    func testPositionEmbeddingMayHoldAnotherSquareGridOnly() throws {
        let folder = try copyFixture("timm_token")
        let config = folder.appendingPathComponent("config.json")
        try editJSON(config) { Self.set(&$0, "model_args", "img_size", [48, 48]) }
        let resized = try ViTCheckpoint.load(from: folder)
        XCTAssertEqual(resized.config.gridHeight, 6)
        XCTAssertTrue(resized.positionEmbeddingGrid == (4, 4))

        let nonSquare = try copyFixture("timm_nonsquare")
        let nonSquareConfig = nonSquare.appendingPathComponent("config.json")
        try editJSON(nonSquareConfig) { Self.set(&$0, "model_args", "img_size", [32, 32]) }
        assertLoadError(nonSquare, .wrongShape(
            file: nonSquare.appendingPathComponent("model.safetensors").path, tensor: "pos_embed", expected: [1, 17, 16], found: [1, 25, 16]))
    }

    func testHuggingFaceErrorsNameTheHuggingFaceKeys() throws {
        let folder = try copyFixture("hf_vit")
        let weightsURL = folder.appendingPathComponent("model.safetensors")
        let original = try SafeTensors.read(weightsURL).tensors(as: Float.self)

        try rewrite(weightsURL, original.filter { $0.key != "vit.encoder.layer.1.attention.attention.key.weight" })
        assertLoadError(folder, .missingTensors(file: weightsURL.path, names: ["vit.encoder.layer.1.attention.attention.key.weight"]))

        var extra = original
        extra["vit.pooler.dense.weight"] = Tensor(zeros: [24, 24])
        try rewrite(weightsURL, extra)
        assertLoadError(folder, .unexpectedTensors(file: weightsURL.path, names: ["vit.pooler.dense.weight"]))

        var misshapen = original
        misshapen["vit.encoder.layer.0.attention.attention.value.bias"] = Tensor(zeros: [23])
        try rewrite(weightsURL, misshapen)
        assertLoadError(folder, .wrongShape(
            file: weightsURL.path, tensor: "vit.encoder.layer.0.attention.attention.value.bias", expected: [24], found: [23]))

        try rewrite(weightsURL, original)
        let config = folder.appendingPathComponent("config.json")
        try editJSON(config) { $0["hidden_act"] = "gelu_new" }
        assertLoadError(folder, .unsupportedConfig(file: config.path, detail: "hidden_act 'gelu_new' (vitrel implements the exact erf 'gelu')"))
        try editJSON(config) { $0["hidden_act"] = "gelu"; $0["model_type"] = "beit" }
        assertLoadError(folder, .unsupportedConfig(
            file: config.path, detail: "model_type 'beit' (vitrel reads 'vit', 'deit', 'dinov2', 'dinov2_with_registers')"))
    }

    func testConfigThatIsNeitherTimmNorHuggingFaceIsNamed() throws {
        let folder = try copyFixture("timm_token")
        let config = folder.appendingPathComponent("config.json")
        try Data(#"{"hello": 1}"#.utf8).write(to: config)
        assertLoadError(folder, .invalidConfig(
            file: config.path, detail: "neither a timm config (no 'architecture') nor a Hugging Face one (no 'model_type')"))
        try Data("{not json".utf8).write(to: config)
        assertLoadError(folder, .invalidConfig(file: config.path, detail: "not valid JSON"))
    }

    /// Seeded random values (wrong types, negative, zero, huge) put into config fields:
    /// loading either succeeds or throws a one-line CheckpointError, never traps on an
    /// overflow or a negative count.
    func testSeededCorruptConfigsEitherLoadOrFailCleanly() throws {
        let values: [Any] = [
            0, -1, 1, 3, 24, 1 << 40, Int.max, 1e300, -1e300, 2.5, "x", true, NSNull(), [1, 2], [-1, 5], [Int.max, 2],
            ["0": "a"], [String: Any](), [Any](),
        ]
        var generator = SeededGenerator(seed: 11)
        for (name, fileName) in [("timm_token", "config.json"), ("hf_vit", "config.json"), ("hf_vit", "preprocessor_config.json")] {
            let folder = try copyFixture(name)
            let url = folder.appendingPathComponent(fileName)
            let original = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
            for _ in 0..<80 {
                var object = original
                for _ in 0..<(1 + Int(generator.next() % 2)) {
                    let keys = object.keys.sorted()
                    let key = keys[Int(generator.next() % UInt64(keys.count))]
                    let value = values[Int(generator.next() % UInt64(values.count))]
                    if var inner = object[key] as? [String: Any], !inner.isEmpty, generator.next() % 2 == 0 {
                        inner[inner.keys.sorted()[Int(generator.next() % UInt64(inner.count))]] = value
                        object[key] = inner
                    } else {
                        object[key] = value
                    }
                }
                try JSONSerialization.data(withJSONObject: object).write(to: url)
                do {
                    _ = try ViTCheckpoint.load(from: folder)
                } catch let error as CheckpointError {
                    XCTAssertTrue(error.description.hasPrefix(folder.path), error.description)
                    XCTAssertFalse(error.description.contains("\n"), error.description)
                }
            }
        }
    }

    // MARK: Helpers

    private func copyFixture(_ name: String) throws -> URL {
        let folder = try TestPaths.temporaryDirectory(self).appendingPathComponent(name)
        try FileManager.default.copyItem(at: fixture(name), to: folder)
        return folder
    }

    private func editJSON(_ url: URL, _ edit: (inout [String: Any]) -> Void) throws {
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        edit(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: url)
    }

    private static func set(_ object: inout [String: Any], _ section: String, _ key: String, _ value: Any) {
        var inner = object[section] as? [String: Any] ?? [:]
        inner[key] = value
        object[section] = inner
    }

    private static func remove(_ object: inout [String: Any], _ section: String, _ key: String) {
        var inner = object[section] as? [String: Any] ?? [:]
        inner.removeValue(forKey: key)
        object[section] = inner
    }

    private func rewrite(_ url: URL, _ tensors: [String: Tensor<Float>]) throws {
        try SafeTensors.write(tensors.map { (name: $0.key, tensor: $0.value) }, to: url)
    }

    private func assertLoadError(_ folder: URL, _ expected: CheckpointError, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ViTCheckpoint.load(from: folder), file: file, line: line) { error in
            XCTAssertEqual(error as? CheckpointError, expected, file: file, line: line)
            XCTAssertFalse("\(error)".contains("\n"), file: file, line: line)
        }
    }
}
