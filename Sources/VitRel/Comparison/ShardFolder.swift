import Foundation

/// The `shards/` folder of a comparison's output, where the shards of a run (`--shard K/N`)
/// keep their rows apart until a whole run assembles them into `results.csv`.
///
/// Each shard appends to its own `K-of-N.csv` (the results-file format, one `write(2)` per
/// row, torn last lines cut on reopening) and records what it was given in `K-of-N.json`. No
/// two processes ever append to one file, so no row is lost, torn or doubled by concurrent
/// writers even where `O_APPEND` is not atomic (NFS); `K-of-N.lock` keeps a second copy of a
/// shard from running at the same time. A whole run (no `--shard`) in the same folder adopts
/// every shard row whose image is unchanged (same checksum), in the order it would have
/// measured them, so its `results.csv` and reports are those of an unsharded run.
public struct ShardFolder: Sendable {
    /// `<out>/shards`.
    public let url: URL

    public init(output: URL) {
        url = output.appendingPathComponent("shards", isDirectory: true)
    }

    public func rowsURL(_ shard: Shard) -> URL { url.appendingPathComponent("\(shard.fileStem).csv") }
    public func recordURL(_ shard: Shard) -> URL { url.appendingPathComponent("\(shard.fileStem).json") }
    /// The name, inside `url`, of the shard's lock file (for `OutputFolderLock`).
    public func lockFileName(_ shard: Shard) -> String { "\(shard.fileStem).lock" }

    /// Creates the folder when missing.
    public func create() throws {
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw ComparisonError.resultsFile(path: url.path, problem: "cannot create the shards folder: \((error as NSError).localizedDescription)")
        }
    }

    /// The shards that have left files here, by count then number.
    public func shards() throws -> [Shard] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: url.path) else { return [] }
        var found = Set<Shard>()
        for name in names {
            if let shard = Shard(fileStem: (name as NSString).deletingPathExtension) { found.insert(shard) }
        }
        return found.sorted { ($0.count, $0.index) < ($1.count, $1.index) }
    }

    /// Every finished row of every shard, by key: the rows a whole run may adopt.
    public func finishedRecords() throws -> [ComparisonRecord.Key: [ComparisonRecord]] {
        var rows = [ComparisonRecord.Key: [ComparisonRecord]]()
        for shard in try shards() {
            for record in try ResultsFile.finishedRecords(at: rowsURL(shard)) { rows[record.key, default: []].append(record) }
        }
        return rows
    }

    /// Writes a shard's record (atomically: readers never see half a file).
    public func write(_ record: ShardRecord) throws {
        let target = recordURL(try Shard(parsing: record.shard))
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try (encoder.encode(record) + Data("\n".utf8)).write(to: target, options: .atomic)
        } catch {
            throw ComparisonError.resultsFile(path: target.path, problem: "cannot write it: \((error as NSError).localizedDescription)")
        }
    }

    /// Each shard's state, for `vitrel shards`: the shards that left files here and, for each
    /// shard count seen, the numbers that have not started yet.
    public func status() throws -> [ShardStatus] {
        let present = try shards()
        var all = Set(present)
        for count in Set(present.map(\.count)) {
            for index in 1...count { all.insert(try Shard(index: index, count: count)) }
        }
        return try all.sorted { ($0.count, $0.index) < ($1.count, $1.index) }.map { shard in
            let record: ShardRecord? = try {
                let file = recordURL(shard)
                guard FileManager.default.fileExists(atPath: file.path) else { return nil }
                do { return try JSONDecoder().decode(ShardRecord.self, from: Data(contentsOf: file)) } catch {
                    throw ComparisonError.resultsFile(path: file.path, problem: "not a vitrel shard record (\((error as NSError).localizedDescription))")
                }
            }()
            let rows = try ResultsFile.finishedRecords(at: rowsURL(shard))
            let running = OutputFolderLock.isHeldExclusively(url.appendingPathComponent(lockFileName(shard)))
            let state: ShardStatus.State
            if running {
                state = .running
            } else if record?.complete == true {
                state = .complete
            } else if record == nil && rows.isEmpty {
                state = .notStarted
            } else {
                state = .stopped
            }
            return ShardStatus(
                shard: shard, state: state, images: record?.images, rows: Set(rows.map(\.key)).count,
                expectedRows: record?.expectedRows, failures: record?.failures.count ?? 0)
        }
    }
}

extension ShardFolder {
    /// One shard of a sharded `vitrel explain`: the images its ledger lists as finished
    /// (`explain-K-of-N.done`, whole lines) and whether its process holds its lock now.
    public struct ExplanationShardProgress: Equatable, Sendable {
        public var shard: Shard
        public var finishedImages: Int
        public var running: Bool
    }

    /// The sharded `explain` runs that have written here, by count then number.
    public func explanationProgress() -> [ExplanationShardProgress] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.compactMap { name -> ExplanationShardProgress? in
            guard name.hasPrefix("explain-"), name.hasSuffix(".done") else { return nil }
            let stem = String(name.dropFirst("explain-".count).dropLast(".done".count))
            guard let shard = Shard(fileStem: stem) else { return nil }
            let data = (try? Data(contentsOf: url.appendingPathComponent(name))) ?? Data()
            let lines = data.filter { $0 == UInt8(ascii: "\n") }.count
            let running = OutputFolderLock.isHeldExclusively(url.appendingPathComponent("explain-\(stem).lock"))
            return ExplanationShardProgress(shard: shard, finishedImages: lines, running: running)
        }.sorted { ($0.shard.count, $0.shard.index) < ($1.shard.count, $1.shard.index) }
    }
}

/// What a shard was given and how far it got: `shards/K-of-N.json`, written when it starts
/// (complete false) and when it ends.
public struct ShardRecord: Codable, Equatable, Sendable {
    /// `K/N`.
    public var shard: String
    /// Images in this shard.
    public var images: Int
    /// images × methods × metrics.
    public var expectedRows: Int
    /// Whether the shard ran to its end (rows for every image it could read).
    public var complete: Bool
    /// Images it could not compare, each with its one-line problem.
    public var failures: [ComparisonFailure]
    public var host: String
    public var pid: Int32
    /// ISO 8601, UTC.
    public var updated: String

    public init(shard: Shard, images: Int, expectedRows: Int, complete: Bool, failures: [ComparisonFailure]) {
        self.shard = shard.description
        self.images = images
        self.expectedRows = expectedRows
        self.complete = complete
        self.failures = failures
        host = ProcessInfo.processInfo.hostName
        pid = ProcessInfo.processInfo.processIdentifier
        updated = ISO8601DateFormatter().string(from: Date())
    }
}

/// One line of `vitrel shards`.
public struct ShardStatus: Equatable, Sendable {
    public enum State: String, Sendable {
        /// Its process holds its lock now.
        case running
        /// It ran to its end.
        case complete
        /// It started and did not finish (killed, pre-empted or failed): rerun it to continue.
        case stopped
        /// Nothing of it is here yet.
        case notStarted = "not started"
    }

    public var shard: Shard
    public var state: State
    /// Images in the shard (unknown before it starts).
    public var images: Int?
    /// Distinct rows it has written.
    public var rows: Int
    public var expectedRows: Int?
    public var failures: Int
}
