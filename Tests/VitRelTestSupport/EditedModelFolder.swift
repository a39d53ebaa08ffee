import Foundation
import XCTest

/// A copy of a committed model folder with its config.json (and, when asked, its weights)
/// edited: how tests feed the reader a folder it must honour or refuse without committing
/// another fixture.
public enum EditedModelFolder {
    /// Copies `config.json` and `model.safetensors` of `source` into a fresh temporary folder
    /// (removed when `test` ends), applies `edit` to the config's text, and returns the folder.
    public static func make(from source: URL, for test: XCTestCase, edit: (String) -> String) throws -> URL {
        let directory = try copy(source, for: test)
        let configURL = directory.appendingPathComponent("config.json")
        try edit(try String(contentsOf: configURL, encoding: .utf8)).write(to: configURL, atomically: true, encoding: .utf8)
        return directory
    }

    /// The same copy with the config edited as a JSON object and, with `weights`, the bytes of
    /// model.safetensors edited too (a NaN written over a weight, a header made to lie).
    public static func make(
        from source: URL, for test: XCTestCase, config edit: (inout [String: Any]) -> Void, weights: ((inout Data) -> Void)? = nil
    ) throws -> URL {
        let directory = try copy(source, for: test)
        let configURL = directory.appendingPathComponent("config.json")
        guard var config = try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: configURL.path])
        }
        edit(&config)
        try JSONSerialization.data(withJSONObject: config).write(to: configURL)
        if let weights {
            let url = directory.appendingPathComponent("model.safetensors")
            var data = try Data(contentsOf: url)
            weights(&data)
            try data.write(to: url)
        }
        return directory
    }

    /// A weights edit: a NaN written over the first stored weight's first element, the
    /// safetensors header left valid (what a diverged training run can leave behind).
    public static func nanOverFirstWeight(_ data: inout Data) {
        let headerLength = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        var nan = Float.nan.bitPattern.littleEndian
        let start = 8 + headerLength
        withUnsafeBytes(of: &nan) { bytes in data.replaceSubrange(start..<(start + 4), with: bytes) }
    }

    private static func copy(_ source: URL, for test: XCTestCase) throws -> URL {
        let directory = try TestPaths.temporaryDirectory(test).appendingPathComponent("model")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for file in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(file), to: directory.appendingPathComponent(file))
        }
        return directory
    }
}
