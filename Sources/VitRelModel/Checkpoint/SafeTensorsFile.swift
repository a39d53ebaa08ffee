import Foundation

/// A safetensors file opened for reading: its validated header and its (memory-mapped) bytes.
///
/// Tensors are decoded on request, so opening a 300 MB checkpoint to list its names costs
/// the header only. Every entry's byte range was checked against the file when it was
/// opened (`SafeTensorsHeader`), so decoding cannot read out of bounds.
///
/// ```swift
/// let file = try SafeTensors.read(url)
/// let weight = try file.tensor("head.weight")          // Tensor<Float>, whatever the dtype
/// let exact = try file.tensor("head.weight", as: Double.self)
/// ```
public struct SafeTensorsFile: Sendable {
    /// Where one tensor lives: element type, shape and byte range within the data region.
    public struct Entry: Equatable, Sendable {
        public var dtype: SafeTensors.DType
        public var shape: [Int]
        /// Relative to the start of the data region (the header's `data_offsets`).
        public var byteRange: Range<Int>

        public var elementCount: Int { shape.reduce(1, *) }
    }

    public let url: URL
    /// The header's free-form `__metadata__` (e.g. `{"format": "pt"}`); empty when absent.
    public let metadata: [String: String]
    public let entries: [String: Entry]
    /// The whole file; the data region starts at `dataStart`.
    private let bytes: Data
    private let dataStart: Int

    init(url: URL, bytes: Data) throws {
        let file = url.path
        let header = try bytes.withUnsafeBytes { try SafeTensorsHeader(bytes: $0, file: file) }
        self.url = url
        self.bytes = bytes
        self.metadata = header.metadata
        self.entries = header.entries
        self.dataStart = header.dataStart
    }

    /// Tensor names in sorted order.
    public var names: [String] { entries.keys.sorted() }

    /// The entry for `name`, or `tensorNotFound`.
    public func entry(_ name: String) throws -> Entry {
        guard let entry = entries[name] else { throw CheckpointError.tensorNotFound(file: url.path, tensor: name) }
        return entry
    }

    /// The tensor's bytes exactly as stored (little-endian elements of its dtype).
    public func rawBytes(_ name: String) throws -> Data {
        let range = try entry(name).byteRange
        return bytes.subdata(in: (bytes.startIndex + dataStart + range.lowerBound)..<(bytes.startIndex + dataStart + range.upperBound))
    }

    /// The tensor decoded to `Scalar`: F32/F64 convert, F16/BF16 widen exactly (then round to
    /// Scalar, which is exact for Float and Double). Other dtypes throw `unsupportedDType`.
    public func tensor<Scalar: TensorScalar>(_ name: String, as scalarType: Scalar.Type = Float.self) throws -> Tensor<Scalar> {
        let entry = try entry(name)
        guard entry.dtype.isReal else {
            throw CheckpointError.unsupportedDType(file: url.path, tensor: name, dtype: entry.dtype.rawValue)
        }
        let count = entry.elementCount
        let start = dataStart + entry.byteRange.lowerBound
        let scalars: [Scalar] = bytes.withUnsafeBytes { file in
            let raw = UnsafeRawBufferPointer(rebasing: file[start..<(start + entry.byteRange.count)])
            return Self.decode(raw, dtype: entry.dtype, count: count)
        }
        return Tensor(shape: entry.shape, scalars: scalars)
    }

    /// Every tensor, decoded to `Scalar` (all must have real dtypes).
    public func tensors<Scalar: TensorScalar>(as scalarType: Scalar.Type = Float.self) throws -> [String: Tensor<Scalar>] {
        var result: [String: Tensor<Scalar>] = [:]
        for name in names { result[name] = try tensor(name, as: scalarType) }
        return result
    }

    /// Decodes `count` little-endian elements. Loads are unaligned: safetensors aligns the
    /// data region to 8 bytes only when the writer padded the header (not all writers do).
    private static func decode<Scalar: TensorScalar>(_ raw: UnsafeRawBufferPointer, dtype: SafeTensors.DType, count: Int) -> [Scalar] {
        [Scalar](unsafeUninitializedCapacity: count) { out, initialized in
            switch dtype {
            case .float32:
                #if _endian(little)
                if Scalar.self == Float.self {
                    // Same representation as the file: one copy.
                    UnsafeMutableRawBufferPointer(out).copyMemory(from: raw)
                    break
                }
                #endif
                for i in 0..<count {
                    out[i] = Scalar(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))))
                }
            case .float64:
                for i in 0..<count {
                    out[i] = Scalar(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
                }
            case .float16:
                for i in 0..<count {
                    let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                    out[i] = Scalar(HalfPrecision.float(fromFloat16Bits: bits))
                }
            case .bfloat16:
                for i in 0..<count {
                    let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                    out[i] = Scalar(HalfPrecision.float(fromBFloat16Bits: bits))
                }
            default:
                preconditionFailure("decode called for non-real dtype \(dtype)")
            }
            initialized = count
        }
    }
}
