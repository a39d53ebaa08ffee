/// Problems with predictions handed to the evaluation code; messages are one line.
public enum EvaluationError: Error, CustomStringConvertible, Equatable {
    case lengthMismatch(String)
    case labelOutOfRange(label: Int, classCount: Int)
    case invalidScores(String)
    /// None of the `count` files of a split could be read.
    case nothingReadable(count: Int)

    public var description: String {
        switch self {
        case .lengthMismatch(let problem): return "evaluation inputs disagree: \(problem)"
        case .labelOutOfRange(let label, let classCount): return "class \(label) is outside 0..<\(classCount)"
        case .invalidScores(let problem): return "invalid scores: \(problem)"
        case .nothingReadable(let count): return "none of the \(count) images could be read"
        }
    }
}
