import Foundation

/// The validated header of a safetensors file: where each tensor's bytes are and what they mean.
///
/// Layout (huggingface/safetensors README): 8 bytes little-endian header length N, N bytes of
/// UTF-8 JSON `{"name": {"dtype", "shape", "data_offsets": [begin, end]}, ..., "__metadata__":
/// {string: string}}`, then the data region; offsets are relative to its start.
///
/// Parsing checks what the reference crate checks (`SafeTensors::read_metadata` and
/// `Metadata::validate` in `safetensors/src/tensor.rs`), so a file accepted here is accepted
/// there and the other way round, and every byte range handed out afterwards lies inside the
/// file. Nothing below relies on Swift's bounds checks: the library builds with -Ounchecked.
struct SafeTensorsHeader: Equatable {
    /// The reference crate refuses headers above 100 MB (`MAX_HEADER_SIZE`).
    static let maximumLength: UInt64 = 100_000_000

    var metadata: [String: String]
    var entries: [String: SafeTensorsFile.Entry]
    /// Offset of the data region from the start of the file: 8 + N.
    var dataStart: Int

    /// Validates the first bytes of `bytes` (the whole file) as a safetensors header.
    init(bytes: UnsafeRawBufferPointer, file: String) throws {
        let fileSize = bytes.count
        guard fileSize >= 8 else { throw CheckpointError.fileTooShort(file: file, size: fileSize) }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard length <= UInt64(fileSize - 8) else {
            throw CheckpointError.headerLengthBeyondFile(file: file, headerLength: length, fileSize: fileSize)
        }
        guard length <= Self.maximumLength else {
            throw CheckpointError.headerTooLarge(file: file, headerLength: length)
        }
        let headerLength = Int(length)
        dataStart = 8 + headerLength
        let dataSize = fileSize - dataStart
        let headerBytes = Data(UnsafeRawBufferPointer(rebasing: bytes[8..<dataStart]))
        guard headerBytes.first(where: { !Self.isJSONWhitespace($0) }) == UInt8(ascii: "{") else {
            throw CheckpointError.headerNotJSON(file: file, detail: "it does not start with '{'")
        }
        if let problem = SafeTensorsHeaderSyntax.problem(in: Array(headerBytes)) {
            throw CheckpointError.headerNotJSON(file: file, detail: problem)
        }
        let root: JSONValue
        do {
            root = try JSONValue.parse(headerBytes)
        } catch {
            throw CheckpointError.headerNotJSON(file: file, detail: Self.summary(of: error))
        }
        guard let members = root.objectValue else {
            throw CheckpointError.headerNotJSON(file: file, detail: "the top level is \(root.kindDescription)")
        }

        metadata = [:]
        entries = [:]
        for name in members.keys.sorted() {
            let value = members[name]!
            if name == "__metadata__" {
                metadata = try Self.metadata(from: value, file: file)
            } else {
                entries[name] = try Self.entry(named: name, from: value, dataSize: dataSize, file: file)
            }
        }
        try Self.checkCoverage(entries, dataSize: dataSize, file: file)
    }

    /// `__metadata__` must map strings to strings (the crate's `HashMap<String, String>`).
    private static func metadata(from value: JSONValue, file: String) throws -> [String: String] {
        guard let members = value.objectValue else {
            throw CheckpointError.malformedEntry(file: file, tensor: "__metadata__", detail: "is \(value.kindDescription), not an object")
        }
        var result: [String: String] = [:]
        for (key, item) in members {
            guard let text = item.stringValue else {
                throw CheckpointError.malformedEntry(
                    file: file, tensor: "__metadata__", detail: "maps '\(key)' to \(item.kindDescription), not a string")
            }
            result[key] = text
        }
        return result
    }

    /// One tensor entry, checked on its own: fields present and typed, dtype known, byte range
    /// inside the data region and exactly as long as shape × element size.
    private static func entry(named name: String, from value: JSONValue, dataSize: Int, file: String) throws -> SafeTensorsFile.Entry {
        func malformed(_ detail: String) -> CheckpointError {
            .malformedEntry(file: file, tensor: name, detail: detail)
        }
        guard let fields = value.objectValue else { throw malformed("is \(value.kindDescription), not an object") }
        guard let dtypeValue = fields["dtype"] else { throw malformed("has no 'dtype'") }
        guard let dtypeName = dtypeValue.stringValue else { throw malformed("has a 'dtype' that is \(dtypeValue.kindDescription), not a string") }
        guard let dtype = SafeTensors.DType(rawValue: dtypeName) else {
            throw CheckpointError.unknownDType(file: file, tensor: name, dtype: dtypeName)
        }
        guard let shapeValue = fields["shape"] else { throw malformed("has no 'shape'") }
        guard let shapeItems = shapeValue.arrayValue else { throw malformed("has a 'shape' that is \(shapeValue.kindDescription), not an array") }
        var shape: [Int] = []
        for item in shapeItems {
            guard let dimension = item.exactInteger, dimension >= 0 else {
                throw malformed("has a 'shape' entry \(item.serialized) that is not a non-negative integer")
            }
            shape.append(dimension)
        }
        guard let offsetsValue = fields["data_offsets"] else { throw malformed("has no 'data_offsets'") }
        guard let offsetItems = offsetsValue.arrayValue, offsetItems.count == 2,
              let begin = offsetItems[0].exactInteger, let end = offsetItems[1].exactInteger
        else { throw malformed("has 'data_offsets' \(offsetsValue.serialized), not a pair of integers") }
        guard begin >= 0, begin <= end, end <= dataSize else {
            throw CheckpointError.offsetsOutOfRange(file: file, tensor: name, begin: begin, end: end, dataSize: dataSize)
        }
        // Elements × size with overflow checks (the crate's `ValidationOverflow`).
        var byteCount = dtype.byteCount
        var overflow = false
        for dimension in shape {
            let (product, didOverflow) = byteCount.multipliedReportingOverflow(by: dimension)
            byteCount = product
            overflow = overflow || didOverflow
        }
        guard !overflow, byteCount == end - begin else {
            throw CheckpointError.sizeMismatch(file: file, tensor: name, shape: shape, dtype: dtypeName, byteCount: end - begin)
        }
        return SafeTensorsFile.Entry(dtype: dtype, shape: shape, byteRange: begin..<end)
    }

    /// The byte ranges, in order, must tile the data region exactly: start at 0, each begin
    /// where the previous ended, the last end at the end of the file (`Metadata::validate` and
    /// the `MetadataIncompleteBuffer` check of the crate).
    private static func checkCoverage(_ entries: [String: SafeTensorsFile.Entry], dataSize: Int, file: String) throws {
        let ordered = entries.sorted {
            ($0.value.byteRange.lowerBound, $0.value.byteRange.upperBound, $0.key)
                < ($1.value.byteRange.lowerBound, $1.value.byteRange.upperBound, $1.key)
        }
        var cursor = 0
        var previous: String?
        for (name, entry) in ordered {
            let range = entry.byteRange
            if range.lowerBound > cursor {
                throw CheckpointError.uncoveredData(file: file, offset: cursor, byteCount: range.lowerBound - cursor)
            }
            if range.lowerBound < cursor, let previous {
                throw CheckpointError.overlappingTensors(file: file, first: previous, second: name)
            }
            cursor = range.upperBound
            previous = name
        }
        if cursor < dataSize {
            throw CheckpointError.uncoveredData(file: file, offset: cursor, byteCount: dataSize - cursor)
        }
    }

    private static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// One line from a JSON decoding error.
    private static func summary(of error: Error) -> String {
        if case let DecodingError.dataCorrupted(context) = error {
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        }
        return "\(error)"
    }
}
