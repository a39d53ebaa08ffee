import XCTest
@testable import VitRelCore

final class TensorTests: XCTestCase {
    /// `zeros` fills by bytes (all bits clear is +0 in IEEE): the same values as
    /// `init(repeating: 0, count:)`, from concrete and from generic code.
    func testZerosArePositiveZeroInEveryElement() {
        func generic<S: TensorScalar>(_: S.Type, _ count: Int) -> [S] { .zeros(count) }
        for count in [0, 1, 7, 100_003] {
            XCTAssertEqual([Float].zeros(count).map(\.bitPattern), [UInt32](repeating: 0, count: count))
            XCTAssertEqual(generic(Float.self, count).map(\.bitPattern), [UInt32](repeating: 0, count: count))
            XCTAssertEqual(generic(Double.self, count).map(\.bitPattern), [UInt64](repeating: 0, count: count))
        }
        XCTAssertEqual(Tensor<Double>(zeros: [3, 5]), Tensor(shape: [3, 5], scalars: [Double](repeating: 0, count: 15)))
    }

    func testGemmMatchesHandComputedProduct() {
        // [[1,2,3],[4,5,6]] · [[7,8],[9,10],[11,12]] = [[58,64],[139,154]]
        let a: [Double] = [1, 2, 3, 4, 5, 6]
        let b: [Double] = [7, 8, 9, 10, 11, 12]
        var c = [Double](repeating: 0, count: 4)
        Double.gemm(transposeA: false, transposeB: false, m: 2, n: 2, k: 3, alpha: 1, a: a, lda: 3, b: b, ldb: 2, beta: 0, c: &c, ldc: 2)
        XCTAssertEqual(c, [58, 64, 139, 154])
        var ct = [Float](repeating: 0, count: 4)
        // Aᵀ stored as [3,2]; op(A) = A again.
        let aT: [Float] = [1, 4, 2, 5, 3, 6]
        Float.gemm(transposeA: true, transposeB: false, m: 2, n: 2, k: 3, alpha: 1, a: aT, lda: 2, b: b.map(Float.init), ldb: 2, beta: 0, c: &ct, ldc: 2)
        XCTAssertEqual(ct, [58, 64, 139, 154])
    }

    func testSoftmaxRowsSumToOneAndMatchClosedForm() {
        var rows: [Double] = [0, log(3), 1000, 1000]
        rows.withUnsafeMutableBufferPointer { Kernels.softmaxRows($0.baseAddress!, rows: 2, columns: 2) }
        XCTAssertEqual(rows[0], 0.25, accuracy: 1e-15)
        XCTAssertEqual(rows[1], 0.75, accuracy: 1e-15)
        XCTAssertEqual(rows[2], 0.5, accuracy: 1e-15)  // large logits must not overflow
        XCTAssertEqual(rows[3], 0.5, accuracy: 1e-15)
    }

    func testSeededGeneratorIsReproducibleAndStreamsDiffer() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
        let first = (0..<5).map { _ in a.next() }
        XCTAssertEqual(first, (0..<5).map { _ in b.next() })
        var s0 = SeededGenerator(seed: 42, stream: 0), s1 = SeededGenerator(seed: 42, stream: 1)
        XCTAssertNotEqual(s0.next(), s1.next())
        var g = SeededGenerator(seed: 7)
        let mean = (0..<20000).map { _ in g.nextUnit() }.reduce(0, +) / 20000
        XCTAssertEqual(mean, 0.5, accuracy: 0.01)
    }
}
