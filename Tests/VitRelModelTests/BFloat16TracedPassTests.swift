import Foundation
import XCTest
@testable import VitRelModel

/// The traced pass at `ProductPrecision.bf16` (training's mixed precision): a Linear layer's
/// bfloat16 backward against Float64 products of the rounded operands, and a whole model's
/// traced pass against its untraced bf16 pass and its fp32 gradients.
final class BFloat16TracedPassTests: XCTestCase {
    override func tearDown() {
        Parallel.setThreadCount(ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Skips where oneDNN has no bfloat16 matmul (below AVX-512, or `make test`'s AVX2 pass).
    private func requireBFloat16() throws {
        guard BFloat16Matrix.isSupported else { throw XCTSkip("oneDNN has no bfloat16 matmul on \(OneDNNGEMM.instructionSet)") }
    }

    private static func widened(_ bits: [UInt16]) -> [Double] { bits.map { Double(Float(bitPattern: UInt32($0) << 16)) } }

    /// Largest |computed − exact| / (Float32 dot-product bound) over a product whose exact
    /// value (Float64 of the rounded operands) and absolute sum are given per element.
    private static func worstRatio(_ computed: [Float], exact: [Double], magnitude: [Double], length: Int) -> Double {
        let u = Double(Float.ulpOfOne) / 2
        return zip(computed.indices, computed).map { i, value in
            abs(Double(value) - exact[i]) / max(Double(length + 2) * u * magnitude[i], .leastNormalMagnitude)
        }.max()!
    }

    /// dW += d̃yᵀ·x̃ and dx = d̃y·W̃ with Float32 sums (each within the Float32 dot-product bound
    /// of the Float64 product of the rounded operands, and measurably off the Float32 product of
    /// the unrounded ones), db from the unrounded dy (the fp32 backward's bits), zero dy rows
    /// giving zero dx rows, and the same bits on 1 and 2 threads. The forward at bf16 is the
    /// untraced pass's bf16 product, bit for bit.
    func testLinearBackwardUsesRoundedOperandsAndFloatSums() throws {
        try requireBFloat16()
        var generator = SeededGenerator(seed: 31)
        let (m, n, k) = (260, 300, 192)
        XCTAssertGreaterThan(GEMMBlocks(m: n, n: k, k: m).count, 1, "dW is cut into blocks")
        XCTAssertGreaterThan(GEMMBlocks(m: m, n: k, k: n).count, 1, "dx is cut into blocks")
        var layer = Linear<Float>(
            weight: Tensor(shape: [n, k], scalars: (0..<(n * k)).map { _ in Float(0.05 * generator.nextGaussian()) }),
            bias: Tensor(shape: [n], scalars: (0..<n).map { _ in Float(generator.nextGaussian()) }))
        let x = (0..<(m * k)).map { _ in Float(generator.nextGaussian()) }
        var dy = (0..<(m * n)).map { _ in Float(generator.nextGaussian()) }
        let silent = 40..<52  // rows without gradient, as under CLS pooling's last block
        for row in silent { for j in 0..<n { dy[row * n + j] = 0 } }

        let (y, traced) = layer.tracedForward(x, rows: m, precision: .bf16)
        let operands = try XCTUnwrap(traced)
        var untraced = [Float](repeating: .nan, count: m * n)
        layer.setInferencePrecision(.bf16)
        layer.inferenceForward(x, rows: m, into: &untraced)
        XCTAssertEqual(y, untraced, "the traced bf16 product is the untraced pass's")
        XCTAssertEqual(operands.weight.bits, layer.reducedWeight!.bits)
        layer.setInferencePrecision(.fp32)
        XCTAssertNil(layer.tracedForward(x, rows: m, precision: .fp32).operands)

        func backward(threads: Int, operands: BFloat16Operands?) -> (dx: [Float], gradient: Linear<Float>) {
            Parallel.setThreadCount(threads)
            var gradient = layer.zeroed()
            let dx = layer.backward(dy, input: x, rows: m, gradient: &gradient, operands: operands)
            return (dx, gradient)
        }
        let one = backward(threads: 1, operands: operands), two = backward(threads: 2, operands: operands)
        XCTAssertEqual(one.dx, two.dx, "dx bits depend on the thread count")
        XCTAssertEqual(one.gradient.weight.scalars, two.gradient.weight.scalars, "dW bits depend on the thread count")
        let float32 = backward(threads: 2, operands: nil)
        XCTAssertEqual(two.gradient.bias!.scalars, float32.gradient.bias!.scalars, "db is summed from the unrounded dy")

        let dyRounded = Self.widened(BFloat16Products.rounded(dy)), xRounded = Self.widened(operands.input)
        let wRounded = Self.widened(operands.weight.bits)
        var exactDX = [Double](repeating: 0, count: m * k), magnitudeDX = exactDX
        for row in 0..<m { for j in 0..<n { for c in 0..<k {
            let term = dyRounded[row * n + j] * wRounded[j * k + c]
            exactDX[row * k + c] += term
            magnitudeDX[row * k + c] += abs(term)
        } } }
        var exactDW = [Double](repeating: 0, count: n * k), magnitudeDW = exactDW
        for row in 0..<m { for j in 0..<n { for c in 0..<k {
            let term = dyRounded[row * n + j] * xRounded[row * k + c]
            exactDW[j * k + c] += term
            magnitudeDW[j * k + c] += abs(term)
        } } }
        XCTAssertLessThanOrEqual(Self.worstRatio(two.dx, exact: exactDX, magnitude: magnitudeDX, length: n), 1)
        XCTAssertLessThanOrEqual(Self.worstRatio(two.gradient.weight.scalars, exact: exactDW, magnitude: magnitudeDW, length: m), 1)
        XCTAssertGreaterThan(Self.worstRatio(float32.dx, exact: exactDX, magnitude: magnitudeDX, length: n), 1,
                             "the Float32 product of unrounded operands is not what ran")
        XCTAssertGreaterThan(
            Self.worstRatio(float32.gradient.weight.scalars, exact: exactDW, magnitude: magnitudeDW, length: m), 1)
        for row in silent { XCTAssertTrue(two.dx[(row * k)..<((row + 1) * k)].allSatisfy { $0 == 0 }) }
    }

    /// A whole model's traced pass at bf16 gives the untraced bf16 pass's logits bit for bit,
    /// keeps every block's rounded operands (the fp32 pass none), and its parameter gradients
    /// (the same bits on 1 and 2 threads) point where the fp32 ones do: cosine > 0.999 and a
    /// relative difference of a few bfloat16 roundings (2⁻⁸ ≈ 0.004 each), not zero.
    func testTracedPassMatchesTheUntracedPassAndItsGradientsFollowFloat32() throws {
        try requireBFloat16()
        let (model, images) = InferencePassTests.blockedModel(pooling: .token)
        var untraced = model
        try untraced.setInferencePrecision(.bf16)
        let fp32Trace = try model.forward(images)
        XCTAssertTrue(fp32Trace.blocks.allSatisfy { $0.mlp.fc1Operands == nil && $0.attention.queryKeyValueOperands == nil })
        func gradients(precision: ProductPrecision, threads: Int) throws -> (logits: [Float], gradient: [Float]) {
            Parallel.setThreadCount(threads)
            let trace = try model.forward(images, precision: precision)
            if precision == .bf16 {
                XCTAssertTrue(trace.blocks.allSatisfy {
                    $0.mlp.fc1Operands != nil && $0.mlp.fc2Operands != nil && $0.attention.queryKeyValueOperands != nil
                        && $0.attention.projectionOperands != nil
                })
            }
            // ∂(Σ_b logit of class b mod 3)/∂θ: a fixed, label-like selection.
            var dLogits = Tensor<Float>(zeros: trace.logits.shape)
            for b in 0..<trace.batch { dLogits.scalars[b * 3 + b % 3] = 1 }
            var gradient = model.zeroed()
            _ = model.backward(dLogits, trace: trace, parameterGradient: &gradient)
            return (trace.logits.scalars, ParameterList(gradient).tensors.flatMap(\.scalars))
        }
        let one = try gradients(precision: .bf16, threads: 1), two = try gradients(precision: .bf16, threads: 2)
        XCTAssertEqual(one.gradient, two.gradient, "bf16 gradients depend on the thread count")
        XCTAssertEqual(two.logits, try untraced.logits(images).scalars, "traced and untraced bf16 logits differ")
        let reference = try gradients(precision: .fp32, threads: 2)
        var dot = 0.0, normA = 0.0, normB = 0.0, difference = 0.0
        for (a, b) in zip(two.gradient, reference.gradient) {
            dot += Double(a) * Double(b)
            normA += Double(a) * Double(a)
            normB += Double(b) * Double(b)
            difference += (Double(a) - Double(b)) * (Double(a) - Double(b))
        }
        let cosine = dot / (normA * normB).squareRoot(), relative = (difference / normB).squareRoot()
        XCTAssertGreaterThan(cosine, 0.999, "cosine \(cosine)")
        XCTAssertGreaterThan(relative, 0, "bfloat16 ran")
        XCTAssertLessThan(relative, 0.05, "relative difference \(relative)")
        print(String(format: "bf16 against fp32 parameter gradients: cosine %.6f, relative difference %.4f", cosine, relative))
    }
}
