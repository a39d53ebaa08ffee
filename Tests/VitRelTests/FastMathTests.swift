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
}
