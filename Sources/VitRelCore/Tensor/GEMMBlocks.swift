import Foundation

/// How a matrix product C[m, n] = op(A)·op(B) is cut into independent blocks of C for
/// vitrel's threads: along the longer side of C, into as many blocks as the machine has
/// cores (at least 2), each at least `minimumWork` multiply-adds and `alignment` rows or
/// columns wide.
///
/// The partition depends only on (m, n, k) and the machine, never on the thread count: each
/// block is one single-threaded OpenBLAS call whatever thread runs it, so C has the same bits
/// with `--threads 1` or 2. (OpenBLAS's result for an element can depend on how C is cut:
/// its kernels treat edge tiles differently, so the blocks must not move with the thread
/// count.) Few, wide blocks: every block packs its own copy of the other operand (all of A
/// when C is cut into column blocks), which at ViT-B batch 1 and 8 blocks of 96 columns cost
/// as much as 8% of the kernel time.
public struct GEMMBlocks: Equatable, Sendable {
    public enum Axis: Equatable, Sendable {
        /// Blocks of whole rows of C (rows of op(A)).
        case rows
        /// Blocks of whole columns of C (columns of op(B)).
        case columns
    }

    /// Multiply-adds below which a product is not worth another block (~0.1 ms on one core).
    public static let minimumWork = 1 << 21
    /// One block per core (at least 2).
    public static let maximumCount = max(2, ProcessInfo.processInfo.activeProcessorCount)
    /// Block widths are multiples of this (whole register tiles of the sgemm kernels).
    public static let alignment = 32

    public var axis: Axis
    /// Length of C along `axis`.
    public var extent: Int
    /// Rows or columns per block (the last block may be shorter).
    public var blockSize: Int
    public var count: Int

    @inlinable
    public init(m: Int, n: Int, k: Int) {
        axis = n >= m ? .columns : .rows
        extent = axis == .columns ? n : m
        let work = m * n * max(k, 1)
        var parts = 1
        while parts + 1 <= Self.maximumCount && work / (parts + 1) >= Self.minimumWork
            && extent / (parts + 1) >= Self.alignment {
            parts += 1
        }
        if parts == 1 || extent == 0 {
            blockSize = extent
            count = 1
            return
        }
        let perPart = (extent + parts - 1) / parts
        blockSize = (perPart + Self.alignment - 1) / Self.alignment * Self.alignment
        count = (extent + blockSize - 1) / blockSize
    }

    /// Rows or columns of C in block `index`.
    @inlinable
    public func range(_ index: Int) -> Range<Int> {
        let start = index * blockSize
        return start..<min(extent, start + blockSize)
    }
}

extension TensorScalar {
    /// C ← α·op(A)·op(B) + β·C, row-major, on vitrel's threads: the blocks of `GEMMBlocks`
    /// shared out by `Parallel.forEachTask` (serially inside a parallel region), each one
    /// single-threaded OpenBLAS call (`blasGEMM`).
    @inlinable
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int,
        b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int
    ) {
        blockedGEMM(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
            b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, rowBias: nil)
    }

    /// C ← α·op(A)·op(B) + bias, the bias [n] added to every row (a Linear layer's forward):
    /// each block of C is filled with the bias and then accumulated into (β = 1) by the thread
    /// that computes it, which also spares OpenBLAS its zeroing pass over C.
    @inlinable
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int,
        b: UnsafePointer<Self>, ldb: Int,
        c: UnsafeMutablePointer<Self>, ldc: Int, rowBias: UnsafePointer<Self>
    ) {
        blockedGEMM(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
            b: b, ldb: ldb, beta: 1, c: c, ldc: ldc, rowBias: rowBias)
    }

    @inlinable
    static func blockedGEMM(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int,
        b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int, rowBias: UnsafePointer<Self>?
    ) {
        _ = Parallel.blasIsSingleThreaded
        let blocks = GEMMBlocks(m: m, n: n, k: k)
        Parallel.forEachTask(blocks.count) { index in
            let part = blocks.range(index)
            let rows = blocks.axis == .rows ? part : 0..<m
            let columns = blocks.axis == .columns ? part : 0..<n
            if let rowBias {
                for row in rows { (c + row * ldc + columns.lowerBound).update(from: rowBias + columns.lowerBound, count: columns.count) }
            }
            // Rows i of op(A): row i of A, or column i when transposed; columns j of op(B):
            // column j of B, or row j when transposed.
            let aBlock = transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda
            let bBlock = transposeB ? b + columns.lowerBound * ldb : b + columns.lowerBound
            blasGEMM(
                transposeA: transposeA, transposeB: transposeB, m: rows.count, n: columns.count, k: k, alpha: alpha,
                a: aBlock, lda: lda, b: bBlock, ldb: ldb, beta: beta, c: c + rows.lowerBound * ldc + columns.lowerBound,
                ldc: ldc)
        }
    }
}
