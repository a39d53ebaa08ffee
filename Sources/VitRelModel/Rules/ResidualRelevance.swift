/// Relevance through a residual addition z = a + b, and through its fork (clone).
public enum ResidualRelevance {
    /// Splits relevance r at z = a + b between the two summands. Arrays are [batch, perSample].
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    public static func split<S: TensorScalar>(
        _ r: [S], a: [S], b: [S], batch: Int, rule: RelevanceRules.ResidualRule, epsilon: Double
    ) -> (a: [S], b: [S]) {
        precondition(r.count == a.count && a.count == b.count, "residual relevance shapes")
        var ra = [S].uninitialized(r.count), rb = [S].uninitialized(r.count)
        switch rule {
        case .proportional:
            let eps = S(epsilon)
            for i in 0..<r.count {
                let s = Stabilise.signedDivide(r[i], a[i] + b[i], epsilon: eps)
                ra[i] = a[i] * s
                rb[i] = b[i] * s
            }
        case .cheferRenormalised:
            // layers_ours.Add.relprop, with the sums taken per sample (the official code sums
            // over the whole batch, which mixes images).
            let eps = S(epsilon)
            for i in 0..<r.count {
                let s = Stabilise.cheferDivide(r[i], a[i] + b[i], epsilon: eps)
                ra[i] = a[i] * s
                rb[i] = b[i] * s
            }
            let per = r.count / batch
            for sample in 0..<batch {
                let range = (sample * per)..<((sample + 1) * per)
                var sumA: S = 0, sumB: S = 0, total: S = 0
                for i in range { sumA += ra[i]; sumB += rb[i]; total += r[i] }
                let shareA = Stabilise.cheferDivide(abs(sumA), abs(sumA) + abs(sumB), epsilon: eps)
                let shareB = Stabilise.cheferDivide(abs(sumB), abs(sumA) + abs(sumB), epsilon: eps)
                let factorA = Stabilise.cheferDivide(shareA * total, sumA, epsilon: eps)
                let factorB = Stabilise.cheferDivide(shareB * total, sumB, epsilon: eps)
                for i in range { ra[i] *= factorA; rb[i] *= factorB }
            }
        }
        return (ra, rb)
    }
}
