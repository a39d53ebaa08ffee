import Foundation

/// `results.csv` of a comparison run, appended one row at a time so that a run killed at any
/// moment (SIGKILL included) keeps every finished row.
///
/// Each row goes to the kernel in a single `write(2)` as soon as it exists; nothing is
/// buffered in the process, so killing it loses at most the row being written. Opening an
/// existing file reads the finished rows back and cuts a torn last line (one without its line
/// end: the row that was being written), so the run resumes where it stopped.
public final class ResultsFile {
    public let url: URL
    /// Every row in the file: those read back and those appended since.
    public private(set) var records: [ComparisonRecord] = []
    private var keys = Set<ComparisonRecord.Key>()
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
        // Keep whole lines only: a last line without "\n" is a row cut by a kill.
        let keptLength = (data.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }) ?? 0
        guard let text = String(data: data.prefix(keptLength), encoding: .utf8) else { throw problem("is not UTF-8 text") }
        let rows: [[String]]
        do { rows = try CSVFormat.records(text) } catch { throw problem("\(error)") }
        if rows.isEmpty {
            // Empty, or only a torn header: start the file again.
            do { try Data(headerLine.utf8).write(to: url) } catch { throw problem("cannot write it: \((error as NSError).localizedDescription)") }
        } else {
            guard rows[0] == ComparisonRecord.header else {
                throw problem("is not a vitrel results file (its header is \"\(rows[0].joined(separator: ","))\")")
            }
            for (offset, fields) in rows.dropFirst().enumerated() {
                do {
                    let record = try ComparisonRecord(fields: fields)
                    if keys.insert(record.key).inserted { records.append(record) }
                } catch {
                    throw problem("row \(offset + 2): \(error)")
                }
            }
        }
        do {
            handle = try FileHandle(forWritingTo: url)
            if rows.isEmpty {
                try handle.seekToEnd()
            } else {
                try handle.truncate(atOffset: UInt64(keptLength))
                try handle.seek(toOffset: UInt64(keptLength))
            }
        } catch {
            throw problem("cannot open it for writing: \((error as NSError).localizedDescription)")
        }
    }

    deinit { try? handle.close() }

    /// Whether a row for this image, method and metric is already in the file.
    public func contains(_ key: ComparisonRecord.Key) -> Bool { keys.contains(key) }

    /// Appends one row (a no-op when its key is already present) in a single write.
    public func append(_ record: ComparisonRecord) throws {
        guard keys.insert(record.key).inserted else { return }
        let line = CSVFormat.line(record.fields) + "\n"
        do {
            try handle.write(contentsOf: Data(line.utf8))
        } catch {
            keys.remove(record.key)
            throw ComparisonError.resultsFile(path: url.path, problem: "cannot append a row: \((error as NSError).localizedDescription)")
        }
        records.append(record)
    }

    /// Flushes the file to the disk (the end of a run; kills do not need it).
    public func synchronize() throws {
        do { try handle.synchronize() } catch {
            throw ComparisonError.resultsFile(path: url.path, problem: "cannot flush it: \((error as NSError).localizedDescription)")
        }
    }
}
