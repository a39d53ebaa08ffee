import Foundation

/// Temperature scaling (Guo et al. 2017, "On Calibration of Modern Neural Networks", §4.2):
/// one scalar T > 0 divides every logit, q = softmax(z / T), and T is chosen to minimise the
/// NLL on held-out data. T > 1 softens over-confident probabilities; the arg-max, hence the
/// accuracy, never changes. A T fitted on the split it is then evaluated on flatters that
/// split: fit on validation, apply to test.
///
/// The fit minimises over β = 1/T, where the NLL
///
///     f(β) = 1/n Σᵢ [log Σₖ exp(β zᵢₖ) − β zᵢ,yᵢ]
///
/// is convex (a log-sum-exp of linear functions minus a linear one), with
///
///     f′(β) = 1/n Σᵢ (E_{softmax(βzᵢ)}[zᵢ] − zᵢ,yᵢ),   f″(β) = 1/n Σᵢ Var_{softmax(βzᵢ)}[zᵢ] ≥ 0.
///
/// f′ is nondecreasing, so its root is found by Newton's method kept inside a bracket that
/// shrinks with every step, bisecting (geometrically: the bracket spans four decades) whenever
/// Newton would leave it (Numerical Recipes' `rtsafe`): deterministic, quadratic near the root,
/// and to the last few bits of β — a golden-section search on f itself stalls at √ε relative,
/// where f is flat to rounding. When f′ keeps one sign over the whole `searchRange` the
/// minimum lies beyond it and the fit stops at that end, saying so.
///
/// ```swift
/// let fit = try TemperatureScaling(labels: validationLabels, logits: validationLogits)
/// let test = try CalibrationReport(labels: testLabels, logits: testLogits, temperature: fit.temperature)
/// ```
public struct TemperatureScaling: Codable, Equatable, Sendable {
    /// Temperatures the fit considers. Guo et al. report T between 1 and 3 for modern networks;
    /// beyond these ends the probabilities are nearly one-hot or nearly uniform.
    public static let searchRange: ClosedRange<Double> = 0.01...100

    /// The fitted temperature.
    public var temperature: Double
    /// True when the NLL was still falling at an end of `searchRange` (e.g. every prediction is
    /// right, so sharper is always better): `temperature` is then that end, not a minimum.
    public var isAtSearchBound: Bool
    /// Newton and bisection steps the fit took.
    public var iterations: Int
    /// The calibration of the unscaled logits (T = 1) and of the scaled ones, on the fitting set.
    public var before: CalibrationReport
    public var after: CalibrationReport

    /// Fits T on `logits` ([n][C]) with true classes `labels`; `before` and `after` are over
    /// `binCount` bins.
    public init(labels: [Int], logits: [[Double]], binCount: Int = CalibrationReport.defaultBinCount) throws {
        before = try CalibrationReport(labels: labels, logits: logits, temperature: 1, binCount: binCount)  // checks the inputs
        let fit = Self.minimiseNegativeLogLikelihood(labels: labels, logits: logits)
        temperature = fit.temperature
        isAtSearchBound = fit.isAtSearchBound
        iterations = fit.iterations
        after = try CalibrationReport(labels: labels, logits: logits, temperature: temperature, binCount: binCount)
    }

    /// softmax(`logits` / `temperature`), in the same operations as `softmaxProbabilities`
    /// (subtract the maximum, exponentiate, divide by the sum), so at T = 1 the bits are the same.
    public static func probabilities(_ logits: [Double], temperature: Double = 1) -> [Double] {
        precondition(temperature > 0 && temperature.isFinite, "temperature \(temperature) must be positive and finite")
        let scaled = logits.map { $0 / temperature }
        let maximum = scaled.max() ?? 0
        let exps = scaled.map { Foundation.exp($0 - maximum) }
        let total = exps.reduce(0, +)
        return exps.map { $0 / total }
    }

    /// log softmax(`logits` / `temperature`): finite however confident the row (no log of an
    /// underflowed probability).
    public static func logProbabilities(_ logits: [Double], temperature: Double = 1) -> [Double] {
        precondition(temperature > 0 && temperature.isFinite, "temperature \(temperature) must be positive and finite")
        let scaled = logits.map { $0 / temperature }
        let maximum = scaled.max() ?? 0
        let shifted = scaled.map { $0 - maximum }
        let logSum = Foundation.log(shifted.reduce(0) { $0 + Foundation.exp($1) })
        return shifted.map { $0 - logSum }
    }

    /// Mean −log softmax(z / T)[y]: the quantity the fit minimises.
    public static func negativeLogLikelihood(labels: [Int], logits: [[Double]], temperature: Double) -> Double {
        precondition(labels.count == logits.count && !labels.isEmpty, "\(labels.count) labels, \(logits.count) logit rows")
        let total = zip(labels, logits).reduce(0) { $0 - logProbabilities($1.1, temperature: temperature)[$1.0] }
        return total / Double(labels.count)
    }

    /// f′(β) and f″(β) of the NLL at β = 1/T (see the type's comment). Each row is shifted
    /// by its maximum first: the mean and variance of z do not change, and exp cannot overflow.
    static func slopeAndCurvature(labels: [Int], logits: [[Double]], inverseTemperature beta: Double) -> (slope: Double, curvature: Double) {
        var slope = 0.0, curvature = 0.0
        for (label, row) in zip(labels, logits) {
            let maximum = row.max()!
            let shifted = row.map { $0 - maximum }
            let weights = shifted.map { Foundation.exp(beta * $0) }
            let total = weights.reduce(0, +)
            let mean = zip(weights, shifted).reduce(0) { $0 + $1.0 * $1.1 } / total
            let variance = zip(weights, shifted).reduce(0) { $0 + $1.0 * ($1.1 - mean) * ($1.1 - mean) } / total
            slope += mean - shifted[label]
            curvature += variance
        }
        let n = Double(labels.count)
        return (slope / n, curvature / n)
    }

    /// The T in `searchRange` of least NLL: safeguarded Newton on f′(β) = 0.
    static func minimiseNegativeLogLikelihood(labels: [Int], logits: [[Double]]) -> (temperature: Double, isAtSearchBound: Bool, iterations: Int) {
        var low = 1 / searchRange.upperBound, high = 1 / searchRange.lowerBound  // β bracket
        // f′ > 0 already at the smallest β: f rises all the way, the minimum is at T's upper end;
        // f′ < 0 at the largest β: f falls all the way, the minimum is at T's lower end. (f′ = 0
        // everywhere, rows of equal logits only, ends at β = 1: every T is a minimum.)
        if slopeAndCurvature(labels: labels, logits: logits, inverseTemperature: low).slope > 0 {
            return (searchRange.upperBound, true, 0)
        }
        if slopeAndCurvature(labels: labels, logits: logits, inverseTemperature: high).slope < 0 {
            return (searchRange.lowerBound, true, 0)
        }
        var beta = 1.0, iterations = 0
        while iterations < 200 {
            iterations += 1
            let (slope, curvature) = slopeAndCurvature(labels: labels, logits: logits, inverseTemperature: beta)
            if slope == 0 { break }
            if slope < 0 { low = beta } else { high = beta }
            let newton = beta - slope / curvature
            let next = curvature > 0 && newton > low && newton < high ? newton : (low * high).squareRoot()
            let step = abs(next - beta)
            beta = next
            if step <= 4 * Double.ulpOfOne * beta || high - low <= 4 * Double.ulpOfOne * high { break }
        }
        return (1 / beta, false, iterations)
    }

    /// T, then NLL, ECE, MCE and Brier before and after scaling in two columns.
    public func text(digits: Int = 4) -> String {
        func value(_ x: Double) -> String {
            let text = String(format: "%.\(digits)f", x)
            return String(repeating: " ", count: max(0, 10 - text.count)) + text
        }
        var text = "temperature scaling (Guo et al. 2017, §4.2): T = \(String(format: "%.\(digits)f", temperature))"
        text += isAtSearchBound ? " (at the end of the search range \(searchRangeText); the NLL minimum lies beyond it)\n" : "\n"
        text += "       " + ["before", "after"].map { String(repeating: " ", count: 10 - $0.count) + $0 }.joined() + "\n"
        let rows: [(String, KeyPath<CalibrationReport, Double>)] = [
            ("NLL", \.negativeLogLikelihood), ("ECE", \.expectedCalibrationError),
            ("MCE", \.maximumCalibrationError), ("Brier", \.brierScore),
        ]
        for (name, keyPath) in rows {
            text += "  " + name.padding(toLength: 5, withPad: " ", startingAt: 0) + value(before[keyPath: keyPath]) + value(after[keyPath: keyPath]) + "\n"
        }
        return text
    }

    private var searchRangeText: String {
        "[\(Self.searchRange.lowerBound), \(Self.searchRange.upperBound)]"
    }
}
