/// Area under the ROC curve, computed exactly as the Mann–Whitney statistic
/// (Hanley & McNeil 1982, "The meaning and use of the area under a receiver operating
/// characteristic (ROC) curve", Radiology 143:29–36):
///
///     AUROC = P(score₊ > score₋) + ½·P(score₊ = score₋)
///
/// over all (positive, negative) pairs, which is what sklearn's trapezoidal `roc_auc_score`
/// gives (a tie is a diagonal ROC segment, worth half a pair). Counting pairs by groups of
/// equal scores is exact (integers and halves) and O(n log n).
public enum AUROC {
    /// AUROC of `scores` for the binary labels `positives`; nil when either class is empty
    /// (the curve is undefined; sklearn raises).
    public static func binary(scores: [Double], positives: [Bool]) throws -> Double? {
        guard scores.count == positives.count else {
            throw EvaluationError.lengthMismatch("\(scores.count) scores, \(positives.count) labels")
        }
        guard scores.allSatisfy({ !$0.isNaN }) else { throw EvaluationError.invalidScores("NaN score") }
        let positiveCount = positives.filter { $0 }.count, negativeCount = positives.count - positiveCount
        guard positiveCount > 0 && negativeCount > 0 else { return nil }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var pairs = 0.0  // 2·(pairs won) + (pairs tied): an integer, exact in Double up to 2⁵³
        var negativesBelow = 0
        var start = 0
        while start < order.count {
            var end = start
            var groupPositives = 0, groupNegatives = 0
            while end < order.count && scores[order[end]] == scores[order[start]] {
                if positives[order[end]] { groupPositives += 1 } else { groupNegatives += 1 }
                end += 1
            }
            pairs += Double(2 * groupPositives * negativesBelow + groupPositives * groupNegatives)
            negativesBelow += groupNegatives
            start = end
        }
        return pairs / (2 * Double(positiveCount) * Double(negativeCount))
    }

    /// One-vs-rest AUROC of every class: class c's scores `scores[i][c]` against label == c.
    public static func oneVsRest(labels: [Int], scores: [[Double]]) throws -> [Double?] {
        guard labels.count == scores.count else {
            throw EvaluationError.lengthMismatch("\(labels.count) labels, \(scores.count) score rows")
        }
        let classCount = scores.first?.count ?? 0
        guard scores.allSatisfy({ $0.count == classCount }) else {
            throw EvaluationError.invalidScores("score rows of different lengths")
        }
        return try (0..<classCount).map { c in
            try binary(scores: scores.map { $0[c] }, positives: labels.map { $0 == c })
        }
    }
}
