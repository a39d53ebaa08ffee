import Foundation
import XCTest
@testable import VitRel

/// Reads the float32 NPY arrays the fixture scripts write (`numpy.save`, C order).
///
/// Test-only and minimal on purpose: the library's NPY support lives in
/// `Sources/VitRel/Support/NPY.swift`. Format: "\x93NUMPY", major and minor version, header
/// length (2 bytes little-endian in version 1, 4 in versions 2 and 3), a Python dict literal
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` padded with spaces, then the
/// data (numpy.lib.format).
enum NPYTestReader {
    struct FormatError: Error, CustomStringConvertible {
        let file: String
        let problem: String
        var description: String { "\(file): \(problem)" }
    }

    static func readFloat32(_ url: URL) throws -> Tensor<Float> {
        let bytes = [UInt8](try Data(contentsOf: url))
        func fail(_ problem: String) -> FormatError { FormatError(file: url.lastPathComponent, problem: problem) }
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw fail("not an NPY file")
        }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("truncated header length") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            headerStart = 12
        default:
            throw fail("unknown NPY version \(major)")
        }
        let dataStart = headerStart + headerLength
        guard dataStart <= bytes.count, let header = String(bytes: bytes[headerStart..<dataStart], encoding: .utf8) else {
            throw fail("truncated header")
        }
        guard header.contains("'descr': '<f4'") else { throw fail("dtype is not little-endian float32: \(header)") }
        guard header.contains("'fortran_order': False") else { throw fail("Fortran order is not supported") }
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw fail("no shape in \(header)")
        }
        let shape = try header[open.upperBound..<close].split(separator: ",").map { part -> Int in
            guard let dimension = Int(part.trimmingCharacters(in: .whitespaces)) else { throw fail("bad shape \(header)") }
            return dimension
        }
        let count = shape.reduce(1, *)
        guard bytes.count - dataStart == 4 * count else {
            throw fail("\(bytes.count - dataStart) data bytes for shape \(shape)")
        }
        let scalars = (0..<count).map { i -> Float in
            let offset = dataStart + 4 * i
            let bits = (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
            return Float(bitPattern: bits)
        }
        return Tensor(shape: shape, scalars: scalars)
    }
}
