import Foundation

/// A linear chart axis whose ticks are round numbers: steps of 1, 2 or 5 times a power of ten
/// (the "nice numbers" of Heckbert, Graphics Gems 1990, as matplotlib's `MaxNLocator` with
/// steps [1, 2, 5, 10] picks them), and whose ends are the first and last tick, so every
/// value drawn lies on the axis and a reader can read it off a grid line.
///
/// The step is the smallest 1-2-5 step that covers the data in at most `maxIntervals`
/// intervals (to within 10⁻⁹ of a step, so that 1.0000000000000002 from rounding does not
/// cost an extra interval). Tick values are computed as integer × 10^e, so they print as the decimals they
/// are (0.3, never 0.30000000000000004).
///
/// ```swift
/// let axis = ChartAxis(covering: -0.13...0.87)   // ticks −0.2, 0, 0.2, …, 1.0
/// axis.label(axis.ticks[0])                       // "−0.2"
/// ```
public struct ChartAxis: Equatable, Sendable {
    /// The first tick: the value at the start of the axis.
    public let lower: Double
    /// The last tick: the value at the end of the axis.
    public let upper: Double
    /// The distance between ticks: 1, 2 or 5 times `10^exponent`.
    public let step: Double
    /// The tick values from `lower` to `upper`.
    public let ticks: [Double]
    /// Decimals every tick label shows (those of the step).
    public let decimals: Int

    /// An axis covering `range` with at most `maxIntervals` tick intervals. A range of one
    /// value — or one narrower than 10⁻⁹ of its magnitude, rounding noise around one value,
    /// whose ticks would collapse onto one double (found by vitrel-fuzz: an audit of identical
    /// films) — is widened by 10% of its magnitude (±1 around zero) so it still gets an axis.
    public init(covering range: ClosedRange<Double>, maxIntervals: Int = 6) {
        precondition(range.lowerBound.isFinite && range.upperBound.isFinite, "axis range \(range) is not finite")
        precondition(maxIntervals >= 1, "an axis needs at least one interval, not \(maxIntervals)")
        var low = range.lowerBound, high = range.upperBound
        if high - low <= 1e-9 * max(abs(low), abs(high)) {
            low = low / 2 + high / 2
            high = low
        }
        if low == high {
            let pad = low == 0 ? 1 : abs(low) * 0.1
            low -= pad
            high += pad
        }
        // Relative slack so that 1.0 / 0.2 = 5.000000000000001 still counts as 5 steps.
        let slack = 1e-9
        var exponent = Int((log10((high - low) / Double(maxIntervals))).rounded(.down))
        while true {
            for multiple in [1, 2, 5] {
                let step = Self.decimal(multiple, exponent: exponent)
                let first = Int((low / step + slack).rounded(.down))
                let last = Int((high / step - slack).rounded(.up))
                if last - first <= maxIntervals {
                    self.step = step
                    ticks = (first...last).map { Self.decimal($0 * multiple, exponent: exponent) }
                    lower = ticks.first!
                    upper = ticks.last!
                    decimals = max(0, -exponent)
                    return
                }
            }
            exponent += 1
        }
    }

    /// `mantissa` × 10^exponent, correctly rounded (dividing by an exact power of ten rather
    /// than multiplying by an inexact 10^−k).
    static func decimal(_ mantissa: Int, exponent: Int) -> Double {
        exponent >= 0 ? Double(mantissa) * pow(10, Double(exponent)) : Double(mantissa) / pow(10, Double(-exponent))
    }

    /// Where `value` lies along the axis: 0 at `lower`, 1 at `upper`.
    public func fraction(_ value: Double) -> Double {
        (value - lower) / (upper - lower)
    }

    /// The pixel of `value` on an axis drawn from pixel `start` (at `lower`) to pixel `end`
    /// (at `upper`); `end` may be less than `start` (a y axis runs upwards). Rounded to the
    /// nearest pixel.
    public func pixel(_ value: Double, from start: Int, to end: Int) -> Int {
        Int((Double(start) + fraction(value) * Double(end - start)).rounded())
    }

    /// A tick's label with the step's decimals and a true minus sign ("−0.2", "0.0", "25").
    public func label(_ value: Double) -> String {
        let text = String(format: "%.\(decimals)f", abs(value))
        let isZero = text.allSatisfy { $0 == "0" || $0 == "." }
        return (value < 0 && !isZero ? "−" : "") + text
    }
}
