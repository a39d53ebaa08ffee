import XCTest
import VitRelTestSupport
@testable import VitRelModel

/// Every analytic gradient against central finite differences in Float64.
final class GradientCheckTests: XCTestCase {
    func checkModel(pooling: ViTConfig.Pooling, family: (inout ViTConfig) -> Void = { _ in }) throws {
        let model = TinyViT.model(pooling: pooling, family: family)
        let images = TinyViT.randomTensor([2, 3, 8, 12], seed: 5)
        let seed = TinyViT.randomTensor([2, 3], seed: 6)
        let trace = try model.forward(images)
        var gradient = model.zeroed()
        let analytic = model.backward(seed, trace: trace, parameterGradient: &gradient)
        let h = 1e-6
        func numeric(_ perturb: (inout VisionTransformer<Double>, inout Tensor<Double>, Double) -> Void) -> Double {
            var mPlus = model, iPlus = images, mMinus = model, iMinus = images
            perturb(&mPlus, &iPlus, h)
            perturb(&mMinus, &iMinus, -h)
            return (TinyViT.loss(mPlus, iPlus, seed) - TinyViT.loss(mMinus, iMinus, seed)) / (2 * h)
        }
        var worst = 0.0
        // Every input pixel.
        for i in 0..<images.count {
            let fd = numeric { _, x, step in x.scalars[i] += step }
            worst = max(worst, abs(fd - analytic.images.scalars[i]) / max(1, abs(fd)))
        }
        XCTAssertLessThan(worst, 1e-7, "input gradient")
        // Every parameter tensor, at up to 6 positions each.
        var names = [String]()
        var gradientCopy = gradient
        gradientCopy.forEachParameter { name, _ in names.append(name) }
        var analyticByName = [String: Tensor<Double>]()
        gradientCopy.forEachParameter { name, tensor in analyticByName[name] = tensor }
        for name in names {
            let count = analyticByName[name]!.count
            for position in Set((0..<6).map { $0 * 7919 % count }) {
                let fd = numeric { m, _, step in
                    m.forEachParameter { n, t in if n == name { t.scalars[position] += step } }
                }
                let error = abs(fd - analyticByName[name]!.scalars[position]) / max(1, abs(fd))
                XCTAssertLessThan(error, 1e-7, "\(name)[\(position)]: finite difference \(fd) vs \(analyticByName[name]!.scalars[position])")
            }
        }
        // ∂L/∂A for every block, by perturbing the probabilities directly.
        for block in 0..<model.config.depth {
            let size = analytic.attention[block].count
            for position in Set((0..<8).map { $0 * 104729 % size }) {
                var plus = [Double](repeating: 0, count: size), minus = plus
                plus[position] = h
                minus[position] = -h
                let fd = (TinyViT.loss(model, images, seed, offsets: [block: plus]) - TinyViT.loss(model, images, seed, offsets: [block: minus])) / (2 * h)
                XCTAssertEqual(fd, analytic.attention[block][position], accuracy: 1e-7 * max(1, abs(fd)), "∂L/∂A block \(block)[\(position)]")
            }
        }
    }

    func testWholeModelGradientsMatchFiniteDifferencesWithTokenPooling() throws {
        try checkModel(pooling: .token)
    }

    func testWholeModelGradientsMatchFiniteDifferencesWithAveragePooling() throws {
        try checkModel(pooling: .average)
    }

    /// LayerScale's dx and dγ, the distillation token and head_dist, the registers and a
    /// position embedding without prefix rows, against finite differences.
    func testWholeModelGradientsMatchFiniteDifferencesWithTheFamilyFeatures() throws {
        try checkModel(pooling: .token, family: TinyViT.familyFeatures)
    }

    /// Registers and LayerScale under average pooling (the registers are not pooled).
    func testWholeModelGradientsMatchFiniteDifferencesWithRegistersAndAveragePooling() throws {
        try checkModel(pooling: .average) { config in
            config.layerScale = true
            config.registerTokenCount = 3
        }
    }

    /// Hugging Face DINOv2's [CLS ⊕ patch mean] head with registers (not pooled) and LayerScale.
    func testWholeModelGradientsMatchFiniteDifferencesWithClassTokenAndPatchMeanPooling() throws {
        try checkModel(pooling: .classTokenAndPatchMean) { config in
            config.layerScale = true
            config.registerTokenCount = 2
        }
    }

    /// CLIP's norm_pre (and the bias-free patch embedding), QuickGELU and qk_norm's q_norm and
    /// k_norm: input, parameter and ∂L/∂A gradients against finite differences.
    func testWholeModelGradientsMatchFiniteDifferencesWithCLIPAndQueryKeyNorm() throws {
        try checkModel(pooling: .token, family: TinyViT.clipFeatures)
        try checkModel(pooling: .average) { config in
            config.queryKeyNorm = true
            config.layerScale = true
        }
    }

    /// DINOv2 ViT-g/14's SwiGLU MLP (fc1 packed [x₁ | x₂], silu(x₁) ⊙ x₂, fc2 from half the
    /// width) with LayerScale, under token pooling and under Hugging Face's [CLS ⊕ patch mean]
    /// head with registers: input, parameter and ∂L/∂A gradients against finite differences.
    func testWholeModelGradientsMatchFiniteDifferencesWithSwiGLU() throws {
        try checkModel(pooling: .token, family: TinyViT.swiGLUFeatures)
        try checkModel(pooling: .classTokenAndPatchMean) { config in
            TinyViT.swiGLUFeatures(&config)
            config.registerTokenCount = 2
        }
    }

    func testLayerNormBackwardMatchesFiniteDifferences() {
        var generator = SeededGenerator(seed: 3)
        let d = 7, rows = 3
        let norm = LayerNorm<Double>(
            weight: Tensor(shape: [d], scalars: (0..<d).map { _ in 1 + generator.nextGaussian() }),
            bias: Tensor(shape: [d], scalars: (0..<d).map { _ in generator.nextGaussian() }), epsilon: 1e-5)
        let x = (0..<(rows * d)).map { _ in generator.nextGaussian() }
        let dy = (0..<(rows * d)).map { _ in generator.nextGaussian() }
        let (_, cache) = norm.forward(x, rows: rows)
        var gradient = norm.zeroed()
        let dx = norm.backward(dy, input: x, cache: cache, rows: rows, gradient: &gradient)
        func loss(_ n: LayerNorm<Double>, _ input: [Double]) -> Double {
            zip(n.forward(input, rows: rows).y, dy).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let h = 1e-6
        for i in 0..<x.count {
            var plus = x, minus = x
            plus[i] += h; minus[i] -= h
            XCTAssertEqual((loss(norm, plus) - loss(norm, minus)) / (2 * h), dx[i], accuracy: 1e-8)
        }
        for i in 0..<d {
            var plus = norm, minus = norm
            plus.weight.scalars[i] += h; minus.weight.scalars[i] -= h
            XCTAssertEqual((loss(plus, x) - loss(minus, x)) / (2 * h), gradient.weight.scalars[i], accuracy: 1e-8)
            plus = norm; minus = norm
            plus.bias.scalars[i] += h; minus.bias.scalars[i] -= h
            XCTAssertEqual((loss(plus, x) - loss(minus, x)) / (2 * h), gradient.bias.scalars[i], accuracy: 1e-8)
        }
    }

    func testGELUBackwardMatchesFiniteDifferences() {
        let x: [Double] = [-4, -1.5, -0.3, 0, 0.2, 1, 3.5]
        let dx = GELU.backward([Double](repeating: 1, count: x.count), input: x)
        let h = 1e-6
        for i in x.indices {
            let fd = (GELU.forward([x[i] + h])[0] - GELU.forward([x[i] - h])[0]) / (2 * h)
            XCTAssertEqual(fd, dx[i], accuracy: 1e-9)
        }
        // Known values: GELU(1) = Φ(1) = 0.8413447460685429.
        XCTAssertEqual(GELU.forward([1.0])[0], 0.8413447460685429, accuracy: 1e-15)
    }

    func testParameterGradientsDoNotDependOnThreadCount() throws {
        let model = TinyViT.model()
        let images = TinyViT.randomTensor([3, 3, 8, 12], seed: 9)
        let seed = TinyViT.randomTensor([3, 3], seed: 10)
        func gradients(threads: Int) throws -> [Double] {
            Parallel.setThreadCount(threads)
            let trace = try model.forward(images)
            var gradient = model.zeroed()
            let input = model.backward(seed, trace: trace, parameterGradient: &gradient)
            var all = input.images.scalars
            gradient.forEachParameter { _, t in all += t.scalars }
            return all
        }
        let one = try gradients(threads: 1)
        let two = try gradients(threads: 2)
        Parallel.setThreadCount(ProcessInfo.processInfo.activeProcessorCount)
        XCTAssertEqual(one, two)
    }
}
