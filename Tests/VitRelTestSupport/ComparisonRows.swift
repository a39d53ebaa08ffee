import Foundation
import VitRel

/// The rows of a comparison folder as tests compare them.
public enum ComparisonRows {
    /// `results.csv` of `folder`, parsed by the reader resumption uses (a wrong header, a
    /// malformed row or a file that is not UTF-8 throws).
    public static func read(_ folder: URL) throws -> [ComparisonRecord] {
        try ResultsFile.finishedRecords(at: folder.appendingPathComponent("results.csv"))
    }

    /// Rows without their wall times, keyed: what must not depend on interruptions, resumption
    /// or sharding.
    public static func timeless(_ records: [ComparisonRecord]) -> [ComparisonRecord.Key: ComparisonRecord] {
        Dictionary(uniqueKeysWithValues: records.map { record in
            var timeless = record
            timeless.metricSeconds = 0
            return (record.key, timeless)
        })
    }
}
