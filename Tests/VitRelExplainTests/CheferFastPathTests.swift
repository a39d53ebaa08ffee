import XCTest
import VitRelTestSupport
@testable import VitRelExplain

/// The fast Chefer-LRP path (αβ from the forward outputs in 3 GEMMs, zero rows skipped, both
/// passes stopped at the start layer's attention) equals the textbook path in Float64.
final class CheferFastPathTests: XCTestCase {
    func randomArray(_ count: Int, seed: UInt64) -> [Double] {
        var g = SeededGenerator(seed: seed)
        return (0..<count).map { _ in g.nextGaussian() }
    }

    func assertClose(_ a: [Double], _ b: [Double], relative: Double, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, message, file: file, line: line)
        let scale = max(b.map(abs).max() ?? 0, 1e-300)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, relative * scale, "\(message): max |Δ| \(worst) of scale \(scale)", file: file, line: line)
    }

    /// Random layer and input with every case the fast form treats apart: rows without
    /// relevance, an output without activators (z = 0), outputs whose activators are a tiny
    /// part of |x|·|W|ᵀ (summed directly), and ordinary outputs.
    func testActivatorRelevanceEqualsTheTextbookAlphaBetaRule() {
        let rows = 6, inputs = 9, outputs = 7
        var weight = randomArray(outputs * inputs, seed: 1)
        var x = randomArray(rows * inputs, seed: 2)
        for i in 0..<inputs { x[i] = abs(x[i]) + 0.1 }        // row 0: all inputs positive
        for i in 0..<inputs { weight[i] = -abs(weight[i]) }   // output 0: all weights negative → no activator in row 0
        for i in 0..<inputs { weight[inputs + i] = -abs(weight[inputs + i]) }
        weight[inputs] = 1e-6                                  // output 1: one tiny activator in row 0
        var r = randomArray(rows * outputs, seed: 3)
        for j in 0..<outputs { r[2 * outputs + j] = 0; r[4 * outputs + j] = 0 }  // rows 2 and 4: no relevance
        let layer = Linear<Double>(weight: Tensor(shape: [outputs, inputs], scalars: weight), bias: Tensor(shape: [outputs], scalars: randomArray(outputs, seed: 4)))
        let y = layer.forward(x, rows: rows)
        for alpha in [1.0, 2.0] {
            for stabiliser in [1e-9, 0] {
                let reference = layer.alphaBetaRelevance(r, input: x, rows: rows, alpha: alpha, beta: 0, stabiliser: stabiliser)
                let fast = layer.activatorRelevance(r, input: x, output: y, rows: rows, alpha: alpha, stabiliser: stabiliser)
                assertClose(fast, reference, relative: 1e-12, "α \(alpha), ε \(stabiliser)")
                // The output without activators drops its relevance in both forms.
                let (viaRule, _) = layer.relevance(r, input: x, rows: rows, rule: .alphaBeta(alpha: alpha, beta: 0), stabiliser: stabiliser, output: y)
                XCTAssertEqual(viaRule, fast)
            }
        }
        XCTAssertEqual(Array(layer.activatorRelevance(r, input: x, output: y, rows: rows, alpha: 1, stabiliser: 1e-9)[(2 * inputs)..<(3 * inputs)]),
                       [Double](repeating: 0, count: inputs))
    }

    /// The whole Chefer relevance pass, fast against textbook: R_A of every block and the pixel
    /// relevance (lrp-full).
    func testRelevancePassEqualsTheTextbookPass() throws {
        for pooling in [ViTConfig.Pooling.token, .average, .classTokenAndPatchMean] {
            let model = TinyViT.model(pooling: pooling, seed: 29)
            let images = TinyViT.randomTensor([2, 3, 8, 12], seed: 30)
            let trace = try model.forward(images)
            var reference = RelevanceRules.chefer
            reference.fastAlphaBeta = false
            let seed = Explainer<Double>.oneHot([1, 2], classes: 3)
            let fast = model.relevance(seed, trace: trace, rules: .chefer)
            let textbook = model.relevance(seed, trace: trace, rules: reference)
            for l in model.blocks.indices { assertClose(fast.attention[l], textbook.attention[l], relative: 1e-10, "\(pooling) R_A block \(l)") }
            assertClose(fast.pixels!.scalars, textbook.pixels!.scalars, relative: 1e-10, "\(pooling) pixels")
        }
    }

    /// The rollout methods, computed by the explainer (fast form, passes stopped at the start
    /// layer) and from the textbook pass and full gradients, follow Chefer's definitions.
    func testRolloutMethodsEqualTheirDefinitionOnTheTextbookPass() throws {
        let model = TinyViT.model(seed: 31)
        let images = TinyViT.randomTensor([2, 3, 8, 12], seed: 32)
        let trace = try model.forward(images)
        let targets = [0, 2]
        var reference = RelevanceRules.chefer
        reference.fastAlphaBeta = false
        let seed = Explainer<Double>.oneHot(targets, classes: 3)
        let textbook = model.relevance(seed, trace: trace, rules: reference)
        let gradients = model.inputGradients(seed, trace: trace)
        let n = trace.tokens, heads = model.config.headCount
        for startLayer in [0, 1] {
            var options = ExplanationOptions()
            options.startLayer = startLayer
            let explainer = Explainer(model: model, options: options)
            for method in [ExplanationMethod.cheferLRP, .lrpRollout, .lrpLastLayer] {
                let maps = try explainer.explain(images, method: method, targets: targets).maps.map(\.values)
                for b in 0..<2 {
                    let fused = model.blocks.indices.map { l -> [Double] in
                        let relevance = explainer.headSlice(textbook.attention[l], sample: b, tokens: n)
                        guard method == .cheferLRP else { return AttentionMaps.meanOverHeads(relevance, heads: heads, tokens: n) }
                        let gradient = explainer.headSlice(gradients.attention[l], sample: b, tokens: n)
                        return AttentionMaps.meanOverHeads(relevance, gradient: gradient, heads: heads, tokens: n)
                    }
                    let expected = method == .lrpLastLayer
                        ? explainer.readout(fused[fused.count - 1], tokens: n)
                        : explainer.readout(
                            AttentionMaps.rollout(fused, tokens: n, startLayer: startLayer, addIdentity: true, normaliseRows: false), tokens: n)
                    assertClose(maps[b].map(Double.init), expected.map { Double(Float($0)) }, relative: 1e-6, "\(method) start \(startLayer) image \(b)")
                }
            }
        }
    }

    /// Stopping the backward pass at a block's attention leaves ∂y/∂A of that block and the
    /// blocks above as the full backward pass computes them.
    func testBackwardStoppedAtAnAttentionKeepsTheGradientsAbove() throws {
        let model = TinyViT.model(seed: 33)
        let images = TinyViT.randomTensor([2, 3, 8, 12], seed: 34)
        let trace = try model.forward(images)
        let seed = Explainer<Double>.oneHot([2, 1], classes: 3)
        let full = model.inputGradients(seed, trace: trace)
        for lowest in model.blocks.indices {
            let stopped = model.inputGradients(seed, trace: trace, attentionDownTo: lowest)
            for l in lowest..<model.blocks.count { assertClose(stopped.attention[l], full.attention[l], relative: 1e-13, "block \(l) of \(lowest)") }
            for l in 0..<lowest { XCTAssertTrue(stopped.attention[l].isEmpty) }
        }
    }
}
