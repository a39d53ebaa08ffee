import Foundation
import XCTest
@testable import VitRelExplain
import VitRelTestSupport

/// The timm ViT families (DINOv2 with and without registers, ViT-g/14's SwiGLU among them, DeiT,
/// distilled DeiT, DeiT-III)
/// run on a PNG against timm's own eval pipeline, and their relevance accounted for.
/// Fixtures: `Tools/make_family_fixtures.py` (Fixtures/families/).
final class ModelFamilyTests: XCTestCase {
    static let fixtures = ["dinov2", "dinov2_reg4", "deit", "deit_distilled", "deit3", "dinov2_giant", "dinov2_giant_reg4"]
    static func fixture(_ path: String) -> URL { TestPaths.fixture("families/" + path) }

    static func expected(_ name: String, _ file: String) throws -> [Float] {
        try XCTUnwrap(try NPY.read(fixture("\(name)/\(file).npy")).values(as: Float.self))
    }

    /// Inputs timm's eval transform made from the PNG, as [1, C, H, W].
    static func input(_ name: String) throws -> Tensor<Float> {
        let array = try NPY.read(fixture("\(name)/input.npy"))
        return Tensor(shape: array.shape, scalars: try XCTUnwrap(array.values(as: Float.self)))
    }

    func testFactoryNamesGiveEachFamilysArchitecture() throws {
        let dinov2 = try XCTUnwrap(ViTConfig.timmFamily(architecture: "vit_base_patch14_dinov2.lvd142m"))
        XCTAssertEqual([dinov2.patchSize, dinov2.imageHeight, dinov2.embedDimension, dinov2.prefixTokenCount], [14, 518, 768, 1])
        XCTAssertTrue(dinov2.layerScale && dinov2.positionEmbeddingCoversPrefix)
        let registers = try XCTUnwrap(ViTConfig.timmFamily(architecture: "vit_small_patch14_reg4_dinov2"))
        XCTAssertEqual([registers.registerTokenCount, registers.prefixTokenCount, registers.positionTokenCount], [4, 5, 37 * 37])
        XCTAssertFalse(registers.positionEmbeddingCoversPrefix)
        let distilled = try XCTUnwrap(ViTConfig.timmFamily(architecture: "deit_small_distilled_patch16_224"))
        XCTAssertEqual(distilled.readoutTokens, [0, 1])
        XCTAssertEqual(distilled.positionTokenCount, 2 + 196)
        let deit = try XCTUnwrap(ViTConfig.timmFamily(architecture: "deit_tiny_patch16_224"))
        XCTAssertEqual(deit, ViTConfig.timmFamily(architecture: "vit_tiny_patch16_224"), "DeiT is timm's plain ViT")
        let deit3 = try XCTUnwrap(ViTConfig.timmFamily(architecture: "deit3_medium_patch16_224"))
        XCTAssertEqual([deit3.embedDimension, deit3.headCount], [512, 8])
        XCTAssertTrue(deit3.layerScale && !deit3.positionEmbeddingCoversPrefix)
        for name in ["vit_giant_patch14_224", "vit_base_patch16_siglip_224", "deit_huge_patch16_224",
                     "vit_base_patch16_224_miil", "deit_base_distilled_patch16", "vit_small_patch14_reg8_dinov2"] {
            XCTAssertNil(ViTConfig.timmFamily(architecture: name), name)
        }
    }

    func testFamilyFoldersLoadWithTheirFeatures() throws {
        let features: [String: (layerScale: Bool, registers: Int, distilled: Bool, coversPrefix: Bool)] = [
            "dinov2": (true, 0, false, true), "dinov2_reg4": (true, 4, false, false), "deit": (false, 0, false, true),
            "deit_distilled": (false, 0, true, true), "deit3": (true, 0, false, false),
            "dinov2_giant": (true, 0, false, true), "dinov2_giant_reg4": (true, 4, false, false),
        ]
        for name in Self.fixtures {
            let config = try ClassifierModel.load(from: Self.fixture(name)).config
            let expected = try XCTUnwrap(features[name])
            XCTAssertEqual(config.layerScale, expected.layerScale, name)
            XCTAssertEqual(config.registerTokenCount, expected.registers, name)
            XCTAssertEqual(config.distillationToken, expected.distilled, name)
            XCTAssertEqual(config.positionEmbeddingCoversPrefix, expected.coversPrefix, name)
            XCTAssertEqual(config.classNames, ["COVID-19", "Non-COVID", "Normal"], name)
        }
        // dinov2_reg4's pos_embed is stored at its 3 × 3 training grid and run at 2 × 2.
        let registers = try ClassifierModel.load(from: Self.fixture("dinov2_reg4"))
        XCTAssertTrue(registers.network.positionGrid == (3, 3))
        XCTAssertEqual([registers.preprocessing.inputHeight, registers.preprocessing.inputWidth], [28, 28])
    }

    /// The acceptance test: vitrel on the PNG gives timm's logits (timm's
    /// resolve_data_config + create_transform + the eval-mode model on the same file).
    func testLogitsOnThePNGAreTimmsEvalPipelines() throws {
        let png = Self.fixture("xray_45x37.png")
        for name in Self.fixtures {
            try ReferenceLogits.assertMatch(
                try ClassifierModel.load(from: Self.fixture(name)), png: png, referenceInput: try Self.input(name),
                expected: try Self.expected(name, "logits"), name: name)
        }
    }

    /// chefer-lrp and attnlrp on every family: finite maps, patch-grid maps without the
    /// registers, and an AttnLRP ledger in which every leaf and every leak is counted.
    func testCheferAndAttnLRPAreFiniteAndTheLedgerAccountsForEveryLeak() throws {
        for name in Self.fixtures {
            let model = try ClassifierModel.load(from: Self.fixture(name))
            let images = try Self.input(name)
            let explainer = Explainer(model: model.network)
            let p = model.config.patchSize, grid = (images.shape[2] / p) * (images.shape[3] / p)
            let chefer = try explainer.explain(images, method: .cheferLRP)
            XCTAssertEqual(chefer.maps[0].values.count, grid, "\(name): patch tokens only")
            XCTAssertTrue(chefer.maps[0].values.allSatisfy(\.isFinite), name)
            XCTAssertGreaterThan(chefer.maps[0].values.map(abs).max()!, 0, name)

            let attnLRP = try explainer.explain(images, method: .attnLRP)
            XCTAssertEqual(attnLRP.maps[0].values.count, images.shape[2] * images.shape[3], name)
            XCTAssertTrue(attnLRP.maps[0].values.allSatisfy(\.isFinite), name)
            let ledger = try XCTUnwrap(attnLRP.ledgers?.first)
            let gaps = ledger.entries.reduce(0) { $0 + $1.gap }
            // Σ per-layer gaps telescopes to explained − leaves only if no leaf is missed.
            XCTAssertEqual(ledger.endToEndGap, gaps, accuracy: 1e-4 * abs(ledger.explainedOutput), name)
            XCTAssertEqual(
                ledger.endToEndGap, ledger.totalBiasAbsorbed + ledger.totalSoftmaxLeak + ledger.totalStabiliserLeak,
                accuracy: 1e-4 * abs(ledger.explainedOutput), name)
            XCTAssertEqual(ledger.registerTokens != 0, model.config.registerTokenCount > 0, name)
            XCTAssertEqual(ledger.distillationToken != 0, model.config.distillationToken, name)
            XCTAssertEqual(ledger.entries.contains { $0.layer == "blocks.0.ls1" }, model.config.layerScale, name)
        }
    }

    /// In Float64 with ε = 0: each layer's gap is exactly its biases' and softmax's share,
    /// and the end-to-end gap is their sum (no unaccounted leak), on every family fixture.
    func testEveryLeakIsAccountedBySourceOnEveryFamilyInFloat64() throws {
        for name in Self.fixtures {
            let loaded = try ClassifierModel.load(from: Self.fixture(name))
            let model = VisionTransformer<Double>(converting: loaded.network)
            let trace = try model.forward(Tensor<Double>(try Self.input(name)))
            for target in 0..<3 {
                let ledger = LeakAccounting.zeroEpsilonAttnLRPLedger(model, trace: trace, target: target)
                LeakAccounting.assertEveryLeakHasASource(ledger, name)
            }
        }
    }

    /// LRP-0 with biases zeroed and constant attention (the lrp0 set): the LayerScales, the
    /// distillation average, the registers and the patch-only position embedding all pass on
    /// exactly what they receive, and Σ(pixels, CLS, distillation, registers, position) = logit.
    func testFamilyFeaturesConservePerLayerAndEndToEnd() throws {
        var model = TinyViT.model(seed: 31, family: TinyViT.familyFeatures)
        model.forEachParameter { name, tensor in
            if name.hasSuffix(".bias") { tensor = Tensor(zeros: tensor.shape) }
        }
        let images = TinyViT.randomTensor([2, 3, 8, 12], seed: 32)
        let trace = try model.forward(images)
        for target in 0..<3 {
            var seed = Tensor<Double>(zeros: [2, 3])
            for b in 0..<2 { seed.scalars[b * 3 + target] = trace.logits.scalars[b * 3 + target] }
            let pass = model.relevance(seed, trace: trace, rules: .lrp0)
            let ledger = pass.ledger
            for entry in ledger.entries { XCTAssertEqual(entry.gap, 0, accuracy: 1e-10, entry.layer) }
            for layer in ["head.average", "head", "head_dist", "blocks.0.ls1", "blocks.0.ls2", "blocks.1.ls1", "blocks.1.ls2"] {
                XCTAssertTrue(ledger.entries.contains { $0.layer == layer }, layer)
            }
            XCTAssertEqual(ledger.leaves, seed.sum(), accuracy: 1e-10)
            XCTAssertEqual(
                pass.pixels!.sum() + ledger.classToken + ledger.distillationToken + ledger.registerTokens + ledger.positionEmbedding,
                seed.sum(), accuracy: 1e-10)
            XCTAssertNotEqual(ledger.distillationToken, 0)
            XCTAssertNotEqual(ledger.registerTokens, 0)
        }
    }

    /// LayerScale's rule on its own: R_in = R_out per channel, exactly (a diagonal map
    /// without bias), and the block ledger's ls entries have zero gap under every rule set.
    func testLayerScaleRuleConservesPerChannel() throws {
        let gamma = Tensor<Double>(shape: [5], scalars: [0.3, -2, 1e-7, 0, 4])
        let layer = LayerScale(gamma: gamma)
        let r = TinyViT.randomTensor([3, 5], seed: 40).scalars
        XCTAssertEqual(layer.relevance(r), r)
        // It is the z-rule of y = γ ⊙ x wherever z ≠ 0: x γ R / z = R.
        let x = TinyViT.randomTensor([3, 5], seed: 41).scalars
        let z = layer.forward(x)
        for i in r.indices where z[i] != 0 { XCTAssertEqual(x[i] * gamma.scalars[i % 5] * r[i] / z[i], r[i], accuracy: 1e-12) }

        let model = TinyViT.model(seed: 42) { $0.layerScale = true }
        let images = TinyViT.randomTensor([1, 3, 8, 12], seed: 43)
        let trace = try model.forward(images)
        var seed = Tensor<Double>(zeros: [1, 3])
        seed.scalars[2] = trace.logits.scalars[2]
        for rules in [RelevanceRules.chefer, .attnLRP(epsilon: 1e-6), .cpLRP(epsilon: 1e-6, gamma: 0.25), .lrp0] {
            let entries = model.relevance(seed, trace: trace, rules: rules).ledger.entries.filter { $0.layer.hasSuffix(".ls1") || $0.layer.hasSuffix(".ls2") }
            XCTAssertEqual(entries.count, 4)
            for entry in entries { XCTAssertEqual(entry.gap, 0, entry.layer) }
        }
    }

    /// A family model written by vitrel as a timm folder reads back with the same logits.
    func testFamilyModelsRoundTripThroughATimmFolder() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vitrel-families-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["dinov2", "deit_distilled", "deit3"] {
            let checkpoint = try ViTCheckpoint.load(from: Self.fixture(name))
            let folder = directory.appendingPathComponent(name)
            try checkpoint.write(timmFolder: folder)
            let reread = try ClassifierModel.load(from: folder)
            let original = try ClassifierModel.load(from: Self.fixture(name))
            XCTAssertEqual(reread.config, original.config, name)
            let images = try Self.input(name)
            XCTAssertEqual(try reread.network.logits(images).scalars, try original.network.logits(images).scalars, name)
        }
    }

    /// Architectures outside the families stay a one-line error naming the file and the name.
    func testUnknownArchitecturesAreAOneLineError() throws {
        let directory = try EditedModelFolder.make(from: Self.fixture("deit"), for: self) { text in
            text.replacingOccurrences(of: "deit_tiny_patch16_224", with: "vit_base_patch16_siglip_224")
        }
        XCTAssertThrowsError(try ClassifierModel.load(from: directory)) { error in
            let message = "\(error)"
            XCTAssertFalse(message.contains("\n"), message)
            XCTAssertTrue(message.contains("vit_base_patch16_siglip_224"), message)
        }
    }
}
