/// Problems with a labelled data source (its images and targets disagree, or it is empty);
/// one-line messages. The data layer's own error, so that data sources, evaluation and
/// training all build on the data layer without it reaching back into the trainer.
public enum DataSourceError: Error, CustomStringConvertible, Equatable {
    /// Images and targets disagree on the batch size or shape, or an index is out of range.
    case shapeMismatch(String)
    /// The named source (training, validation, evaluation) has no items.
    case empty(String)

    public var description: String {
        switch self {
        case .shapeMismatch(let problem): return "shape mismatch: \(problem)"
        case .empty(let which): return "the \(which) data source has no images"
        }
    }
}
