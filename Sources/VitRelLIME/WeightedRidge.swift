import COpenBLAS
import VitRelCore

/// Ridge regression with sample weights and an unpenalised intercept, as scikit-learn's
/// `Ridge(alpha, fit_intercept=True).fit(X, y, sample_weight=π)` with its Cholesky solver
/// (what lime_base uses for its surrogate and its feature selection):
///
///   x̄ = Σπx/Σπ, ȳ = Σπy/Σπ;  (Xcᵀ Π Xc + αI) β = Xcᵀ Π yc;  intercept = ȳ − x̄ᵀβ.
///
/// The weighted, centred Gram matrix depends only on X and π, so it is built once per
/// explanation and shared by every label and every candidate feature subset.
///
/// Solved in Double by a Cholesky factorisation written out here, in a fixed order, rather
/// than LAPACK's `dposv`: OpenBLAS 0.3.21 splits `dposv` across its threads from about 64
/// unknowns, and the solution's last bits then depend on the thread count (measured: up to
/// 5·10⁻¹⁶ at 196 patches), which would break vitrel's determinism contract. LIME's systems
/// have at most a few hundred unknowns, so this costs milliseconds. When the system is not
/// positive definite (possible only with α = 0 and collinear columns, i.e. in forward
/// selection's fits of at most a handful of features) it falls back, as scikit-learn does, to
/// the minimum-norm solution, by LAPACK's eigendecomposition `dsyev` of the Gram matrix.
struct WeightedRidgeDesign {
    let sampleCount: Int
    let featureCount: Int
    /// Row-major [sampleCount, featureCount] inputs.
    let x: [Double]
    let weights: [Double]
    let weightSum: Double
    /// Weighted column means x̄.
    let means: [Double]
    /// [featureCount, featureCount] Σπ(x − x̄)(x − x̄)ᵀ.
    let gram: [Double]

    init(samples: LIMESampleMatrix, weights: [Double]) {
        precondition(weights.count == samples.sampleCount, "\(weights.count) weights for \(samples.sampleCount) samples")
        sampleCount = samples.sampleCount
        featureCount = samples.featureCount
        x = samples.values.map(Double.init)
        self.weights = weights
        weightSum = weights.reduce(0, +)
        let n = sampleCount, p = featureCount
        var means = [Double](repeating: 0, count: p)
        for i in 0..<n {
            for j in 0..<p { means[j] += weights[i] * x[i * p + j] }
        }
        for j in 0..<p { means[j] /= weightSum }
        self.means = means
        // Columns of sqrt(π)(x − x̄), contiguous, so each Gram entry is one dot product.
        var columns = [Double](repeating: 0, count: p * n)
        for i in 0..<n {
            let root = weights[i].squareRoot()
            for j in 0..<p { columns[j * n + i] = root * (x[i * p + j] - means[j]) }
        }
        var gram = [Double](repeating: 0, count: p * p)
        // Each row of the Gram matrix is summed by one thread in a fixed order.
        columns.withUnsafeBufferPointer { columns in
            gram.withUnsafeMutableBufferPointer { gram in
                Parallel.forEachChunk(p, grain: max(1, 65536 / max(1, n * p))) { rows in
                    for a in rows {
                        for b in a..<p {
                            var sum = 0.0
                            for i in 0..<n { sum += columns[a * n + i] * columns[b * n + i] }
                            gram[a * p + b] = sum
                            gram[b * p + a] = sum
                        }
                    }
                }
            }
        }
        self.gram = gram
    }

    /// The target-dependent moments: ȳ and Σπ(x − x̄)(y − ȳ).
    struct Targets {
        let values: [Double]
        let mean: Double
        let cross: [Double]
    }

    func targets(_ y: [Double]) -> Targets {
        precondition(y.count == sampleCount)
        var mean = 0.0
        for i in 0..<sampleCount { mean += weights[i] * y[i] }
        mean /= weightSum
        var cross = [Double](repeating: 0, count: featureCount)
        for i in 0..<sampleCount {
            let r = weights[i] * (y[i] - mean)
            for j in 0..<featureCount { cross[j] += r * (x[i * featureCount + j] - means[j]) }
        }
        return Targets(values: y, mean: mean, cross: cross)
    }

    /// A fitted model on the columns `features` (in that order).
    struct Fit {
        let features: [Int]
        let coefficients: [Double]
        let intercept: Double
    }

    func fit(features: [Int], alpha: Double, targets: Targets) -> Fit {
        let m = features.count
        var a = [Double](repeating: 0, count: m * m)
        var b = [Double](repeating: 0, count: m)
        for (r, fr) in features.enumerated() {
            b[r] = targets.cross[fr]
            for (c, fc) in features.enumerated() { a[r * m + c] = gram[fr * featureCount + fc] }
            a[r * m + r] += alpha
        }
        let coefficients = WeightedRidgeDesign.solvePositiveDefinite(a, b, order: m)
        var intercept = targets.mean
        for (r, f) in features.enumerated() { intercept -= means[f] * coefficients[r] }
        return Fit(features: features, coefficients: coefficients, intercept: intercept)
    }

    /// Prediction of `fit` for sample `i`.
    func predict(_ fit: Fit, sample i: Int) -> Double {
        var value = 0.0
        for (r, f) in fit.features.enumerated() { value += x[i * featureCount + f] * fit.coefficients[r] }
        return value + fit.intercept
    }

    /// Weighted coefficient of determination, as scikit-learn's `r2_score(y, ŷ, sample_weight=π)`
    /// (1 − Σπ(y − ŷ)² / Σπ(y − ȳ)²; 1 or 0 when y is constant, as its `force_finite`).
    func score(_ fit: Fit, targets: Targets) -> Double {
        var residual = 0.0, total = 0.0
        for i in 0..<sampleCount {
            let e = targets.values[i] - predict(fit, sample: i)
            residual += weights[i] * e * e
            let d = targets.values[i] - targets.mean
            total += weights[i] * d * d
        }
        if total == 0 { return residual == 0 ? 1 : 0 }
        return 1 - residual / total
    }

    /// Solves A β = b for symmetric A (row-major = column-major): Cholesky, or the minimum-norm
    /// solution when A is not positive definite (eigenvalues below 1e-12·λmax taken as zero).
    static func solvePositiveDefinite(_ a: [Double], _ b: [Double], order m: Int) -> [Double] {
        if let solution = choleskySolve(a, b, order: m) { return solution }

        // Fallback: A = V Λ Vᵀ, β = V Λ⁺ Vᵀ b.
        _ = Parallel.blasIsSingleThreaded  // LAPACK's inner BLAS calls too: same bits for any --threads
        var n = Int32(m), info: Int32 = 0
        var uplo = CChar(UInt8(ascii: "U"))
        var vectors = a
        var values = [Double](repeating: 0, count: m)
        var jobz = CChar(UInt8(ascii: "V"))
        var workSize = 0.0
        var query: Int32 = -1
        dsyev_(&jobz, &uplo, &n, &vectors, &n, &values, &workSize, &query, &info)
        var lwork = Int32(workSize)
        var work = [Double](repeating: 0, count: max(1, Int(lwork)))
        dsyev_(&jobz, &uplo, &n, &vectors, &n, &values, &work, &lwork, &info)
        precondition(info == 0, "dsyev failed (info \(info)) on a \(m)x\(m) system")
        let largest = values.map(abs).max() ?? 0
        var result = [Double](repeating: 0, count: m)
        for k in 0..<m where values[k] > 1e-12 * largest {
            // Column k of the column-major output is eigenvector k.
            var projection = 0.0
            for i in 0..<m { projection += vectors[k * m + i] * b[i] }
            projection /= values[k]
            for i in 0..<m { result[i] += projection * vectors[k * m + i] }
        }
        return result
    }

    /// A = L Lᵀ (LAPACK's `dpotrf` criterion: fails, returning nil, at a pivot that is not
    /// positive), then L y = b and Lᵀ β = y. Every sum runs in index order on one thread.
    static func choleskySolve(_ a: [Double], _ b: [Double], order m: Int) -> [Double]? {
        var l = a  // the lower triangle becomes L
        for j in 0..<m {
            var pivot = l[j * m + j]
            for k in 0..<j { pivot -= l[j * m + k] * l[j * m + k] }
            guard pivot > 0, pivot.isFinite else { return nil }
            let diagonal = pivot.squareRoot()
            l[j * m + j] = diagonal
            for i in (j + 1)..<m {
                var sum = l[i * m + j]
                for k in 0..<j { sum -= l[i * m + k] * l[j * m + k] }
                l[i * m + j] = sum / diagonal
            }
        }
        var x = b
        for i in 0..<m {
            var sum = x[i]
            for k in 0..<i { sum -= l[i * m + k] * x[k] }
            x[i] = sum / l[i * m + i]
        }
        for i in stride(from: m - 1, through: 0, by: -1) {
            var sum = x[i]
            for k in (i + 1)..<m { sum -= l[k * m + i] * x[k] }
            x[i] = sum / l[i * m + i]
        }
        return x
    }
}
