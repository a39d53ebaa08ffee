/// Elementwise loops of the relevance rules (specialised for Float and Double).
enum RelevanceKernels {
    /// s = r ⊘ z with Chefer's safe divide.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func cheferQuotient<S: TensorScalar>(_ r: [S], _ z: [S], epsilon: Double = 1e-9) -> [S] {
        precondition(r.count == z.count)
        let eps = S(epsilon)
        var s = [S].uninitialized(r.count)
        for i in 0..<r.count { s[i] = Stabilise.cheferDivide(r[i], z[i], epsilon: eps) }
        return s
    }

    /// s = r ⊘ (z + ε·sign z).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func signedQuotient<S: TensorScalar>(_ r: [S], _ z: [S], epsilon: Double) -> [S] {
        precondition(r.count == z.count)
        let eps = S(epsilon)
        var s = [S].uninitialized(r.count)
        for i in 0..<r.count { s[i] = Stabilise.signedDivide(r[i], z[i], epsilon: eps) }
        return s
    }

    /// x ⊙ c.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func product<S: TensorScalar>(_ x: [S], _ c: [S]) -> [S] {
        precondition(x.count == c.count)
        var y = [S].uninitialized(x.count)
        for i in 0..<x.count { y[i] = x[i] * c[i] }
        return y
    }

    /// [x⁺ | x⁻] per row: [rows, 2·columns].
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func signSplitRows<S: TensorScalar>(_ x: [S], rows: Int, columns: Int) -> [S] {
        var y = [S].uninitialized(rows * 2 * columns)
        for r in 0..<rows {
            for c in 0..<columns {
                let v = x[r * columns + c]
                y[r * 2 * columns + c] = max(v, 0)
                y[r * 2 * columns + columns + c] = min(v, 0)
            }
        }
        return y
    }

    /// x⁺ ⊙ c[:, :K] + x⁻ ⊙ c[:, K:] for c [rows, 2K].
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func signSplitProduct<S: TensorScalar>(_ x: [S], _ c: [S], rows: Int, columns: Int) -> [S] {
        var y = [S].uninitialized(rows * columns)
        for r in 0..<rows {
            for k in 0..<columns {
                let v = x[r * columns + k]
                let cPositive = c[r * 2 * columns + k], cNegative = c[r * 2 * columns + columns + k]
                y[r * columns + k] = max(v, 0) * cPositive + min(v, 0) * cNegative
            }
        }
        return y
    }

    /// Σ_rows Σ_j b_j·s_rj: the relevance a bias absorbs.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func biasAbsorption<S: TensorScalar>(_ s: [S], bias: [S], rows: Int) -> Double {
        let n = bias.count
        var total = 0.0
        for r in 0..<rows { for j in 0..<n { total += Double(bias[j]) * Double(s[r * n + j]) } }
        return total
    }

}
