import Foundation
import VitRel

/// The folder a comparison writes into, and what an earlier run left there: resumed when its
/// settings agree, refused when they do not, removed with `fresh`.
struct ComparisonOutputFolder {
    let url: URL

    /// The files a comparison writes, and so the ones `fresh` removes (nothing else).
    static let writtenNames = ["results.csv", "run.json", "summary.md", "summary.json", "index.html", "report.ipynb", "figures", "shards"]

    /// Creates the folder; with an earlier run there, checks its settings (or, with `fresh`,
    /// removes what it wrote). Returns the settings to record: these, with the earlier run's
    /// other methods and metrics kept on record.
    func prepare(settings: ComparisonSettings, fresh: Bool) throws -> ComparisonSettings {
        let manager = FileManager.default
        try createFolder(url, isOutputFolder: true)
        let runFile = url.appendingPathComponent("run.json")
        if fresh {
            for name in Self.writtenNames {
                let item = url.appendingPathComponent(name)
                if manager.fileExists(atPath: item.path) { try? manager.removeItem(at: item) }
            }
            return settings
        }
        guard manager.fileExists(atPath: runFile.path) else {
            if manager.fileExists(atPath: url.appendingPathComponent("results.csv").path) {
                throw ComparisonFolderError.resultsWithoutRunRecord(folder: url.path)
            }
            return settings
        }
        let previous: ComparisonRunRecord
        do {
            previous = try JSONDecoder().decode(ComparisonRunRecord.self, from: Data(contentsOf: runFile))
        } catch {
            throw ComparisonFolderError.unreadableRunRecord(file: runFile.path, reason: OutputFileError.reason(error))
        }
        let differences = settings.differences(from: previous.settings)
        guard differences.isEmpty else { throw ComparisonError.settingsMismatch(path: url.path, differences: differences) }
        return settings.merged(with: previous.settings)
    }
}
