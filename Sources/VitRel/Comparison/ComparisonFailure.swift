/// An image that could not be compared, and why.
public struct ComparisonFailure: Codable, Equatable, Sendable {
    /// Its row key (the path relative to the dataset root).
    public var image: String
    public var problem: String

    public init(image: String, problem: String) {
        self.image = image
        self.problem = problem
    }
}
