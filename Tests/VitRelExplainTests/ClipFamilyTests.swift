import Foundation
import XCTest
@testable import VitRelExplain
@testable import VitRelModel
import VitRelTestSupport

/// timm's CLIP ViTs (pre_norm's `norm_pre`, LayerNorm ε 1e-5, QuickGELU) and `qk_norm` run on
/// a PNG against timm's own eval pipeline, their layers checked against finite differences and
/// their relevance rules for conservation. Fixtures: `Tools/make_clip_family_fixtures.py`
/// (Fixtures/families_clip/).
final class ClipFamilyTests: XCTestCase {
    static let fixtures = ["clip_quickgelu", "clip", "qk_norm"]
    static func fixture(_ path: String) -> URL { TestPaths.fixture("families_clip/" + path) }

    static func input(_ name: String) throws -> Tensor<Float> {
        let array = try NPY.read(fixture("\(name)/input.npy"))
        return Tensor(shape: array.shape, scalars: try XCTUnwrap(array.values(as: Float.self)))
    }

    // MARK: Names and folders

    func testCLIPFactoryNamesGiveTheCLIPTowers() throws {
        let base = try XCTUnwrap(ViTConfig.timmFamily(architecture: "vit_base_patch16_clip_224.openai"))
        XCTAssertEqual([base.patchSize, base.imageHeight, base.embedDimension, base.depth, base.headCount], [16, 224, 768, 12, 12])
        XCTAssertTrue(base.preNorm)
        XCTAssertEqual(base.activation, .gelu)
        XCTAssertEqual([base.layerNormEpsilon, base.finalNormEpsilon], [1e-5, 1e-5])
        XCTAssertFalse(base.queryKeyNorm || base.layerScale)
        let large = try XCTUnwrap(ViTConfig.timmFamily(architecture: "vit_large_patch14_clip_quickgelu_336"))
        XCTAssertEqual([large.patchSize, large.imageHeight, large.embedDimension, large.depth, large.headCount], [14, 336, 1024, 24, 16])
        XCTAssertEqual(large.activation, .quickGELU)
        let huge = try XCTUnwrap(ViTConfig.timmFamily(architecture: "vit_huge_patch14_clip_378.dfn5b"))
        XCTAssertEqual([huge.embedDimension, huge.depth, huge.headCount, huge.imageHeight], [1280, 32, 16, 378])
        XCTAssertEqual(ViTConfig.timmFamily(architecture: "vit_base_patch32_clip_448")?.patchSize, 32)
        for name in ["vit_base_plus_patch16_clip_240", "vit_base_patch16_plus_240", "vit_small_patch16_clip_224",
                     "vit_base_patch16_clip", "vit_base_patch16_clip_quickgelu", "vit_base_patch8_clip_224",
                     "vit_base_patch16_clip_gelu_224", "vit_base_patch16_siglip_224"] {
            XCTAssertNil(ViTConfig.timmFamily(architecture: name), name)
        }
        // The factory's mlp_ratio, which a config.json overriding embed_dim alone keeps (timm
        // computes int(embed_dim · mlp_ratio) with the factory's 48/11 and 64/13).
        XCTAssertEqual(ViTConfig.timmMLPRatio(architecture: "vit_giant_patch14_clip_224"), 48.0 / 11.0)
        XCTAssertEqual(ViTConfig.timmMLPRatio(architecture: "vit_gigantic_patch14_clip_224"), 64.0 / 13.0)
        XCTAssertEqual(ViTConfig.timmMLPRatio(architecture: "vit_large_patch14_clip_224"), 4)
        XCTAssertEqual(Int(1024 * ViTConfig.timmMLPRatio(architecture: "vit_giant_patch14_clip_224")), Int(1024 * 48.0 / 11.0))
    }

    /// Every CLIP tower timm lists (`timm.list_models("vit_*clip*")`, 26 in timm 1.0.31) gives
    /// the architecture timm's factory builds, read from the built module
    /// (`Tools/make_clip_name_fixtures.py`): sizes from xsmall to gigantic, base_plus, the
    /// QuickGELU names, MLP ratios 48/11 and 64/13.
    func testEveryCLIPNameTimmListsGivesTimmsArchitecture() throws {
        struct Entry: Decodable {
            var name: String
            var imageSize: [Int]
            var patchSize, width, depth, heads, mlpWidth: Int
            var preNorm, patchBias, qkNorm: Bool
            var epsilon: Double
            var activation: String
        }
        struct Names: Decodable { var models: [Entry] }
        let names = try JSONDecoder().decode(Names.self, from: Data(contentsOf: TestPaths.fixture("clip_names/names.json")))
        XCTAssertEqual(names.models.count, 26)
        for entry in names.models {
            let config = try XCTUnwrap(ViTConfig.timmFamily(architecture: entry.name), entry.name)
            XCTAssertEqual([config.imageHeight, config.imageWidth], entry.imageSize, entry.name)
            XCTAssertEqual(
                [config.patchSize, config.embedDimension, config.depth, config.headCount, config.mlpHiddenDimension],
                [entry.patchSize, entry.width, entry.depth, entry.heads, entry.mlpWidth], entry.name)
            XCTAssertEqual(config.preNorm, entry.preNorm, entry.name)
            XCTAssertEqual(config.preNorm, !entry.patchBias, "\(entry.name): timm drops the patch bias with pre_norm")
            XCTAssertEqual(config.queryKeyNorm, entry.qkNorm, entry.name)
            XCTAssertEqual(config.layerNormEpsilon, entry.epsilon, accuracy: 1e-12, entry.name)
            XCTAssertEqual(config.activation, entry.activation == "quickGELU" ? .quickGELU : .gelu, entry.name)
        }
    }

    func testFoldersLoadWithTheirFeatures() throws {
        let expected: [String: (preNorm: Bool, activation: Activation, qkNorm: Bool, epsilon: Double)] = [
            "clip_quickgelu": (true, .quickGELU, false, 1e-5), "clip": (true, .gelu, false, 1e-5),
            "qk_norm": (false, .gelu, true, 1e-6),
        ]
        for name in Self.fixtures {
            let model = try ClassifierModel.load(from: Self.fixture(name))
            let config = model.config, features = try XCTUnwrap(expected[name])
            XCTAssertEqual(config.preNorm, features.preNorm, name)
            XCTAssertEqual(config.activation, features.activation, name)
            XCTAssertEqual(config.queryKeyNorm, features.qkNorm, name)
            XCTAssertEqual([config.layerNormEpsilon, config.finalNormEpsilon], [features.epsilon, features.epsilon], name)
            XCTAssertEqual(model.network.normPre != nil, features.preNorm, name)
            XCTAssertEqual(model.network.patchEmbedding.projection.bias == nil, features.preNorm, "\(name): timm's bias=not pre_norm")
            XCTAssertEqual(model.network.blocks[0].mlp.activation, features.activation, name)
            XCTAssertEqual(model.network.blocks[1].attention.queryNorm?.dimension, features.qkNorm ? 8 : nil, name)
            XCTAssertEqual(model.network.blocks[1].attention.keyNorm?.epsilon, features.qkNorm ? features.epsilon : nil, name)
            XCTAssertEqual(config.classNames, ["COVID-19", "Non-COVID", "Normal"], name)
        }
    }

    /// The acceptance test: vitrel on the PNG gives timm's logits (timm's resolve_data_config +
    /// create_transform + the eval-mode model on the same file), by the inference and the
    /// traced pass.
    func testLogitsOnThePNGAreTimmsEvalPipelines() throws {
        let png = Self.fixture("xray_45x37.png")
        for name in Self.fixtures {
            try ReferenceLogits.assertMatch(
                try ClassifierModel.load(from: Self.fixture(name)), png: png, referenceInput: try Self.input(name),
                expected: try XCTUnwrap(try NPY.read(Self.fixture("\(name)/logits.npy")).values(as: Float.self)), name: name)
        }
    }

    /// A CLIP or qk_norm model written by vitrel as a timm folder reads back with the same
    /// config and logits; the config names a CLIP factory (the only way to tell timm ε 1e-5)
    /// and spells pre_norm, act_layer and qk_norm out.
    func testModelsRoundTripThroughATimmFolder() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vitrel-clip-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in Self.fixtures {
            let original = try ClassifierModel.load(from: Self.fixture(name))
            let folder = directory.appendingPathComponent(name)
            try original.write(timmFolder: folder)
            let reread = try ClassifierModel.load(from: folder)
            XCTAssertEqual(reread.config, original.config, name)
            let images = try Self.input(name)
            XCTAssertEqual(try reread.network.logits(images).scalars, try original.network.logits(images).scalars, name)
            let json = try XCTUnwrap(JSONValue.parse(Data(contentsOf: folder.appendingPathComponent("config.json"))).objectValue)
            let arguments = try XCTUnwrap(json["model_args"]?.objectValue)
            if original.config.preNorm {
                XCTAssertEqual(json["architecture"]?.stringValue, "vit_base_patch16_clip_224", name)
                XCTAssertEqual(arguments["pre_norm"]?.boolValue, true, name)
                XCTAssertEqual(arguments["act_layer"]?.stringValue, original.config.activation.rawValue, name)
            }
            XCTAssertEqual(arguments["qk_norm"]?.boolValue, original.config.queryKeyNorm ? true : nil, name)
        }
    }

    // MARK: model_args

    /// Sets `key` of a fixture's model_args to `value` (JSON text) in a copy and loads it.
    func load(fixture: String = "qk_norm", setting key: String, to value: String) throws -> ClassifierModel {
        let directory = try EditedModelFolder.make(from: Self.fixture(fixture), for: self) { text in
            text.replacingOccurrences(of: "\"model_args\": {", with: "\"model_args\": {\n    \"\(key)\": \(value),")
        }
        return try ClassifierModel.load(from: directory)
    }

    func testModelArgumentsAreHonoured() throws {
        // act_layer over a CLIP factory's GELU, case-insensitive as timm's get_act_layer.
        XCTAssertEqual(try load(fixture: "clip", setting: "act_layer", to: "\"QUICK_GELU\"").config.activation, .quickGELU)
        XCTAssertEqual(try load(fixture: "clip_quickgelu", setting: "act_layer", to: "\"gelu\"").config.activation, .gelu)
        XCTAssertEqual(try load(fixture: "clip_quickgelu", setting: "act_layer", to: "null").config.activation, .quickGELU)
        // norm_layer "layernorm" is timm's LayerNorm at ε 1e-6, replacing CLIP's 1e-5.
        let layerNorm = try load(fixture: "clip", setting: "norm_layer", to: "\"layer_norm\"").config
        XCTAssertEqual([layerNorm.layerNormEpsilon, layerNorm.finalNormEpsilon], [1e-6, 1e-6])
        XCTAssertEqual(try load(fixture: "clip", setting: "norm_layer", to: "null").config.layerNormEpsilon, 1e-5)
        // qk_norm false on a qk_norm folder: q_norm and k_norm become unexpected tensors.
        XCTAssertThrowsError(try load(setting: "qk_norm", to: "false")) { error in
            XCTAssertTrue("\(error)".contains("q_norm"), "\(error)")
        }
        // pre_norm false on a CLIP folder: the patch bias is then missing.
        XCTAssertThrowsError(try load(fixture: "clip", setting: "pre_norm", to: "false")) { error in
            XCTAssertTrue("\(error)".contains("patch_embed.proj.bias"), "\(error)")
        }
    }

    /// Anything vitrel does not implement is refused in one line naming the file and the argument.
    func testUnsupportedModelArgumentsAreAOneLineErrorNamingTheFile() throws {
        let cases: [(key: String, value: String, mentions: String)] = [
            ("act_layer", "\"gelu_tanh\"", "'gelu_tanh'"), ("act_layer", "\"silu\"", "quick_gelu"),
            ("norm_layer", "\"rmsnorm\"", "'rmsnorm'"), ("qk_norm", "\"yes\"", "true or false"),
            ("pre_norm", "1", "true or false"), ("scale_attn_norm", "true", "scale_attn_norm"),
            ("embed_norm_layer", "\"layernorm\"", "embed_norm_layer"),
        ]
        for (key, value, mentions) in cases {
            XCTAssertThrowsError(try load(setting: key, to: value), key) { error in
                let message = "\(error)"
                XCTAssertFalse(message.contains("\n"), message)
                XCTAssertTrue(message.contains("config.json"), message)
                XCTAssertTrue(message.contains("model_args.\(key)"), message)
                XCTAssertTrue(message.contains(mentions), message)
            }
        }
    }

    // MARK: Layers

    func testQuickGELUForwardAndBackward() {
        let x: [Double] = [-9, -4, -1.5, -0.3, 0, 0.2, 1, 3.5, 12]
        let y = QuickGELU.forward(x)
        for (xi, yi) in zip(x, y) { XCTAssertEqual(yi, xi / (1 + Foundation.exp(-1.702 * xi)), accuracy: 1e-15) }
        // QuickGELU(1) = σ(1.702) (value from Python: 1 / (1 + math.exp(-1.702))).
        XCTAssertEqual(y[6], 0.8457957659328212, accuracy: 1e-15)
        let dx = QuickGELU.backward([Double](repeating: 1, count: x.count), input: x)
        let h = 1e-6
        for i in x.indices {
            let fd = (QuickGELU.forward([x[i] + h])[0] - QuickGELU.forward([x[i] - h])[0]) / (2 * h)
            // Central differences round at ~|f|·ulp/h: 1e-9 at x = 12.
            XCTAssertEqual(fd, dx[i], accuracy: 1e-8, "x = \(x[i])")
        }
        // Float agrees with Double to rounding.
        let single = QuickGELU.forward(x.map(Float.init))
        for (s, d) in zip(single, y) { XCTAssertEqual(Double(s), d, accuracy: 1e-6 * max(1, abs(d))) }
    }

    /// The identity rule's modified gradient: x ⊙ dx = y ⊙ dy, so gradient × input through it
    /// passes relevance on unchanged; and DeepLIFT's multipliers satisfy summation-to-delta.
    func testQuickGELUIdentityRuleAndRescaleMultipliers() {
        var generator = SeededGenerator(seed: 60)
        let x = (0..<50).map { _ in 3 * generator.nextGaussian() }
        let dy = (0..<50).map { _ in generator.nextGaussian() }
        let y = QuickGELU.forward(x)
        let dx = QuickGELU.identityRuleBackward(dy, input: x)
        for i in x.indices { XCTAssertEqual(x[i] * dx[i], y[i] * dy[i], accuracy: 1e-14) }
        var x0 = (0..<50).map { _ in generator.nextGaussian() }
        x0[3] = x[3]
        x0[7] = x[7] + 1e-12
        let y0 = QuickGELU.forward(x0)
        let m = QuickGELU.rescaleBackward([Double](repeating: 1, count: 50), input: x, output: y, baselineInput: x0, baselineOutput: y0)
        for i in x.indices { XCTAssertEqual(m[i] * (x[i] - x0[i]), y[i] - y0[i], accuracy: 1e-15 * max(1, abs(y[i])), "element \(i)") }
        XCTAssertEqual(m[3], QuickGELU.backward([1.0], input: [x[3]])[0], accuracy: 1e-15)
    }

    /// qk_norm attention alone: dx, dW of qkv and dγ, dβ of q_norm and k_norm against central
    /// finite differences in Float64.
    func testQueryKeyNormAttentionBackwardMatchesFiniteDifferences() {
        let model = TinyViT.model(seed: 61, family: TinyViT.clipFeatures)
        let attention = model.blocks[1].attention
        XCTAssertTrue(attention.normalisesQueryAndKey)
        let batch = 2, tokens = 5, d = model.config.embedDimension
        let x = TinyViT.randomTensor([batch * tokens * d], seed: 62).scalars
        let dy = TinyViT.randomTensor([batch * tokens * d], seed: 63).scalars
        let (_, cache) = attention.forward(x, batch: batch, tokens: tokens)
        var gradient = attention.zeroed()
        let (dx, _) = attention.backward(dy, input: x, cache: cache, batch: batch, tokens: tokens, gradient: &gradient)
        func loss(_ layer: MultiHeadAttention<Double>, _ input: [Double]) -> Double {
            zip(layer.forward(input, batch: batch, tokens: tokens).y, dy).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let h = 1e-6
        for i in x.indices {
            var plus = x, minus = x
            plus[i] += h; minus[i] -= h
            let fd = (loss(attention, plus) - loss(attention, minus)) / (2 * h)
            XCTAssertEqual(fd, dx[i], accuracy: 1e-8 * max(1, abs(fd)), "dx[\(i)]")
        }
        for norm in [\MultiHeadAttention<Double>.queryNorm, \.keyNorm] {
            for i in 0..<model.config.headDimension {
                for part in [\LayerNorm<Double>.weight, \.bias] {
                    var plus = attention, minus = attention
                    plus[keyPath: norm]![keyPath: part].scalars[i] += h
                    minus[keyPath: norm]![keyPath: part].scalars[i] -= h
                    let fd = (loss(plus, x) - loss(minus, x)) / (2 * h)
                    XCTAssertEqual(fd, gradient[keyPath: norm]![keyPath: part].scalars[i], accuracy: 1e-8 * max(1, abs(fd)))
                }
            }
        }
        for i in stride(from: 0, to: attention.queryKeyValue.weight.count, by: 37) {
            var plus = attention, minus = attention
            plus.queryKeyValue.weight.scalars[i] += h
            minus.queryKeyValue.weight.scalars[i] -= h
            let fd = (loss(plus, x) - loss(minus, x)) / (2 * h)
            XCTAssertEqual(fd, gradient.queryKeyValue.weight.scalars[i], accuracy: 1e-8 * max(1, abs(fd)), "dW[\(i)]")
        }
        // The untraced pass normalises q and k too.
        var qkv = [Double](repeating: 0, count: batch * tokens * 3 * d), context = x, y = x
        attention.forward(x, batch: batch, tokens: tokens, queryKeyValue: &qkv, context: &context, into: &y)
        XCTAssertEqual(y, attention.forward(x, batch: batch, tokens: tokens).y)
    }

    // MARK: Relevance

    /// The q_norm / k_norm hop on its own: the identity rule passes R on; the LN rule (σ
    /// constant) conserves exactly without β and loses exactly Σβ·R/y with it; v's columns are
    /// never touched.
    func testQueryKeyNormRuleConservesPerHeadRow() throws {
        var model = TinyViT.model(seed: 64, family: TinyViT.clipFeatures)
        let batch = 1, tokens = 6, d = model.config.embedDimension, rows = batch * tokens
        let x = TinyViT.randomTensor([rows * d], seed: 65).scalars
        let r = TinyViT.randomTensor([rows * 3 * d], seed: 66).scalars
        for shift in [true, false] {
            if !shift {
                model.blocks[0].attention.queryNorm!.bias = Tensor(zeros: [model.config.headDimension])
                model.blocks[0].attention.keyNorm!.bias = Tensor(zeros: [model.config.headDimension])
            }
            let attention = model.blocks[0].attention
            let cache = attention.forward(x, batch: batch, tokens: tokens).cache
            let normCache = try XCTUnwrap(cache.queryKeyNorm)
            for rule in [RelevanceRules.LayerNormRule.identity, .conservative] {
                var rules = RelevanceRules.attnLRP(epsilon: 0)
                rules.layerNorm = rule
                var relevance = r
                let absorbed = attention.queryKeyNormRelevance(&relevance, cache: normCache, normalised: cache.queryKeyValue, rows: rows, rules: rules)
                // Per (token, head) row of q and of k: in = out − that row's Σβ·R/y.
                let hd = model.config.headDimension
                var expectedAbsorbed = 0.0
                for row in 0..<rows {
                    for column in stride(from: 0, to: 2 * d, by: hd) {
                        let range = (row * 3 * d + column)..<(row * 3 * d + column + hd)
                        let norm = column < d ? attention.queryNorm! : attention.keyNorm!
                        var rowAbsorbed = 0.0
                        if rule == .conservative {
                            for (i, index) in range.enumerated() { rowAbsorbed += norm.bias.scalars[i] * r[index] / cache.queryKeyValue[index] }
                        }
                        XCTAssertEqual(relevance[range].reduce(0, +), r[range].reduce(0, +) - rowAbsorbed, accuracy: 1e-10)
                        expectedAbsorbed += rowAbsorbed
                    }
                    let values = (row * 3 * d + 2 * d)..<((row + 1) * 3 * d)
                    XCTAssertEqual(Array(relevance[values]), Array(r[values]))
                }
                XCTAssertEqual(absorbed, expectedAbsorbed, accuracy: 1e-10)
                XCTAssertEqual(absorbed == 0, rule == .identity || !shift, "\(rule) shift \(shift)")
                if rule == .identity { XCTAssertEqual(relevance, r) }
            }
        }
    }

    /// Relevance through the q·kᵀ product does reach q_norm and k_norm under AttnLRP and Chefer's
    /// rules: with ε = 0 and biases zeroed every layer's gap is exactly its softmax leak
    /// (AttnLRP) or zero (Chefer's structural rules with LRP-0 on the linear layers), so the
    /// qk_norm hop, identity or LN rule, conserves inside the attention's entry.
    func testQueryKeyNormConservesUnderAttnLRPAndChefer() throws {
        var model = TinyViT.model(seed: 69, family: TinyViT.clipFeatures)
        model.forEachParameter { name, tensor in
            if name.hasSuffix(".bias") { tensor = Tensor(zeros: tensor.shape) }
        }
        let images = TinyViT.randomTensor([1, 3, 8, 12], seed: 70)
        let trace = try model.forward(images)
        var seed = Tensor<Double>(zeros: [1, 3])
        seed.scalars[1] = trace.logits.scalars[1]
        var attnLRP = RelevanceRules.attnLRP(epsilon: 0)
        attnLRP.patch = .linear(.epsilon(0))
        let ledger = model.relevance(seed, trace: trace, rules: attnLRP).ledger
        XCTAssertNotEqual(ledger.totalSoftmaxLeak, 0)
        for entry in ledger.entries { XCTAssertEqual(entry.gap, entry.softmaxLeak, accuracy: 1e-10, entry.layer) }
        XCTAssertEqual(ledger.endToEndGap, ledger.totalSoftmaxLeak, accuracy: 1e-10)

        var chefer = RelevanceRules.chefer
        chefer.linear = .epsilon(0)
        chefer.head = .epsilon(0)
        chefer.stabiliser = 0
        var oneHot = Tensor<Double>(zeros: [1, 3])
        oneHot.scalars[0] = 1
        let cheferLedger = model.relevance(oneHot, trace: trace, rules: chefer).ledger
        for entry in cheferLedger.entries { XCTAssertEqual(entry.gap, 0, accuracy: 1e-10, entry.layer) }
        XCTAssertEqual(cheferLedger.leaves, 1, accuracy: 1e-10)
    }

    /// With every bias and β: each layer's gap is exactly what its biases (the q_norm, k_norm
    /// and norm_pre shifts among them) and the softmax report, and the relevance q_norm and
    /// k_norm's β absorbed is counted in the attention's entry.
    func testEveryLeakIsAccountedBySourceWithQueryKeyNorm() throws {
        let model = TinyViT.model(seed: 71, family: TinyViT.clipFeatures)
        let images = TinyViT.randomTensor([1, 3, 8, 12], seed: 72)
        let trace = try model.forward(images)
        let ledger = LeakAccounting.zeroEpsilonAttnLRPLedger(model, trace: trace, target: 2)
        LeakAccounting.assertEveryLeakHasASource(ledger, "CLIP with qk_norm")
        XCTAssertNotEqual(try XCTUnwrap(ledger.entries.first { $0.layer == "norm_pre" }).biasAbsorbed, 0)
        let block = model.blocks[0]
        let result = block.attention.relevance(
            TinyViT.randomTensor([trace.tokens * model.config.embedDimension], seed: 73).scalars,
            input: trace.blocks[0].normalisedInput, cache: trace.blocks[0].attention, batch: 1, tokens: trace.tokens, rules: LeakAccounting.zeroEpsilonAttnLRP)
        XCTAssertNotEqual(result.queryKeyNormAbsorbed, 0)
    }

    /// On every fixture (Float32 as loaded): chefer-lrp and attnlrp give finite, non-zero maps,
    /// and in Float64 with ε = 0 the AttnLRP ledger accounts for every leak by source.
    func testCheferAndAttnLRPAreFiniteAndEveryLeakIsAccounted() throws {
        for name in Self.fixtures {
            let model = try ClassifierModel.load(from: Self.fixture(name))
            let images = try Self.input(name)
            let explainer = Explainer(model: model.network)
            let p = model.config.patchSize, grid = (images.shape[2] / p) * (images.shape[3] / p)
            let chefer = try explainer.explain(images, method: .cheferLRP)
            XCTAssertEqual(chefer.maps[0].values.count, grid, name)
            XCTAssertTrue(chefer.maps[0].values.allSatisfy(\.isFinite), name)
            XCTAssertGreaterThan(chefer.maps[0].values.map(abs).max()!, 0, name)
            let attnLRP = try explainer.explain(images, method: .attnLRP)
            XCTAssertEqual(attnLRP.maps[0].values.count, images.shape[2] * images.shape[3], name)
            XCTAssertTrue(attnLRP.maps[0].values.allSatisfy(\.isFinite), name)
            XCTAssertGreaterThan(attnLRP.maps[0].values.map(abs).max()!, 0, name)
            let ledger = try XCTUnwrap(attnLRP.ledgers?.first)
            XCTAssertEqual(ledger.entries.contains { $0.layer == "norm_pre" }, model.config.preNorm, name)

            let exact = VisionTransformer<Double>(converting: model.network)
            let trace = try exact.forward(Tensor<Double>(images))
            for target in 0..<3 {
                let exactLedger = LeakAccounting.zeroEpsilonAttnLRPLedger(exact, trace: trace, target: target)
                LeakAccounting.assertEveryLeakHasASource(exactLedger, name)
            }
        }
    }

    /// Every explanation method of the Explainer runs on a CLIP + qk_norm model and gives
    /// finite maps (the rollouts, gradients, integrated gradients and DeepLIFT read the same
    /// forward and backward passes the tests above check).
    func testEveryMethodGivesFiniteMaps() throws {
        let model = try ClassifierModel.load(from: Self.fixture("clip_quickgelu"))
        var network = model.network
        // Give the CLIP fixture qk_norm too, so one model carries every new layer.
        network.config.queryKeyNorm = true
        let hd = network.config.headDimension
        var generator = SeededGenerator(seed: 74)
        for i in network.blocks.indices {
            func norm() -> LayerNorm<Float> {
                LayerNorm(
                    weight: Tensor(shape: [hd], scalars: (0..<hd).map { _ in Float(1 + 0.2 * generator.nextGaussian()) }),
                    bias: Tensor(shape: [hd], scalars: (0..<hd).map { _ in Float(0.1 * generator.nextGaussian()) }), epsilon: 1e-5)
            }
            network.blocks[i].attention.queryNorm = norm()
            network.blocks[i].attention.keyNorm = norm()
        }
        let images = try Self.input("clip_quickgelu")
        let explainer = Explainer(model: network)
        // LIME reads only the logits of perturbed images (`logits(_:)`, tested above); it runs
        // through VitRelLIME, not the Explainer.
        for method in ExplanationMethod.allCases where method != .lime {
            let explanation = try explainer.explain(images, method: method)
            XCTAssertTrue(explanation.maps[0].values.allSatisfy(\.isFinite), "\(method)")
        }
    }
}
