import RealModule

/// Per-element loops shared by the layers.
///
/// Each kernel is generic and carries `@_specialize` for Float and Double: the generic
/// entry point jumps to the specialised body at run time, so callers in generic code pay one
/// type check per call and the loop itself runs on concrete, vectorisable code. The
/// specialisations are exported (public entry points of VitRelCore), so VitRel's code that
/// knows its scalar type calls them directly across the module boundary.
public enum Kernels {
    /// Σ x, accumulated in Double (four partial sums for speed, order fixed).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func sumAsDouble<Scalar: TensorScalar>(_ x: UnsafeBufferPointer<Scalar>) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var i = 0
        let n = x.count
        while i + 4 <= n {
            s0 += Double(x[i]); s1 += Double(x[i + 1]); s2 += Double(x[i + 2]); s3 += Double(x[i + 3])
            i += 4
        }
        while i < n { s0 += Double(x[i]); i += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    /// Accumulates the column sums of a [rows, columns] matrix into `sums` (bias gradients).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func accumulateColumnSums<Scalar: TensorScalar>(
        _ matrix: UnsafePointer<Scalar>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Scalar>
    ) {
        for r in 0..<rows {
            let row = matrix + r * columns
            for c in 0..<columns { sums[c] += row[c] }
        }
    }

    /// Numerically stable softmax of each row of a [rows, columns] matrix, in place.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func softmaxRows<Scalar: TensorScalar>(
        _ matrix: UnsafeMutablePointer<Scalar>, rows: Int, columns: Int
    ) {
        if Scalar.self == Float.self {
            let floats = UnsafeMutableRawPointer(matrix).assumingMemoryBound(to: Float.self)
            Parallel.forEachChunk(rows, grain: max(1, 4096 / max(1, columns))) { range in
                for r in range { FastMath.softmaxRow(floats + r * columns, count: columns) }
            }
            return
        }
        Parallel.forEachChunk(rows, grain: max(1, 4096 / max(1, columns))) { range in
            for r in range {
                let row = matrix + r * columns
                var maximum = -Scalar.infinity
                for c in 0..<columns { maximum = Swift.max(maximum, row[c]) }
                var total: Scalar = 0
                for c in 0..<columns {
                    let e = Scalar.exp(row[c] - maximum)
                    row[c] = e
                    total += e
                }
                let inverse = 1 / total
                for c in 0..<columns { row[c] *= inverse }
            }
        }
    }
}

extension Kernels {
    /// Softmax backward per row: ds = p ⊙ (g − Σ_j p_j g_j).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func softmaxBackwardRows<Scalar: TensorScalar>(
        probabilities p: UnsafePointer<Scalar>, gradient g: UnsafePointer<Scalar>,
        into ds: UnsafeMutablePointer<Scalar>, rows: Int, columns: Int
    ) {
        Parallel.forEachChunk(rows, grain: max(1, 4096 / max(1, columns))) { range in
            for r in range {
                let pr = p + r * columns, gr = g + r * columns, dr = ds + r * columns
                var dot: Scalar = 0
                for c in 0..<columns { dot += pr[c] * gr[c] }
                for c in 0..<columns { dr[c] = pr[c] * (gr[c] - dot) }
            }
        }
    }

    /// z = x + y elementwise.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func add<Scalar: TensorScalar>(_ x: [Scalar], _ y: [Scalar]) -> [Scalar] {
        precondition(x.count == y.count, "add: \(x.count) vs \(y.count)")
        var z = [Scalar].uninitialized(x.count)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in
                z.withUnsafeMutableBufferPointer { zp in
                    guard let xb = xp.baseAddress, let yb = yp.baseAddress, let zb = zp.baseAddress else { return }
                    Parallel.forEachChunk(zp.count, grain: 1 << 16) { range in
                        for i in range { zb[i] = xb[i] + yb[i] }
                    }
                }
            }
        }
        return z
    }

    /// (x + y)/2 elementwise: the endpoint mean of DeepLIFT's product rule.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func midpoint<Scalar: TensorScalar>(_ x: [Scalar], _ y: [Scalar]) -> [Scalar] {
        precondition(x.count == y.count, "midpoint: \(x.count) vs \(y.count)")
        var z = [Scalar].uninitialized(x.count)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in
                z.withUnsafeMutableBufferPointer { zp in
                    for i in 0..<zp.count { zp[i] = (xp[i] + yp[i]) / 2 }
                }
            }
        }
        return z
    }

    /// |x| elementwise.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func absolute<Scalar: TensorScalar>(_ x: [Scalar]) -> [Scalar] {
        var y = [Scalar].uninitialized(x.count)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                Parallel.forEachChunk(xp.count, grain: 1 << 16) { range in
                    for i in range { yp[i] = abs(xp[i]) }
                }
            }
        }
        return y
    }

    /// Indices of the rows of x [rows, columns] that hold a non-zero entry.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func nonZeroRows<Scalar: TensorScalar>(_ x: [Scalar], rows: Int, columns: Int) -> [Int] {
        precondition(x.count == rows * columns, "nonZeroRows shapes")
        return x.withUnsafeBufferPointer { xp in
            (0..<rows).filter { row in
                let start = xp.baseAddress! + row * columns
                for c in 0..<columns where start[c] != 0 { return true }
                return false
            }
        }
    }

    /// The rows `indices` of x [·, columns], in that order.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func gatherRows<Scalar: TensorScalar>(_ x: [Scalar], _ indices: [Int], columns: Int) -> [Scalar] {
        var y = [Scalar].uninitialized(indices.count * columns)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                for (row, index) in indices.enumerated() {
                    (yp.baseAddress! + row * columns).update(from: xp.baseAddress! + index * columns, count: columns)
                }
            }
        }
        return y
    }

    /// Writes the rows of `compact` [indices.count, columns] to rows `indices` of `x`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func scatterRows<Scalar: TensorScalar>(_ compact: [Scalar], _ indices: [Int], columns: Int, into x: inout [Scalar]) {
        precondition(compact.count == indices.count * columns, "scatterRows shapes")
        compact.withUnsafeBufferPointer { cp in
            x.withUnsafeMutableBufferPointer { xp in
                for (row, index) in indices.enumerated() {
                    (xp.baseAddress! + index * columns).update(from: cp.baseAddress! + row * columns, count: columns)
                }
            }
        }
    }

    /// x += y elementwise.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func addInPlace<Scalar: TensorScalar>(_ x: inout [Scalar], _ y: [Scalar]) {
        precondition(x.count == y.count, "add: \(x.count) vs \(y.count)")
        x.withUnsafeMutableBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in
                guard let xb = xp.baseAddress, let yb = yp.baseAddress else { return }
                Parallel.forEachChunk(xp.count, grain: 1 << 16) { range in
                    for i in range { xb[i] += yb[i] }
                }
            }
        }
    }

    /// The index of the first NaN or infinity in `x`, or nil: the check of every weight a
    /// checkpoint loads and of every block's output in the untraced forward pass (issue 13).
    /// x·0 is 0 for a finite x and NaN otherwise, so eight running sums of x·0 (independent, so
    /// the adds overlap) stay 0 over a chunk of finite values; only a chunk whose sum is not 0
    /// is searched element by element. Chunks run in parallel and the first bad chunk wins, so
    /// the answer does not depend on threads. (The generic `firstIndex(where:)` it replaces,
    /// run unspecialised from other modules on one thread, took ~60 ms of a 260 ms ViT-B image.)
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func firstNonFiniteIndex<Scalar: TensorScalar>(_ x: [Scalar]) -> Int? {
        let chunk = 1 << 15
        let chunks = (x.count + chunk - 1) / chunk
        guard chunks > 0 else { return nil }
        var firsts = [Int](repeating: Int.max, count: chunks)
        x.withUnsafeBufferPointer { p in
            firsts.withUnsafeMutableBufferPointer { found in
                Parallel.forEachChunk(chunks, grain: 4) { range in
                    for c in range {
                        let start = c * chunk, end = min(p.count, start + chunk)
                        var s0: Scalar = 0, s1: Scalar = 0, s2: Scalar = 0, s3: Scalar = 0
                        var s4: Scalar = 0, s5: Scalar = 0, s6: Scalar = 0, s7: Scalar = 0
                        var i = start
                        while i + 8 <= end {
                            s0 += p[i] * 0; s1 += p[i + 1] * 0; s2 += p[i + 2] * 0; s3 += p[i + 3] * 0
                            s4 += p[i + 4] * 0; s5 += p[i + 5] * 0; s6 += p[i + 6] * 0; s7 += p[i + 7] * 0
                            i += 8
                        }
                        while i < end { s0 += p[i] * 0; i += 1 }
                        guard ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)) != 0 else { continue }
                        for j in start..<end where !p[j].isFinite {
                            found[c] = j
                            break
                        }
                    }
                }
            }
        }
        let first = firsts.min()!
        return first == Int.max ? nil : first
    }
}
