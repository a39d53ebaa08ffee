import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRelModel

/// Broken and hostile safetensors files: each must throw its typed error, naming the file in
/// one line, and never crash or read out of bounds (the library builds -Ounchecked, so only
/// explicit checks stand between a bad offset and a wild read).
final class CheckpointHostileFileTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try TestPaths.temporaryDirectory(self)
    }

    /// Writes the bytes, reads them back and returns the error (failing if none).
    private func readError(
        header: String, data: [UInt8] = [], headerLength: UInt64? = nil, raw: [UInt8]? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> (error: CheckpointError?, path: String) {
        let url = directory.appendingPathComponent("hostile-\(UUID().uuidString).safetensors")
        try Data(raw ?? SafeTensorsFixtureBytes.bytes(header: header, data: data, headerLength: headerLength)).write(to: url)
        do {
            _ = try SafeTensors.read(url)
            XCTFail("no error for header \(header.prefix(80))", file: file, line: line)
            return (nil, url.path)
        } catch let error as CheckpointError {
            let message = error.description
            XCTAssertTrue(message.hasPrefix(url.path + ": "), message, file: file, line: line)
            XCTAssertFalse(message.contains("\n"), message, file: file, line: line)
            return (error, url.path)
        }
    }

    private let twoFloats = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#

    func testFileShorterThanTheLengthFieldIsRejected() throws {
        let (error, path) = try readError(header: "", raw: [1, 2, 3])
        XCTAssertEqual(error, .fileTooShort(file: path, size: 3))
    }

    func testHeaderLengthBeyondTheFileIsRejected() throws {
        let headerSize = twoFloats.utf8.count
        var (error, path) = try readError(header: twoFloats, data: [UInt8](repeating: 0, count: 8), headerLength: 1000)
        XCTAssertEqual(error, .headerLengthBeyondFile(file: path, headerLength: 1000, fileSize: 8 + headerSize + 8))
        // The largest length must not overflow the bounds arithmetic.
        (error, path) = try readError(header: twoFloats, headerLength: .max)
        XCTAssertEqual(error, .headerLengthBeyondFile(file: path, headerLength: .max, fileSize: 8 + headerSize))
    }

    func testHeaderLongerThanTheFormatLimitIsRejected() throws {
        // A sparse file just over 100 MB: the length fits the file but not the format's limit.
        let url = directory.appendingPathComponent("huge.safetensors")
        let length: UInt64 = 100_000_008
        try Data(withUnsafeBytes(of: length.littleEndian, Array.init)).write(to: url)
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: 8 + length)
        try handle.close()
        XCTAssertThrowsError(try SafeTensors.read(url)) {
            XCTAssertEqual($0 as? CheckpointError, .headerTooLarge(file: url.path, headerLength: length))
        }
    }

    func testHeadersThatAreNotJSONObjectsAreRejected() throws {
        for header in ["not json at all", "[1, 2, 3]", #"{"a": "#, "{\"a\":\u{7}}", String(repeating: "[", count: 200_000)] {
            let (error, _) = try readError(header: header)
            guard case .headerNotJSON = error else { return XCTFail("\(String(describing: error)) for \(header.prefix(20))") }
        }
        // Invalid UTF-8 inside a string.
        let bytes = Array(#"{"a":{"dtype":""#.utf8) + [0xFF, 0xFE] + Array(#"","shape":[],"data_offsets":[0,0]}}"#.utf8)
        let (error, _) = try readError(header: "", raw: withUnsafeBytes(of: UInt64(bytes.count).littleEndian, Array.init) + bytes)
        guard case .headerNotJSON = error else { return XCTFail("\(String(describing: error)) for invalid UTF-8") }
        // Nested too deep for a recursive reader: must fail, not overflow the stack.
        let deep = "{\"a\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        let (deepError, _) = try readError(header: deep)
        XCTAssertNotNil(deepError)
    }

    func testEntriesWithMissingOrMistypedFieldsNameTheTensorAndField() throws {
        let cases: [(String, String)] = [
            (#"{"w":{"shape":[2],"data_offsets":[0,8]}}"#, "has no 'dtype'"),
            (#"{"w":{"dtype":"F32","data_offsets":[0,8]}}"#, "has no 'shape'"),
            (#"{"w":{"dtype":"F32","shape":[2]}}"#, "has no 'data_offsets'"),
            (#"{"w":{"dtype":32,"shape":[2],"data_offsets":[0,8]}}"#, "has a 'dtype' that is a number, not a string"),
            (#"{"w":{"dtype":"F32","shape":"2","data_offsets":[0,8]}}"#, "has a 'shape' that is a string, not an array"),
            (#"{"w":{"dtype":"F32","shape":[true],"data_offsets":[0,8]}}"#, "has a 'shape' entry true that is not a non-negative integer"),
            (#"{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, "has a 'shape' entry -2 that is not a non-negative integer"),
            (#"{"w":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}"#, "has a 'shape' entry 2.5 that is not a non-negative integer"),
            (#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0]}}"#, "has 'data_offsets' [0], not a pair of integers"),
            (#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8.5]}}"#, "has 'data_offsets' [0,8.5], not a pair of integers"),
            (#"{"w":[1,2]}"#, "is an array, not an object"),
        ]
        for (header, detail) in cases {
            let (error, path) = try readError(header: header, data: [UInt8](repeating: 0, count: 8))
            XCTAssertEqual(error, .malformedEntry(file: path, tensor: "w", detail: detail), header)
        }
        let (error, path) = try readError(header: #"{"__metadata__":{"format":1}}"#)
        XCTAssertEqual(error, .malformedEntry(file: path, tensor: "__metadata__", detail: "maps 'format' to a number, not a string"))
    }

    func testUnknownDTypeIsNamed() throws {
        let (error, path) = try readError(header: #"{"w":{"dtype":"F17","shape":[2],"data_offsets":[0,8]}}"#, data: Array(repeating: 0, count: 8))
        XCTAssertEqual(error, .unknownDType(file: path, tensor: "w", dtype: "F17"))
    }

    func testShapeThatDoesNotFitItsByteRangeIsRejected() throws {
        var (error, path) = try readError(header: #"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}"#, data: Array(repeating: 0, count: 12))
        XCTAssertEqual(error, .sizeMismatch(file: path, tensor: "w", shape: [2, 2], dtype: "F32", byteCount: 12))
        // Element counts that overflow Int must not wrap around to a plausible size.
        let huge = 1 << 40
        (error, path) = try readError(header: #"{"w":{"dtype":"F16","shape":[\#(huge),\#(huge),\#(huge)],"data_offsets":[0,0]}}"#)
        XCTAssertEqual(error, .sizeMismatch(file: path, tensor: "w", shape: [huge, huge, huge], dtype: "F16", byteCount: 0))
    }

    func testOffsetsOutsideTheDataRegionAreRejected() throws {
        let data = [UInt8](repeating: 0, count: 8)
        for (offsets, begin, end) in [("[0,1000]", 0, 1000), ("[8,4]", 8, 4), ("[-4,4]", -4, 4), ("[4,12]", 4, 12)] {
            let (error, path) = try readError(header: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":\#(offsets)}}"#, data: data)
            XCTAssertEqual(error, .offsetsOutOfRange(file: path, tensor: "w", begin: begin, end: end, dataSize: 8), offsets)
        }
    }

    func testOverlappingTensorsAreRejected() throws {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        let (error, path) = try readError(header: header, data: Array(repeating: 0, count: 12))
        XCTAssertEqual(error, .overlappingTensors(file: path, first: "a", second: "b"))
        // Two names for the same bytes overlap too.
        let alias = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        let (aliasError, aliasPath) = try readError(header: alias, data: Array(repeating: 0, count: 8))
        XCTAssertEqual(aliasError, .overlappingTensors(file: aliasPath, first: "a", second: "b"))
    }

    func testGapsAndTrailingBytesInTheDataRegionAreRejected() throws {
        let gap = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}}"#
        var (error, path) = try readError(header: gap, data: Array(repeating: 0, count: 20))
        XCTAssertEqual(error, .uncoveredData(file: path, offset: 8, byteCount: 4))
        (error, path) = try readError(header: twoFloats, data: Array(repeating: 0, count: 12))
        XCTAssertEqual(error, .uncoveredData(file: path, offset: 8, byteCount: 4))
        // A leading gap: the first tensor must start at 0.
        (error, path) = try readError(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: Array(repeating: 0, count: 8))
        XCTAssertEqual(error, .uncoveredData(file: path, offset: 0, byteCount: 4))
    }

    func testValidFilesWithOddButLegalLayoutsAreAccepted() throws {
        // Entries listed out of offset order, zero-size tensors, an unpadded header, no metadata.
        let url = directory.appendingPathComponent("legal.safetensors")
        let header = #"{"z":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]},"e":{"dtype":"F32","shape":[0,3],"data_offsets":[8,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        let data = withUnsafeBytes(of: Float(1.5).bitPattern.littleEndian, Array.init)
            + withUnsafeBytes(of: Float(-2).bitPattern.littleEndian, Array.init) + [0x80, 0x3F, 0x00, 0xC0]  // BF16 1, -2
        try SafeTensorsFixtureBytes.write(header: header, data: data, to: url)
        let file = try SafeTensors.read(url)
        XCTAssertEqual(try file.tensor("a").scalars, [1.5, -2])
        XCTAssertEqual(try file.tensor("z").scalars, [1, -2])
        XCTAssertEqual(try file.tensor("e").shape, [0, 3])
        XCTAssertEqual(file.metadata, [:])
    }

    func testErrorMessagesStayOnOneLineWhateverTheNames() throws {
        let (error, path) = try readError(header: #"{"evil\nname\u2028":{"dtype":"X","shape":[],"data_offsets":[0,0]}}"#)
        XCTAssertEqual(error, .unknownDType(file: path, tensor: "evil\nname\u{2028}", dtype: "X"))
        XCTAssertEqual(error?.description, "\(path): tensor 'evil\\nname\\u{2028}' has unknown dtype 'X'")
    }

    func testMissingFilesAndFoldersAreReadErrors() throws {
        let missing = directory.appendingPathComponent("absent.safetensors")
        XCTAssertThrowsError(try SafeTensors.read(missing)) {
            XCTAssertEqual($0 as? CheckpointError, .unreadable(file: missing.path, reason: "no such file"))
        }
        XCTAssertThrowsError(try SafeTensors.read(directory)) {
            XCTAssertEqual($0 as? CheckpointError, .unreadable(file: directory.path, reason: "it is a directory"))
        }
    }

    /// Seeded random corruptions of a valid mixed-dtype file (bytes changed, digits and
    /// brackets injected, spans cut, the length field hit): each either reads, with every
    /// tensor decodable, or throws a one-line error naming the file. Run under the debug
    /// build, any out-of-bounds access traps.
    func testSeededCorruptionsEitherReadOrFailCleanly() throws {
        let original = [UInt8](try Data(contentsOf: TestPaths.fixture("checkpoints/dtypes/edge_values.safetensors")))
        let url = directory.appendingPathComponent("corrupt.safetensors")
        let injected = Array("0123456789,[]{}-\":".utf8)
        var generator = SeededGenerator(seed: 7)
        var outcomes = (read: 0, rejected: 0)
        for _ in 0..<3000 {
            var bytes = original
            for _ in 0..<(1 + Int(generator.next() % 3)) {
                let position = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 4 {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: generator.next())
                case 1: bytes[position] = injected[Int(generator.next() % UInt64(injected.count))]
                case 2: bytes.removeSubrange(position..<min(bytes.count, position + 1 + Int(generator.next() % 8)))
                default: bytes[Int(generator.next() % 8)] = UInt8(truncatingIfNeeded: generator.next())
                }
            }
            do {
                let file = try SafeTensorsFile(url: url, bytes: Data(bytes))
                for (name, entry) in file.entries where entry.dtype.isReal {
                    XCTAssertEqual(try file.tensor(name).count, entry.elementCount)
                }
                outcomes.read += 1
            } catch let error as CheckpointError {
                XCTAssertTrue(error.description.hasPrefix(url.path + ": "), error.description)
                XCTAssertFalse(error.description.contains("\n"), error.description)
                outcomes.rejected += 1
            }
        }
        XCTAssertGreaterThan(outcomes.read, 0)  // some corruptions only touch tensor bytes
        XCTAssertGreaterThan(outcomes.rejected, 2000)
    }
}
