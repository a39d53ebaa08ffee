import Foundation
import XCTest
import VitRelTestSupport
import VitRelCore
import VitRelImaging
@testable import VitRelLIME

/// Reads `Fixtures/lime/` (written by `Tools/make_lime_fixtures.py`): raw little-endian
/// arrays described by `manifest.json`.
struct LIMEFixtures {
    struct ArrayEntry: Decodable {
        let file: String
        let dtype: String
        let shape: [Int]
    }

    struct SegmentationCase: Decodable {
        let image: String?
        let mode: String
        let labels: String
        let count: Int
        let n_segments: Int?
        let crop: Int?
        let crop_height_width: [Int]?
        let compactness: Double?
        let sigma: Double?
        let noise: String?
    }

    struct RealXray: Decodable {
        let source: String
        let block_sums_fnv1a64: String
        let size: Int
        let slic: [SegmentationCase]
        let quickshift: SegmentationCase
    }

    struct Manifest: Decodable {
        let arrays: [String: ArrayEntry]
        let slic: [SegmentationCase]
        let quickshift: [SegmentationCase]
        let quickshift_exact: SegmentationCase
        let real_xray: RealXray?
    }

    let manifest: Manifest

    init() throws {
        let data = try Data(contentsOf: TestPaths.fixture("lime/manifest.json"))
        manifest = try JSONDecoder().decode(Manifest.self, from: data)
    }

    /// Array `name` as Doubles, with its shape.
    func array(_ name: String) throws -> (values: [Double], shape: [Int]) {
        guard let entry = manifest.arrays[name] else { throw FixtureError.missing(name) }
        let data = try Data(contentsOf: TestPaths.fixture("lime/\(entry.file)"))
        let bytes = [UInt8](data)
        let values: [Double]
        switch entry.dtype {
        case "uint8": values = bytes.map(Double.init)
        case "uint16": values = stride(from: 0, to: bytes.count, by: 2).map { Double(UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8) }
        case "float64":
            values = stride(from: 0, to: bytes.count, by: 8).map { offset in
                var bits: UInt64 = 0
                for k in 0..<8 { bits |= UInt64(bytes[offset + k]) << (8 * UInt64(k)) }
                return Double(bitPattern: bits)
            }
        default: throw FixtureError.missing("dtype \(entry.dtype)")
        }
        XCTAssertEqual(values.count, entry.shape.reduce(1, *), name)
        return (values, entry.shape)
    }

    /// A stored planar uint8 image as vitrel holds it: Float(k) / 255.
    func image(_ name: String) throws -> Image {
        let (values, shape) = try array(name)
        return Image(width: shape[2], height: shape[1], channels: shape[0], pixels: values.map { Float($0) / 255 })
    }

    /// Stored labels (row-major) as Ints.
    func labels(_ name: String) throws -> [Int] {
        try array(name).values.map { Int($0) }
    }

    enum FixtureError: Error { case missing(String) }
}

/// The top-left `size` × `size` crop of `image` (free functions, not `Image` extensions, so
/// they cannot collide with library API added later).
func croppedTopLeft(_ image: Image, height: Int, width: Int) -> Image {
    var pixels = [Float]()
    for c in 0..<image.channels {
        for y in 0..<height {
            let row = (c * image.height + y) * image.width
            pixels += image.pixels[row..<row + width]
        }
    }
    return Image(width: width, height: height, channels: image.channels, pixels: pixels)
}

func croppedTopLeft(_ image: Image, _ size: Int) -> Image { croppedTopLeft(image, height: size, width: size) }

/// The gray channel copied into three (lime_image's `gray2rgb`).
func grayReplicatedToRGB(_ image: Image) -> Image {
    precondition(image.channels == 1)
    return Image(width: image.width, height: image.height, channels: 3, pixels: image.pixels + image.pixels + image.pixels)
}

/// Adjusted Rand index of two labelings of the same pixels (Hubert & Arabie 1985): 1 for
/// identical partitions whatever the label names, about 0 for independent ones. Same formula
/// as scikit-learn's `adjusted_rand_score`.
func adjustedRandIndex(_ a: [Int], _ b: [Int]) -> Double {
    precondition(a.count == b.count && !a.isEmpty)
    func pairs(_ n: Int) -> Double { Double(n) * Double(n - 1) / 2 }
    var joint = [Int64: Int](), rows = [Int: Int](), columns = [Int: Int]()
    for (x, y) in zip(a, b) {
        joint[Int64(x) << 32 | Int64(y), default: 0] += 1
        rows[x, default: 0] += 1
        columns[y, default: 0] += 1
    }
    let index = joint.values.reduce(0) { $0 + pairs($1) }
    let rowSum = rows.values.reduce(0) { $0 + pairs($1) }
    let columnSum = columns.values.reduce(0) { $0 + pairs($1) }
    let expected = rowSum * columnSum / pairs(a.count)
    let maximum = (rowSum + columnSum) / 2
    if maximum == expected { return 1 }  // both trivial partitions (scikit-learn's convention)
    return (index - expected) / (maximum - expected)
}

/// 64-bit FNV-1a of some bytes (a dependency-free fingerprint the fixtures record).
func fnv1a64(_ bytes: [UInt8]) -> String {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}
