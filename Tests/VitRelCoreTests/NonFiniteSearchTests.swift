import XCTest
@testable import VitRelCore

/// `Kernels.firstNonFiniteIndex` against the plain search it replaces, on values placed in
/// every position that matters: the first element, a chunk's eight-wide body and its tail,
/// later chunks, several bad values (the first wins), at any thread count.
final class NonFiniteSearchTests: XCTestCase {
    private func reference<S: TensorScalar>(_ x: [S]) -> Int? { x.firstIndex { !$0.isFinite } }

    func testFindsTheFirstNaNOrInfinityWhereverItIs() {
        let count = 3 * (1 << 15) + 13  // three whole chunks and a short tail
        var generator = SeededGenerator(seed: 5)
        let finite = (0..<count).map { _ in Float(generator.nextGaussian()) * 3e37 }  // huge but finite
        XCTAssertNil(Kernels.firstNonFiniteIndex(finite))
        XCTAssertNil(Kernels.firstNonFiniteIndex([Float]()))
        XCTAssertNil(Kernels.firstNonFiniteIndex([Float](repeating: -0.0, count: 100)))
        for bad in [Float.nan, .infinity, -.infinity, Float.greatestFiniteMagnitude * 2] {
            for position in [0, 5, 7, 8, (1 << 15) - 1, 1 << 15, 2 * (1 << 15) + 9, count - 1] {
                var x = finite
                x[position] = bad
                XCTAssertEqual(Kernels.firstNonFiniteIndex(x), position, "\(bad) at \(position)")
                x[count - 1] = .nan
                x[min(count - 1, position + 3)] = -.infinity
                XCTAssertEqual(Kernels.firstNonFiniteIndex(x), reference(x), "several, the first at \(position)")
            }
        }
        var doubles = (0..<1000).map { Double($0) }
        doubles[999] = .nan
        XCTAssertEqual(Kernels.firstNonFiniteIndex(doubles), 999)
    }

    func testTheAnswerDoesNotDependOnTheThreadCount() {
        var x = [Float](repeating: 1, count: 5 * (1 << 15))
        x[3 * (1 << 15) + 2] = .nan
        x[4 * (1 << 15)] = .infinity
        Parallel.setThreadCount(1)
        let one = Kernels.firstNonFiniteIndex(x)
        Parallel.setThreadCount(2)
        XCTAssertEqual(one, Kernels.firstNonFiniteIndex(x))
        XCTAssertEqual(one, 3 * (1 << 15) + 2)
    }
}
