import Foundation

/// Reading and writing the safetensors format (huggingface/safetensors), the weight file of
/// both timm and Hugging Face checkpoints.
///
/// ```swift
/// let file = try SafeTensors.read(url)                       // validated, memory-mapped
/// try SafeTensors.write([("w", weight)], metadata: ["format": "pt"], to: out)
/// ```
public enum SafeTensors {
    /// Opens and validates `url` (see `SafeTensorsHeader` for the checks). The file is
    /// memory-mapped, so only the tensors asked for are paged in.
    public static func read(_ url: URL) throws -> SafeTensorsFile {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw CheckpointError.unreadable(file: url.path, reason: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw CheckpointError.unreadable(file: url.path, reason: "it is a directory")
        }
        let bytes: Data
        do {
            bytes = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw CheckpointError.unreadable(file: url.path, reason: error.localizedDescription)
        }
        return try SafeTensorsFile(url: url, bytes: bytes)
    }

    /// Writes `tensors` to `url` in one dtype (default: the scalar's own, F32 or F64).
    ///
    /// The output is byte-for-byte what the reference crate's `serialize` writes for the same
    /// tensors and (at most one key of) metadata: tensors sorted by name and laid out in that
    /// order (the crate sorts by dtype, then name; one dtype per file makes the two agree),
    /// compact JSON with `__metadata__` first, padded with spaces to a multiple of 8 bytes so
    /// the data region is 8-byte aligned. Metadata keys are sorted (the crate's order for
    /// several keys is a hash map's). Narrowing to F16/BF16 rounds to nearest even.
    ///
    /// Names must be distinct and not `__metadata__`; `dtype` must be real (programmer errors).
    public static func write<Scalar: TensorScalar>(
        _ tensors: [(name: String, tensor: Tensor<Scalar>)],
        as dtype: DType? = nil,
        metadata: [String: String] = [:],
        to url: URL
    ) throws {
        let bytes = serialize(tensors, as: dtype, metadata: metadata)
        do {
            try bytes.write(to: url, options: .atomic)
        } catch {
            throw CheckpointError.unwritable(file: url.path, reason: error.localizedDescription)
        }
    }

    /// The bytes `write` puts in the file.
    public static func serialize<Scalar: TensorScalar>(
        _ tensors: [(name: String, tensor: Tensor<Scalar>)],
        as dtype: DType? = nil,
        metadata: [String: String] = [:]
    ) -> Data {
        let dtype = dtype ?? DType(rawValue: Scalar.safetensorsDType)!
        precondition(dtype.isReal, "safetensors writer encodes F64, F32, F16 or BF16, not \(dtype.rawValue)")
        let ordered = tensors.sorted { $0.name < $1.name }
        for (previous, next) in zip(ordered, ordered.dropFirst()) {
            precondition(previous.name != next.name, "tensor name '\(next.name)' appears twice")
        }
        precondition(!ordered.contains { $0.name == "__metadata__" }, "'__metadata__' is reserved in safetensors headers")

        var header = "{"
        var members: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { JSONValue.quoted($0) + ":" + JSONValue.quoted(metadata[$0]!) }
            members.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for (name, tensor) in ordered {
            let end = offset + tensor.count * dtype.byteCount
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            members.append(
                JSONValue.quoted(name) + ":{\"dtype\":\"\(dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        header += members.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        headerBytes += [UInt8](repeating: UInt8(ascii: " "), count: (8 - headerBytes.count % 8) % 8)

        var data = Data(capacity: 8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: headerBytes)
        for (_, tensor) in ordered { append(tensor.scalars, as: dtype, to: &data) }
        return data
    }

    /// Appends little-endian encodings of `scalars`.
    private static func append<Scalar: TensorScalar>(_ scalars: [Scalar], as dtype: DType, to data: inout Data) {
        var encoded = [UInt8](repeating: 0, count: scalars.count * dtype.byteCount)
        encoded.withUnsafeMutableBytes { out in
            for (i, scalar) in scalars.enumerated() {
                switch dtype {
                case .float64:
                    out.storeBytes(of: Double(scalar).bitPattern.littleEndian, toByteOffset: 8 * i, as: UInt64.self)
                case .float32:
                    out.storeBytes(of: Float(scalar).bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
                case .float16:
                    out.storeBytes(of: HalfPrecision.float16Bits(from: Float(scalar)).littleEndian, toByteOffset: 2 * i, as: UInt16.self)
                case .bfloat16:
                    out.storeBytes(of: HalfPrecision.bfloat16Bits(from: Float(scalar)).littleEndian, toByteOffset: 2 * i, as: UInt16.self)
                default:
                    preconditionFailure("unreachable: dtype checked above")
                }
            }
        }
        data.append(contentsOf: encoded)
    }
}
