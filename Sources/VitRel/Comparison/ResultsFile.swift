import Foundation

/// `results.csv` of a comparison run, appended one row at a time so that a run killed at any
/// moment (SIGKILL included) keeps every finished row.
///
/// Each row goes to the kernel in a single `write(2)` as soon as it exists; nothing is
/// buffered in the process, so killing it loses at most the row being written. Opening an
/// existing file reads the finished rows back and cuts a torn last line (one without its line
/// end: the row that was being written), so the run resumes where it stopped.
///
/// Rows carry their image's checksum. A row whose image has changed since is not "present"
/// (`contains(_:checksum:)`), and the row measured again is appended after it: the file keeps
/// its history, `records` holds the newest row of each key.
public final class ResultsFile {
    public let url: URL
    /// The newest row of each (image, method, metric), in the order keys first appeared.
    public private(set) var records: [ComparisonRecord] = []
    /// Position of each key's row in `records`.
    private var positions = [ComparisonRecord.Key: Int]()
    private let handle: FileHandle

    /// Opens `url` for appending, creating it with the header when missing.
    ///
    /// - Throws: `ComparisonError.resultsFile` (naming the file) when it cannot be read or
    ///   written, has another header, or holds a row that does not parse.
    public init(url: URL) throws {
        self.url = url
        let manager = FileManager.default
        let headerLine = CSVFormat.line(ComparisonRecord.header) + "\n"
        func problem(_ text: String) -> ComparisonError { .resultsFile(path: url.path, problem: text) }
        if !manager.fileExists(atPath: url.path) {
            guard manager.createFile(atPath: url.path, contents: Data(headerLine.utf8)) else {
                throw problem("cannot create the file")
            }
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw problem("cannot read it: \((error as NSError).localizedDescription)") }
        let contents = try Self.parse(data, path: url.path)
        if contents.rows == 0 {
            // Empty, or only a torn header: start the file again.
            do { try Data(headerLine.utf8).write(to: url) } catch { throw problem("cannot write it: \((error as NSError).localizedDescription)") }
        }
        do {
            handle = try FileHandle(forWritingTo: url)
            if contents.rows == 0 {
                try handle.seekToEnd()
            } else {
                try handle.truncate(atOffset: UInt64(contents.keptLength))
                try handle.seek(toOffset: UInt64(contents.keptLength))
            }
        } catch {
            throw problem("cannot open it for writing: \((error as NSError).localizedDescription)")
        }
        for record in contents.records { keep(record) }
    }

    /// The finished rows of the results file at `url`, read without changing it (another
    /// process may be appending to it): a torn last line is left out, a missing file has none.
    ///
    /// - Throws: `ComparisonError.resultsFile` as `init(url:)` does.
    public static func finishedRecords(at url: URL) throws -> [ComparisonRecord] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ComparisonError.resultsFile(path: url.path, problem: "cannot read it: \((error as NSError).localizedDescription)")
        }
        return try parse(data, path: url.path).records
    }

    /// What a results file holds: its parsed rows, how many lines (header included) are whole,
    /// and the length of those whole lines.
    private struct Contents {
        var records: [ComparisonRecord]
        var rows: Int
        var keptLength: Int
    }

    private static func parse(_ data: Data, path: String) throws -> Contents {
        func problem(_ text: String) -> ComparisonError { .resultsFile(path: path, problem: text) }
        // Keep whole lines only: a last line without "\n" is a row cut by a kill.
        let keptLength = (data.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }) ?? 0
        guard let text = String(data: data.prefix(keptLength), encoding: .utf8) else { throw problem("is not UTF-8 text") }
        let rows: [[String]]
        do { rows = try CSVFormat.records(text) } catch { throw problem("\(error)") }
        var parsed = [ComparisonRecord]()
        if !rows.isEmpty {
            guard rows[0] != ComparisonRecord.headerWithoutChecksum else {
                throw problem("was written by a vitrel whose rows carry no image checksum, so an image changed since"
                    + " cannot be told from one that did not; rerun with --fresh (or into a new --out)")
            }
            guard rows[0] == ComparisonRecord.header else {
                throw problem("is not a vitrel results file (its header is \"\(rows[0].joined(separator: ","))\")")
            }
            for (offset, fields) in rows.dropFirst().enumerated() {
                do {
                    parsed.append(try ComparisonRecord(fields: fields))
                } catch {
                    throw problem("row \(offset + 2): \(error)")
                }
            }
        }
        return Contents(records: parsed, rows: rows.count, keptLength: keptLength)
    }

    deinit { try? handle.close() }

    /// Makes `record` its key's newest row.
    private func keep(_ record: ComparisonRecord) {
        if let position = positions[record.key] {
            records[position] = record
        } else {
            positions[record.key] = records.count
            records.append(record)
        }
    }

    /// Whether the newest row for this image, method and metric was measured on an image
    /// (and mask) with this checksum.
    public func contains(_ key: ComparisonRecord.Key, checksum: String) -> Bool {
        positions[key].map { records[$0].imageChecksum == checksum } ?? false
    }

    /// Appends one row in a single write (a no-op when the same key and checksum are present;
    /// a row with another checksum is superseded).
    public func append(_ record: ComparisonRecord) throws {
        guard !contains(record.key, checksum: record.imageChecksum) else { return }
        let line = CSVFormat.line(record.fields) + "\n"
        do {
            try handle.write(contentsOf: Data(line.utf8))
        } catch {
            throw ComparisonError.resultsFile(path: url.path, problem: "cannot append a row: \((error as NSError).localizedDescription)")
        }
        keep(record)
    }

    /// Flushes the file to the disk (the end of a run; kills do not need it).
    public func synchronize() throws {
        do { try handle.synchronize() } catch {
            throw ComparisonError.resultsFile(path: url.path, problem: "cannot flush it: \((error as NSError).localizedDescription)")
        }
    }
}
