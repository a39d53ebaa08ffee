import Foundation
import XCTest
@testable import VitRelModel

/// The gated product silu(x₁) ⊙ x₂ of `SwiGLU` and the SwiGLU `MLP` around it: forward values,
/// gradients against central finite differences in Float64, the modified gradients against the
/// explicit rules, DeepLIFT's summation-to-delta, and what each rule set's rule conserves.
final class SwiGLUTests: XCTestCase {
    static func random(_ count: Int, seed: UInt64, scale: Double = 1) -> [Double] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in scale * generator.nextGaussian() }
    }

    /// A SwiGLU MLP D = 5 → 2k = 8 → D with random weights and biases.
    static func mlp(seed: UInt64, biases: Bool = true) -> MLP<Double> {
        let d = 5, k = 4
        func linear(_ outputs: Int, _ inputs: Int, _ seed: UInt64) -> Linear<Double> {
            Linear(
                weight: Tensor(shape: [outputs, inputs], scalars: random(outputs * inputs, seed: seed, scale: 0.6)),
                bias: Tensor(shape: [outputs], scalars: random(outputs, seed: seed + 1, scale: biases ? 0.3 : 0)))
        }
        return MLP(fc1: linear(2 * k, d, seed), fc2: linear(d, k, seed + 2), activation: .silu, kind: .swiGLU)
    }

    func testForwardGatesTheFirstHalfWithSiLUAndMultipliesTheSecond() {
        let rows = 3, k = 4
        let packed = Self.random(rows * 2 * k, seed: 1, scale: 3)
        let h = SwiGLU.forward(packed, rows: rows)
        XCTAssertEqual(h.count, rows * k)
        for row in 0..<rows {
            for j in 0..<k {
                let x1 = packed[row * 2 * k + j], x2 = packed[row * 2 * k + k + j]
                XCTAssertEqual(h[row * k + j], x1 / (1 + Foundation.exp(-x1)) * x2, accuracy: 1e-14)
            }
        }
        // silu(1) = σ(1) (Python: 1 / (1 + math.exp(-1))).
        XCTAssertEqual(SwiGLU.forward([1.0, 1.0], rows: 1)[0], 0.7310585786300049, accuracy: 1e-15)
        // The inference pass's buffer form is the same arithmetic; Float agrees with Double.
        var into = [Double](repeating: .nan, count: rows * k)
        SwiGLU.forward(packed, rows: rows, into: &into)
        XCTAssertEqual(into, h)
        let single = SwiGLU.forward(packed.map(Float.init), rows: rows)
        for (s, d) in zip(single, h) { XCTAssertEqual(Double(s), d, accuracy: 1e-6 * max(1, abs(d))) }
        // SiLU as an activation is Swish at β = 1.
        XCTAssertEqual(Activation.silu.forward([-2.0, 0.5]), [-2 / (1 + Foundation.exp(2.0)), 0.5 / (1 + Foundation.exp(-0.5))])
    }

    /// SiLU as an `Activation` (Swish at β = 1): its gradient against finite differences, the
    /// identity rule's x ⊙ dx = y ⊙ dy, and DeepLIFT's secant summing to Δy per element; QuickGELU
    /// (β = 1.702) through the same code keeps its values.
    func testSiLUActivationGradientIdentityRuleAndRescale() {
        let x: [Double] = [-12, -4, -1.5, -0.3, 0, 0.2, 1, 3.5, 9]
        let y = Activation.silu.forward(x)
        for (xi, yi) in zip(x, y) { XCTAssertEqual(yi, xi / (1 + Foundation.exp(-xi)), accuracy: 1e-15) }
        let dx = Activation.silu.backward([Double](repeating: 1, count: x.count), input: x)
        let h = 1e-6
        for i in x.indices {
            let fd = (Activation.silu.forward([x[i] + h])[0] - Activation.silu.forward([x[i] - h])[0]) / (2 * h)
            XCTAssertEqual(fd, dx[i], accuracy: 1e-8, "x = \(x[i])")
        }
        let dy = Self.random(x.count, seed: 16)
        let identity = Activation.silu.identityRuleBackward(dy, input: x)
        for i in x.indices { XCTAssertEqual(x[i] * identity[i], y[i] * dy[i], accuracy: 1e-14) }
        var x0 = Self.random(x.count, seed: 17)
        x0[4] = x[4]
        let m = Activation.silu.rescaleBackward(
            [Double](repeating: 1, count: x.count), input: x, output: y, baselineInput: x0, baselineOutput: Activation.silu.forward(x0))
        let y0 = Activation.silu.forward(x0)
        for i in x.indices { XCTAssertEqual(m[i] * (x[i] - x0[i]), y[i] - y0[i], accuracy: 1e-14 * max(1, abs(y[i]))) }
        XCTAssertEqual(QuickGELU.forward([1.0])[0], 0.8457957659328212, accuracy: 1e-15)
    }

    /// dx, dW and db of a SwiGLU MLP against central finite differences (Float64).
    func testBackwardMatchesFiniteDifferences() {
        let mlp = Self.mlp(seed: 3)
        let rows = 3, d = 5
        let x = Self.random(rows * d, seed: 4, scale: 1.5)
        let dy = Self.random(rows * d, seed: 5)
        let (_, cache) = mlp.forward(x, rows: rows)
        var gradient = mlp.zeroed()
        let dx = mlp.backward(dy, input: x, cache: cache, rows: rows, gradient: &gradient)
        func loss(_ layer: MLP<Double>, _ input: [Double]) -> Double {
            zip(layer.forward(input, rows: rows).y, dy).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let h = 1e-6
        for i in x.indices {
            var plus = x, minus = x
            plus[i] += h; minus[i] -= h
            let fd = (loss(mlp, plus) - loss(mlp, minus)) / (2 * h)
            XCTAssertEqual(fd, dx[i], accuracy: 1e-8 * max(1, abs(fd)), "dx[\(i)]")
        }
        for layer in [\MLP<Double>.fc1, \.fc2] {
            for i in 0..<mlp[keyPath: layer].weight.count {
                var plus = mlp, minus = mlp
                plus[keyPath: layer].weight.scalars[i] += h
                minus[keyPath: layer].weight.scalars[i] -= h
                let fd = (loss(plus, x) - loss(minus, x)) / (2 * h)
                XCTAssertEqual(fd, gradient[keyPath: layer].weight.scalars[i], accuracy: 1e-8 * max(1, abs(fd)), "dW[\(i)]")
            }
            for i in 0..<mlp[keyPath: layer].bias!.count {
                var plus = mlp, minus = mlp
                plus[keyPath: layer].bias!.scalars[i] += h
                minus[keyPath: layer].bias!.scalars[i] -= h
                let fd = (loss(plus, x) - loss(minus, x)) / (2 * h)
                XCTAssertEqual(fd, gradient[keyPath: layer].bias!.scalars[i], accuracy: 1e-8 * max(1, abs(fd)), "db[\(i)]")
            }
        }
    }

    /// The gradient of the gated product alone, both halves, against finite differences,
    /// including SiLU's derivative at 0 and far out on both sides.
    func testGatedProductGradientMatchesFiniteDifferences() {
        let rows = 2, k = 5
        var packed = Self.random(rows * 2 * k, seed: 6, scale: 2)
        packed[0] = 0
        packed[1] = -12
        packed[2] = 9
        let dh = Self.random(rows * k, seed: 7)
        let du = SwiGLU.backward(dh, packed: packed, rows: rows)
        let h = 1e-6
        func loss(_ u: [Double]) -> Double { zip(SwiGLU.forward(u, rows: rows), dh).reduce(0) { $0 + $1.0 * $1.1 } }
        for i in packed.indices {
            var plus = packed, minus = packed
            plus[i] += h; minus[i] -= h
            XCTAssertEqual((loss(plus) - loss(minus)) / (2 * h), du[i], accuracy: 1e-8, "du[\(i)]")
        }
    }

    /// The modified gradients are the explicit rules read as gradient × input: u ⊙ du equals
    /// the relevance the rule gives u when h's relevance is h ⊙ dh, element by element
    /// (AttnLRP: uniform; CP-LRP: constant gate).
    func testModifiedGradientsAreTheExplicitRules() {
        let rows = 3, k = 4
        let packed = Self.random(rows * 2 * k, seed: 8, scale: 2)
        let dh = Self.random(rows * k, seed: 9)
        let h = SwiGLU.forward(packed, rows: rows)
        let rh = zip(h, dh).map { $0 * $1 }
        for (gradientRule, rule) in [(GradientRule.attnLRP, RelevanceRules.GatedProductRule.uniform), (.constantAttention, .constantGate)] {
            let du = SwiGLU.backward(dh, packed: packed, rows: rows, rule: gradientRule)
            let ru = SwiGLU.relevance(rh, rows: rows, rule: rule)
            for i in packed.indices { XCTAssertEqual(packed[i] * du[i], ru[i], accuracy: 1e-14, "\(gradientRule) u[\(i)]") }
        }
    }

    /// Both rules conserve per element: R_{x₁} + R_{x₂} = R_h; uniform halves it, the
    /// constant gate gives x₁ nothing.
    func testGatedProductRulesConservePerElement() {
        let rows = 2, k = 3
        let r = Self.random(rows * k, seed: 10)
        let uniform = SwiGLU.relevance(r, rows: rows, rule: .uniform)
        let constant = SwiGLU.relevance(r, rows: rows, rule: .constantGate)
        for row in 0..<rows {
            for j in 0..<k {
                let gate = row * 2 * k + j, value = gate + k, out = row * k + j
                XCTAssertEqual(uniform[gate] + uniform[value], r[out])
                XCTAssertEqual(uniform[gate], r[out] / 2)
                XCTAssertEqual(constant[gate], 0)
                XCTAssertEqual(constant[value], r[out])
            }
        }
    }

    /// DeepLIFT's multipliers through the gated product satisfy summation-to-delta per output
    /// element (the product rule and SiLU's secant), also where x₁ = x₁′.
    func testRescaleMultipliersSatisfySummationToDelta() {
        let rows = 2, k = 4
        let packed = Self.random(rows * 2 * k, seed: 11, scale: 2)
        var baseline = Self.random(rows * 2 * k, seed: 12)
        baseline[1] = packed[1]
        baseline[2] = packed[2] + 1e-12
        let ones = [Double](repeating: 1, count: rows * k)
        let h = SwiGLU.forward(packed, rows: rows), h0 = SwiGLU.forward(baseline, rows: rows)
        for output in 0..<(rows * k) {
            var dh = [Double](repeating: 0, count: rows * k)
            dh[output] = ones[output]
            let m = SwiGLU.rescaleBackward(dh, packed: packed, baseline: baseline, rows: rows)
            let total = zip(m, zip(packed, baseline)).reduce(0) { $0 + $1.0 * ($1.1.0 - $1.1.1) }
            XCTAssertEqual(total, h[output] - h0[output], accuracy: 1e-14, "output \(output)")
        }
    }

    /// What the MLP's rule conserves, per rule set's gate rule, on a SwiGLU MLP with LRP-0 on
    /// fc1 and fc2 (as `ConservationTests` check Chefer's structural rules; αβ itself drops the
    /// relevance of outputs without activators, `testAlphaBetaDropsRelevanceOfOutputsWithoutActivators`):
    /// with biases zeroed nothing is lost; with biases the loss is exactly their share Σ b·R/z.
    func testMLPRuleConservesUnderEveryRuleSet() {
        let rows = 4, d = 5
        let x = Self.random(rows * d, seed: 13, scale: 1.5)
        let r = Self.random(rows * d, seed: 14)
        // The model's named rule presets, which the explanation methods' rule sets resolve to.
        let presets: [(String, RelevanceRules)] = [
            ("chefer", .chefer), ("attnlrp", .attnLRP(epsilon: 0, gamma: 0.25)), ("cp-lrp", .cpLRP(epsilon: 0, gamma: 0.25)), ("lrp-0", .lrp0),
        ]
        for (set, preset) in presets {
            var rules = preset
            rules.linear = .epsilon(0)
            rules.stabiliser = 0
            rules.weightRuleStabiliser = 0
            for biases in [false, true] {
                let mlp = Self.mlp(seed: 15, biases: biases)
                let (y, cache) = mlp.forward(x, rows: rows)
                let (relevance, absorbed) = mlp.relevance(r, input: x, cache: cache, rows: rows, rules: rules, output: y)
                let gap = r.reduce(0, +) - relevance.reduce(0, +)
                XCTAssertEqual(gap, absorbed, accuracy: 1e-12, "\(set) biases \(biases): every leak is a bias's")
                XCTAssertEqual(absorbed == 0, !biases, "\(set) biases \(biases)")
            }
        }
    }

    /// Each named rule set's gated-product rule, as `SwiGLU`'s comment states it.
    func testRuleSetsTreatTheGateAsTheyTreatAttention() {
        XCTAssertEqual(RelevanceRules.chefer.gatedProduct, .uniform)
        XCTAssertEqual(RelevanceRules.attnLRP().gatedProduct, .uniform)
        XCTAssertEqual(RelevanceRules.cpLRP().gatedProduct, .constantGate)
        XCTAssertEqual(RelevanceRules.lrp0.gatedProduct, .constantGate)
        let custom = RelevanceRules(
            linear: .epsilon(0), layerNorm: .identity, attention: .constantAttention, residual: .proportional, patch: .zB)
        XCTAssertEqual(custom.gatedProduct, .constantGate, "a custom set follows its attention rule")
    }
}
