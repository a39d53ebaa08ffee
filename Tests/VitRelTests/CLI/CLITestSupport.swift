import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRel
@testable import VitRelModel
@testable import VitRelData
@testable import VitRelRendering
@testable import VitRelExplain
@testable import VitRelMetrics
@testable import VitRelTraining
@testable import VitRelReporting

/// Runs the built `vitrel` binary, as a user would, and reads what it wrote.
enum CLI {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String

        /// Standard error's non-empty lines.
        var errorLines: [String] { stderr.split(separator: "\n").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty } }

        /// Standard error's lines without ArgumentParser's usage hint ("Usage: …", "  See '…
        /// --help' …", "Help: …", which follow a usage error): what vitrel itself said.
        var diagnosticLines: [String] {
            errorLines.filter { line in
                !(line.hasPrefix("Usage: ") || line.hasPrefix("  See '") || line.hasPrefix("Help: ") || line.hasPrefix("        "))
            }
        }

        /// The `vitrel: error: …` lines (README, "Errors and exit status").
        var errorMessages: [String] { errorLines.filter { $0.hasPrefix("vitrel: error: ") } }
    }

    /// The executable next to the test bundle (same build configuration), else the release
    /// build under the repository root.
    static func executable() throws -> URL {
        let besideBundle = Bundle(for: Marker.self).bundleURL.deletingLastPathComponent().appendingPathComponent("vitrel")
        let release = TestPaths.repositoryRoot.appendingPathComponent(".build/release/vitrel")
        for candidate in [besideBundle, release] where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        throw XCTSkip("the vitrel executable is not built (swift build -c release)")
    }

    private final class Marker {}

    /// Runs `vitrel arguments…` to completion (`executable`: another copy of it, default the
    /// build's; `environment`: variables set for this run only).
    static func run(
        _ arguments: [String], in directory: URL? = nil, executable: URL? = nil, environment extra: [String: String] = [:]
    ) throws -> Run {
        let process = Process()
        process.executableURL = try executable ?? Self.executable()
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var environment = ProcessInfo.processInfo.environment
        environment["VITREL_MODEL"] = nil
        environment.merge(extra) { _, new in new }
        process.environment = environment
        // Files rather than pipes: nothing can block on a full pipe, and no reader thread is needed.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vitrel-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
        try Data().write(to: outURL)
        try Data().write(to: errURL)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// The tiny timm model of the checkpoint fixtures: 32×32 input, 8-pixel patches (4×4
    /// grid), 2 blocks, classes COVID-19, Non-COVID, Normal.
    static var tinyModel: String { TestPaths.tinyModel.path }


    /// A JSON file or output parsed into dictionaries and arrays.
    static func json(_ data: Data) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func json(file url: URL) throws -> [String: Any] {
        try json(Data(contentsOf: url))
    }
}
