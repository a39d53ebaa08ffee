import Foundation

/// Problems with training inputs, configuration or resume state; each message is one line
/// and says what to fix.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// A label is not a class index of the model.
    case labelOutOfRange(label: Int, classCount: Int)
    /// Images, labels or logits disagree on the batch size or class count.
    case shapeMismatch(String)
    /// Class or positive weights do not fit the class count, or are not usable.
    case invalidWeights(String)
    /// A configuration value is out of range.
    case invalidConfiguration(String)
    /// A data source has no items.
    case emptyDataSource(String)
    /// A resume-state file cannot be read or written.
    case stateFile(path: String, problem: String)
    /// A resume state belongs to another model or configuration.
    case stateMismatch(String)

    public var description: String {
        switch self {
        case .labelOutOfRange(let label, let classCount):
            return "label \(label) is outside 0..<\(classCount); check the dataset's class list against the model"
        case .shapeMismatch(let problem): return "shape mismatch: \(problem)"
        case .invalidWeights(let problem): return "invalid loss weights: \(problem)"
        case .invalidConfiguration(let problem): return "invalid training configuration: \(problem)"
        case .emptyDataSource(let which): return "the \(which) data source has no images"
        case .stateFile(let path, let problem): return "training state \(path): \(problem)"
        case .stateMismatch(let problem): return "cannot resume: \(problem)"
        }
    }
}
