import CVitRelBF16

/// vitrel's bfloat16 matrix products (`ProductPrecision.bf16`): operands rounded to bfloat16
/// (nearest even), sums kept in Float32, through oneDNN's matmul primitive. Each product is cut
/// into the blocks of `GEMMBlocks` (chosen from the shape alone) shared out by
/// `Parallel.forEachTask`, each block one single-threaded oneDNN matmul, so the bits do not
/// depend on the thread count, as for the Float32 products.
package enum BFloat16Products {
    /// `count` floats rounded to bfloat16, in parallel chunks.
    package static func rounded(_ x: UnsafePointer<Float>, count: Int) -> [UInt16] {
        var bits = [UInt16](repeating: 0, count: count)
        bits.withUnsafeMutableBufferPointer { destination in
            let base = destination.baseAddress!
            Parallel.forEachChunk(count, grain: 16_384) { range in
                vitrel_f32_to_bf16(x + range.lowerBound, base + range.lowerBound, Int64(range.count))
            }
        }
        return bits
    }

    /// `rounded` for a Float array (empty for an empty one).
    package static func rounded(_ x: [Float]) -> [UInt16] {
        x.withUnsafeBufferPointer { $0.isEmpty ? [] : rounded($0.baseAddress!, count: $0.count) }
    }

    /// C[m, n] ← op(A)·op(B), or C += op(A)·op(B) when `accumulate`, with op(A) [m, k] (A
    /// [k, m] when `transposeA`) and op(B) [k, n] (B [n, k] when `transposeB`), row-major with
    /// leading dimensions lda, ldb, ldc. Stops the process when oneDNN refuses a product: its
    /// callers check `BFloat16Matrix.isSupported` before choosing bf16.
    package static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<UInt16>, lda: Int, b: UnsafePointer<UInt16>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        guard m > 0, n > 0 else { return }
        let blocks = GEMMBlocks(m: m, n: n, k: k)
        Parallel.forEachTask(blocks.count) { index in
            let part = blocks.range(index)
            let rows = blocks.axis == .rows ? part : 0..<m
            let columns = blocks.axis == .columns ? part : 0..<n
            // Rows i of op(A): row i of A, or column i when transposed; columns j of op(B):
            // column j of B, or row j when transposed.
            let aBlock = transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda
            let bBlock = transposeB ? b + columns.lowerBound * ldb : b + columns.lowerBound
            let status = vitrel_bf16_matmul(
                transposeA ? 1 : 0, transposeB ? 1 : 0, Int64(rows.count), Int64(columns.count), Int64(k),
                aBlock, Int64(lda), bBlock, Int64(ldb), c + rows.lowerBound * ldc + columns.lowerBound, Int64(ldc),
                accumulate ? 1 : 0)
            precondition(status == 0, "oneDNN bfloat16 matmul failed (status \(status)) on \(rows.count)×\(columns.count)×\(k)")
        }
    }

    /// A Linear layer's product y[m, n] = x̃·W̃ᵀ + b from x already rounded (`rounded`) and W
    /// [n, k] in bfloat16: y is filled with the bias, then accumulated into.
    package static func linear(
        roundedInput x: UnsafePointer<UInt16>, rows m: Int, weight: BFloat16Matrix, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>
    ) {
        let n = weight.rows, k = weight.columns
        guard m > 0, n > 0 else { return }
        if let bias {
            Parallel.forEachChunk(m, grain: max(1, 16_384 / n)) { rows in
                for row in rows { (y + row * n).update(from: bias, count: n) }
            }
        }
        weight.bits.withUnsafeBufferPointer { w in
            gemm(
                transposeA: false, transposeB: true, m: m, n: n, k: k, a: x, lda: k, b: w.baseAddress!, ldb: k,
                c: y, ldc: n, accumulate: bias != nil)
        }
    }

    /// `linear` from a Float32 input, rounded here (the untraced pass, which keeps nothing).
    package static func linear(
        x: UnsafePointer<Float>, rows m: Int, weight: BFloat16Matrix, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>
    ) {
        guard m > 0, weight.rows > 0 else { return }
        let input = rounded(x, count: m * weight.columns)
        input.withUnsafeBufferPointer { linear(roundedInput: $0.baseAddress!, rows: m, weight: weight, bias: bias, y: y) }
    }
}
