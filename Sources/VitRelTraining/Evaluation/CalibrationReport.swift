import Foundation

/// How far a single-label classifier's probabilities can be taken at face value: the three
/// measures of Guo et al. 2017 ("On Calibration of Modern Neural Networks", ICML, §2) —
/// top-label expected and maximum calibration error over equal-width confidence bins, the
/// negative log-likelihood — and the Brier score.
///
/// With confidence p̂ᵢ = maxₖ pᵢₖ, prediction ŷᵢ its arg-max (the first of tied maxima, as
/// numpy's) and Bₘ the examples whose confidence falls in bin m of M:
///
///     acc(Bₘ)  = 1/|Bₘ| Σ_{i∈Bₘ} 1(ŷᵢ = yᵢ)        conf(Bₘ) = 1/|Bₘ| Σ_{i∈Bₘ} p̂ᵢ
///     ECE      = Σₘ |Bₘ|/n · |acc(Bₘ) − conf(Bₘ)|    (Eq. 3)
///     MCE      = maxₘ |acc(Bₘ) − conf(Bₘ)|           (Eq. 5; over non-empty bins)
///     NLL      = −1/n Σᵢ log pᵢ,yᵢ                    (§2, "Negative log likelihood")
///     Brier    = 1/n Σᵢ Σₖ (pᵢₖ − 1(k = yᵢ))²         (Brier 1950, the multiclass sum)
///
/// Bin m covers (m/M, (m+1)/M] and the first bin also holds 0, as Guo et al.'s code bins
/// (`confidences.gt(lower) * confidences.le(upper)`); the edges are m/M correctly rounded, so
/// a confidence of exactly 0.6 = 9/15 lies in bin 8, (8/15, 9/15]. torchmetrics (≥ 0.10)
/// bins [lo, hi) on float32 edges instead: a confidence exactly on an edge can land one bin
/// higher there; elsewhere the two agree. The default M = 15 is Guo et al.'s and torchmetrics'.
///
/// ```swift
/// let report = try CalibrationReport(labels: [0, 1], logits: [[2, 0.5, -1], [0.3, 0.1, 1.4]])
/// report.expectedCalibrationError      // ECE over 15 bins
/// ```
public struct CalibrationReport: Codable, Equatable, Sendable {
    /// One confidence bin of the reliability diagram.
    public struct Bin: Codable, Equatable, Sendable {
        /// The bin covers (lower, upper] (the first bin [0, upper]).
        public var lower: Double
        public var upper: Double
        /// |Bₘ|: examples whose confidence falls in the bin.
        public var count: Int
        /// conf(Bₘ); nil for an empty bin.
        public var meanConfidence: Double?
        /// acc(Bₘ); nil for an empty bin.
        public var accuracy: Double?

        /// |acc(Bₘ) − conf(Bₘ)|, the bin's term of ECE and MCE; nil for an empty bin.
        public var gap: Double? {
            guard let meanConfidence, let accuracy else { return nil }
            return abs(accuracy - meanConfidence)
        }
    }

    /// Guo et al. 2017's and torchmetrics' bin count.
    public static let defaultBinCount = 15
    /// Most bins a report takes: more leave nearly every bin empty on any split vitrel holds,
    /// and `--calibration-bins 9223372036854775807` asked for exabytes (found by vitrel-fuzz).
    public static let maximumBinCount = 10_000

    public var sampleCount: Int
    /// The M equal-width bins over [0, 1], empty ones included.
    public var bins: [Bin]
    public var expectedCalibrationError: Double
    public var maximumCalibrationError: Double
    /// Mean −log p(true class); +∞ when a true class has probability 0.
    public var negativeLogLikelihood: Double
    public var brierScore: Double
    /// Fraction of arg-max predictions that are right, and the mean confidence: accuracy below
    /// mean confidence is over-confidence.
    public var accuracy: Double
    public var meanConfidence: Double

    public var binCount: Int { bins.count }

    /// The calibration of `probabilities` ([n][C], rows summing to 1 within 10⁻⁶) for the true
    /// classes `labels`, over `binCount` bins.
    public init(labels: [Int], probabilities: [[Double]], binCount: Int = defaultBinCount) throws {
        try Self.check(labels: labels, rows: probabilities)
        for row in probabilities {
            guard row.allSatisfy({ $0 >= 0 && $0 <= 1 }) else {
                throw EvaluationError.invalidScores("probabilities must lie in [0, 1]")
            }
            guard abs(row.reduce(0, +) - 1) <= 1e-6 else {
                throw EvaluationError.invalidScores("probability rows must sum to 1")
            }
        }
        let logTrue = zip(labels, probabilities).map { label, row in Foundation.log(row[label]) }
        self.init(labels: labels, probabilities: probabilities, logTrueProbabilities: logTrue, binCount: binCount)
    }

    /// The calibration of softmax(z / `temperature`) of `logits` ([n][C]). The NLL comes from
    /// the log-softmax, so a confident mistake costs its full −log p rather than log(0) = −∞.
    /// At temperature 1 the probabilities are exactly `softmaxProbabilities` of the logits.
    public init(labels: [Int], logits: [[Double]], temperature: Double = 1, binCount: Int = defaultBinCount) throws {
        try Self.check(labels: labels, rows: logits)
        guard logits.allSatisfy({ $0.allSatisfy(\.isFinite) }) else { throw EvaluationError.invalidScores("logits must be finite") }
        let probabilities = logits.map { TemperatureScaling.probabilities($0, temperature: temperature) }
        let logTrue = zip(labels, logits).map { label, row in
            TemperatureScaling.logProbabilities(row, temperature: temperature)[label]
        }
        self.init(labels: labels, probabilities: probabilities, logTrueProbabilities: logTrue, binCount: binCount)
    }

    private init(labels: [Int], probabilities: [[Double]], logTrueProbabilities: [Double], binCount: Int) {
        let n = Double(labels.count)
        let top = probabilities.map(Self.topLabel)
        let correct = zip(top, labels).map { $0.index == $1 }
        let reliability = Self.reliabilityBins(confidences: top.map(\.confidence), correct: correct, binCount: binCount)
        sampleCount = labels.count
        bins = reliability.bins
        expectedCalibrationError = reliability.expected
        maximumCalibrationError = reliability.maximum
        negativeLogLikelihood = -logTrueProbabilities.reduce(0, +) / n
        var squaredErrors = 0.0
        for (label, row) in zip(labels, probabilities) {
            for (k, p) in row.enumerated() {
                let residual = p - (k == label ? 1 : 0)
                squaredErrors += residual * residual
            }
        }
        brierScore = squaredErrors / n
        accuracy = Double(correct.filter { $0 }.count) / n
        meanConfidence = top.reduce(0) { $0 + $1.confidence } / n
    }

    /// Equal lengths, at least one example, rows of one length ≥ 1, labels in range.
    private static func check(labels: [Int], rows: [[Double]]) throws {
        guard labels.count == rows.count else {
            throw EvaluationError.lengthMismatch("\(labels.count) labels, \(rows.count) score rows")
        }
        guard let classCount = rows.first?.count, classCount > 0 else {
            throw EvaluationError.invalidScores("calibration needs at least one example and one class")
        }
        guard rows.allSatisfy({ $0.count == classCount }) else { throw EvaluationError.invalidScores("score rows of different lengths") }
        guard rows.allSatisfy({ row in row.allSatisfy { !$0.isNaN } }) else { throw EvaluationError.invalidScores("NaN score") }
        for label in labels where label < 0 || label >= classCount {
            throw EvaluationError.labelOutOfRange(label: label, classCount: classCount)
        }
    }

    /// The arg-max (the first of tied maxima) and its probability.
    static func topLabel(_ row: [Double]) -> (index: Int, confidence: Double) {
        var best = 0
        for k in row.indices.dropFirst() where row[k] > row[best] { best = k }
        return (best, row[best])
    }

    /// The bin of `confidence` ∈ [0, 1] among `binCount` bins (m/M, (m+1)/M], 0 in the first.
    /// ⌈c·M⌉ − 1 is the answer up to the rounding of c·M; the comparisons against the edges
    /// m/M settle a confidence that lies on an edge (0.6 against 9/15) exactly.
    public static func binIndex(of confidence: Double, binCount: Int) -> Int {
        precondition(binCount >= 1, "at least one calibration bin, not \(binCount)")
        precondition(confidence >= 0 && confidence <= 1, "confidence \(confidence) outside [0, 1]")
        let m = Double(binCount)
        var index = min(max(Int((confidence * m).rounded(.up)) - 1, 0), binCount - 1)
        while index > 0 && confidence <= Double(index) / m { index -= 1 }
        while index < binCount - 1 && confidence > Double(index + 1) / m { index += 1 }
        return index
    }

    /// The reliability bins of top-label `confidences` (each in [0, 1]) whose predictions were
    /// `correct`, with ECE (Eq. 3) and MCE (Eq. 5). One pass; O(n + M).
    public static func reliabilityBins(confidences: [Double], correct: [Bool], binCount: Int = defaultBinCount)
        -> (bins: [Bin], expected: Double, maximum: Double)
    {
        precondition(confidences.count == correct.count, "\(confidences.count) confidences, \(correct.count) outcomes")
        precondition(!confidences.isEmpty, "calibration needs at least one example")
        var counts = [Int](repeating: 0, count: binCount), rights = counts
        var confidenceSums = [Double](repeating: 0, count: binCount)
        for (confidence, isCorrect) in zip(confidences, correct) {
            let m = binIndex(of: confidence, binCount: binCount)
            counts[m] += 1
            confidenceSums[m] += confidence
            if isCorrect { rights[m] += 1 }
        }
        let n = Double(confidences.count)
        var expected = 0.0, maximum = 0.0
        let bins = (0..<binCount).map { m -> Bin in
            var bin = Bin(lower: Double(m) / Double(binCount), upper: Double(m + 1) / Double(binCount), count: counts[m])
            if counts[m] > 0 {
                bin.meanConfidence = confidenceSums[m] / Double(counts[m])
                bin.accuracy = Double(rights[m]) / Double(counts[m])
                expected += Double(counts[m]) / n * bin.gap!
                maximum = max(maximum, bin.gap!)
            }
            return bin
        }
        return (bins, expected, maximum)
    }

    /// The report as pretty-printed JSON with sorted keys.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Four lines under a heading, values with `digits` decimals:
    ///
    ///     calibration (top label, 15 equal-width bins; Guo et al. 2017)
    ///       ECE    0.0412
    ///       ...
    public func text(digits: Int = 4, heading: String? = nil) -> String {
        func value(_ x: Double) -> String { String(format: "%.\(digits)f", x) }
        var text = (heading ?? "calibration (top label, \(binCount) equal-width bins; Guo et al. 2017)") + "\n"
        for (name, x) in [
            ("ECE", expectedCalibrationError), ("MCE", maximumCalibrationError), ("NLL", negativeLogLikelihood), ("Brier", brierScore),
        ] {
            text += "  " + name.padding(toLength: 7, withPad: " ", startingAt: 0) + value(x) + "\n"
        }
        text += "  mean confidence \(value(meanConfidence)), accuracy \(value(accuracy))\n"
        return text
    }
}
