import XCTest
import VitRelTestSupport
@testable import VitRelCLI

/// Where the shipped model is looked for without `--model`: beside the executable, under its
/// install prefix, above it, then from the working directory; `$VITREL_MODEL` first.
final class ShippedModelLocationTests: XCTestCase {
    private func makeModel(at folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: folder.appendingPathComponent("config.json"))
    }

    func testEachPlaceIsFoundFromAnUnrelatedWorkingDirectory() throws {
        let root = try TestPaths.temporaryDirectory(self)
        let elsewhere = root.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let name = ShippedModel.defaultName
        for (executable, model) in [("a/bin/vitrel", "a/bin/Models/\(name)"),               // beside the executable
                                    ("b/bin/vitrel", "b/share/vitrel/Models/\(name)"),      // install prefix
                                    ("c/.build/release/vitrel", "c/Models/\(name)")] {      // a build in its repository
            let exe = root.appendingPathComponent(executable)
            try makeModel(at: root.appendingPathComponent(model))
            let found = ShippedModel.locate(executable: exe, currentDirectory: elsewhere, environment: [:])
            XCTAssertEqual(found?.standardizedFileURL.path, root.appendingPathComponent(model).standardizedFileURL.path, executable)
        }
        XCTAssertNil(ShippedModel.locate(executable: root.appendingPathComponent("d/bin/vitrel"), currentDirectory: elsewhere, environment: [:]))
        XCTAssertEqual(ShippedModel.locate(executable: nil, currentDirectory: elsewhere, environment: ["VITREL_MODEL": "/x/y"])?.path, "/x/y")
        // From the working directory (and above it) too, as before.
        XCTAssertNotNil(ShippedModel.locate(executable: nil, currentDirectory: root.appendingPathComponent("c/Models"), environment: [:]))
    }

    func testTheNotFoundMessageListsEveryPlaceInOneLine() {
        let message = ShippedModel.notFoundMessage(
            executable: URL(fileURLWithPath: "/opt/v/bin/vitrel"), currentDirectory: URL(fileURLWithPath: "/home/u"))
        XCTAssertFalse(message.contains("\n"))
        for place in ["/opt/v/bin/Models/\(ShippedModel.defaultName)", "/opt/v/share/vitrel/Models/\(ShippedModel.defaultName)",
                      "in /opt/v and up to", "in /home/u and up to", "--model", "VITREL_MODEL"] {
            XCTAssertTrue(message.contains(place), "\(place): \(message)")
        }
    }
}
