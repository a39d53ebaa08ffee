import Foundation
import XCTest
@testable import VitRelModel

/// `ProductPrecision.bf16`: bfloat16 rounding, the bfloat16 Linear product against a Float64
/// product of the rounded operands, and the untraced pass of a whole model against Float32.
final class BFloat16InferenceTests: XCTestCase {
    override func tearDown() {
        Parallel.setThreadCount(ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Skips a test that needs the bfloat16 matmul where oneDNN has none (below AVX-512, or
    /// capped to AVX2 by `make test`'s second pass), after checking that asking for it there
    /// is an error that says so, not a crash.
    private func requireBFloat16() throws {
        guard BFloat16Matrix.isSupported else {
            var model = InferencePassTests.blockedModel(pooling: .token).0
            XCTAssertThrowsError(try model.setInferencePrecision(.bf16)) { error in
                XCTAssertEqual(error as? ProductPrecisionError, .bf16Unsupported(instructionSet: OneDNNGEMM.instructionSet))
                XCTAssertTrue("\(error)".contains("AVX-512"), "\(error)")
            }
            XCTAssertEqual(model.inferencePrecision, .fp32)
            throw XCTSkip("oneDNN has no bfloat16 matmul on \(OneDNNGEMM.instructionSet)")
        }
    }

    /// Round to nearest, ties to even, on the 16 bits kept; NaN stays NaN, ±∞ and ±0 stay.
    func testRoundingToBFloat16IsNearestEven() {
        let ulp = Float(1) / 128  // bfloat16 spacing at 1 (7 stored significand bits)
        let values: [Float] = [1, 1 + ulp / 2, 1 + 3 * ulp / 2, 1 + ulp / 2 + ulp / 1024, -2.5, .infinity, -.infinity, 0, -0.0,
                               Float(bitPattern: 0x3F80_7FFF), Float(bitPattern: 0x3F80_8000), Float(bitPattern: 0x3F81_8000), .nan]
        let rounded = values.withUnsafeBufferPointer { BFloat16Matrix(rows: 1, columns: values.count, floats: $0) }
        XCTAssertEqual(rounded.bits[0], 0x3F80)
        XCTAssertEqual(rounded.bits[1], 0x3F80, "a tie rounds to the even neighbour (down)")
        XCTAssertEqual(rounded.bits[2], 0x3F82, "a tie rounds to the even neighbour (up)")
        XCTAssertEqual(rounded.bits[3], 0x3F81, "above the tie rounds up")
        XCTAssertEqual(rounded.bits[4], 0xC020)
        XCTAssertEqual(rounded.bits[5], 0x7F80)
        XCTAssertEqual(rounded.bits[6], 0xFF80)
        XCTAssertEqual(rounded.bits[7], 0x0000)
        XCTAssertEqual(rounded.bits[8], 0x8000)
        XCTAssertEqual(rounded.bits[9], 0x3F80, "just below the tie rounds down")
        XCTAssertEqual(rounded.bits[10], 0x3F80, "tie to even (down)")
        XCTAssertEqual(rounded.bits[11], 0x3F82, "tie to even (up)")
        XCTAssertTrue(rounded.floats[12].isNaN)
    }

    /// The product is x·Wᵀ + b computed from x and W rounded to bfloat16, summed in Float32:
    /// within the Float32 dot-product bound of a Float64 product of the rounded operands, the
    /// same bits with 1 and 2 threads, and far from the Float32 product of the unrounded ones
    /// only by the rounding (a check that bfloat16 really ran).
    func testLinearProductUsesRoundedOperandsAndFloatSums() throws {
        try requireBFloat16()
        var generator = SeededGenerator(seed: 21)
        let (m, n, k) = (200, 300, 384)
        XCTAssertGreaterThan(GEMMBlocks(m: m, n: n, k: k).count, 1, "cut into blocks")
        let x = (0..<(m * k)).map { _ in Float(generator.nextGaussian()) }
        var layer = Linear<Float>(
            weight: Tensor(shape: [n, k], scalars: (0..<(n * k)).map { _ in Float(0.05 * generator.nextGaussian()) }),
            bias: Tensor(shape: [n], scalars: (0..<n).map { _ in Float(generator.nextGaussian()) }))
        var exact = [Float](repeating: 0, count: m * n)
        layer.forward(x, rows: m, into: &exact)
        layer.setInferencePrecision(.bf16)
        XCTAssertNotNil(layer.reducedWeight)
        func product(threads: Int) -> [Float] {
            Parallel.setThreadCount(threads)
            var y = [Float](repeating: .nan, count: m * n)
            layer.inferenceForward(x, rows: m, into: &y)
            return y
        }
        let one = product(threads: 1), two = product(threads: 2)
        XCTAssertEqual(one, two, "bits depend on the thread count")

        let xRounded = x.withUnsafeBufferPointer { BFloat16Matrix(rows: m, columns: k, floats: $0) }.floats
        let wRounded = layer.reducedWeight!.floats
        let u = Double(Float.ulpOfOne) / 2
        var worstRatio = 0.0, largestRoundingEffect = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var sum = Double(layer.bias!.scalars[j]), magnitude = abs(sum)
                for l in 0..<k {
                    let term = Double(xRounded[i * k + l]) * Double(wRounded[j * k + l])
                    sum += term
                    magnitude += abs(term)
                }
                let bound = Double(k + 2) * u * magnitude
                worstRatio = max(worstRatio, abs(Double(two[i * n + j]) - sum) / bound)
                largestRoundingEffect = max(largestRoundingEffect, abs(Double(exact[i * n + j]) - sum) / bound)
            }
        }
        XCTAssertLessThanOrEqual(worstRatio, 1, "bfloat16 operands, Float32 sums")
        XCTAssertGreaterThan(largestRoundingEffect, 1, "the Float32 product of unrounded operands is not what ran")

        layer.setInferencePrecision(.fp32)
        XCTAssertNil(layer.reducedWeight)
        var back = [Float](repeating: .nan, count: m * n)
        layer.inferenceForward(x, rows: m, into: &back)
        XCTAssertEqual(back, exact, "fp32 again gives the Float32 product")
    }

    /// A whole model at bf16: logits close to Float32's (a bfloat16 rounding of every Linear
    /// input, 8 significant bits, moves them by about 1e-2 of their spread at this depth), the
    /// same bits with 1 and 2 threads, and the traced pass (explanations) untouched.
    func testModelAtBFloat16StaysCloseAndLeavesTheTracedPassAlone() throws {
        try requireBFloat16()
        let (fp32Model, images) = InferencePassTests.blockedModel(pooling: .token)
        var model = fp32Model
        try model.setInferencePrecision(.bf16)
        XCTAssertEqual(model.inferencePrecision, .bf16)
        XCTAssertEqual(fp32Model.inferencePrecision, .fp32)
        let reference = try fp32Model.logits(images).scalars
        Parallel.setThreadCount(1)
        let one = try model.logits(images).scalars
        Parallel.setThreadCount(2)
        let two = try model.logits(images).scalars
        XCTAssertEqual(one, two)
        let spread = Double(reference.max()! - reference.min()!)
        let largest = zip(one, reference).map { abs(Double($0) - Double($1)) }.max()!
        XCTAssertGreaterThan(largest, 0, "bfloat16 ran")
        XCTAssertLessThan(largest, 0.05 * spread, "bf16 logits within 5% of the logit spread")
        XCTAssertEqual(try model.forward(images).logits.scalars, try fp32Model.forward(images).logits.scalars,
                       "the traced pass stays Float32")
    }
}
