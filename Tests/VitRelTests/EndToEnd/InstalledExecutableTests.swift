import XCTest
import VitRelTestSupport
@testable import VitRel
@testable import VitRelCLI
@testable import VitRelModel
@testable import VitRelData
@testable import VitRelRendering
@testable import VitRelExplain
@testable import VitRelMetrics
@testable import VitRelTraining
@testable import VitRelReporting

/// Without `--model`, an installed vitrel finds the model installed beside it, wherever it
/// is run from; when nothing is found the error lists where it looked.
///
/// Why a process: the search starts from the running executable's own path and the working
/// directory, so only a copy of the binary installed under a prefix and started from another
/// folder shows it (`ShippedModelLocationTests` covers the search itself, in-process).
final class InstalledExecutableTests: XCTestCase {
    /// `<prefix>/bin/vitrel` (a copy of the built executable) and, when `installModel`,
    /// the tiny fixture model as `<prefix>/share/vitrel/Models/<defaultName>`.
    private func install(model installModel: Bool) throws -> (executable: URL, elsewhere: URL) {
        let prefix = try TestPaths.temporaryDirectory(self).appendingPathComponent("prefix")
        let bin = prefix.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let executable = bin.appendingPathComponent("vitrel")
        try FileManager.default.copyItem(at: try CLI.executable(), to: executable)
        if installModel {
            let models = prefix.appendingPathComponent("share/vitrel/Models")
            try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: URL(fileURLWithPath: CLI.tinyModel), to: models.appendingPathComponent(ShippedModel.defaultName))
        }
        let elsewhere = try TestPaths.temporaryDirectory(self).appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        return (executable, elsewhere)
    }

    func testAnInstalledExecutableFindsTheModelUnderItsPrefixFromAnyDirectory() throws {
        let (executable, elsewhere) = try install(model: true)
        let inspect = try CLI.run(["inspect", "--json"], in: elsewhere, executable: executable)
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        let report = try CLI.json(Data(inspect.stdout.utf8))
        XCTAssertEqual((report["folder"] as? String).map { URL(fileURLWithPath: $0).standardizedFileURL.path },
                       executable.deletingLastPathComponent().deletingLastPathComponent()
                           .appendingPathComponent("share/vitrel/Models/\(ShippedModel.defaultName)").standardizedFileURL.path,
                       inspect.stdout)
    }

    func testNoModelFoundListsEveryPlaceLookedIn() throws {
        let (executable, elsewhere) = try install(model: false)
        let inspect = try CLI.run(["inspect"], in: elsewhere, executable: executable)
        XCTAssertEqual(inspect.status, 1, inspect.stderr)
        let lines = inspect.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, inspect.stderr)
        let bin = executable.deletingLastPathComponent()
        for place in [bin.appendingPathComponent("Models/\(ShippedModel.defaultName)").path,
                      bin.deletingLastPathComponent().appendingPathComponent("share/vitrel/Models/\(ShippedModel.defaultName)").path,
                      elsewhere.standardizedFileURL.path, "--model", "VITREL_MODEL"] {
            XCTAssertTrue(inspect.stderr.contains(place), "\(place) not listed: \(inspect.stderr)")
        }
    }
}
