import CVitRelKernels
import Foundation
import XCTest
@testable import VitRel

/// The C kernels (`CVitRelKernels`) against Swift's own formulas and against each other: the
/// AVX2 and baseline copies must give the same bits, or a result would depend on the machine.
final class KernelInstructionSetTests: XCTestCase {
    /// Values that exercise every branch: the erf clamp at |x/√2| = 3.9, signed zeros, tiny and
    /// huge magnitudes, infinities, NaN, and Gaussian bulk; 1,003 of them (not a multiple of 8).
    private func geluInputs() -> [Float] {
        var generator = SeededGenerator(seed: 31)
        var values: [Float] = [0, -0, 1e-30, -1e-30, 5.515, -5.515, 5.516, -5.516, 100, -100, .infinity, -.infinity, .nan]
        while values.count < 1003 { values.append(Float(4 * generator.nextGaussian())) }
        return values
    }

    private func assertSameBits(_ a: [Float], _ b: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        let differing = zip(a, b).filter { $0.bitPattern != $1.bitPattern && !($0.isNaN && $1.isNaN) }
        XCTAssertTrue(differing.isEmpty, "\(what): \(differing.count) values differ, first \(differing.first.map { "\($0)" } ?? "")", file: file, line: line)
    }

    /// The C GELU is the Swift SIMD formula, operation for operation: same bits, in place or not,
    /// on both instruction sets.
    func testGELUKernelIsSwiftsFormulaBitForBit() {
        let inputs = geluInputs()
        let reference = inputs.map { value -> Float in
            let lanes = SIMD8<Float>(repeating: value)
            return (lanes * (0.5 * (1 + FastMath.erf(lanes * 0.707_106_781_186_547_5))))[0]
        }
        for isa in [VITREL_ISA_BASELINE, VITREL_ISA_AVX2, VITREL_ISA_AUTOMATIC] {
            var output = [Float](repeating: 0, count: inputs.count)
            inputs.withUnsafeBufferPointer { x in
                output.withUnsafeMutableBufferPointer { vitrel_gelu_f32_isa(x.baseAddress!, $0.baseAddress!, x.count, isa) }
            }
            assertSameBits(output, reference, "out of place, isa \(isa.rawValue)")
            var inPlace = inputs
            inPlace.withUnsafeMutableBufferPointer { vitrel_gelu_f32_isa($0.baseAddress!, $0.baseAddress!, $0.count, isa) }
            assertSameBits(inPlace, reference, "in place, isa \(isa.rawValue)")
        }
        XCTAssertEqual(reference[0], 0)
        XCTAssertEqual(reference[10], .infinity)
        XCTAssertTrue(reference[12].isNaN)
    }

    /// Softmax rows of every length from 1 to 40 and 197 (a ViT-B row), with −∞ entries (a
    /// masked score) and spreads that underflow: the same bits on both instruction sets, sums of
    /// 1 to float precision, and the Double softmax of the same float differences x − max to
    /// 1e-6 relative (rounding x − max to float alone moves exp by |x − max|·6e-8).
    func testSoftmaxKernelIsTheSameOnEveryInstructionSetAndMatchesDouble() {
        var generator = SeededGenerator(seed: 32)
        for count in Array(1...40) + [197] {
            var row = (0..<count).map { _ in Float(30 * generator.nextGaussian()) }
            if count > 3 { row[count / 2] = -.infinity }
            var results = [[Float]]()
            for isa in [VITREL_ISA_BASELINE, VITREL_ISA_AVX2, VITREL_ISA_AUTOMATIC] {
                var copy = row
                copy.withUnsafeMutableBufferPointer { vitrel_softmax_row_f32_isa($0.baseAddress!, count, isa) }
                results.append(copy)
            }
            assertSameBits(results[1], results[0], "AVX2 vs baseline, \(count) columns")
            assertSameBits(results[2], results[0], "automatic vs baseline, \(count) columns")

            let maximum = row.max()!
            let exponentials = row.map { Foundation.exp(Double($0 - maximum)) }
            let total = exponentials.reduce(0, +)
            for (value, exponential) in zip(results[0], exponentials) {
                XCTAssertEqual(Double(value), exponential / total, accuracy: 1e-6 * exponential / total + 1e-30, "\(count) columns")
            }
            XCTAssertEqual(results[0].reduce(0, +), 1, accuracy: 1e-6, "\(count) columns")
        }
    }
}
