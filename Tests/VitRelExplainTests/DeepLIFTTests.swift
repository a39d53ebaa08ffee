import XCTest
import VitRelTestSupport
@testable import VitRelExplain
@testable import VitRelModel

/// DeepLIFT's rescale rule (Shrikumar et al. 2017) through GELU, softmax, LayerNorm and the
/// attention products, in Float64. The reference is summation-to-delta itself: Σ m·Δx = Δy
/// per layer and Σ attributions = F(x) − F(x′) for the whole model, which holds only if every
/// rule on the way is right. (Captum's DeepLift has no rescale rule for these layers.)
final class DeepLIFTTests: XCTestCase {
    func randomArray(_ count: Int, seed: UInt64, scale: Double = 1) -> [Double] {
        var g = SeededGenerator(seed: seed)
        return (0..<count).map { _ in scale * g.nextGaussian() }
    }

    func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
    func difference(_ a: [Double], _ b: [Double]) -> [Double] { zip(a, b).map { $0 - $1 } }
    func oneHot(_ index: Int, _ count: Int) -> [Double] {
        var v = [Double](repeating: 0, count: count)
        v[index] = 1
        return v
    }

    /// A baseline that equals the input in some elements and is within 1e-12 of it in others,
    /// so the derivative fallback is exercised next to ordinary secants.
    func baseline(near x: [Double], seed: UInt64) -> [Double] {
        var x0 = randomArray(x.count, seed: seed)
        for i in stride(from: 0, to: x.count, by: 5) { x0[i] = x[i] }
        for i in stride(from: 2, to: x.count, by: 7) { x0[i] = x[i] + 1e-12 }
        return x0
    }

    func testGELUMultipliersSatisfySummationToDeltaPerElement() {
        let x = randomArray(200, seed: 1, scale: 2), x0 = baseline(near: x, seed: 2)
        let y = GELU.forward(x), y0 = GELU.forward(x0)
        let ones = [Double](repeating: 1, count: x.count)
        let m = GELU.rescaleBackward(ones, input: x, output: y, baselineInput: x0, baselineOutput: y0)
        for i in 0..<x.count {
            XCTAssertEqual(m[i] * (x[i] - x0[i]), y[i] - y0[i], accuracy: 1e-15 * max(1, abs(y[i])), "element \(i)")
        }
        // Where the endpoints coincide the multiplier is GELU's derivative there.
        let derivative = GELU.backward(ones, input: x)
        XCTAssertEqual(m[0], derivative[0], accuracy: 1e-15)
    }

    func testLayerNormMultipliersSatisfySummationToDeltaPerOutput() {
        let rows = 3, d = 6
        for epsilon in [1e-6, 0.3] {
            let norm = LayerNorm<Double>(
                weight: Tensor(shape: [d], scalars: randomArray(d, seed: 3).map { 1 + 0.5 * $0 }),
                bias: Tensor(shape: [d], scalars: randomArray(d, seed: 4)), epsilon: epsilon)
            let x = randomArray(rows * d, seed: 5, scale: 2), x0 = randomArray(rows * d, seed: 6)
            let (y, cache) = norm.forward(x, rows: rows), (y0, cache0) = norm.forward(x0, rows: rows)
            let dx = difference(x, x0), dy = difference(y, y0)
            // One output at a time: Σ_i m_ij·Δx_i = Δy_j for every output j of every row.
            for j in 0..<(rows * d) {
                let m = norm.rescaleBackward(oneHot(j, rows * d), input: x, cache: cache, baselineInput: x0, baselineCache: cache0, rows: rows)
                XCTAssertEqual(dot(m, dx), dy[j], accuracy: 1e-13, "output \(j), ε \(epsilon)")
            }
        }
    }

    func testSoftmaxMultipliersSatisfySummationToDeltaPerOutput() {
        let rows = 3, n = 5
        func softmax(_ s: [Double]) -> [Double] {
            var p = s
            for r in 0..<rows {
                let row = s[(r * n)..<((r + 1) * n)]
                let total = row.map { exp($0 - row.max()!) }.reduce(0, +)
                for j in 0..<n { p[r * n + j] = exp(s[r * n + j] - row.max()!) / total }
            }
            return p
        }
        let s = randomArray(rows * n, seed: 7, scale: 3), s0 = baseline(near: s, seed: 8)
        let dp = difference(softmax(s), softmax(s0)), ds = difference(s, s0)
        for j in 0..<(rows * n) {
            let m = MultiHeadAttention<Double>.softmaxRescaleBackward(oneHot(j, rows * n), scores: s, baselineScores: s0, rows: rows, columns: n)
            XCTAssertEqual(dot(m, ds), dp[j], accuracy: 1e-15, "output \(j)")
        }
    }

    /// The whole attention layer (qkv, q·kᵀ product rule, softmax, A·v product rule, proj).
    func testAttentionMultipliersSatisfySummationToDelta() {
        let model = TinyViT.model(seed: 9)
        let attention = model.blocks[0].attention
        let batch = 2, tokens = 7, d = model.config.embedDimension
        let x = randomArray(batch * tokens * d, seed: 10), x0 = randomArray(batch * tokens * d, seed: 11)
        let (y, cache) = attention.forward(x, batch: batch, tokens: tokens)
        let (y0, cache0) = attention.forward(x0, batch: batch, tokens: tokens)
        let dy = difference(y, y0)
        var unused = attention
        for seed in UInt64(12)..<UInt64(16) {
            let g = randomArray(y.count, seed: seed)
            let (m, mA) = attention.backward(
                g, input: x, cache: cache, batch: batch, tokens: tokens, gradient: &unused, accumulate: false,
                rule: .deepLIFTRescale, baseline: cache0)
            XCTAssertEqual(dot(m, difference(x, x0)), dot(g, dy), accuracy: 1e-12)
            // The multipliers of A see the change of A: Σ m_A·ΔA is the part of Σ g·Δy that the
            // probabilities carry (with q, k fixed the rest is V's), so it is not trivially zero.
            XCTAssertGreaterThan(abs(dot(mA, difference(cache.attention, cache0.attention))), 1e-6)
        }
    }

    /// Σ_pixels attribution = F(x)[t] − F(x′)[t] for the whole model, zero and random
    /// baselines, CLS and average pooling: every rule above and the linear ones in between.
    func testWholeModelSatisfiesSummationToDelta() throws {
        try checkWholeModelSummationToDelta()
    }

    /// The same through norm_pre, QuickGELU's secants and q_norm / k_norm's LayerNorm rule.
    func testWholeModelWithCLIPAndQueryKeyNormSatisfiesSummationToDelta() throws {
        try checkWholeModelSummationToDelta(family: TinyViT.clipFeatures)
    }

    /// The same through SwiGLU's product rule and SiLU's secants.
    func testWholeModelWithSwiGLUSatisfiesSummationToDelta() throws {
        try checkWholeModelSummationToDelta(family: TinyViT.swiGLUFeatures)
    }

    func checkWholeModelSummationToDelta(family: (inout ViTConfig) -> Void = { _ in }) throws {
        for pooling in [ViTConfig.Pooling.token, .average, .classTokenAndPatchMean] {
            let model = TinyViT.model(pooling: pooling, seed: 13, family: family)
            let images = TinyViT.randomTensor([2, 3, 8, 12], seed: 14)
            let explainer = Explainer(model: model)
            for baseline in [nil, TinyViT.randomTensor([2, 3, 8, 12], seed: 15)] {
                let reference = baseline ?? Tensor(zeros: images.shape)
                let trace = try model.forward(images), baselineLogits = try model(reference)
                for targets in [[0, 2], [1, 1]] {
                    let (attributions, gaps) = try explainer.deepLIFT(images, baseline: baseline, targets: targets)
                    // Gradient × (x − x′), the linear approximation: what the rules improve on.
                    let gradients = model.inputGradients(Explainer<Double>.oneHot(targets, classes: 3), trace: trace).images
                    for b in 0..<2 {
                        let total = attributions.slice(b).scalars.reduce(0, +)
                        let delta = trace.logits.scalars[b * 3 + targets[b]] - baselineLogits.scalars[b * 3 + targets[b]]
                        XCTAssertEqual(total, delta, accuracy: 1e-9, "\(pooling), image \(b), target \(targets[b])")
                        XCTAssertEqual(gaps[b], total - delta, accuracy: 1e-12)
                        let linear = zip(gradients.slice(b).scalars, difference(images.slice(b).scalars, reference.slice(b).scalars))
                            .reduce(0) { $0 + $1.0 * $1.1 }
                        XCTAssertGreaterThan(abs(linear - delta), 1e-4, "the model is nonlinear between the endpoints")
                    }
                }
            }
        }
    }

    /// The explanation is the channel sum of the attributions and carries the gaps.
    func testExplanationMapIsTheChannelSumOfAttributions() throws {
        let model = TinyViT.model(seed: 13)
        let images = TinyViT.randomTensor([1, 3, 8, 12], seed: 16)
        var options = ExplanationOptions()
        options.baselineValue = -0.25
        let explainer = Explainer(model: model, options: options)
        let explanation = try explainer.explain(images, method: .deepLIFT, targets: [1])
        let (attributions, gaps) = try explainer.deepLIFT(images, targets: [1])
        XCTAssertEqual([explanation.maps[0].height, explanation.maps[0].width], [8, 12])
        for p in 0..<96 {
            let channels = (0..<3).map { attributions.scalars[$0 * 96 + p] }.reduce(0, +)
            XCTAssertEqual(Double(explanation.maps[0].values[p]), channels, accuracy: 1e-6)
        }
        XCTAssertEqual(explanation.completenessGaps?[0] ?? .nan, gaps[0], accuracy: 1e-15)
        XCTAssertLessThan(abs(gaps[0]), 1e-9)
    }

    /// As the baseline approaches the input the multipliers become the gradient at the
    /// midpoint (secants of smooth maps: error O(δ²)), so DeepLIFT → gradient × (x − x′).
    /// With the baseline equal to the input every rule falls back to its derivative and the
    /// multipliers are the gradient itself.
    func testMultipliersBecomeTheGradientAsTheBaselineApproachesTheInput() throws {
        let model = TinyViT.model(seed: 17)
        let images = TinyViT.randomTensor([1, 3, 8, 12], seed: 18)
        let direction = TinyViT.randomTensor([1, 3, 8, 12], seed: 19)
        var seed = Tensor<Double>(zeros: [1, 3])
        seed.scalars[2] = 1
        let trace = try model.forward(images)

        let same = model.inputGradients(seed, trace: trace, rule: .deepLIFTRescale, baseline: trace).images.scalars
        let gradient = model.inputGradients(seed, trace: trace).images.scalars
        let scale = gradient.map(abs).max()!
        for (m, g) in zip(same, gradient) { XCTAssertEqual(m, g, accuracy: 1e-13 * scale) }

        var previous = Double.infinity
        for delta in [1e-2, 1e-3, 1e-4] {
            var baseline = images, midpoint = images
            for i in 0..<images.count {
                baseline.scalars[i] -= delta * direction.scalars[i]
                midpoint.scalars[i] -= delta / 2 * direction.scalars[i]
            }
            let multipliers = model.inputGradients(
                seed, trace: trace, rule: .deepLIFTRescale, baseline: try model.forward(baseline)).images.scalars
            let atMidpoint = model.inputGradients(seed, trace: try model.forward(midpoint)).images.scalars
            let error = zip(multipliers, atMidpoint).map { abs($0 - $1) }.max()! / scale
            // Second order: the error falls ~100× per decade of δ (allow 30×).
            XCTAssertLessThan(error, previous / 30, "δ \(delta)")
            XCTAssertLessThan(error, 10 * delta * delta, "δ \(delta)")
            previous = error
        }
    }
}
