import Foundation
import XCTest
@testable import VitRelExplain

/// A copy of a committed model folder whose config.json text has been edited: how the family
/// tests feed the reader a config it must honour or refuse without committing another fixture.
enum EditedModelFolder {
    /// Copies `config.json` and `model.safetensors` of `source` into a fresh temporary folder
    /// (removed when `test` ends), applies `edit` to the config's text, and returns the folder.
    static func make(from source: URL, for test: XCTestCase, edit: (String) -> String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vitrel-edited-model-\(UUID().uuidString)")
        test.addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for file in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(file), to: directory.appendingPathComponent(file))
        }
        let configURL = directory.appendingPathComponent("config.json")
        try edit(try String(contentsOf: configURL, encoding: .utf8)).write(to: configURL, atomically: true, encoding: .utf8)
        return directory
    }
}
