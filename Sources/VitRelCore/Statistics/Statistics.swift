import Foundation

/// The statistics the metrics and the comparison tables use, in Double.
///
/// Definitions follow SciPy/NumPy so that numbers can be checked against them:
/// `scipy.stats.pearsonr`, `scipy.stats.spearmanr` (average ranks for ties, `rankdata`),
/// `numpy.trapz`, `numpy.percentile` (method "linear").
public enum Statistics {
    /// Pearson's r; NaN when either input is constant, shorter than 2, or contains NaN
    /// (SciPy returns NaN with a warning for constant input).
    public static func pearson(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count, "pearson of \(a.count) and \(b.count) values")
        let n = a.count
        guard n >= 2 else { return .nan }
        let meanA = a.reduce(0, +) / Double(n), meanB = b.reduce(0, +) / Double(n)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in 0..<n {
            let dx = a[i] - meanA, dy = b[i] - meanB
            sxy += dx * dy
            sxx += dx * dx
            syy += dy * dy
        }
        guard sxx > 0, syy > 0 else { return .nan }
        let r = sxy / (sxx.squareRoot() * syy.squareRoot())
        return r.isNaN ? r : Swift.min(1, Swift.max(-1, r))
    }

    /// Spearman's ρ: Pearson's r of the average ranks (ties share the mean of their ranks).
    /// NaN if any value is NaN (SciPy's default `nan_policy="propagate"`).
    public static func spearman(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count, "spearman of \(a.count) and \(b.count) values")
        if a.contains(where: \.isNaN) || b.contains(where: \.isNaN) { return .nan }
        return pearson(averageRanks(a), averageRanks(b))
    }

    /// 1-based ranks; tied values get the average of the ranks they span (`rankdata("average")`).
    public static func averageRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && values[order[end]] == values[order[start]] { end += 1 }
            let rank = Double(start + end + 1) / 2  // mean of start+1 … end
            for k in start..<end { ranks[order[k]] = rank }
            start = end
        }
        return ranks
    }

    /// Trapezoidal area under equally spaced samples (`numpy.trapz(y, dx=dx)`); 0 for < 2 samples.
    public static func trapezoidArea(_ y: [Double], dx: Double = 1) -> Double {
        guard y.count >= 2 else { return 0 }
        var total = 0.0
        for i in 1..<y.count { total += (y[i - 1] + y[i]) / 2 }
        return total * dx
    }

    public static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }

    /// Sample standard deviation (ddof = 1); NaN for fewer than 2 values.
    public static func standardDeviation(_ values: [Double]) -> Double {
        guard values.count >= 2 else { return .nan }
        let m = mean(values)
        return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
    }

    /// The q-th percentile (0…100) with linear interpolation between order statistics
    /// (`numpy.percentile`, method "linear"). NaN for no values.
    public static func percentile(_ values: [Double], _ q: Double) -> Double {
        precondition(q >= 0 && q <= 100, "percentile \(q) outside 0…100")
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let position = Double(sorted.count - 1) * q / 100
        let lower = Int(position.rounded(.down))
        let upper = Swift.min(lower + 1, sorted.count - 1)
        let t = position - Double(lower)
        let a = sorted[lower], b = sorted[upper]
        // numpy's _lerp: exact at both ends of the interval.
        return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t
    }

    /// A two-sided confidence interval.
    public struct Interval: Sendable, Equatable, Codable {
        public var lower: Double
        public var upper: Double
    }

    /// Percentile bootstrap interval of `statistic` (Efron & Tibshirani 1993): `resamples`
    /// resamples with replacement drawn from `SeededGenerator(seed: seed, stream: r)`, then the
    /// (1 − confidence)/2 and (1 + confidence)/2 percentiles of the resampled statistics.
    /// NaN bounds for an empty sample.
    public static func bootstrapInterval(
        _ values: [Double], confidence: Double = 0.95, resamples: Int = 1000, seed: UInt64 = 0,
        statistic: ([Double]) -> Double = Statistics.mean
    ) -> Interval {
        precondition(confidence > 0 && confidence < 1, "confidence \(confidence) outside (0, 1)")
        precondition(resamples >= 1, "bootstrap needs at least one resample")
        guard !values.isEmpty else { return Interval(lower: .nan, upper: .nan) }
        var statistics = [Double]()
        statistics.reserveCapacity(resamples)
        var sample = [Double](repeating: 0, count: values.count)
        for r in 0..<resamples {
            var generator = SeededGenerator(seed: seed, stream: UInt64(r))
            for i in 0..<values.count { sample[i] = values[generator.index(below: values.count)] }
            statistics.append(statistic(sample))
        }
        let tail = (1 - confidence) / 2 * 100
        return Interval(lower: percentile(statistics, tail), upper: percentile(statistics, 100 - tail))
    }

    /// What the comparison tables print for one method × metric × class cell.
    public struct Summary: Sendable, Equatable, Codable {
        /// Finite values summarised.
        public var count: Int
        /// NaN or infinite values left out (empty masks, constant correlations).
        public var skipped: Int
        public var mean: Double
        public var standardDeviation: Double
        public var median: Double
        /// Percentile-bootstrap 95% interval of the mean.
        public var interval: Interval
    }

    /// Summarises the finite values of `values`; non-finite ones are counted as skipped.
    public static func summary(_ values: [Double], resamples: Int = 1000, seed: UInt64 = 0) -> Summary {
        let finite = values.filter(\.isFinite)
        return Summary(
            count: finite.count, skipped: values.count - finite.count, mean: mean(finite),
            standardDeviation: standardDeviation(finite), median: percentile(finite, 50),
            interval: bootstrapInterval(finite, resamples: resamples, seed: seed))
    }
}
