import Foundation
import XCTest

/// Paths the tests read: committed fixtures and the shared real samples beside the repository.
public enum TestPaths {
    /// The repository root (this file is Tests/VitRelTestSupport/TestPaths.swift).
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A committed fixture: `Tests/VitRelTests/Fixtures/<relativePath>`.
    public static func fixture(_ relativePath: String) -> URL {
        repositoryRoot.appendingPathComponent("Tests/VitRelTests/Fixtures").appendingPathComponent(relativePath)
    }

    /// `../shared/data/covid-qu-ex-samples`, or an XCTSkip when the shared folder is absent
    /// (the tests that need real X-rays then skip cleanly).
    public static func covidSamples() throws -> URL {
        let url = repositoryRoot.deletingLastPathComponent()
            .appendingPathComponent("shared/data/covid-qu-ex-samples")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("../shared/data/covid-qu-ex-samples is absent")
        }
        return url
    }

    /// A fresh temporary directory, removed at the end of the test.
    public static func temporaryDirectory(_ test: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vitrel-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// The tiny timm model of the checkpoint fixtures: 32×32 input, 8-pixel patches (4×4
    /// grid), 2 blocks, classes COVID-19, Non-COVID, Normal.
    public static var tinyModel: URL { fixture("checkpoints/timm_token") }
}
