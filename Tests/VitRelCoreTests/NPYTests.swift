import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRelCore

final class NPYTests: XCTestCase {
    func testReadsEveryNumpyWrittenDtypeWithItsShapeAndValues() throws {
        let manifest = try ImagingManifest.load()
        XCTAssertEqual(Set(manifest.npy.map(\.dtype)), Set(NPYArray.DType.allCases.map(\.rawValue)))
        for item in manifest.npy {
            let array = try ImagingManifest.array(item.file)
            XCTAssertEqual(array.dtype.rawValue, item.dtype, item.file)
            XCTAssertEqual(array.shape, item.shape, item.file)
            XCTAssertEqual(array.count, item.values.count, item.file)
            let doubles = array.doubles()
            for (value, expected) in zip(doubles, item.values) {
                // int64 entries of ±2⁶² are exact in Double; -0.0 must keep its sign.
                XCTAssertEqual(value, expected, item.file)
                XCTAssertEqual(value.sign, expected.sign, item.file)
            }
        }
    }

    func testReencodingNumpyFilesGivesIdenticalBytesSoNumpyReadsOurs() throws {
        for item in try ImagingManifest.load().npy where !item.fortranOrder {
            let original = try Data(contentsOf: ImagingManifest.fixture(item.file))
            let array = try NPY.decode(original, name: item.file)
            XCTAssertEqual(NPY.encode(array), original, "\(item.file): our writer differs from numpy's")
        }
    }

    func testFortranOrderFileIsReorderedToCOrder() throws {
        let item = try XCTUnwrap(try ImagingManifest.load().npy.first { $0.fortranOrder })
        let array = try ImagingManifest.array(item.file)
        XCTAssertEqual(array.shape, [2, 3])
        XCTAssertEqual(array.values(as: Double.self), [0.25, 1.25, 2.25, 3.25, 4.25, 5.25])
    }

    func testTensorRoundTripThroughAFileKeepsShapeAndScalars() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let tensor = Tensor<Float>(shape: [2, 3, 4], scalars: (0..<24).map { Float($0) * 0.25 - 3 })
        let url = directory.appendingPathComponent("relevance.npy")
        try NPY.write(tensor, to: url)
        let back = try NPY.read(url)
        XCTAssertEqual(back.dtype, .float32)
        XCTAssertEqual(back.tensor(of: Float.self), tensor)
        XCTAssertEqual(back.tensor(of: Double.self), Tensor<Double>(tensor))
        XCTAssertNil(back.values(as: Double.self), "a <f4 array is not readable as Double without conversion")
        let data = try Data(contentsOf: url)
        let headerEnd = 10 + Int(data[8]) + Int(data[9]) << 8
        XCTAssertEqual(headerEnd % 64, 0, "element data starts on a 64-byte boundary")
    }

    func testDamagedFilesGiveTypedErrorsNamingTheFile() throws {
        let good = try Data(contentsOf: ImagingManifest.fixture("npy/f4_2x3.npy"))
        let name = "broken.npy"
        XCTAssertThrowsError(try NPY.decode(Data("hello".utf8), name: name)) { error in
            XCTAssertEqual(error as? NPYError, .notNPY(file: name))
        }
        XCTAssertThrowsError(try NPY.decode(good.prefix(good.count - 4), name: name)) { error in
            XCTAssertEqual(error as? NPYError, .truncated(file: name, expectedBytes: 24, actualBytes: 20))
            XCTAssertTrue("\(error)".hasPrefix(name))
        }
        XCTAssertThrowsError(try NPY.decode(good.prefix(40), name: name)) { error in
            guard case .malformedHeader(let file, _)? = error as? NPYError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, name)
        }
        var bigEndian = good
        let descr = try XCTUnwrap(bigEndian.range(of: Data("'<f4'".utf8)))
        bigEndian[descr.lowerBound + 1] = UInt8(ascii: ">")
        XCTAssertThrowsError(try NPY.decode(bigEndian, name: name)) { error in
            guard case .unsupported(let file, let detail)? = error as? NPYError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, name)
            XCTAssertTrue(detail.contains(">f4"))
        }
        XCTAssertThrowsError(try NPY.read(URL(fileURLWithPath: "/nonexistent/x.npy"))) { error in
            XCTAssertEqual(error as? NPYError, .fileNotFound(file: "/nonexistent/x.npy"))
        }
    }
}
