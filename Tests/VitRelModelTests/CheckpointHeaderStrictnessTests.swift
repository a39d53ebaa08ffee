import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRelModel

/// Header syntax against the safetensors library itself (`Tools/make_safetensors_strictness_fixtures.py`):
/// vitrel accepts what it accepts and refuses what it refuses, with one deliberate exception.
final class CheckpointHeaderStrictnessTests: XCTestCase {
    private struct Fixture: Decodable {
        struct Case: Decodable { var name: String, header: String, accepted: Bool }
        var safetensors: String
        var cases: [Case]
    }

    /// The library keeps the last of two tensors with one name (a Rust HashMap); vitrel refuses
    /// the file, since which tensor a name means would be a guess.
    private static let stricterThanTheLibrary: Set<String> = ["duplicate tensor key"]

    func testHeadersAreAcceptedExactlyWhenTheLibraryAcceptsThem() throws {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: TestPaths.fixture("checkpoints/header_strictness.json")))
        XCTAssertGreaterThanOrEqual(fixture.cases.count, 15)
        let directory = try TestPaths.temporaryDirectory(self)
        let data: [UInt8] = [0, 0, 0x80, 0x3F, 0, 0, 0, 0x40]  // 1.0, 2.0 as little-endian F32
        for (n, test) in fixture.cases.enumerated() {
            let url = directory.appendingPathComponent("case-\(n).safetensors")
            try Data(SafeTensorsFixtureBytes.bytes(header: test.header, data: data)).write(to: url)
            let expected = test.accepted && !Self.stricterThanTheLibrary.contains(test.name)
            do {
                let file = try SafeTensors.read(url)
                XCTAssertTrue(expected, "\(test.name): accepted, the library \(test.accepted ? "too" : "refuses it")")
                XCTAssertEqual(try file.tensors(as: Float.self).values.first?.scalars, [1, 2], test.name)
            } catch let error as CheckpointError {
                XCTAssertFalse(expected, "\(test.name): refused (\(error)), the library accepts it")
                XCTAssertTrue(error.description.hasPrefix(url.path + ": "), error.description)
                XCTAssertFalse(error.description.contains("\n"))
            }
        }
    }

    func testDeepNestingIsRefusedWithoutRecursingWithoutBound() throws {
        let nested = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        XCTAssertNotNil(SafeTensorsHeaderSyntax.problem(in: Array(#"{"a":"#.utf8) + Array(nested.utf8) + Array("}".utf8)))
        XCTAssertNil(SafeTensorsHeaderSyntax.problem(in: Array(#"{"__metadata__":{"k":"v \" \\ \u00e9"},"a":[1,2,{"b":null,"c":true}]}"#.utf8)))
    }
}
