import XCTest
@testable import VitRel

/// Without `--model`, an installed vitrel finds the model installed beside it, wherever it
/// is run from; when nothing is found the error lists where it looked.
final class CLIShippedModelTests: XCTestCase {
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

    private func run(_ executable: URL, _ arguments: [String], in directory: URL) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["VITREL_MODEL"] = nil
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    func testAnInstalledExecutableFindsTheModelUnderItsPrefixFromAnyDirectory() throws {
        let (executable, elsewhere) = try install(model: true)
        let inspect = try run(executable, ["inspect", "--json"], in: elsewhere)
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        let report = try CLI.json(Data(inspect.stdout.utf8))
        XCTAssertEqual((report["folder"] as? String).map { URL(fileURLWithPath: $0).standardizedFileURL.path },
                       executable.deletingLastPathComponent().deletingLastPathComponent()
                           .appendingPathComponent("share/vitrel/Models/\(ShippedModel.defaultName)").standardizedFileURL.path,
                       inspect.stdout)
    }

    func testNoModelFoundListsEveryPlaceLookedIn() throws {
        let (executable, elsewhere) = try install(model: false)
        let inspect = try run(executable, ["inspect"], in: elsewhere)
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
