import Foundation
import XCTest
import VitRelTestSupport
import VitRelCore
@testable import VitRelImaging

/// Bad input gives a typed, one-line error naming the file — never a crash or an exit().
/// The damaged files are made here from the valid fixtures.
final class ImagingErrorTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try TestPaths.temporaryDirectory(self)
    }

    private func fixtureBytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: ImagingManifest.fixture(name)))
    }

    /// Writes `bytes` to a temporary file and returns the error reading it gives.
    private func readError(_ bytes: [UInt8], named name: String, file: StaticString = #filePath, line: UInt = #line) throws -> ImageError {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        do {
            let image = try ImageIO.read(url)
            XCTFail("\(name) decoded to a \(image.width)×\(image.height) image", file: file, line: line)
            throw XCTSkip("no error")
        } catch let error as ImageError {
            XCTAssertTrue(error.description.contains(url.path), "message must name the file: \(error)", file: file, line: line)
            XCTAssertFalse(error.description.contains("\n"), "message must be one line: \(error)", file: file, line: line)
            return error
        }
    }

    /// Byte offset of the first chunk of `type` in a PNG (its length field).
    private func chunkOffset(_ png: [UInt8], _ type: String) -> Int? {
        var offset = 8
        while offset + 8 <= png.count {
            let length = png[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            if String(decoding: png[offset + 4..<offset + 8], as: UTF8.self) == type { return offset }
            offset += 12 + length
        }
        return nil
    }

    /// CRC-32 as PNG chunks use it (ISO 3309 / zlib), to forge chunks whose CRC is right.
    private func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    private func withFixedCRC(_ png: [UInt8], chunkAt offset: Int) -> [UInt8] {
        var png = png
        let length = png[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
        let crc = crc32(png[offset + 4..<offset + 8 + length])
        for k in 0..<4 { png[offset + 8 + length + k] = UInt8(truncatingIfNeeded: crc >> UInt32(24 - 8 * k)) }
        return png
    }

    func testMissingFileIsNamed() {
        let url = directory.appendingPathComponent("no such (1).png")
        XCTAssertThrowsError(try ImageIO.read(url)) { error in
            XCTAssertEqual(error as? ImageError, .fileNotFound(file: url.path))
            XCTAssertEqual("\(error)", "\(url.path): no such file")
        }
    }

    func testEmptyFileAndDirectoryAreReported() throws {
        XCTAssertEqual(try readError([], named: "empty.png"), .emptyFile(file: directory.appendingPathComponent("empty.png").path))
        XCTAssertThrowsError(try ImageIO.read(directory)) { error in
            guard case .unreadable(let file, let reason)? = error as? ImageError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, self.directory.path)
            XCTAssertEqual(reason, "is a directory")
        }
    }

    func testTruncatedPNGsAreReportedAsTruncated() throws {
        let png = try fixtureBytes("png/rgb8.png")
        let idat = try XCTUnwrap(chunkOffset(png, "IDAT"))
        let cuts = [("signature", 5), ("after signature", 8), ("inside IHDR", 20), ("inside IDAT", idat + 40), ("before IEND", png.count - 12)]
        for (what, length) in cuts {
            guard case .truncated(_, let format, _) = try readError(Array(png.prefix(length)), named: "cut \(what).png") else {
                XCTFail("cut \(what): not reported as truncated"); continue
            }
            XCTAssertEqual(format, .png, what)
        }
    }

    func testCorruptPNGsAreReportedAsCorrupt() throws {
        let png = try fixtureBytes("png/rgba8.png")
        let idat = try XCTUnwrap(chunkOffset(png, "IDAT"))
        var flippedData = png
        flippedData[idat + 8 + 30] ^= 0x10
        var flippedCRC = png
        let idatLength = png[idat..<idat + 4].reduce(0) { $0 << 8 | Int($1) }
        flippedCRC[idat + 8 + idatLength + 3] ^= 0x01
        var flippedWidth = png
        flippedWidth[18] ^= 0x01
        // Same flip with the CRC recomputed: the chunk is intact, the zlib stream is not.
        let forgedStream = withFixedCRC(flippedData, chunkAt: idat)
        var generator = SeededGenerator(seed: 3)
        let garbage = Array(png.prefix(8)) + (8..<png.count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        for (name, bytes, detail) in [
            // libpng inflates IDAT before checking its CRC, so a flipped data byte shows as a
            // zlib error; a flipped CRC byte with intact data shows as a CRC error.
            ("IDAT byte flipped.png", flippedData, ""), ("IDAT CRC flipped.png", flippedCRC, "CRC"),
            ("IHDR width flipped.png", flippedWidth, "CRC"),
            ("zlib stream broken.png", forgedStream, ""), ("garbage after signature.png", garbage, ""),
        ] {
            guard case .corrupt(_, .png, let message) = try readError(bytes, named: name) else {
                XCTFail("\(name): not reported as corrupt PNG"); continue
            }
            if !detail.isEmpty { XCTAssertTrue(message.contains(detail), "\(name): \(message)") }
        }
    }

    func testHugeDeclaredDimensionsAreRefusedBeforeAllocating() throws {
        var png = try fixtureBytes("png/gray8.png")
        // IHDR width and height (bytes 16–23) → 200000 × 200000, CRC fixed so libpng accepts it.
        for (k, byte) in [0x00, 0x03, 0x0D, 0x40, 0x00, 0x03, 0x0D, 0x40].enumerated() { png[16 + k] = UInt8(byte) }
        let error = try readError(withFixedCRC(png, chunkAt: 8), named: "bomb.png")
        XCTAssertEqual(error, .tooLarge(file: directory.appendingPathComponent("bomb.png").path, width: 200_000, height: 200_000))
    }

    func testTruncatedAndCorruptJPEGsAreReported() throws {
        let jpeg = try fixtureBytes("jpeg/rgb420.jpg")
        for length in [2, jpeg.count / 2, jpeg.count - 2] {
            guard case .truncated(_, let format, _) = try readError(Array(jpeg.prefix(length)), named: "cut at \(length).jpg") else {
                XCTFail("JPEG cut at \(length) of \(jpeg.count): not reported as truncated"); continue
            }
            XCTAssertEqual(format, .jpeg)
        }
        var generator = SeededGenerator(seed: 5)
        let garbage = [0xFF, 0xD8, 0xFF] + (3..<jpeg.count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        guard case .corrupt(_, .jpeg, _) = try readError(garbage, named: "garbage.jpg") else {
            return XCTFail("garbage after SOI: not reported as corrupt JPEG")
        }
    }

    func testOtherFormatsAndTextAreUnsupported() throws {
        let cases: [(String, [UInt8], String)] = [
            ("animation.gif", Array("GIF89a".utf8) + [UInt8](repeating: 0, count: 20), "GIF"),
            ("scan.bmp", Array("BM".utf8) + [UInt8](repeating: 7, count: 60), "BMP"),
            ("scan.tif", [0x49, 0x49, 0x2A, 0x00] + [UInt8](repeating: 0, count: 12), "TIFF"),
            ("notes.png", Array("patient 12: follow-up in 3 weeks\n".utf8), "text"),
            ("random.png", [0x00, 0x13, 0x99, 0xFE, 0x42, 0x00, 0x01, 0x02, 0x03], "unrecognised"),
        ]
        for (name, bytes, expected) in cases {
            guard case .unsupportedFormat(_, let detail) = try readError(bytes, named: name) else {
                XCTFail("\(name): not reported as unsupported"); continue
            }
            XCTAssertTrue(detail.contains(expected), "\(name): \(detail)")
        }
    }

    func testCraftedBadFixturesAreRefused() throws {
        for item in try ImagingManifest.load().badInputs {
            let url = ImagingManifest.fixture(item.file)
            XCTAssertThrowsError(try ImageIO.read(url), item.file) { error in
                let error = error as! ImageError
                let (kind, detail): (String, String)
                switch error {
                case .corrupt(_, _, let text): (kind, detail) = ("corrupt", text)
                case .unsupportedFormat(_, let text): (kind, detail) = ("unsupportedFormat", text)
                default: (kind, detail) = ("\(error)", "")
                }
                XCTAssertEqual(kind, item.error, item.file)
                XCTAssertTrue(detail.contains(item.detail), "\(item.file): \(error)")
                XCTAssertTrue(error.description.hasPrefix(url.path))
            }
        }
    }

    func testDecodeFromMemoryNamesTheGivenName() {
        XCTAssertThrowsError(try ImageIO.decode(Data([0x89, 0x50, 0x4E]), name: "upload-7")) { error in
            XCTAssertEqual(error as? ImageError, .truncated(file: "upload-7", format: .png, detail: "only 3 bytes of the signature"))
        }
    }
}
