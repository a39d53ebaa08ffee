import Foundation

/// The numbers one box of a box plot draws, with exactly the semantics of matplotlib's
/// `matplotlib.cbook.boxplot_stats` (what `plt.boxplot` draws): readers put vitrel's figures
/// next to the box plots of the COVID ViT papers, which matplotlib drew, so a box must mean
/// the same thing in both.
///
/// - quartiles and median: `numpy.percentile` with linear interpolation (`Statistics.percentile`);
/// - whiskers: the most extreme data inside [q1 − w·IQR, q3 + w·IQR] (Tukey 1977 with w = 1.5),
///   but never inside the box — when no datum lies between the box and the fence, the whisker
///   is the quartile itself (matplotlib's rule, which matters when quartiles are interpolated);
/// - fliers: the data beyond the whiskers, the low ones first, each side in data order;
/// - the notch interval median ± 1.57·IQR/√n (McGill, Tukey & Larsen 1978), matplotlib's
///   `cilo`/`cihi` without bootstrap.
///
/// Unlike matplotlib (whose percentiles turn NaN), NaN and ±∞ are dropped first and counted:
/// a metric that is undefined for an image (an empty mask, a constant correlation) must not
/// erase the box of every other image. With nothing finite left every statistic is NaN and
/// `isEmpty` is true (the charts draw "n/a").
///
/// ```swift
/// let box = BoxPlotStatistics([0.2, 0.4, 0.5, 0.9, 3.0])   // box.fliers == [3.0]
/// ```
public struct BoxPlotStatistics: Sendable {
    /// Finite values summarised.
    public let count: Int
    /// NaN and infinite values left out.
    public let droppedCount: Int
    /// The whisker factor w (1.5 is Tukey's and matplotlib's default).
    public let whisker: Double
    public let mean: Double
    public let median: Double
    public let firstQuartile: Double
    public let thirdQuartile: Double
    /// Lower end of the lower whisker (matplotlib's `whislo`).
    public let lowerWhisker: Double
    /// Upper end of the upper whisker (`whishi`).
    public let upperWhisker: Double
    /// Values beyond the whiskers: those below `lowerWhisker`, then those above `upperWhisker`,
    /// each in the order given.
    public let fliers: [Double]
    /// The notch: median ∓ 1.57·IQR/√n (`cilo`, `cihi`).
    public let medianConfidenceInterval: ClosedRange<Double>?

    /// q3 − q1.
    public var interquartileRange: Double { thirdQuartile - firstQuartile }

    /// Whether no finite value was given.
    public var isEmpty: Bool { count == 0 }

    public init(_ values: [Double], whisker: Double = 1.5) {
        precondition(whisker.isFinite && whisker >= 0, "box plot whisker factor \(whisker) must be finite and ≥ 0")
        let finite = values.filter(\.isFinite)
        self.whisker = whisker
        count = finite.count
        droppedCount = values.count - finite.count
        guard !finite.isEmpty else {
            mean = .nan
            median = .nan
            firstQuartile = .nan
            thirdQuartile = .nan
            lowerWhisker = .nan
            upperWhisker = .nan
            fliers = []
            medianConfidenceInterval = nil
            return
        }
        mean = Statistics.mean(finite)
        let q1 = Statistics.percentile(finite, 25), median = Statistics.percentile(finite, 50)
        let q3 = Statistics.percentile(finite, 75)
        firstQuartile = q1
        self.median = median
        thirdQuartile = q3
        let iqr = q3 - q1
        let lowFence = q1 - whisker * iqr, highFence = q3 + whisker * iqr
        // matplotlib: the extreme datum within the fence, unless it lies inside the box.
        let highest = finite.filter { $0 <= highFence }.max()
        let upper = highest.map { $0 < q3 ? q3 : $0 } ?? q3
        let lowest = finite.filter { $0 >= lowFence }.min()
        let lower = lowest.map { $0 > q1 ? q1 : $0 } ?? q1
        upperWhisker = upper
        lowerWhisker = lower
        fliers = finite.filter { $0 < lower } + finite.filter { $0 > upper }
        let halfNotch = 1.57 * iqr / Double(finite.count).squareRoot()
        medianConfidenceInterval = (median - halfNotch)...(median + halfNotch)
    }

    /// The smallest and largest value the box draws (whiskers, fliers and mean); nil when empty.
    public var drawnRange: ClosedRange<Double>? {
        guard !isEmpty else { return nil }
        let all = [lowerWhisker, upperWhisker, mean] + fliers
        return all.min()!...all.max()!
    }
}
