/// An output folder whose earlier run cannot be resumed because its settings are unknown. (A
/// run with other settings is `ComparisonError.settingsMismatch`.) One line naming the file,
/// with the way out.
public enum ComparisonFolderError: Error, Equatable, CustomStringConvertible {
    /// Rows without the run.json that says what they were made with.
    case resultsWithoutRunRecord(folder: String)
    /// A run.json that does not decode.
    case unreadableRunRecord(file: String, reason: String)
    /// `fresh` asked of one shard: it would remove every other shard's rows.
    case freshShard(folder: String, shard: String)

    public var description: String {
        switch self {
        case .resultsWithoutRunRecord(let folder):
            return "\(folder) has a results.csv but no run.json, so its settings are unknown; rerun with --fresh"
        case .unreadableRunRecord(let file, let reason):
            return "\(file): not a vitrel run record (\(reason)); rerun with --fresh"
        case .freshShard(let folder, let shard):
            return "\(folder): --fresh cannot be combined with --shard \(shard) (it would remove the other shards' rows);"
                + " to start over, remove the folder or choose another --out"
        }
    }
}
