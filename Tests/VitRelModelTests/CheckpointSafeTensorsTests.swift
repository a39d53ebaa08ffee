import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRelModel

/// safetensors reading and writing: round trips, byte-exact agreement with the reference
/// crate, and F16/BF16 conversions against torch (fixtures from
/// Tools/make_checkpoint_fixtures.py) and against Swift's own Float16.
final class CheckpointSafeTensorsTests: XCTestCase {
    private let edgeValues = TestPaths.fixture("checkpoints/dtypes/edge_values.safetensors")

    func testF32RoundTripKeepsNamesShapesValuesAndMetadata() throws {
        let url = try TestPaths.temporaryDirectory(self).appendingPathComponent("round.safetensors")
        let tensors: [(name: String, tensor: Tensor<Float>)] = [
            ("b.weight", Tensor(shape: [2, 3], scalars: [1, -2, 3.5, .pi, -0.0, .greatestFiniteMagnitude])),
            ("a.scalar", Tensor(shape: [], scalars: [42])),
            ("c.empty", Tensor(shape: [0, 4], scalars: [])),
            ("d.tiny", Tensor(shape: [3], scalars: [.leastNonzeroMagnitude, -.infinity, .infinity])),
        ]
        try SafeTensors.write(tensors, metadata: ["format": "pt", "note": "quote \" and\nnewline"], to: url)
        let file = try SafeTensors.read(url)
        XCTAssertEqual(file.names, ["a.scalar", "b.weight", "c.empty", "d.tiny"])
        XCTAssertEqual(file.metadata, ["format": "pt", "note": "quote \" and\nnewline"])
        for (name, tensor) in tensors {
            XCTAssertEqual(file.entries[name]?.dtype, .float32)
            let back = try file.tensor(name)
            XCTAssertEqual(back.shape, tensor.shape, name)
            XCTAssertEqual(back.scalars.map(\.bitPattern), tensor.scalars.map(\.bitPattern), name)
        }
    }

    func testF64RoundTripIsExactInDouble() throws {
        let url = try TestPaths.temporaryDirectory(self).appendingPathComponent("double.safetensors")
        let values: [Double] = [1.0 / 3.0, -Double.leastNonzeroMagnitude, 1e300, 0x1.fffffffffffffp-1]
        try SafeTensors.write([("x", Tensor(shape: [2, 2], scalars: values))], to: url)
        let file = try SafeTensors.read(url)
        XCTAssertEqual(file.entries["x"]?.dtype, .float64)
        XCTAssertEqual(try file.tensor("x", as: Double.self).scalars, values)
        XCTAssertEqual(try file.tensor("x", as: Float.self).scalars, values.map { Float($0) })
    }

    func testDataRegionIsEightByteAlignedWithSpacePadding() throws {
        for name in ["a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh"] {
            let bytes = [UInt8](SafeTensors.serialize([(name, Tensor<Float>(shape: [1], scalars: [1]))]))
            let length = Int(bytes[0]) | Int(bytes[1]) << 8
            XCTAssertEqual(length % 8, 0, name)
            let header = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
            XCTAssertTrue(header.hasPrefix("{\"\(name)\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}"), header)
            XCTAssertTrue(header.drop(while: { $0 != "}" }).dropFirst(2).allSatisfy { $0 == " " }, header)
        }
    }

    /// The expected bytes are those of the reference crate's own unit tests
    /// (`test_serialization`, `test_serialization_forced_alignement`, `test_empty` in
    /// huggingface/safetensors `safetensors/src/tensor.rs`), spelled as text.
    func testWriterMatchesTheReferenceCrateByteForByte() {
        func expected(_ header: String, floats: [Float]) -> [UInt8] {
            var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian, Array.init)
            bytes += Array(header.utf8)
            for value in floats { bytes += withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init) }
            return bytes
        }
        let values: [Float] = [0, 1, 2, 3, 4, 5]
        XCTAssertEqual(
            [UInt8](SafeTensors.serialize([("attn.0", Tensor(shape: [1, 2, 3], scalars: values))])),
            expected(#"{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}"#, floats: values))
        XCTAssertEqual(
            [UInt8](SafeTensors.serialize([("attn0", Tensor(shape: [1, 1, 2, 3], scalars: values))])),
            expected(#"{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       "#, floats: values))
        XCTAssertEqual(
            [UInt8](SafeTensors.serialize([(name: String, tensor: Tensor<Float>)]())),
            expected("{}      ", floats: []))
        XCTAssertEqual(
            [UInt8](SafeTensors.serialize([(name: String, tensor: Tensor<Float>)](), metadata: ["framework": "pt"])),
            expected(#"{"__metadata__":{"framework":"pt"}}     "#, floats: []))
    }

    /// timm's save_for_hf (no metadata) and transformers' save_pretrained ({"format": "pt"})
    /// wrote these through the Python binding of the crate: reading and writing them again
    /// must give the same bytes.
    func testRewritingPythonWrittenWeightFilesReproducesThemExactly() throws {
        for (name, metadata) in [("timm_token", [String: String]()), ("hf_vit", ["format": "pt"])] {
            let url = TestPaths.fixture("checkpoints/\(name)/model.safetensors")
            let file = try SafeTensors.read(url)
            XCTAssertEqual(file.metadata, metadata, name)
            let tensors = try file.names.map { (name: $0, tensor: try file.tensor($0)) }
            XCTAssertEqual(SafeTensors.serialize(tensors, metadata: file.metadata), try Data(contentsOf: url), name)
        }
    }

    // MARK: Half precision

    /// torch's F16/BF16 values of ±0, subnormals, max, inf and NaN, widened by torch to F32.
    func testHalfPrecisionEdgeValuesDecodeAsTorchWidensThem() throws {
        let file = try SafeTensors.read(edgeValues)
        XCTAssertEqual(file.entries["f16"]?.dtype, .float16)
        XCTAssertEqual(file.entries["bf16"]?.dtype, .bfloat16)
        for (stored, expected) in [("f16", "f16_expected"), ("bf16", "bf16_expected")] {
            let decoded = try file.tensor(stored).scalars
            let reference = try file.tensor(expected).scalars
            XCTAssertEqual(decoded.count, 33)
            for (value, truth) in zip(decoded, reference) {
                if truth.isNaN {
                    XCTAssertTrue(value.isNaN, stored)
                } else {
                    XCTAssertEqual(value.bitPattern, truth.bitPattern, "\(stored): \(value) vs \(truth)")
                }
            }
            // The list holds both zeros, subnormals, the format's max and both infinities.
            XCTAssertTrue(decoded.contains { $0 == 0 && $0.sign == .minus }, stored)
            XCTAssertTrue(decoded.contains { $0.isInfinite && $0 < 0 }, stored)
        }
        let f16 = try file.tensor("f16").scalars
        XCTAssertTrue(f16.contains(65504))
        XCTAssertTrue(f16.contains(0x1p-24))   // smallest F16 subnormal
        XCTAssertTrue(f16.contains(0x1.ff8p-15))  // largest F16 subnormal
    }

    /// Narrowing the F32 sources gives torch's bits: ties to even, overflow to ∞, flush of
    /// values below half the smallest subnormal. NaN only has to stay NaN (torch's
    /// vectorised BF16 conversion writes 0xFFFF, its scalar one 0x7FC0).
    func testNarrowingRoundsAsTorchDoes() throws {
        let file = try SafeTensors.read(edgeValues)
        let source = try file.tensor("source")
        for (name, dtype) in [("f16", SafeTensors.DType.float16), ("bf16", .bfloat16)] {
            let ours = [UInt8](SafeTensors.serialize([("x", source)], as: dtype))
            let headerLength = Int(ours[0]) | Int(ours[1]) << 8
            let oursBits = stride(from: 8 + headerLength, to: ours.count, by: 2).map { UInt16(ours[$0]) | UInt16(ours[$0 + 1]) << 8 }
            let torch = [UInt8](try file.rawBytes(name))
            let torchBits = stride(from: 0, to: torch.count, by: 2).map { UInt16(torch[$0]) | UInt16(torch[$0 + 1]) << 8 }
            XCTAssertEqual(oursBits.count, source.count)
            for (i, value) in source.scalars.enumerated() {
                if value.isNaN {
                    let widened = dtype == .float16
                        ? HalfPrecision.float(fromFloat16Bits: oursBits[i]) : HalfPrecision.float(fromBFloat16Bits: oursBits[i])
                    XCTAssertTrue(widened.isNaN, name)
                } else {
                    XCTAssertEqual(oursBits[i], torchBits[i], "\(name) of \(value)")
                }
            }
        }
    }

    func testF16DecodingMatchesSwiftFloat16ForEveryBitPattern() throws {
        #if os(macOS) && arch(x86_64)
        throw XCTSkip("Float16 is unavailable on macOS/x86_64")
        #else
        for bits in 0...UInt16.max {
            let ours = HalfPrecision.float(fromFloat16Bits: bits)
            let swift = Float(Float16(bitPattern: bits))
            if swift.isNaN {
                XCTAssertTrue(ours.isNaN, "\(bits)")
            } else if ours.bitPattern != swift.bitPattern {
                XCTFail("F16 \(String(bits, radix: 16)): \(ours) vs \(swift)")
                return
            }
        }
        #endif
    }

    func testF16EncodingMatchesSwiftFloat16AcrossTheFloatRange() throws {
        #if os(macOS) && arch(x86_64)
        throw XCTSkip("Float16 is unavailable on macOS/x86_64")
        #else
        // Every 4099th bit pattern (all exponents, signs and many fractions) plus the
        // neighbours of each F16 rounding boundary.
        var patterns = Array(stride(from: UInt32(0), to: UInt32.max - 4099, by: 4099))
        for half in UInt16(0)..<0x7C00 {
            let boundary = HalfPrecision.float(fromFloat16Bits: half).bitPattern &+ 0x1000  // halfway to the next
            patterns += [boundary &- 1, boundary, boundary &+ 1, boundary | 0x8000_0000]
        }
        for bits in patterns {
            let value = Float(bitPattern: bits)
            let swift = Float16(value).bitPattern
            let ours = HalfPrecision.float16Bits(from: value)
            if value.isNaN {
                XCTAssertEqual(ours & 0x7C00, 0x7C00)
                XCTAssertNotEqual(ours & 0x03FF, 0)
            } else if ours != swift {
                XCTFail("\(value) (\(String(bits, radix: 16))): ours \(String(ours, radix: 16)), Swift \(String(swift, radix: 16))")
                return
            }
        }
        #endif
    }

    func testBFloat16KeepsTheTopHalfAndRoundsTiesToEven() {
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: 1), 0x3F80)
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: Float(bitPattern: 0x3F80_8000)), 0x3F80)  // tie, even stays
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: Float(bitPattern: 0x3F81_8000)), 0x3F82)  // tie, odd rounds up
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: Float(bitPattern: 0x3F80_8001)), 0x3F81)
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: .greatestFiniteMagnitude), 0x7F80)  // rounds to ∞
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: -.infinity), 0xFF80)
        XCTAssertTrue(HalfPrecision.float(fromBFloat16Bits: HalfPrecision.bfloat16Bits(from: .nan)).isNaN)
        for bits in UInt16(0)...UInt16.max where !HalfPrecision.float(fromBFloat16Bits: bits).isNaN {
            XCTAssertEqual(HalfPrecision.bfloat16Bits(from: HalfPrecision.float(fromBFloat16Bits: bits)), bits)
        }
    }

    /// The fixture script rounded timm_avgpool's weights to values both half formats hold, so
    /// its F16 and BF16 copies must decode to exactly its F32 weights.
    func testF16AndBF16ModelCopiesDecodeToTheF32Weights() throws {
        let reference = try SafeTensors.read(TestPaths.fixture("checkpoints/timm_avgpool/model.safetensors")).tensors(as: Float.self)
        for (tag, dtype) in [("f16", SafeTensors.DType.float16), ("bf16", .bfloat16)] {
            let file = try SafeTensors.read(TestPaths.fixture("checkpoints/dtypes/timm_avgpool_\(tag).safetensors"))
            XCTAssertEqual(Set(file.names), Set(reference.keys))
            XCTAssertTrue(file.entries.values.allSatisfy { $0.dtype == dtype }, tag)
            for (name, tensor) in reference {
                XCTAssertEqual(try file.tensor(name), tensor, "\(tag) \(name)")
            }
        }
    }

    func testIntegerTensorsValidateButDoNotDecodeAsReals() throws {
        let url = try TestPaths.temporaryDirectory(self).appendingPathComponent("ints.safetensors")
        try SafeTensorsFixtureBytes.write(
            header: #"{"ids":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}"#, data: [UInt8](repeating: 1, count: 16), to: url)
        let file = try SafeTensors.read(url)
        XCTAssertEqual(file.entries["ids"], SafeTensorsFile.Entry(dtype: .int64, shape: [2], byteRange: 0..<16))
        XCTAssertEqual(try file.rawBytes("ids"), Data(repeating: 1, count: 16))
        XCTAssertThrowsError(try file.tensor("ids")) {
            XCTAssertEqual($0 as? CheckpointError, .unsupportedDType(file: url.path, tensor: "ids", dtype: "I64"))
        }
        XCTAssertThrowsError(try file.tensor("nope")) {
            XCTAssertEqual($0 as? CheckpointError, .tensorNotFound(file: url.path, tensor: "nope"))
        }
    }
}

/// Hand-made safetensors bytes for tests: a length field, a header text, data.
enum SafeTensorsFixtureBytes {
    static func bytes(header: String, data: [UInt8], headerLength: UInt64? = nil) -> [UInt8] {
        let text = Array(header.utf8)
        return withUnsafeBytes(of: (headerLength ?? UInt64(text.count)).littleEndian, Array.init) + text + data
    }

    static func write(header: String, data: [UInt8], headerLength: UInt64? = nil, to url: URL) throws {
        try Data(bytes(header: header, data: data, headerLength: headerLength)).write(to: url)
    }
}
