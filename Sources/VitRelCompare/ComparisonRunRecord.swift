import VitRel

/// `run.json`: the settings plus what a reader of the report wants to know about the run.
package struct ComparisonRunRecord: Codable {
    package var settings: ComparisonSettings
    package var command: String
    package var version: String
    /// OpenBLAS's configuration, the copy of vitrel's C kernels that ran and the threads used
    /// (the seconds depend on them; the other results do not).
    package var blas: String?
    package var kernels: String?
    package var threads: Int?
    package var methods: [String]
    package var metrics: [String]
    package var images: Int
}
