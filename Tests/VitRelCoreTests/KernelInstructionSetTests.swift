import CVitRelKernels
import Foundation
import XCTest
@testable import VitRelCore

/// The C kernels (`CVitRelKernels`) on every instruction set: the AVX2 and baseline copies must
/// give the same bits, or a result would depend on the machine (their accuracy against libm is
/// FastMathTests' part). On a CPU without AVX2 both copies are the baseline.
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

    /// An elementwise kernel over `inputs` on every instruction set, out of place and in place.
    private func assertSameOnEveryInstructionSet(
        _ name: String, _ inputs: [Float], _ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int, VitRelInstructionSet) -> Void
    ) {
        var results = [[Float]]()
        for isa in [VITREL_ISA_BASELINE, VITREL_ISA_AVX2, VITREL_ISA_AUTOMATIC] {
            var output = [Float](repeating: 0, count: inputs.count)
            inputs.withUnsafeBufferPointer { x in
                output.withUnsafeMutableBufferPointer { kernel(x.baseAddress!, $0.baseAddress!, x.count, isa) }
            }
            var inPlace = inputs
            inPlace.withUnsafeMutableBufferPointer { kernel($0.baseAddress!, $0.baseAddress!, $0.count, isa) }
            assertSameBits(inPlace, output, "\(name) in place vs out of place, isa \(isa.rawValue)")
            results.append(output)
        }
        assertSameBits(results[1], results[0], "\(name): AVX2 vs baseline")
        assertSameBits(results[2], results[0], "\(name): automatic vs baseline")
    }

    func testGELUIsTheSameOnEveryInstructionSet() {
        assertSameOnEveryInstructionSet("gelu", geluInputs()) { vitrel_gelu_f32_isa($0, $1, $2, $3) }
    }

    func testGELUBackwardIsTheSameOnEveryInstructionSet() {
        let x = geluInputs()
        var generator = SeededGenerator(seed: 33)
        let dy = x.map { _ in Float(generator.nextGaussian()) }
        // dx written over dy (the documented aliasing) and into a fresh buffer.
        assertSameOnEveryInstructionSet("gelu backward", dy) { gradient, output, count, isa in
            x.withUnsafeBufferPointer { vitrel_gelu_backward_f32_isa($0.baseAddress!, gradient, output, count, isa) }
        }
    }

    func testAdamWIsTheSameOnEveryInstructionSet() {
        var generator = SeededGenerator(seed: 42)
        let count = 1003
        func gaussians(_ scale: Double) -> [Float] { (0..<count).map { _ in Float(scale * generator.nextGaussian()) } }
        let parameters = gaussians(0.05), firstMoments = gaussians(1e-3), gradients = gaussians(1e-2)
        let secondMoments = gaussians(1e-3).map { $0 * $0 }
        for decays in [Int32(0), 1] {
            var coefficients = VitRelAdamWCoefficients(
                beta1Complement: 0.1, beta2: 0.999, beta2Complement: 0.001, stepSize: 3e-4, biasCorrection2SquareRoot: 0.0447,
                epsilon: 1e-8, decay: 0.99995, decays: decays)
            var results = [[Float]]()
            for isa in [VITREL_ISA_BASELINE, VITREL_ISA_AVX2, VITREL_ISA_AUTOMATIC] {
                var (p, m, v) = (parameters, firstMoments, secondMoments)
                vitrel_adamw_f32_isa(&p, &m, &v, gradients, count, &coefficients, isa)
                results.append(p + m + v)
            }
            assertSameBits(results[1], results[0], "adamw (decays \(decays)): AVX2 vs baseline")
            assertSameBits(results[2], results[0], "adamw (decays \(decays)): automatic vs baseline")
        }
    }

    func testExpIsTheSameOnEveryInstructionSet() {
        var generator = SeededGenerator(seed: 34)
        var values: [Float] = [-87.3, -87.4, 88.3, 88.4, 0, -0, .infinity, -.infinity, .nan]
        while values.count < 1003 { values.append(Float(30 * generator.nextGaussian())) }
        assertSameOnEveryInstructionSet("exp", values) { vitrel_exp_f32_isa($0, $1, $2, $3) }
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

    /// The Double exp that quickshift's density uses: within 1 ulp of glibc's exp over the whole
    /// range (gradual underflow, overflow at 709.78), and the same bits on both instruction sets.
    func testDoubleExpIsWithinOneULPOfLibmOnEveryInstructionSet() {
        var generator = SeededGenerator(seed: 35)
        var arguments: [Double] = [0, -0, 1, -1, 709.7, 709.79, 710, -708.5, -745, -745.2, -746, .infinity, -.infinity, .nan]
        while arguments.count < 100_000 { arguments.append(-760 + 1480 * generator.nextUnit()) }
        while arguments.count < 200_000 { arguments.append(-40 * generator.nextUnit()) }  // quickshift's range
        var results = [[Double]]()
        for isa in [VITREL_ISA_BASELINE, VITREL_ISA_AVX2] {
            var output = [Double](repeating: 0, count: arguments.count)
            arguments.withUnsafeBufferPointer { x in
                output.withUnsafeMutableBufferPointer { vitrel_exp_f64_isa(x.baseAddress!, $0.baseAddress!, x.count, isa) }
            }
            results.append(output)
        }
        let differing = zip(results[0], results[1]).filter { $0.bitPattern != $1.bitPattern && !($0.isNaN && $1.isNaN) }
        XCTAssertTrue(differing.isEmpty, "AVX2 vs baseline: \(differing.count) values differ")
        var worst = 0.0
        for (x, value) in zip(arguments, results[0]) {
            let exact = Foundation.exp(x)
            if x.isNaN { XCTAssertTrue(value.isNaN); continue }
            if exact == 0 || exact.isInfinite || exact < Double.leastNormalMagnitude {
                XCTAssertEqual(value, exact, accuracy: Double.leastNonzeroMagnitude, "x = \(x)")
                continue
            }
            worst = max(worst, abs(value - exact) / exact.ulp)
        }
        XCTAssertLessThanOrEqual(worst, 1, "worst error in ulp of libm's exp")
    }
}
