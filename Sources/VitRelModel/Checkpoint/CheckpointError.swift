import Foundation

/// Everything that can be wrong with a checkpoint a user brings: a safetensors file, a timm
/// folder or a Hugging Face folder.
///
/// Every case names the file it is about (a path, as the user typed it or as the folder
/// joins it) and `description` is one line, so the CLI can print it as is. The safetensors
/// cases mirror the checks of the reference Rust crate (huggingface/safetensors,
/// `safetensors/src/tensor.rs`: `HeaderTooSmall`, `HeaderTooLarge`, `InvalidHeaderLength`,
/// `InvalidHeaderDeserialization`, `InvalidOffset`, `TensorInvalidInfo`,
/// `MetadataIncompleteBuffer`, `ValidationOverflow`), with the tensor and the numbers spelled out.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    // MARK: Files
    /// The file or folder could not be opened or read.
    case unreadable(file: String, reason: String)
    /// A folder lacks a file its layout needs (`config.json`, `model.safetensors`, ...).
    case missingFile(directory: String, name: String, hint: String?)
    /// Writing failed.
    case unwritable(file: String, reason: String)
    /// A model written into a folder that already holds one (a conversion never overwrites).
    case wouldOverwrite(file: String)

    // MARK: safetensors structure
    /// Fewer than the 8 bytes that hold the header length.
    case fileTooShort(file: String, size: Int)
    /// The header length field points past the end of the file.
    case headerLengthBeyondFile(file: String, headerLength: UInt64, fileSize: Int)
    /// The header length exceeds the reference crate's 100 MB limit.
    case headerTooLarge(file: String, headerLength: UInt64)
    /// The header is not UTF-8 JSON with an object at the top.
    case headerNotJSON(file: String, detail: String)
    /// A tensor entry lacks a field or has one of the wrong type.
    case malformedEntry(file: String, tensor: String, detail: String)
    /// A dtype string the safetensors format does not define.
    case unknownDType(file: String, tensor: String, dtype: String)
    /// A defined dtype that vitrel cannot read as real numbers (integers, bool, FP8).
    case unsupportedDType(file: String, tensor: String, dtype: String)
    /// Elements × element size differs from the byte range (or overflows).
    case sizeMismatch(file: String, tensor: String, shape: [Int], dtype: String, byteCount: Int)
    /// A byte range that ends before it begins or past the data region.
    case offsetsOutOfRange(file: String, tensor: String, begin: Int, end: Int, dataSize: Int)
    /// Two tensors claim the same bytes.
    case overlappingTensors(file: String, first: String, second: String)
    /// Bytes of the data region that no tensor covers (the crate's `InvalidOffset` /
    /// `MetadataIncompleteBuffer`): `offset` is where the uncovered bytes start.
    case uncoveredData(file: String, offset: Int, byteCount: Int)
    /// A tensor name asked for that the file does not hold.
    case tensorNotFound(file: String, tensor: String)

    // MARK: Configs and weights
    /// A config field is missing, of the wrong type or out of range.
    case invalidConfig(file: String, detail: String)
    /// A config asks for something vitrel does not implement (a pooling, a norm placement...).
    case unsupportedConfig(file: String, detail: String)
    /// An architecture name outside the timm families of `ViTConfig.timmFamily`.
    case unknownArchitecture(file: String, name: String)
    /// Weights the config implies but the file lacks.
    case missingTensors(file: String, names: [String])
    /// Weights the file holds but the config does not use.
    case unexpectedTensors(file: String, names: [String])
    /// A weight whose shape differs from the one the config implies.
    case wrongShape(file: String, tensor: String, expected: [Int], found: [Int])

    public var description: String { Self.oneLine(message) }

    private var message: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read (\(reason))"
        case let .missingFile(directory, name, hint):
            return "\(directory): no \(name) in this folder" + (hint.map { " (\($0))" } ?? "")
        case let .unwritable(file, reason):
            return "\(file): cannot write (\(reason))"
        case let .wouldOverwrite(file):
            return "\(file): exists; write the model into a new folder"
        case let .fileTooShort(file, size):
            return "\(file): \(size) bytes is too short for a safetensors file (the header length alone takes 8)"
        case let .headerLengthBeyondFile(file, headerLength, fileSize):
            return "\(file): header length \(headerLength) runs past the end of the \(fileSize)-byte file"
        case let .headerTooLarge(file, headerLength):
            return "\(file): header length \(headerLength) exceeds the 100000000-byte limit of the safetensors format"
        case let .headerNotJSON(file, detail):
            return "\(file): safetensors header is not a JSON object (\(detail))"
        case let .malformedEntry(file, tensor, detail):
            return "\(file): tensor '\(tensor)' \(detail)"
        case let .unknownDType(file, tensor, dtype):
            return "\(file): tensor '\(tensor)' has unknown dtype '\(dtype)'"
        case let .unsupportedDType(file, tensor, dtype):
            return "\(file): tensor '\(tensor)' has dtype \(dtype); only F64, F32, F16 and BF16 can be read as real numbers"
        case let .sizeMismatch(file, tensor, shape, dtype, byteCount):
            return "\(file): tensor '\(tensor)' of shape \(shape) and dtype \(dtype) does not fit its \(byteCount)-byte range"
        case let .offsetsOutOfRange(file, tensor, begin, end, dataSize):
            return "\(file): tensor '\(tensor)' has data offsets [\(begin), \(end)] outside the \(dataSize)-byte data region"
        case let .overlappingTensors(file, first, second):
            return "\(file): tensors '\(first)' and '\(second)' overlap"
        case let .uncoveredData(file, offset, byteCount):
            return "\(file): \(byteCount) bytes of the data region at offset \(offset) belong to no tensor"
        case let .tensorNotFound(file, tensor):
            return "\(file): no tensor named '\(tensor)'"
        case let .invalidConfig(file, detail):
            return "\(file): \(detail)"
        case let .unsupportedConfig(file, detail):
            return "\(file): not supported: \(detail)"
        case let .unknownArchitecture(file, name):
            return "\(file): unknown architecture '\(name)' (vitrel reads timm's vit_{tiny,small,base,large}_patch{8,16,32}_{224,384}, vit_*_patch14_[reg4_]dinov2, deit_*, deit3_*, vit_{base,large,huge}_patch{14,16,32}_clip_[quickgelu_]{res}, and model_args overriding them)"
        case let .missingTensors(file, names):
            return "\(file): missing \(names.count == 1 ? "tensor" : "\(names.count) tensors") \(Self.list(names))"
        case let .unexpectedTensors(file, names):
            return "\(file): unexpected \(names.count == 1 ? "tensor" : "\(names.count) tensors") \(Self.list(names))"
        case let .wrongShape(file, tensor, expected, found):
            return "\(file): tensor '\(tensor)' has shape \(found), expected \(expected)"
        }
    }

    /// Hostile files can put line breaks into tensor names; the message must stay one line.
    private static func oneLine(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}" {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// Names in one line: the first few, then how many more.
    private static func list(_ names: [String], shown: Int = 6) -> String {
        let head = names.prefix(shown).map { "'\($0)'" }.joined(separator: ", ")
        return names.count > shown ? "\(head) and \(names.count - shown) more" : head
    }
}
