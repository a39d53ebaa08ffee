import Foundation
import XCTest
@testable import VitRel

final class FastMathTests: XCTestCase {
    func testVectorExpMatchesLibmToFloatPrecision() {
        var worst = 0.0
        var x: Float = -87
        while x < 88 {
            let lanes = SIMD8<Float>((0..<8).map { x + Float($0) * 0.0137 })
            let fast = FastMath.exp(lanes)
            for j in 0..<8 {
                let exact = Foundation.exp(Double(lanes[j]))
                worst = max(worst, abs(Double(fast[j]) - exact) / exact)
            }
            x += 0.11
        }
        XCTAssertLessThan(worst, 3e-7)
        XCTAssertEqual(FastMath.exp(SIMD8(repeating: -200))[0], 0)
        XCTAssertEqual(FastMath.exp(SIMD8(repeating: 0))[0], 1)
    }

    /// The rational erf of `Tools/fit_gelu_erf.py`: within 5e-7 of libm everywhere (the script
    /// reports 3.8e-7 in float32), odd, and saturated to ±1 beyond the clamp.
    func testVectorErfMatchesLibm() {
        var worst = 0.0
        var z: Float = -7
        while z < 7 {
            let lanes = SIMD8<Float>((0..<8).map { z + Float($0) * 0.000_913 })
            let fast = FastMath.erf(lanes), mirrored = FastMath.erf(-lanes)
            for j in 0..<8 {
                worst = max(worst, abs(Double(fast[j]) - Foundation.erf(Double(lanes[j]))))
                XCTAssertEqual(mirrored[j], -fast[j])
            }
            z += 0.0073
        }
        XCTAssertLessThan(worst, 5e-7)
        XCTAssertEqual(FastMath.erf(SIMD8(repeating: 0))[0], 0)
        XCTAssertEqual(FastMath.erf(SIMD8(repeating: 30))[0], 1, accuracy: 1e-7)
        XCTAssertTrue(FastMath.erf(SIMD8(repeating: .nan))[0].isNaN)
    }

    func testFloatGELUMatchesExactErfWithinOneMillionth() {
        let xs = stride(from: -9.0, through: 9.0, by: 0.0071).map { $0 }
        let fast = GELU.forward(xs.map(Float.init))
        let exact = GELU.forward(xs)
        for i in xs.indices {
            // absolute error relative to |x| (GELU's scale), tight everywhere including the tails.
            XCTAssertEqual(Double(fast[i]), exact[i], accuracy: 1e-6 * max(1, abs(xs[i])), "x = \(xs[i])")
        }
        let fastBack = GELU.backward([Float](repeating: 1, count: xs.count), input: xs.map(Float.init))
        let exactBack = GELU.backward([Double](repeating: 1, count: xs.count), input: xs)
        for i in xs.indices { XCTAssertEqual(Double(fastBack[i]), exactBack[i], accuracy: 2e-6, "x = \(xs[i])") }
    }

    func testFloatSoftmaxMatchesDouble() {
        var generator = SeededGenerator(seed: 4)
        let columns = 197, rows = 3
        let values = (0..<(rows * columns)).map { _ in 6 * generator.nextGaussian() }
        var floats = values.map(Float.init)
        var doubles = values
        floats.withUnsafeMutableBufferPointer { Kernels.softmaxRows($0.baseAddress!, rows: rows, columns: columns) }
        doubles.withUnsafeMutableBufferPointer { Kernels.softmaxRows($0.baseAddress!, rows: rows, columns: columns) }
        for i in values.indices { XCTAssertEqual(Double(floats[i]), doubles[i], accuracy: 1e-6 * max(1e-3, doubles[i]) + 1e-9) }
    }

    /// The vectorised Float row kernel against the generic Double code, with a width that is
    /// not a multiple of the eight lanes and rows far from zero mean (the centring matters).
    func testFloatLayerNormMatchesDouble() {
        var generator = SeededGenerator(seed: 8)
        for d in [197, 768] {
            let rows = 5
            let gamma = (0..<d).map { _ in 1 + 0.3 * generator.nextGaussian() }
            let beta = (0..<d).map { _ in 0.2 * generator.nextGaussian() }
            let x = (0..<(rows * d)).map { i in 40 * Double(i / d) + 3 * generator.nextGaussian() }
            let exact = LayerNorm<Double>(weight: Tensor(shape: [d], scalars: gamma), bias: Tensor(shape: [d], scalars: beta), epsilon: 1e-6)
            let fast = LayerNorm<Float>(exact.weight.scalars.map(Float.init), exact.bias.scalars.map(Float.init), epsilon: 1e-6)
            let (y, cache) = exact.forward(x, rows: rows)
            let (yFloat, cacheFloat) = fast.forward(x.map(Float.init), rows: rows)
            for i in y.indices { XCTAssertEqual(Double(yFloat[i]), y[i], accuracy: 2e-5 * max(1, abs(y[i])), "d \(d), i \(i)") }
            for r in 0..<rows {
                XCTAssertEqual(Double(cacheFloat.mean[r]), cache.mean[r], accuracy: 1e-6 * max(1, abs(cache.mean[r])))
                XCTAssertEqual(Double(cacheFloat.inverseStandardDeviation[r]), cache.inverseStandardDeviation[r],
                               accuracy: 1e-6 * cache.inverseStandardDeviation[r])
            }
        }
    }
}

private extension LayerNorm where Scalar == Float {
    init(_ weight: [Float], _ bias: [Float], epsilon: Double) {
        self.init(weight: Tensor(shape: [weight.count], scalars: weight), bias: Tensor(shape: [bias.count], scalars: bias), epsilon: epsilon)
    }
}
