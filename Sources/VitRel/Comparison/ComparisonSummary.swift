/// The comparison tables: for every metric and method, the mean score with its 95% percentile
/// bootstrap interval, overall and per true class, plus the mean curve of the curve metrics.
///
/// NaN scores (an empty infection mask, a constant correlation series) are left out and
/// counted, so a cell says how many images it rests on. Bootstrap draws are seeded, so the
/// same rows always give the same table.
public struct ComparisonSummary: Codable, Equatable, Sendable {
    /// The group that pools every image.
    public static let allGroup = "all"

    public struct Cell: Codable, Equatable, Sendable {
        public var group: String
        public var statistics: Statistics.Summary
    }

    public struct MethodRow: Codable, Equatable, Sendable {
        public var method: String
        /// `allGroup` first, then the classes in model order.
        public var cells: [Cell]

        public func cell(_ group: String) -> Cell? { cells.first { $0.group == group } }
    }

    /// The mean curve of one method with a pointwise 95% bootstrap band.
    public struct Curve: Codable, Equatable, Sendable {
        public var method: String
        public var mean: [Double]
        public var lower: [Double]
        public var upper: [Double]
        /// Images averaged.
        public var count: Int
    }

    public struct MetricTable: Codable, Equatable, Sendable {
        public var metric: String
        public var description: String
        /// nil for descriptive quantities (seconds, conservation gap).
        public var higherIsBetter: Bool?
        public var methods: [MethodRow]
        public var curves: [Curve]

        public func row(_ method: String) -> MethodRow? { methods.first { $0.method == method } }
    }

    public var groups: [String]
    public var metrics: [MetricTable]
    public var images: Int
    public var bootstrapResamples: Int
    public var bootstrapSeed: UInt64

    public func table(_ metric: String) -> MetricTable? { metrics.first { $0.metric == metric } }

    /// Summarises `records` for the given methods and metrics (in that order); `classes` are
    /// the group names after `allGroup`.
    public init(
        records: [ComparisonRecord], methods: [String], metrics: [String], classes: [String],
        bootstrapResamples: Int = 1000, seed: UInt64 = 0
    ) {
        groups = [Self.allGroup] + classes
        images = Set(records.map(\.image)).count
        self.bootstrapResamples = bootstrapResamples
        bootstrapSeed = seed
        var byKey = [String: [String: [ComparisonRecord]]]()  // metric → method → rows
        for record in records { byKey[record.metric, default: [:]][record.method, default: []].append(record) }
        self.metrics = metrics.map { metric in
            let kind = MetricKind(rawValue: metric)
            var rows = [MethodRow](), curves = [Curve]()
            for method in methods {
                let chosen = byKey[metric]?[method] ?? []
                let cells = ([Self.allGroup] + classes).map { group in
                    let scores = chosen.filter { group == Self.allGroup || $0.label == group }.map(\.score)
                    return Cell(group: group, statistics: Statistics.summary(scores, resamples: bootstrapResamples, seed: seed))
                }
                rows.append(MethodRow(method: method, cells: cells))
                if let curve = Self.meanCurve(chosen.map { Self.plotted($0.curve, metric: kind) }, resamples: bootstrapResamples, seed: seed) {
                    curves.append(Curve(method: method, mean: curve.mean, lower: curve.lower, upper: curve.upper, count: curve.count))
                }
            }
            return MetricTable(
                metric: metric, description: kind?.summary ?? metric, higherIsBetter: kind?.higherIsBetter,
                methods: rows, curves: curves)
        }
    }

    /// The curve as the literature plots it (`MetricCurve.plotting`). Region perturbation stores the drops
    /// D_k = f(x⁰) − f(x^k), k = 1…L; the AOPC curve of Samek et al. 2017 (Fig. 3) is the
    /// running mean AOPC(k) = (1/(k+1)) Σ_{i=0…k} D_i with D_0 = 0, whose last value is the
    /// image's score. Other curves are plotted as stored.
    static func plotted(_ curve: [Double], metric: MetricKind?) -> [Double] {
        guard metric?.descriptor.curve?.plotting == .runningMeanFromZero, !curve.isEmpty else { return curve }
        var running = [0.0], sum = 0.0
        for (k, drop) in curve.enumerated() {
            sum += drop
            running.append(sum / Double(k + 2))
        }
        return running
    }

    /// Pointwise mean of the curves that have the most common length (all of them, when the
    /// inputs share one shape), with a percentile bootstrap band that resamples whole images
    /// (so the band respects the correlation between steps); nil without curves.
    static func meanCurve(_ curves: [[Double]], resamples: Int, seed: UInt64) -> (mean: [Double], lower: [Double], upper: [Double], count: Int)? {
        let nonEmpty = curves.filter { !$0.isEmpty && $0.allSatisfy(\.isFinite) }
        guard !nonEmpty.isEmpty else { return nil }
        var lengths = [Int: Int]()
        for curve in nonEmpty { lengths[curve.count, default: 0] += 1 }
        let length = lengths.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }!.key
        let used = nonEmpty.filter { $0.count == length }
        func mean(_ indices: [Int]) -> [Double] {
            var sum = [Double](repeating: 0, count: length)
            for i in indices { for k in 0..<length { sum[k] += used[i][k] } }
            return sum.map { $0 / Double(indices.count) }
        }
        let centre = mean(Array(used.indices))
        var resampled = [[Double]](repeating: [], count: length)
        for r in 0..<resamples {
            var generator = SeededGenerator(seed: seed, stream: UInt64(r))
            let draw = (0..<used.count).map { _ in generator.index(below: used.count) }
            for (k, value) in mean(draw).enumerated() { resampled[k].append(value) }
        }
        return (centre, resampled.map { Statistics.percentile($0, 2.5) }, resampled.map { Statistics.percentile($0, 97.5) }, used.count)
    }
}
