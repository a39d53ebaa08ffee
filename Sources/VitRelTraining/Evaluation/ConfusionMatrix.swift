/// Counts of (true class, predicted class) pairs; rows are the true class, columns the
/// prediction (sklearn's `confusion_matrix` layout).
public struct ConfusionMatrix: Codable, Equatable, Sendable {
    /// counts[true][predicted], [C][C]
    public var counts: [[Int]]

    public init(labels: [Int], predictions: [Int], classCount: Int) throws {
        guard labels.count == predictions.count else {
            throw EvaluationError.lengthMismatch("\(labels.count) labels, \(predictions.count) predictions")
        }
        var counts = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
        for (label, prediction) in zip(labels, predictions) {
            for value in [label, prediction] where value < 0 || value >= classCount {
                throw EvaluationError.labelOutOfRange(label: value, classCount: classCount)
            }
            counts[label][prediction] += 1
        }
        self.counts = counts
    }

    public var classCount: Int { counts.count }
    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }
    public func truePositives(_ c: Int) -> Int { counts[c][c] }
    /// Examples whose true class is c (the row sum).
    public func support(_ c: Int) -> Int { counts[c].reduce(0, +) }
    /// Examples predicted as c (the column sum).
    public func predicted(_ c: Int) -> Int { counts.reduce(0) { $0 + $1[c] } }
}
