import Foundation
import VitRel

/// Which images a shard of `vitrel explain --shard K/N` has finished:
/// `<out>/shards/explain-K-of-N.done`, one line per image (`<settings checksum>\t<path>`),
/// appended in one `write(2)` once all of the image's files are written. A shard killed at any
/// moment and run again skips the images listed with its settings' checksum (an image listed
/// under other settings is explained again) and cuts a torn last line. The shard holds
/// `explain-K-of-N.lock` while it runs, so the same shard never runs twice at once.
package final class ExplanationShardLedger {
    let url: URL
    private let settings: String
    private var done: Set<String>
    private let handle: FileHandle
    private let lock: OutputFolderLock

    /// Opens (or creates) the shard's ledger in `output/shards/`; `settings` identifies what the
    /// explanations depend on (its checksum is stored).
    package init(output: URL, shard: Shard, settings: String) throws {
        let folder = output.appendingPathComponent("shards", isDirectory: true)
        let url = folder.appendingPathComponent("explain-\(shard.fileStem).done")
        self.url = url
        self.settings = ContentChecksum.of(text: settings)
        func problem(_ text: String) -> OutputFileError { .unwritable(path: url.path, reason: text) }
        try createFolder(folder)
        lock = try OutputFolderLock(folder: folder, fileName: "explain-\(shard.fileStem).lock")
        let manager = FileManager.default
        if !manager.fileExists(atPath: url.path) {
            guard manager.createFile(atPath: url.path, contents: nil) else { throw problem("cannot create the file") }
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw problem("cannot read it: \(OutputFileError.reason(error))") }
        // Whole lines only: a last line without "\n" was being written when the shard was killed.
        let kept = (data.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }) ?? 0
        let prefix = self.settings + "\t"
        done = Set(String(decoding: data.prefix(kept), as: UTF8.self).split(separator: "\n").compactMap { line in
            line.hasPrefix(prefix) ? String(line.dropFirst(prefix.count)) : nil
        })
        do {
            handle = try FileHandle(forWritingTo: url)
            try handle.truncate(atOffset: UInt64(kept))
            try handle.seek(toOffset: UInt64(kept))
        } catch {
            throw problem("cannot open it for writing: \(OutputFileError.reason(error))")
        }
    }

    deinit {
        try? handle.close()
        withExtendedLifetime(lock) {}
    }

    /// Whether `path` was finished with these settings.
    package func isDone(_ path: String) -> Bool { done.contains(path) }

    /// Records `path` as finished, in one write.
    package func markDone(_ path: String) throws {
        guard !done.contains(path) else { return }
        do { try handle.write(contentsOf: Data("\(settings)\t\(path)\n".utf8)) } catch {
            throw OutputFileError.unwritable(path: url.path, reason: OutputFileError.reason(error))
        }
        done.insert(path)
    }
}
