import Foundation

/// One part of a comparison (or explanation) split across independent processes: shard `index`
/// of `count`, written `K/N` with K in 1…N, as Slurm numbers an array run with
/// `--array=1-N` (`SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT`; a Kubernetes Indexed Job's
/// 0-based `JOB_COMPLETION_INDEX` is K − 1).
///
/// The partition is round-robin over the selected images in their selection order: image i
/// (0-based) belongs to shard (i mod N) + 1. It depends only on the selection, which is
/// deterministic for a seed, so every shard computes it alone and the N shards cover the
/// selection exactly once; round-robin (rather than contiguous blocks) spreads each class, and
/// so each class's cost, evenly over the shards.
public struct Shard: Hashable, Sendable, CustomStringConvertible {
    /// 1-based.
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1 else { throw ShardError.invalid("\(index)/\(count)", "the shard count must be at least 1") }
        guard (1...count).contains(index) else {
            throw ShardError.invalid("\(index)/\(count)", "the shard number must lie in 1…\(count)")
        }
        self.index = index
        self.count = count
    }

    /// Parses `K/N` (spaces allowed around the numbers).
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw ShardError.invalid(text, "expected K/N, e.g. 3/8 for the third of eight shards")
        }
        try self.init(index: index, count: count)
    }

    public var description: String { "\(index)/\(count)" }

    /// The stem of this shard's files in `<out>/shards/`: `3-of-8`.
    public var fileStem: String { "\(index)-of-\(count)" }

    /// The shard a file stem names (`3-of-8`), nil for any other stem.
    public init?(fileStem: String) {
        let parts = fileStem.components(separatedBy: "-of-")
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]),
              let shard = try? Shard(index: index, count: count) else { return nil }
        self = shard
    }

    /// This shard's items: every `count`-th, starting at the `index`-th.
    public func members<Item>(of items: [Item]) -> [Item] {
        stride(from: index - 1, to: items.count, by: count).map { items[$0] }
    }

    /// Whether the item at `position` (0-based) of the selection belongs to this shard.
    public func contains(position: Int) -> Bool { position % count == index - 1 }
}

/// A `--shard` value that is not K/N with 1 ≤ K ≤ N.
public enum ShardError: Error, Equatable, CustomStringConvertible {
    case invalid(String, String)

    public var description: String {
        switch self {
        case .invalid(let text, let problem): return "--shard \(text): \(problem)"
        }
    }
}
