/// One row of `results.csv`: one metric of one method's explanation of one image.
///
/// Everything the summaries and figures need is in the rows (curves included), so a run that
/// resumes from its `results.csv` reports exactly what an uninterrupted run would.
public struct ComparisonRecord: Equatable, Sendable {
    /// The image's path relative to the dataset root: the key rows are resumed by.
    public var image: String
    /// `ContentChecksum` of the image file's bytes and its mask's (when the run reads a mask):
    /// a row is resumed only while the files still have this checksum, so an image changed
    /// in place is measured again rather than kept stale.
    public var imageChecksum: String
    /// The true class.
    public var label: String
    public var predicted: String
    /// The class explained and measured.
    public var target: String
    /// The model's probability of `target`.
    public var probability: Double
    public var method: String
    public var metric: String
    /// NaN when the metric is undefined for this image (an empty mask, a constant series);
    /// `note` says why.
    public var score: Double
    /// Model inputs the metric evaluated.
    public var forwardPasses: Int
    /// Explanations the metric recomputed (MPRT, MaxSensitivity).
    public var explanations: Int
    /// Wall time of the metric itself (the explanation's time is the `seconds` metric).
    public var metricSeconds: Double
    public var note: String
    /// The per-step values the score was reduced from (AOPC deltas, pixel-flipping outputs,
    /// MPRT correlations per layer), empty when the metric has none.
    public var curve: [Double]

    public init(
        image: String, imageChecksum: String = "", label: String, predicted: String, target: String, probability: Double,
        method: String, metric: String, score: Double, forwardPasses: Int = 0, explanations: Int = 0, metricSeconds: Double = 0,
        note: String = "", curve: [Double] = []
    ) {
        self.image = image
        self.imageChecksum = imageChecksum
        self.label = label
        self.predicted = predicted
        self.target = target
        self.probability = probability
        self.method = method
        self.metric = metric
        self.score = score
        self.forwardPasses = forwardPasses
        self.explanations = explanations
        self.metricSeconds = metricSeconds
        self.note = note
        self.curve = curve
    }

    /// The column names, in order.
    public static let header = [
        "image", "image_checksum", "label", "predicted", "target", "probability", "method", "metric", "score",
        "forward_passes", "explanations", "metric_seconds", "note", "curve",
    ]

    /// Which explanation and metric the row is: (image, method, metric).
    public var key: Key { Key(image: image, method: method, metric: metric) }

    public struct Key: Hashable, Sendable {
        public var image: String
        public var method: String
        public var metric: String

        public init(image: String, method: String, metric: String) {
            self.image = image
            self.method = method
            self.metric = metric
        }
    }

    /// The fields of the row. Numbers are written in Swift's shortest round-tripping form, so
    /// a parsed row equals the written one bit for bit; the curve is space-separated.
    public var fields: [String] {
        [image, imageChecksum, label, predicted, target, "\(probability)", method, metric, "\(score)",
         "\(forwardPasses)", "\(explanations)", "\(metricSeconds)", note, curve.map { "\($0)" }.joined(separator: " ")]
    }

    /// The header of results files written before rows carried `image_checksum`.
    public static let headerWithoutChecksum = header.filter { $0 != "image_checksum" }

    /// Parses the fields of one row (in `header` order).
    public init(fields: [String]) throws {
        guard fields.count == Self.header.count else {
            throw ComparisonError.malformedRow("\(fields.count) fields, expected \(Self.header.count)")
        }
        func number(_ index: Int) throws -> Double {
            guard let value = Double(fields[index]) else {
                throw ComparisonError.malformedRow("\(Self.header[index]) \"\(fields[index])\" is not a number")
            }
            return value
        }
        func count(_ index: Int) throws -> Int {
            guard let value = Int(fields[index]), value >= 0 else {
                throw ComparisonError.malformedRow("\(Self.header[index]) \"\(fields[index])\" is not a count")
            }
            return value
        }
        var curve = [Double]()
        for part in fields[13].split(separator: " ") {
            guard let value = Double(part) else { throw ComparisonError.malformedRow("curve value \"\(part)\" is not a number") }
            curve.append(value)
        }
        self.init(
            image: fields[0], imageChecksum: fields[1], label: fields[2], predicted: fields[3], target: fields[4],
            probability: try number(5), method: fields[6], metric: fields[7], score: try number(8),
            forwardPasses: try count(9), explanations: try count(10), metricSeconds: try number(11), note: fields[12],
            curve: curve)
    }

    /// `Equatable` that treats NaN scores as equal (an empty mask gives NaN every time).
    public static func == (lhs: ComparisonRecord, rhs: ComparisonRecord) -> Bool {
        func same(_ a: Double, _ b: Double) -> Bool { a == b || (a.isNaN && b.isNaN) }
        return lhs.image == rhs.image && lhs.imageChecksum == rhs.imageChecksum && lhs.label == rhs.label && lhs.predicted == rhs.predicted
            && lhs.target == rhs.target && same(lhs.probability, rhs.probability) && lhs.method == rhs.method
            && lhs.metric == rhs.metric && same(lhs.score, rhs.score) && lhs.forwardPasses == rhs.forwardPasses
            && lhs.explanations == rhs.explanations && same(lhs.metricSeconds, rhs.metricSeconds)
            && lhs.note == rhs.note && lhs.curve.count == rhs.curve.count && zip(lhs.curve, rhs.curve).allSatisfy(same)
    }
}
