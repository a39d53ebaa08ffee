import Foundation
import XCTest
@testable import VitRelExplain
@testable import VitRelModel
import VitRelTestSupport

/// Hugging Face DINOv2 (with and without registers, each also with ViT-g/14's SwiGLU FFN), DeiT
/// and DeiT-with-teacher folders run on a PNG against transformers' own PIL image processors and
/// models; the [CLS ⊕ patch mean] pooling's relevance rule accounted for. Fixtures: `Tools/make_hf_family_fixtures.py`
/// (Fixtures/hf_families/).
final class HuggingFaceFamilyTests: XCTestCase {
    static let fixtures = ["hf_dinov2", "hf_dinov2_reg", "hf_deit", "hf_deit_teacher", "hf_dinov2_swiglu", "hf_dinov2_reg_swiglu"]
    static func fixture(_ path: String) -> URL { TestPaths.fixture("hf_families/" + path) }
    static var png: URL { fixture("xray_45x37.png") }

    static func array(_ name: String, _ file: String) throws -> Tensor<Float> {
        let array = try NPY.read(fixture("\(name)/\(file).npy"))
        return Tensor(shape: array.shape, scalars: try XCTUnwrap(array.values(as: Float.self)))
    }

    func testFoldersLoadAsTheirFamilies() throws {
        let dinov2 = try ClassifierModel.load(from: Self.fixture("hf_dinov2"))
        XCTAssertEqual(dinov2.format, .huggingFace)
        XCTAssertEqual(dinov2.config.pooling, .classTokenAndPatchMean)
        XCTAssertEqual(dinov2.network.head.weight.shape, [3, 32], "the classifier reads 2·hidden features")
        XCTAssertEqual([dinov2.config.mlpHiddenDimension, dinov2.config.patchSize, dinov2.config.prefixTokenCount], [48, 14, 1])
        XCTAssertTrue(dinov2.config.layerScale)
        XCTAssertEqual(dinov2.config.layerNormEpsilon, 1e-6)
        XCTAssertEqual(dinov2.config.positionInterpolation, .bicubic)
        XCTAssertTrue(dinov2.network.positionGrid == (3, 3), "stored at its 42-pixel training grid")
        XCTAssertEqual(dinov2.config.classNames, ["COVID-19", "Non-COVID", "Normal"])
        XCTAssertEqual(dinov2.preprocessing, Preprocessing(
            inputHeight: 28, inputWidth: 28, interpolation: .bicubic, resizeMode: .shortestEdgeThenCenterCrop, cropPercent: 1,
            mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], resizeHeight: 35))

        let registers = try ClassifierModel.load(from: Self.fixture("hf_dinov2_reg"))
        XCTAssertEqual([registers.config.registerTokenCount, registers.config.prefixTokenCount], [2, 3])
        XCTAssertFalse(registers.config.positionEmbeddingCoversPrefix, "CLS's row is folded into the CLS token")
        XCTAssertEqual(registers.config.positionInterpolation, .antialiasedBicubic)

        let deit = try ClassifierModel.load(from: Self.fixture("hf_deit"))
        XCTAssertTrue(deit.config.distillationToken && !deit.config.distillationHead)
        XCTAssertNil(deit.network.distillationHead)
        XCTAssertEqual(deit.config.readoutTokens, [0])
        XCTAssertEqual(deit.config.layerNormEpsilon, 1e-12)
        XCTAssertEqual(deit.preprocessing, Preprocessing(
            inputHeight: 24, inputWidth: 24, interpolation: .bicubic, resizeMode: .exactThenCenterCrop, cropPercent: 1,
            mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], resizeHeight: 28, resizeWidth: 28))

        let teacher = try ClassifierModel.load(from: Self.fixture("hf_deit_teacher"))
        XCTAssertTrue(teacher.config.distillationToken && teacher.config.distillationHead)
        XCTAssertEqual(teacher.config.readoutTokens, [0, 1])
        XCTAssertNotNil(teacher.network.distillationHead)
    }

    /// The pixel tensor: transformers' PIL processor on the PNG (resize with Pillow, centre crop
    /// with transformers' floor offsets, rescale, normalise).
    func testPixelValuesAreTransformersPILProcessors() throws {
        for name in Self.fixtures {
            let model = try ClassifierModel.load(from: Self.fixture(name))
            let reference = try Self.array(name, "pixel_values")
            let input = try model.preprocessing.input(reading: Self.png)
            XCTAssertEqual([1] + input.shape, reference.shape, name)
            let error = zip(input.scalars, reference.scalars).map { abs($0 - $1) }.max()!
            XCTAssertLessThanOrEqual(error, 1e-6, "\(name): pixel values")
        }
        // torchvision's offsets would have started the DINOv2 crop a column later (3.5 → 4).
        var torchvisionCrop = try ClassifierModel.load(from: Self.fixture("hf_dinov2")).preprocessing
        torchvisionCrop.resizeMode = .resizeThenCenterCrop
        torchvisionCrop.cropPercent = 28.0 / 35
        let shifted = try torchvisionCrop.input(reading: Self.png)
        let reference = try Self.array("hf_dinov2", "pixel_values")
        XCTAssertGreaterThan(zip(shifted.scalars, reference.scalars).map { abs($0 - $1) }.max()!, 1e-2)
    }

    /// The acceptance test: vitrel on the PNG gives transformers' logits (its PIL image
    /// processor and the eval-mode model on the same file), by both forward passes.
    func testLogitsOnThePNGAreTransformers() throws {
        for name in Self.fixtures {
            try ReferenceLogits.assertMatch(
                try ClassifierModel.load(from: Self.fixture(name)), png: Self.png, referenceInput: try Self.array(name, "pixel_values"),
                expected: try Self.array(name, "logits").scalars, name: name)
        }
    }

    /// ATen's bicubic (a = −0.75, edges repeated, no antialias) on a 3 × 4 ramp, against
    /// `F.interpolate(x, size, mode="bicubic", align_corners=False)` (torch 2.15, float32,
    /// printed to 7 digits), in Float as transformers runs it. Tolerance 5e-5 ≈ 1.3e-6 of the
    /// input's range (38): torch's float32 kernel is not reproduced bit for bit (its
    /// accumulation order is not ATen's reference formula's; a float64 evaluation of that
    /// formula is 1.5e-5 from torch, a float32 one in either tap order 1.9e-5).
    func testTorchBicubicIsATensInterpolate() {
        let planes = (0..<12).map { Float(pow(Double($0), 1.5)) }
        func close(_ value: Float, _ torch: Double) { XCTAssertEqual(Double(value), torch, accuracy: 5e-5) }
        let down = TorchBicubic.resize(planes, channels: 1, height: 3, width: 4, toHeight: 2, toWidth: 2)
        for (value, torch) in zip(down, [1.820663, 6.456494, 21.26875, 30.95891]) { close(value, torch) }
        let up = TorchBicubic.resize(planes, channels: 1, height: 3, width: 4, toHeight: 5, toWidth: 7)
        let torchUp = [-0.8464492, -0.6010565, -0.09952452, 0.7211227, 1.893501, 3.260344, 4.138093, 1.876198, 2.502755, 3.599219,
                       4.909948, 6.489308, 8.246638, 9.356152, 7.684462, 8.867414, 10.83593, 12.87836, 15.07814, 17.43375, 18.8996,
                       17.12448, 18.6484, 21.16294, 23.70605, 26.37047, 29.18339, 30.9254, 23.58648, 25.26976, 28.04352, 30.83887,
                       33.74987, 36.80814, 38.69936]
        XCTAssertEqual(up.count, torchUp.count)
        for (value, torch) in zip(up, torchUp) { close(value, torch) }
        XCTAssertEqual(TorchBicubic.resize(planes, channels: 1, height: 3, width: 4, toHeight: 3, toWidth: 4), planes, "same grid: identity")
    }

    func testCenterCropOffsetsFollowTransformersOrTorchvision() {
        let image = Image(width: 7, height: 1, channels: 1, pixels: (0..<7).map(Float.init))
        // Margin 3: transformers floors to 1, torchvision rounds 1.5 to 2.
        XCTAssertEqual(image.centerCropped(height: 1, width: 4, rounding: .transformers).pixels, [1, 2, 3, 4])
        XCTAssertEqual(image.centerCropped(height: 1, width: 4, rounding: .torchvision).pixels, [2, 3, 4, 5])
        // Padding by 3: transformers puts ⌈3/2⌉ = 2 zeros before, torchvision ⌊3/2⌋ = 1.
        let small = Image(width: 2, height: 1, channels: 1, pixels: [5, 6])
        XCTAssertEqual(small.centerCropped(height: 1, width: 5, rounding: .transformers).pixels, [0, 0, 5, 6, 0])
        XCTAssertEqual(small.centerCropped(height: 1, width: 5, rounding: .torchvision).pixels, [0, 5, 6, 0, 0])
        // transformers' shortest_edge: the long side int(edge · long / short).
        let bit = Preprocessing(inputHeight: 28, inputWidth: 28, resizeMode: .shortestEdgeThenCenterCrop, resizeHeight: 35)
        XCTAssertTrue(bit.resizedSize(height: 45, width: 37) == (42, 35))
        let deit = Preprocessing(inputHeight: 24, inputWidth: 24, resizeMode: .exactThenCenterCrop, resizeHeight: 28, resizeWidth: 30)
        XCTAssertTrue(deit.resizedSize(height: 45, width: 37) == (28, 30))
        XCTAssertNotNil(Preprocessing(inputHeight: 24, inputWidth: 24, resizeMode: .exactThenCenterCrop).validationProblem())
    }

    /// The pooling rule on its own: the CLS slot goes to the CLS row unchanged; the mean slot
    /// is split over the patch rows in proportion to x_ti / P (the z-rule), conserving per
    /// channel; prefix tokens other than CLS (registers) get nothing.
    func testClassTokenAndPatchMeanRuleConservesPerSlot() throws {
        let model = TinyViT.model(pooling: .classTokenAndPatchMean, seed: 51) { $0.registerTokenCount = 2 }
        let (batch, n, d) = (2, 3 + 6, 8)
        let tokens = TinyViT.randomTensor([batch * n, d], seed: 52).scalars
        let pooled = model.pool(tokens, batch: batch, tokens: n)
        XCTAssertEqual(pooled.count, batch * 2 * d)
        let r = TinyViT.randomTensor([batch, 2 * d], seed: 53).scalars
        let rTokens = model.unpoolRelevance(r, pooledInput: pooled, tokensInput: tokens, batch: batch, tokens: n)
        for b in 0..<batch {
            for i in 0..<d {
                XCTAssertEqual(rTokens[b * n * d + i], r[b * 2 * d + i], "CLS slot → CLS row")
                for t in 1..<3 { XCTAssertEqual(rTokens[(b * n + t) * d + i], 0, "registers are not pooled") }
                let patches = (3..<n).reduce(0.0) { $0 + rTokens[(b * n + $1) * d + i] }
                XCTAssertEqual(patches, r[b * 2 * d + d + i], accuracy: 1e-12, "mean slot conserved per channel")
                for t in 3..<n {
                    let share = tokens[(b * n + t) * d + i] / 6 / pooled[b * 2 * d + d + i]
                    XCTAssertEqual(rTokens[(b * n + t) * d + i], share * r[b * 2 * d + d + i], accuracy: 1e-12)
                }
            }
        }
        // The gradient's adjoint: ⟨pool(x), g⟩ = ⟨x, unpool(g)⟩.
        let g = TinyViT.randomTensor([batch, 2 * d], seed: 54).scalars
        let left = zip(pooled, g).reduce(0) { $0 + $1.0 * $1.1 }
        let right = zip(tokens, model.unpool(g, batch: batch, tokens: n)).reduce(0) { $0 + $1.0 * $1.1 }
        XCTAssertEqual(left, right, accuracy: 1e-12)
    }

    /// LRP-0 without biases through a whole [CLS ⊕ mean] model with registers and LayerScale:
    /// every layer, the pool included, passes on what it receives, and the leaves sum to the logit.
    func testClassTokenAndPatchMeanModelConservesPerLayerAndEndToEnd() throws {
        var model = TinyViT.model(pooling: .classTokenAndPatchMean, seed: 55) {
            $0.layerScale = true
            $0.registerTokenCount = 2
        }
        model.forEachParameter { name, tensor in
            if name.hasSuffix(".bias") { tensor = Tensor(zeros: tensor.shape) }
        }
        let trace = try model.forward(TinyViT.randomTensor([2, 3, 8, 12], seed: 56))
        for target in 0..<3 {
            var seed = Tensor<Double>(zeros: [2, 3])
            for b in 0..<2 { seed.scalars[b * 3 + target] = trace.logits.scalars[b * 3 + target] }
            let ledger = model.relevance(seed, trace: trace, rules: .lrp0).ledger
            let pool = try XCTUnwrap(ledger.entries.first { $0.layer == "pool" })
            XCTAssertNotEqual(pool.relevanceOut, 0)
            for entry in ledger.entries { XCTAssertEqual(entry.gap, 0, accuracy: 1e-10, entry.layer) }
            XCTAssertEqual(ledger.leaves, seed.sum(), accuracy: 1e-10)
            XCTAssertNotEqual(ledger.registerTokens, 0, "registers reach the head through attention")
        }
    }

    /// chefer-lrp and attnlrp (and the rollouts' readouts) on every folder: finite patch-grid
    /// maps, and an AttnLRP ledger in which every leaf and every leak is counted.
    func testExplanationsAreFiniteAndTheLedgerAccountsForEveryLeak() throws {
        for name in Self.fixtures {
            let model = try ClassifierModel.load(from: Self.fixture(name))
            let images = try Self.array(name, "pixel_values")
            let explainer = Explainer(model: model.network)
            let p = model.config.patchSize, grid = (images.shape[2] / p) * (images.shape[3] / p)
            for method in [ExplanationMethod.cheferLRP, .attentionRollout, .rawAttention] {
                let map = try explainer.explain(images, method: method).maps[0].values
                XCTAssertEqual(map.count, grid, "\(name) \(method): patch tokens only")
                XCTAssertTrue(map.allSatisfy(\.isFinite), "\(name) \(method)")
                XCTAssertGreaterThan(map.map(abs).max()!, 0, "\(name) \(method)")
            }
            let attnLRP = try explainer.explain(images, method: .attnLRP)
            XCTAssertEqual(attnLRP.maps[0].values.count, images.shape[2] * images.shape[3], name)
            XCTAssertTrue(attnLRP.maps[0].values.allSatisfy(\.isFinite), name)
            let ledger = try XCTUnwrap(attnLRP.ledgers?.first)
            let gaps = ledger.entries.reduce(0) { $0 + $1.gap }
            XCTAssertEqual(ledger.endToEndGap, gaps, accuracy: 1e-4 * abs(ledger.explainedOutput), name)
            XCTAssertEqual(ledger.registerTokens != 0, model.config.registerTokenCount > 0, name)
            XCTAssertEqual(ledger.distillationToken != 0, model.config.distillationToken, "\(name): every HF DeiT's sequence carries it")
            XCTAssertEqual(ledger.entries.contains { $0.layer == "head_dist" }, model.config.distillationHead && model.config.distillationToken, name)
        }
    }

    func testUnsupportedConfigsAreOneLineErrorsNamingTheFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vitrel-hf-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.copyItem(at: Self.fixture("hf_dinov2"), to: directory)
        let config = directory.appendingPathComponent("config.json")
        let original = try Data(contentsOf: config)
        func edit(_ file: URL, _ change: (inout [String: Any]) -> Void) throws {
            var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
            change(&object)
            try JSONSerialization.data(withJSONObject: object).write(to: file)
        }
        func assertError(_ expected: CheckpointError, line: UInt = #line) {
            XCTAssertThrowsError(try ViTCheckpoint.load(from: directory), line: line) { error in
                XCTAssertEqual(error as? CheckpointError, expected, line: line)
                XCTAssertFalse("\(error)".contains("\n"), line: line)
                XCTAssertTrue("\(error)".contains(directory.path), "the message names the file", line: line)
            }
        }
        // use_swiglu_ffn is read now (SwiGLUFamilyTests); on this GELU folder the SwiGLU FFN's
        // weights are missing, and the error names them.
        try edit(config) { $0["use_swiglu_ffn"] = true }
        XCTAssertThrowsError(try ViTCheckpoint.load(from: directory)) { error in
            guard case .missingTensors(_, let names)? = error as? CheckpointError else { return XCTFail("\(error)") }
            XCTAssertTrue(names.contains("dinov2.encoder.layer.0.mlp.weights_in.weight"), "\(names)")
        }
        try original.write(to: config)
        try edit(config) { $0["model_type"] = "swin" }
        assertError(.unsupportedConfig(file: config.path, detail: "model_type 'swin' (vitrel reads 'vit', 'deit', 'dinov2', 'dinov2_with_registers')"))
        try original.write(to: config)
        try edit(config) { $0["architectures"] = ["Dinov2Model"] }
        assertError(.unsupportedConfig(
            file: config.path, detail: "architectures [\"Dinov2Model\"] (vitrel reads Dinov2ForImageClassification, a model with a classifier head)"))
        try original.write(to: config)
        try edit(config) { $0["hidden_act"] = "gelu_pytorch_tanh" }
        assertError(.unsupportedConfig(file: config.path, detail: "hidden_act 'gelu_pytorch_tanh' (vitrel implements the exact erf 'gelu')"))
        try original.write(to: config)
        let processor = directory.appendingPathComponent("preprocessor_config.json")
        try edit(processor) { $0["image_processor_type"] = "CLIPImageProcessor" }
        assertError(.unsupportedConfig(
            file: processor.path, detail: "image_processor_type 'CLIPImageProcessor' (vitrel reads ViTImageProcessor, BitImageProcessor, DeiTImageProcessor)"))
        try edit(processor) { $0["image_processor_type"] = "BitImageProcessorFast" }
        XCTAssertNoThrow(try ViTCheckpoint.load(from: directory), "the fast processor's file names the same pipeline")
    }

    /// timm has neither DINOv2's [CLS ⊕ mean] head nor a distillation token without head_dist.
    func testTimmWriterRefusesHeadsTimmCannotExpress() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vitrel-hf-timm-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["hf_dinov2", "hf_deit"] {
            let checkpoint = try ViTCheckpoint.load(from: Self.fixture(name))
            XCTAssertThrowsError(try checkpoint.write(timmFolder: directory.appendingPathComponent(name)), name) { error in
                guard case .unsupportedConfig(_, let detail)? = error as? CheckpointError else { return XCTFail("\(error)") }
                XCTAssertTrue(detail.contains("keep the Hugging Face folder"), detail)
            }
        }
        // The with-teacher DeiT is timm's distilled DeiT: it converts, and reads back the same.
        let teacher = try ViTCheckpoint.load(from: Self.fixture("hf_deit_teacher"))
        let folder = directory.appendingPathComponent("teacher")
        try teacher.write(timmFolder: folder)
        let original = try ClassifierModel.load(from: Self.fixture("hf_deit_teacher"))
        let reread = try ClassifierModel.load(from: folder)
        let images = try Self.array("hf_deit_teacher", "pixel_values")
        XCTAssertEqual(try reread.network(images), try original.network(images))
        // Its DeiTImageProcessor (28 × 28, crop 24) becomes timm's crop_pct: the same sizes on a
        // square film.
        XCTAssertEqual(reread.preprocessing.resizeMode, .resizeThenCenterCrop)
        XCTAssertTrue(reread.preprocessing.resizedSize(height: 50, width: 50) == original.preprocessing.resizedSize(height: 50, width: 50))
        XCTAssertTrue(reread.preprocessing.resizedSize(height: 50, width: 50) == (28, 28))
    }
}
