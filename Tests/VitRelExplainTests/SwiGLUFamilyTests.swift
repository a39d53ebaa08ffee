import Foundation
import XCTest
@testable import VitRelExplain
@testable import VitRelModel
import VitRelTestSupport

/// DINOv2 ViT-g/14's SwiGLU feed-forward (issue 15): timm's `vit_giant_patch14[_reg4]_dinov2`
/// names and folders, Hugging Face Dinov2 folders with `use_swiglu_ffn`, their round trips, and
/// the whole model's gradients and relevance with a SwiGLU MLP in every block. The PNG parity
/// (logits within 1e-5 of timm's and transformers'), chefer-lrp and attnlrp on the fixtures run
/// with the other families (`ModelFamilyTests`, `HuggingFaceFamilyTests`). Fixtures:
/// `Tools/make_family_fixtures.py` (families/dinov2_giant*) and
/// `Tools/make_hf_family_fixtures.py` (hf_families/hf_dinov2*_swiglu).
final class SwiGLUFamilyTests: XCTestCase {
    static let timmFixtures = ["dinov2_giant", "dinov2_giant_reg4"]
    static let huggingFaceFixtures = ["hf_dinov2_swiglu", "hf_dinov2_reg_swiglu"]

    static func input(_ path: String) throws -> Tensor<Float> {
        let array = try NPY.read(TestPaths.fixture(path))
        return Tensor(shape: array.shape, scalars: try XCTUnwrap(array.values(as: Float.self)))
    }

    // MARK: Names and folders

    func testGiantFactoryNamesGiveViTg14WithSwiGLU() throws {
        let giant = try XCTUnwrap(ViTConfig.timmFamily(architecture: "vit_giant_patch14_dinov2.lvd142m"))
        XCTAssertEqual(
            [giant.embedDimension, giant.depth, giant.headCount, giant.patchSize, giant.imageHeight, giant.mlpHiddenDimension, giant.mlpInnerDimension],
            [1536, 40, 24, 14, 518, 8192, 4096], "timm: fc1 1536 → 8192, fc2 4096 → 1536")
        XCTAssertEqual(giant.mlpKind, .swiGLU)
        XCTAssertEqual(giant.activation, .silu)
        XCTAssertTrue(giant.layerScale && giant.positionEmbeddingCoversPrefix)
        XCTAssertEqual(giant.mlpDescription, "SwiGLU 8192 → 4096 (SiLU gate)")
        let registers = try XCTUnwrap(ViTConfig.timmFamily(architecture: "vit_giant_patch14_reg4_dinov2"))
        XCTAssertEqual([registers.registerTokenCount, registers.mlpHiddenDimension], [4, 8192])
        XCTAssertFalse(registers.positionEmbeddingCoversPrefix)
        XCTAssertEqual(ViTConfig.timmMLPRatio(architecture: "vit_giant_patch14_dinov2"), 2.66667 * 2)
        XCTAssertEqual(ViTConfig.timmMLPRatio(architecture: "vit_small_patch14_dinov2"), 4)
        XCTAssertEqual(ViTConfig.timmFamily(architecture: "vit_base_patch14_dinov2")?.mlpKind, .mlp)
        XCTAssertEqual(ViTConfig.timmFamily(architecture: "vit_base_patch14_dinov2")?.mlpDescription, "GELU 3072")
        // The plain ViT-g (1408 wide, GELU MLP) and other giant names are not this family.
        for name in ["vit_giant_patch14_224", "vit_giant_patch16_dinov2", "vit_giant_patch14_reg8_dinov2", "vit_giant_patch14_518"] {
            XCTAssertNil(ViTConfig.timmFamily(architecture: name), name)
        }
    }

    /// The timm folders: the factory's mlp_ratio (not in model_args) gives fc1 int(24·5.33334)
    /// = 128 and fc2 64; the HF folders: hidden int(16·3) = 48, k = (int(48·2/3) + 7)//8·8 = 32.
    func testFoldersLoadWithTheSwiGLUMLP() throws {
        for name in Self.timmFixtures {
            let model = try ClassifierModel.load(from: TestPaths.fixture("families/" + name))
            XCTAssertEqual(model.format, .timm)
            XCTAssertEqual(model.config.mlpKind, .swiGLU, name)
            XCTAssertEqual([model.config.mlpHiddenDimension, model.config.mlpInnerDimension], [128, 64], name)
            XCTAssertEqual(model.network.blocks[1].mlp.kind, .swiGLU, name)
            XCTAssertEqual(model.network.blocks[1].mlp.fc2.weight.shape, [24, 64], name)
        }
        for name in Self.huggingFaceFixtures {
            let model = try ClassifierModel.load(from: TestPaths.fixture("hf_families/" + name))
            XCTAssertEqual(model.format, .huggingFace)
            XCTAssertEqual(model.config.mlpKind, .swiGLU, name)
            XCTAssertEqual(model.config.activation, .silu, name)
            XCTAssertEqual([model.config.mlpHiddenDimension, model.config.mlpInnerDimension], [64, 32], name)
            XCTAssertEqual(model.network.blocks[0].mlp.fc1.weight.shape, [64, 16], "weights_in, [gate_proj; up_proj]")
        }
    }

    /// Hugging Face's ViT-g/14 numbers: hidden 1536, mlp_ratio 4 → int(6144·2/3) = 4096, a
    /// multiple of 8 already, so `weights_in` is 1536 → 8192 as timm's fc1; hidden_act is
    /// ignored (facebook/dinov2-giant keeps "gelu" there).
    func testHuggingFaceGiantConfigGivesTimmsWidths() throws {
        let members: [String: JSONValue] = [
            "model_type": .string("dinov2"), "hidden_size": .number(1536), "num_hidden_layers": .number(40),
            "num_attention_heads": .number(24), "mlp_ratio": .number(4), "use_swiglu_ffn": .bool(true),
            "hidden_act": .string("gelu"), "image_size": .number(518), "patch_size": .number(14), "num_labels": .number(3),
        ]
        let fields = ConfigFields(file: "config.json", path: "", members: members)
        let config = try HuggingFaceConfig.config(fields, family: .dinov2, teacher: false, classifierRows: nil)
        XCTAssertEqual([config.mlpHiddenDimension, config.mlpInnerDimension], [8192, 4096])
        XCTAssertEqual(config.mlpKind, .swiGLU)
        // Widths whose two thirds are not a multiple of 8 (values from Python's
        // (int(int(w * 4) * 2 / 3) + 7) // 8 * 8): 160 → 106 → 112; 80 → 53 → 56; 48 → 32 → 32;
        // 40 → 26 → 32.
        var small = members
        for (width, k) in [(40, 112), (20, 56), (12, 32), (10, 32)] {
            small["hidden_size"] = .number(Double(width))
            small["num_attention_heads"] = .number(2)
            let config = try HuggingFaceConfig.config(
                ConfigFields(file: "config.json", path: "", members: small), family: .dinov2, teacher: false, classifierRows: nil)
            XCTAssertEqual(config.mlpInnerDimension, k, "width \(width)")
        }
    }

    /// A timm SwiGLU model written by vitrel reads back with the same config and logits; the
    /// config names the ViT-g/14 factory (the only one that builds SwiGLUPacked) and spells the
    /// widths, registers and act_layer out.
    func testTimmModelsRoundTripThroughATimmFolder() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vitrel-swiglu-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in Self.timmFixtures {
            let original = try ClassifierModel.load(from: TestPaths.fixture("families/" + name))
            let folder = directory.appendingPathComponent(name)
            try original.write(timmFolder: folder)
            let reread = try ClassifierModel.load(from: folder)
            XCTAssertEqual(reread.config, original.config, name)
            let images = try Self.input("families/\(name)/input.npy")
            XCTAssertEqual(try reread.network.logits(images).scalars, try original.network.logits(images).scalars, name)
            let json = try XCTUnwrap(JSONValue.parse(Data(contentsOf: folder.appendingPathComponent("config.json"))).objectValue)
            XCTAssertEqual(json["architecture"]?.stringValue, "vit_giant_patch14_dinov2", name)
            let arguments = try XCTUnwrap(json["model_args"]?.objectValue)
            XCTAssertEqual(arguments["act_layer"]?.stringValue, "silu", name)
        }
    }

    func load(_ fixture: String = "dinov2_giant", setting key: String, to value: String) throws -> ClassifierModel {
        let directory = try EditedModelFolder.make(from: TestPaths.fixture("families/" + fixture), for: self) { text in
            text.replacingOccurrences(of: "\"model_args\": {", with: "\"model_args\": {\n    \"\(key)\": \(value),")
        }
        return try ClassifierModel.load(from: directory)
    }

    /// act_layer on the giant factory is its gate: SiLU ("silu", "swish", any case) is read,
    /// anything else refused in one line; an mlp_ratio giving GluMlp an odd width is refused.
    func testGiantModelArgumentsAreHonouredOrRefused() throws {
        for spelling in ["\"silu\"", "\"SiLU\"", "\"swish\"", "null"] {
            XCTAssertEqual(try load(setting: "act_layer", to: spelling).config.mlpKind, .swiGLU, spelling)
        }
        XCTAssertEqual(try load(setting: "mlp_ratio", to: "5.33334").config.mlpHiddenDimension, 128)
        for (key, value, mentions) in [("act_layer", "\"gelu\"", "SiLU gate"), ("mlp_ratio", "5.3", "odd hidden width 127")] {
            XCTAssertThrowsError(try load(setting: key, to: value), key) { error in
                let message = "\(error)"
                XCTAssertFalse(message.contains("\n"), message)
                XCTAssertTrue(message.contains("config.json") && message.contains("model_args.\(key)"), message)
                XCTAssertTrue(message.contains(mentions), message)
            }
        }
        // A plain ViT still refuses the SiLU that only SwiGLU's gate uses.
        let plain = try EditedModelFolder.make(from: TestPaths.fixture("families/dinov2"), for: self) { text in
            text.replacingOccurrences(of: "\"model_args\": {", with: "\"model_args\": {\n    \"act_layer\": \"silu\",")
        }
        XCTAssertThrowsError(try ClassifierModel.load(from: plain))
    }

    // MARK: Inference paths

    /// The untraced pass (scratch buffers) gives the traced pass's bits in Float32, and the
    /// bf16 path (fc1 and fc2 in bfloat16, the gated product in Float) stays close to it.
    func testInferencePassIsTheTracedPassAndBF16StaysClose() throws {
        let model = try ClassifierModel.load(from: TestPaths.fixture("families/dinov2_giant_reg4"))
        let images = try Self.input("families/dinov2_giant_reg4/input.npy")
        var batch = images
        batch.scalars += images.scalars.reversed()
        batch.shape[0] = 2
        let untraced = try model.network.logits(batch).scalars
        XCTAssertEqual(untraced, try model.network.forward(batch).logits.scalars)
        guard BFloat16Matrix.isSupported else { return }
        var bf16 = model.network
        try bf16.setInferencePrecision(.bf16)
        let reduced = try bf16.logits(batch).scalars
        let scale = untraced.map(abs).max()!
        XCTAssertLessThan(zip(reduced, untraced).map { abs($0 - $1) }.max()! / scale, 0.05)
        XCTAssertNotEqual(reduced, untraced, "bf16 rounds fc1 and fc2")
    }

    // MARK: Whole model

    /// Every relevance rule set conserves through the SwiGLU blocks: with biases zeroed and
    /// ε = 0 each `blocks.N.mlp` entry has gap 0 (LRP-0, CP-LRP and AttnLRP rules; Chefer's
    /// structural rules with LRP-0 linear layers); with biases each entry's gap is exactly its
    /// bias share (AttnLRP at ε = 0), and the ledger's end-to-end gap is biases + softmax.
    func testEveryRuleSetConservesThroughSwiGLUBlocks() throws {
        let images = TinyViT.randomTensor([1, 3, 8, 12], seed: 82)
        for biases in [false, true] {
            let model = ConservationTests.model(biases: biases, seed: 81, family: TinyViT.swiGLUFeatures)
            let trace = try model.forward(images)
            var seed = Tensor<Double>(zeros: [1, 3])
            seed.scalars[2] = trace.logits.scalars[2]
            var chefer = RelevanceRules.chefer
            chefer.linear = .epsilon(0)
            chefer.head = .epsilon(0)
            chefer.stabiliser = 0
            for (name, rules) in [("lrp0", RelevanceRules.lrp0), ("cp-lrp", .cpLRP(epsilon: 0)), ("attnlrp", .attnLRP(epsilon: 0)), ("chefer", chefer)] {
                var rules = rules
                if case .linear = rules.patch { rules.patch = .linear(.epsilon(0)) }
                let ledger = model.relevance(seed, trace: trace, rules: rules).ledger
                let mlpEntries = ledger.entries.filter { $0.layer.hasSuffix(".mlp") }
                XCTAssertEqual(mlpEntries.count, 2, name)
                for entry in mlpEntries {
                    XCTAssertEqual(entry.stabiliserLeak, 0, accuracy: 1e-10, "\(name) biases \(biases) \(entry.layer)")
                    if !biases { XCTAssertEqual(entry.gap, 0, accuracy: 1e-10, "\(name) \(entry.layer)") }
                    if biases && name != "chefer" { XCTAssertNotEqual(entry.biasAbsorbed, 0, "\(name) \(entry.layer)") }
                }
                if !biases && name != "attnlrp" {
                    for entry in ledger.entries { XCTAssertEqual(entry.gap, 0, accuracy: 1e-10, "\(name) \(entry.layer)") }
                    XCTAssertEqual(ledger.leaves, ledger.explainedOutput, accuracy: 1e-10, name)
                }
                if name == "attnlrp" {
                    for entry in ledger.entries { XCTAssertEqual(entry.stabiliserLeak, 0, accuracy: 1e-9, entry.layer) }
                    XCTAssertEqual(ledger.endToEndGap, ledger.totalBiasAbsorbed + ledger.totalSoftmaxLeak, accuracy: 1e-9)
                }
            }
        }
    }

    /// The uniform and the constant-gate rule differ in what reaches the pixels (the gate's
    /// half goes through fc1's gate rows in one, not at all in the other), and both conserve.
    func testUniformAndConstantGateRulesGiveDifferentMaps() throws {
        let model = ConservationTests.model(biases: false, seed: 83, family: TinyViT.swiGLUFeatures)
        let trace = try model.forward(TinyViT.randomTensor([1, 3, 8, 12], seed: 84))
        var seed = Tensor<Double>(zeros: [1, 3])
        seed.scalars[0] = trace.logits.scalars[0]
        var uniform = RelevanceRules.lrp0
        uniform.gatedProduct = .uniform
        let constant = model.relevance(seed, trace: trace, rules: .lrp0)
        let halved = model.relevance(seed, trace: trace, rules: uniform)
        XCTAssertEqual(constant.ledger.leaves, halved.ledger.leaves, accuracy: 1e-10)
        let difference = zip(constant.pixels!.scalars, halved.pixels!.scalars).map { abs($0 - $1) }.max()!
        XCTAssertGreaterThan(difference, 1e-6)
    }

    /// On the four SwiGLU fixtures in Float64 with ε = 0: each layer's gap is exactly its bias
    /// and softmax share (AttnLRP), and Σ of the `.mlp` entries' gaps is their biases'.
    func testEveryLeakIsAccountedOnTheFixturesInFloat64() throws {
        let folders = Self.timmFixtures.map { "families/" + $0 } + Self.huggingFaceFixtures.map { "hf_families/" + $0 }
        for folder in folders {
            let loaded = try ClassifierModel.load(from: TestPaths.fixture(folder))
            let model = VisionTransformer<Double>(converting: loaded.network)
            let file = folder.hasPrefix("hf_") ? "pixel_values.npy" : "input.npy"
            let trace = try model.forward(Tensor<Double>(try Self.input("\(folder)/\(file)")))
            let ledger = LeakAccounting.zeroEpsilonAttnLRPLedger(model, trace: trace, target: 1)
            LeakAccounting.assertEveryLeakHasASource(ledger, folder)
        }
    }

    /// Every explanation method of the Explainer gives finite maps on a SwiGLU model.
    func testEveryMethodGivesFiniteMaps() throws {
        let model = try ClassifierModel.load(from: TestPaths.fixture("families/dinov2_giant"))
        let images = try Self.input("families/dinov2_giant/input.npy")
        let explainer = Explainer(model: model.network)
        for method in ExplanationMethod.allCases where method != .lime {
            let explanation = try explainer.explain(images, method: method)
            XCTAssertTrue(explanation.maps[0].values.allSatisfy(\.isFinite), "\(method)")
        }
    }
}
