import Foundation
import XCTest
@testable import VitRelCore

/// The blocked matrix product (`TensorScalar.gemm` over `GEMMBlocks`) and the thread pool it
/// runs on (`Parallel`).
final class GEMMBlocksTests: XCTestCase {
    override func tearDown() {
        Parallel.setThreadCount(ProcessInfo.processInfo.activeProcessorCount)
        MatrixLibrary.current = .oneDNN
    }

    func testBlocksTileTheLongerSideOfCInAlignedPieces() {
        for (m, n, k) in [(197, 2304, 768), (3152, 768, 768), (197, 768, 3072), (6304, 3072, 768), (100, 97, 5000)] {
            let blocks = GEMMBlocks(m: m, n: n, k: k)
            XCTAssertEqual(blocks.axis, n >= m ? .columns : .rows)
            XCTAssertEqual(blocks.extent, max(m, n))
            XCTAssertGreaterThan(blocks.count, 1, "\(m)×\(n)×\(k) is worth splitting")
            XCTAssertLessThanOrEqual(blocks.count, GEMMBlocks.maximumCount)
            var next = 0
            for index in 0..<blocks.count {
                let part = blocks.range(index)
                XCTAssertEqual(part.lowerBound, next)
                XCTAssertFalse(part.isEmpty)
                XCTAssertEqual(part.lowerBound % GEMMBlocks.alignment, 0)
                next = part.upperBound
            }
            XCTAssertEqual(next, blocks.extent, "blocks cover C exactly")
        }
        // Small products (one attention head of ViT-B/16 and below) stay one call.
        XCTAssertEqual(GEMMBlocks(m: 197, n: 197, k: 64).count, 1)
        XCTAssertEqual(GEMMBlocks(m: 0, n: 10, k: 10).count, 1)
        XCTAssertEqual(GEMMBlocks(m: 1, n: 100_000, k: 1).count, 1)
    }

    /// Every transposition, split along rows and along columns, through oneDNN and through
    /// OpenBLAS, against a Float64 triple loop; and the same bits with 1 and 2 threads. (`make
    /// test` runs this again with oneDNN capped to AVX2 kernels, `ONEDNN_MAX_CPU_ISA=AVX2`.)
    func testBlockedProductMatchesDoubleProductAndIgnoresThreadCount() {
        for library in MatrixLibrary.allCases {
            MatrixLibrary.current = library
            checkBlockedProducts(library)
        }
    }

    private func checkBlockedProducts(_ library: MatrixLibrary) {
        var generator = SeededGenerator(seed: 11)
        for (m, n, k) in [(40, 300, 400), (300, 40, 400)] {
            XCTAssertGreaterThan(GEMMBlocks(m: m, n: n, k: k).count, 1)
            let a = (0..<(m * k)).map { _ in Float(generator.nextGaussian()) }
            let b = (0..<(k * n)).map { _ in Float(generator.nextGaussian()) }
            let c0 = (0..<(m * n)).map { _ in Float(generator.nextGaussian()) }
            for transposeA in [false, true] {
                for transposeB in [false, true] {
                    // Stored A is [m, k] or, transposed, [k, m]; likewise B.
                    func aAt(_ i: Int, _ l: Int) -> Double { Double(transposeA ? a[l * m + i] : a[i * k + l]) }
                    func bAt(_ l: Int, _ j: Int) -> Double { Double(transposeB ? b[j * k + l] : b[l * n + j]) }
                    func product(threads: Int) -> [Float] {
                        Parallel.setThreadCount(threads)
                        var c = c0
                        Float.gemm(
                            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.5,
                            a: a, lda: transposeA ? m : k, b: b, ldb: transposeB ? k : n, beta: 2, c: &c, ldc: n)
                        return c
                    }
                    let one = product(threads: 1), two = product(threads: 2)
                    XCTAssertEqual(one, two, "\(library): bits depend on the thread count (\(m)×\(n)×\(k), \(transposeA), \(transposeB))")
                    // Standard bound for a float dot product: |error| ≤ (k + 2)·u·(|α|Σ|a||b| + |β||c|).
                    let u = Double(Float.ulpOfOne) / 2
                    var worstRatio = 0.0
                    for i in 0..<m {
                        for j in 0..<n {
                            var sum = 0.0, magnitude = 0.0
                            for l in 0..<k {
                                sum += aAt(i, l) * bAt(l, j)
                                magnitude += abs(aAt(i, l) * bAt(l, j))
                            }
                            let expected = 0.5 * sum + 2 * Double(c0[i * n + j])
                            let bound = Double(k + 2) * u * (0.5 * magnitude + 2 * abs(Double(c0[i * n + j])))
                            worstRatio = max(worstRatio, abs(Double(two[i * n + j]) - expected) / bound)
                        }
                    }
                    XCTAssertLessThanOrEqual(worstRatio, 1, "\(library): \(m)×\(n)×\(k) transposeA \(transposeA) transposeB \(transposeB)")
                }
            }
        }
    }

    /// Degenerate shapes oneDNN refuses (k = 0: leading dimensions of 0) give C ← β·C, as BLAS
    /// defines it; empty C is left alone.
    func testEmptyInnerDimensionScalesC() {
        for library in MatrixLibrary.allCases {
            MatrixLibrary.current = library
            let none = [Float]()
            var c: [Float] = [1, -2, 3, 4, 5, 6]
            Float.gemm(transposeA: false, transposeB: false, m: 2, n: 3, k: 0, alpha: 1, a: none, lda: 1, b: none, ldb: 3,
                       beta: 0.5, c: &c, ldc: 3)
            XCTAssertEqual(c, [0.5, -1, 1.5, 2, 2.5, 3], "\(library)")
            Float.gemm(transposeA: false, transposeB: false, m: 2, n: 3, k: 0, alpha: 1, a: none, lda: 1, b: none, ldb: 3,
                       beta: 0, c: &c, ldc: 3)
            XCTAssertEqual(c, [0, 0, 0, 0, 0, 0], "\(library)")
        }
    }

    /// The oneDNN in use reports the instruction set it dispatches to, and honours the cap `make
    /// test` sets for its second, AVX2-only pass over the GEMM tests.
    func testOneDNNInstructionSetFollowsTheCap() {
        let isa = OneDNNGEMM.instructionSet
        XCTAssertFalse(isa.hasPrefix("isa "), "unnamed instruction set \(isa)")
        if let cap = ProcessInfo.processInfo.environment["ONEDNN_MAX_CPU_ISA"], cap.uppercased() == "AVX2" {
            XCTAssertEqual(isa, "AVX2")
        }
        XCTAssertTrue(VitRel.blasConfiguration.hasPrefix("oneDNN \(OneDNNGEMM.version) (\(isa))"), VitRel.blasConfiguration)
    }

    func testNestedRegionsRunOnTheCallingThread() {
        Parallel.setThreadCount(2)
        XCTAssertFalse(Parallel.isInsideParallelRegion)
        var inner = [Bool](repeating: false, count: 2)
        inner.withUnsafeMutableBufferPointer { flags in
            Parallel.forEachChunk(2) { range in
                for i in range {
                    // A nested region runs serially, marked as inside a region.
                    var nestedRuns = 0
                    Parallel.forEachTask(4) { _ in nestedRuns += 1 }
                    flags[i] = Parallel.isInsideParallelRegion && nestedRuns == 4
                }
            }
        }
        XCTAssertEqual(inner, [true, true])
        XCTAssertFalse(Parallel.isInsideParallelRegion, "the mark is removed after the region")
    }
}
