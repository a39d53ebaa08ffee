import XCTest
import VitRelTestSupport
@testable import VitRelExplain

/// The conservation contract, in Float64 on a tiny random ViT (depth 2, width 8, 2 heads).
final class ConservationTests: XCTestCase {
    /// The plain ViT, a CLIP tower (norm_pre, no patch bias, QuickGELU, ε 1e-5), a ViT with
    /// qk_norm and DINOv2 ViT-g/14's SwiGLU MLP (with LayerScale): each conservation test below
    /// runs on all four.
    static let families: [(name: String, apply: (inout ViTConfig) -> Void)] = [
        ("plain", { _ in }),
        ("clip", { config in
            config.preNorm = true
            config.activation = .quickGELU
            config.layerNormEpsilon = 1e-5
            config.finalNormEpsilon = 1e-5
        }),
        ("qk_norm", { config in config.queryKeyNorm = true }),
        ("swiglu", TinyViT.swiGLUFeatures),
    ]

    static func model(biases: Bool, seed: UInt64 = 11, family: (inout ViTConfig) -> Void = { _ in }) -> VisionTransformer<Double> {
        var model = TinyViT.model(seed: seed, family: family)
        if !biases {
            model.forEachParameter { name, tensor in
                if name.hasSuffix(".bias") { tensor = Tensor(zeros: tensor.shape) }
            }
        }
        return model
    }

    func randomArray(_ count: Int, seed: UInt64) -> [Double] {
        var g = SeededGenerator(seed: seed)
        return (0..<count).map { _ in g.nextGaussian() }
    }

    func testLinearRulesConserveWithoutBias() {
        let rows = 5, inputs = 7, outputs = 4
        let layer = Linear<Double>(weight: Tensor(shape: [outputs, inputs], scalars: randomArray(outputs * inputs, seed: 1)), bias: nil)
        let x = randomArray(rows * inputs, seed: 2)
        let r = randomArray(rows * outputs, seed: 3)
        let rules: [RelevanceRules.LinearRule] = [.epsilon(0), .alphaBeta(alpha: 1, beta: 0), .alphaBeta(alpha: 2, beta: 1), .gamma(0.25)]
        for rule in rules {
            let (relevance, absorbed) = layer.relevance(r, input: x, rows: rows, rule: rule, stabiliser: 0)
            XCTAssertEqual(relevance.reduce(0, +), r.reduce(0, +), accuracy: 1e-12, "\(rule)")
            XCTAssertEqual(absorbed, 0)
        }
    }

    func testLinearBiasLeakEqualsSumOfBiasTimesRelevanceOverZ() {
        let rows = 3, inputs = 6, outputs = 5
        let weight = Tensor(shape: [outputs, inputs], scalars: randomArray(outputs * inputs, seed: 4))
        let bias = Tensor(shape: [outputs], scalars: randomArray(outputs, seed: 5))
        let layer = Linear<Double>(weight: weight, bias: bias)
        let x = randomArray(rows * inputs, seed: 6)
        let r = randomArray(rows * outputs, seed: 7)
        let (relevance, absorbed) = layer.relevance(r, input: x, rows: rows, rule: .epsilon(0))
        // Σ b·R/z computed independently from the forward output.
        let z = layer.forward(x, rows: rows)
        var expected = 0.0
        for row in 0..<rows { for j in 0..<outputs { expected += bias.scalars[j] * r[row * outputs + j] / z[row * outputs + j] } }
        XCTAssertEqual(absorbed, expected, accuracy: 1e-10)
        XCTAssertEqual(r.reduce(0, +) - relevance.reduce(0, +), expected, accuracy: 1e-10)
    }

    func layerNorm(epsilon: Double, shift: Bool) -> LayerNorm<Double> {
        let d = 6
        return LayerNorm(
            weight: Tensor(shape: [d], scalars: randomArray(d, seed: 8).map { 1 + 0.5 * $0 }),
            bias: Tensor(shape: [d], scalars: shift ? randomArray(d, seed: 9) : [Double](repeating: 0, count: d)),
            epsilon: epsilon)
    }

    func testConservativeLayerNormRuleConservesExactlyWithoutShift() {
        let norm = layerNorm(epsilon: 0.3, shift: false)
        let rows = 4
        let x = randomArray(rows * 6, seed: 10)
        let r = randomArray(rows * 6, seed: 11)
        let (y, cache) = norm.forward(x, rows: rows)
        let (relevance, absorbed) = norm.relevance(r, input: x, output: y, cache: cache, rows: rows, rule: .conservative)
        XCTAssertEqual(relevance.reduce(0, +), r.reduce(0, +), accuracy: 1e-12)
        XCTAssertEqual(absorbed, 0)
        // With β the shift absorbs exactly Σβ·R/y.
        let shifted = layerNorm(epsilon: 0.3, shift: true)
        let (y2, cache2) = shifted.forward(x, rows: rows)
        let (relevance2, absorbed2) = shifted.relevance(r, input: x, output: y2, cache: cache2, rows: rows, rule: .conservative)
        XCTAssertEqual(r.reduce(0, +) - relevance2.reduce(0, +), absorbed2, accuracy: 1e-10)
        XCTAssertNotEqual(absorbed2, 0)
    }

    func testGradientTimesInputThroughFullLayerNormKeepsEpsilonOverEpsilonPlusVariance() {
        let eps = 0.3
        let norm = layerNorm(epsilon: eps, shift: false)
        let rows = 4, d = 6
        let x = randomArray(rows * d, seed: 12)
        let r = randomArray(rows * d, seed: 13)
        let (y, cache) = norm.forward(x, rows: rows)
        let (relevance, _) = norm.relevance(r, input: x, output: y, cache: cache, rows: rows, rule: .gradientTimesInput)
        for row in 0..<rows {
            let values = Array(x[(row * d)..<((row + 1) * d)])
            let mean = values.reduce(0, +) / Double(d)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(d)
            let kept = relevance[(row * d)..<((row + 1) * d)].reduce(0, +)
            let arrived = r[(row * d)..<((row + 1) * d)].reduce(0, +)
            XCTAssertEqual(kept, arrived * eps / (eps + variance), accuracy: 1e-12)
        }
    }

    func testFreezingTheMeanAsWellIsNotConservative() {
        let norm = layerNorm(epsilon: 1e-6, shift: false)
        let rows = 4, d = 6
        let x = randomArray(rows * d, seed: 14).map { $0 + 2 }  // non-zero mean, so the frozen mean matters
        let r = randomArray(rows * d, seed: 15)
        let (y, cache) = norm.forward(x, rows: rows)
        let (relevance, _) = norm.relevance(r, input: x, output: y, cache: cache, rows: rows, rule: .frozenMeanAndStandardDeviation)
        XCTAssertGreaterThan(abs(relevance.reduce(0, +) - r.reduce(0, +)), 0.1)
    }

    func testResidualRulesConservePerSample() {
        let a = randomArray(12, seed: 16), b = randomArray(12, seed: 17), r = randomArray(12, seed: 18)
        for rule in [RelevanceRules.ResidualRule.proportional, .cheferRenormalised] {
            let (ra, rb) = ResidualRelevance.split(r, a: a, b: b, batch: 2, rule: rule, epsilon: 0)
            for sample in 0..<2 {
                let range = (sample * 6)..<((sample + 1) * 6)
                XCTAssertEqual(ra[range].reduce(0, +) + rb[range].reduce(0, +), r[range].reduce(0, +), accuracy: 1e-7, "\(rule)")
            }
        }
    }

    /// LRP-0 with the conservative LayerNorm, constant attention and biases zeroed: every
    /// layer passes on exactly what it receives, and Σ(pixels, CLS, position) = logit.
    func testWholeModelConservesWithEveryLeafCounted() throws {
        for family in Self.families {
            let model = Self.model(biases: false, family: family.apply)
            let images = TinyViT.randomTensor([2, 3, 8, 12], seed: 19)
            let trace = try model.forward(images)
            for target in 0..<3 {
                var seed = Tensor<Double>(zeros: [2, 3])
                for b in 0..<2 { seed.scalars[b * 3 + target] = trace.logits.scalars[b * 3 + target] }
                let pass = model.relevance(seed, trace: trace, rules: .lrp0)
                let ledger = pass.ledger
                for entry in ledger.entries { XCTAssertEqual(entry.gap, 0, accuracy: 1e-10, "\(family.name) \(entry.layer)") }
                XCTAssertEqual(ledger.entries.contains { $0.layer == "norm_pre" }, model.config.preNorm, family.name)
                XCTAssertEqual(ledger.leaves, ledger.explainedOutput, accuracy: 1e-10, family.name)
                XCTAssertEqual(pass.pixels!.sum() + ledger.classToken + ledger.positionEmbedding, seed.sum(), accuracy: 1e-10, family.name)
                XCTAssertNotEqual(ledger.classToken, 0)
                XCTAssertNotEqual(ledger.positionEmbedding, 0)
            }
        }
    }

    /// With biases, every layer's gap is exactly what its biases and softmax rule report:
    /// nothing leaks unaccounted (ε = 0).
    func testEveryLeakIsAccountedBySource() throws {
        for family in Self.families {
            let model = Self.model(biases: true, family: family.apply)
            let images = TinyViT.randomTensor([1, 3, 8, 12], seed: 20)
            let trace = try model.forward(images)
            let ledger = LeakAccounting.zeroEpsilonAttnLRPLedger(model, trace: trace, target: 1)
            XCTAssertNotEqual(ledger.totalBiasAbsorbed, 0)
            XCTAssertNotEqual(ledger.totalSoftmaxLeak, 0)
            LeakAccounting.assertEveryLeakHasASource(ledger, family.name)
        }
    }

    /// Chefer's attention, residual, identity-LayerNorm and zᴮ rules conserve (with LRP-0 on
    /// the linear layers and the safe division's ε set to 0).
    func testCheferStructuralRulesConservePerLayerWithoutBiases() throws {
        for family in Self.families {
            let model = Self.model(biases: false, family: family.apply)
            let images = TinyViT.randomTensor([1, 3, 8, 12], seed: 21)
            let trace = try model.forward(images)
            var seed = Tensor<Double>(zeros: [1, 3])
            seed.scalars[0] = 1
            var rules = RelevanceRules.chefer
            rules.linear = .epsilon(0)
            rules.head = .epsilon(0)
            rules.stabiliser = 0
            let pass = model.relevance(seed, trace: trace, rules: rules)
            for entry in pass.ledger.entries { XCTAssertEqual(entry.gap, 0, accuracy: 1e-10, "\(family.name) \(entry.layer)") }
            XCTAssertEqual(pass.ledger.leaves, 1, accuracy: 1e-10, family.name)
        }
    }

    /// The αβ rule drops the relevance of an output with no positive contribution (z = 0):
    /// the ledger's gap is exactly that relevance.
    func testAlphaBetaDropsRelevanceOfOutputsWithoutActivators() {
        // Output 0 sees only negative products (x > 0, w < 0): no activator.
        let layer = Linear<Double>(weight: Tensor(shape: [2, 2], scalars: [-1, -2, 1, 0.5]), bias: nil)
        let x: [Double] = [1, 2]
        let r: [Double] = [0.3, 0.7]
        let (relevance, _) = layer.relevance(r, input: x, rows: 1, rule: .alphaBeta(alpha: 1, beta: 0), stabiliser: 0)
        XCTAssertEqual(r.reduce(0, +) - relevance.reduce(0, +), 0.3, accuracy: 1e-15)
        XCTAssertEqual(relevance[0], 0.7 * 1 / 2, accuracy: 1e-15)  // x₀w₁₀ / (x₀w₁₀ + x₁w₁₁)
    }
}
