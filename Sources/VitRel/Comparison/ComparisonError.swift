/// Problems of a comparison run; one-line messages that name the file or setting.
public enum ComparisonError: Error, Equatable, CustomStringConvertible {
    /// A row of results.csv that does not parse.
    case malformedRow(String)
    /// results.csv cannot be read, written, or is not ours.
    case resultsFile(path: String, problem: String)
    /// The output folder holds a run made with other settings.
    case settingsMismatch(path: String, differences: [String])
    /// The selection left no image to compare.
    case noImages(String)
    /// A method or metric that cannot run with what was given.
    case notApplicable(String)

    public var description: String {
        switch self {
        case .malformedRow(let problem):
            return "malformed results row: \(problem)"
        case .resultsFile(let path, let problem):
            return "\(path): \(problem)"
        case .settingsMismatch(let path, let differences):
            return "\(path) records a run with other settings (\(differences.joined(separator: "; "))); rerun with --fresh to start over, or choose another --out"
        case .noImages(let reason):
            return "no image to compare: \(reason)"
        case .notApplicable(let reason):
            return reason
        }
    }
}
