/// The correlation a metric compares two series with.
public enum Correlation: String, CaseIterable, Codable, Sendable {
    case pearson
    case spearman

    public func callAsFunction(_ a: [Double], _ b: [Double]) -> Double {
        switch self {
        case .pearson: return Statistics.pearson(a, b)
        case .spearman: return Statistics.spearman(a, b)
        }
    }
}
