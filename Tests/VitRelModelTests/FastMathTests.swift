import Foundation
import XCTest
@testable import VitRelModel

final class FastMathTests: XCTestCase {
    func testExpMatchesLibmToFloatPrecision() {
        let xs = Array(stride(from: Float(-87), to: 88, by: 0.0137))
        var fast = [Float](repeating: 0, count: xs.count)
        FastMath.exp(xs, &fast, count: xs.count)
        var worst = 0.0
        for (x, value) in zip(xs, fast) {
            let exact = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(value) - exact) / exact)
        }
        XCTAssertLessThan(worst, 3e-7)
        var edges: [Float] = [-200, -87.4, 0, .nan]
        FastMath.exp(edges, &edges, count: edges.count)  // in place
        XCTAssertEqual(edges[0], 0)
        XCTAssertEqual(edges[1], 0)
        XCTAssertEqual(edges[2], 1)
        XCTAssertTrue(edges[3].isNaN)
    }

    /// Beyond the erf clamp (|x/√2| > 3.9) GELU is exactly x or a zero; at 0 it is 0; NaN stays NaN.
    func testGELUSaturatesExactly() {
        let xs: [Float] = [5.6, 40, 1e30, -5.6, -40, -1e30, 0, .nan]
        var ys = [Float](repeating: 1, count: xs.count)
        FastMath.gelu(xs, &ys, count: xs.count)
        XCTAssertEqual(Array(ys[0..<3]), [5.6, 40, 1e30])
        XCTAssertEqual(ys[3...5].map(\.magnitude), [0, 0, 0])
        XCTAssertEqual(ys[6], 0)
        XCTAssertTrue(ys[7].isNaN)
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
