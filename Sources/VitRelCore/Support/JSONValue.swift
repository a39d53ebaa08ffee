import Foundation

/// A parsed JSON document, kept as the file wrote it.
///
/// Checkpoint headers and configs are read into this enum rather than `JSONSerialization`'s
/// `Any` because `NSNumber` blurs `true` with `1` and `1.0` with `1`: a hostile or sloppy file
/// must not get `true` accepted as a tensor dimension. Numbers are Doubles (JSON has one
/// number type); `exactInteger` admits only integral values below 2⁵³, which covers every
/// offset a real file can hold. Foundation's decoder caps nesting depth, so a header made of
/// a million `[` fails cleanly instead of overflowing the stack.
package enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    package init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Parses `data`; the error's text is Foundation's own account of what is wrong.
    package static func parse(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    package var objectValue: [String: JSONValue]? {
        if case let .object(value) = self { return value }
        return nil
    }

    package var arrayValue: [JSONValue]? {
        if case let .array(value) = self { return value }
        return nil
    }

    package var stringValue: String? {
        if case let .string(value) = self { return value }
        return nil
    }

    package var boolValue: Bool? {
        if case let .bool(value) = self { return value }
        return nil
    }

    package var numberValue: Double? {
        if case let .number(value) = self { return value }
        return nil
    }

    package var isNull: Bool { self == .null }

    /// The number as an Int when it is integral and exactly representable (|x| < 2⁵³).
    package var exactInteger: Int? {
        guard case let .number(value) = self, value.rounded() == value, abs(value) < 0x1p53 else { return nil }
        return Int(value)
    }

    /// What the value is, for error messages ("a string", "an array", ...).
    package var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

extension JSONValue {
    /// Compact JSON text for this value, escaped as serde_json escapes strings (the writer of
    /// the reference safetensors crate), keys in sorted order so output is reproducible.
    /// Integral numbers print without a fraction; others with Swift's shortest round-trip form.
    package var serialized: String {
        switch self {
        case .null: return "null"
        case let .bool(value): return value ? "true" : "false"
        case let .number(value):
            if value.rounded() == value && abs(value) < 0x1p53 { return String(Int(value)) }
            return "\(value)"
        case let .string(value): return JSONValue.quoted(value)
        case let .array(values): return "[" + values.map(\.serialized).joined(separator: ",") + "]"
        case let .object(members):
            return "{" + members.keys.sorted().map { JSONValue.quoted($0) + ":" + members[$0]!.serialized }
                .joined(separator: ",") + "}"
        }
    }

    /// Indented JSON text (two spaces, sorted keys, a final newline), as `json.dump(indent=2)`
    /// lays out timm's config.json; arrays of scalars stay on one line.
    package var prettySerialized: String { pretty(level: 0) + "\n" }

    private func pretty(level: Int) -> String {
        let inner = String(repeating: "  ", count: level + 1)
        let outer = String(repeating: "  ", count: level)
        switch self {
        case let .array(values) where values.contains(where: { $0.objectValue != nil || $0.arrayValue != nil }):
            return "[\n" + values.map { inner + $0.pretty(level: level + 1) }.joined(separator: ",\n") + "\n\(outer)]"
        case let .array(values):
            return "[" + values.map(\.serialized).joined(separator: ", ") + "]"
        case let .object(members) where !members.isEmpty:
            return "{\n" + members.keys.sorted().map { inner + JSONValue.quoted($0) + ": " + members[$0]!.pretty(level: level + 1) }
                .joined(separator: ",\n") + "\n\(outer)}"
        default:
            return serialized
        }
    }

    /// A JSON string literal: `"` and `\` escaped, control characters as serde_json writes them
    /// (`\b \f \n \r \t`, others `\u00xx`), everything else verbatim UTF-8.
    /// Python's `json.dumps(ensure_ascii=False)` writes the same, so the notebook writer
    /// (`JupyterJSON`) uses it too.
    package static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension JSONValue: Encodable {
    package func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case let .bool(value): try container.encode(value)
        case let .number(value):
            // Integral numbers as integers, so a count reads "16", not "16.0".
            if value.rounded() == value && abs(value) < 0x1p53 { try container.encode(Int(value)) } else { try container.encode(value) }
        case let .string(value): try container.encode(value)
        case let .array(values): try container.encode(values)
        case let .object(members): try container.encode(members)
        }
    }

    /// The JSON form of `value` as `JSONEncoder` writes it (a settings struct becomes an object).
    package init(encoding value: some Encodable) throws {
        self = try JSONValue.parse(try JSONEncoder().encode(value))
    }
}
