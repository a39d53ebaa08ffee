import Foundation
import VitRel

/// One method's or metric's settings as run.json records them: a JSON object, field by field
/// (`MethodSettings`, or the metric struct itself), so that a mismatch on resume names the
/// field and the report prints them readably.
///
/// Folders written before settings were structured hold one line of text instead
/// (`String(describing:)` of the metric, "start-layer 0" for a method). Such a record is read
/// as `text`; the current settings carry the same kind of line (`legacyText`, never written),
/// so resuming an old folder with unchanged settings still works.
package struct RecordedSettings: Codable, Equatable {
    /// The fields; nil when read from an older folder.
    package var fields: [String: JSONValue]?
    /// The one-line form: read from an older folder, or made for the current settings to
    /// compare with one (then not written).
    package var legacyText: String?

    package init(_ settings: some Encodable, legacyText: String) throws {
        guard case let .object(fields) = try JSONValue(encoding: settings) else {
            preconditionFailure("settings must encode as a JSON object: \(settings)")
        }
        self.fields = fields
        self.legacyText = legacyText
    }

    package init(fields: [String: JSONValue]) {
        self.fields = fields
    }

    package init(legacyText: String) {
        self.legacyText = legacyText
    }

    package init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            legacyText = text
        } else {
            fields = try container.decode([String: JSONValue].self)
        }
    }

    package func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        if let fields { try container.encode(fields) } else { try container.encode(legacyText ?? "") }
    }

    package static func == (lhs: RecordedSettings, rhs: RecordedSettings) -> Bool {
        lhs.differences(from: rhs).isEmpty
    }

    /// What differs from `previous` (an earlier run's record), one phrase per field:
    /// "patchSize 16 before, 8 now". A record from an older folder is compared as text.
    package func differences(from previous: RecordedSettings) -> [String] {
        guard let fields, let before = previous.fields else {
            let now = legacyText ?? readable, then = previous.legacyText ?? previous.readable
            return now == then ? [] : ["\(then) before (recorded by an earlier vitrel), \(now) now"]
        }
        let now = Self.flattened(fields), then = Self.flattened(before)
        return Set(now.keys).union(then.keys).sorted().compactMap { path in
            let a = then[path], b = now[path]
            guard a != b else { return nil }
            return "\(path) \(a.map(Self.text) ?? "absent") before, \(b.map(Self.text) ?? "absent") now"
        }
    }

    /// The settings for a reader: "baseline noise:0.1, patchSize 16, preprocessing (absolute
    /// false, normalise true), seed 42"; "no settings" for none.
    package var readable: String {
        guard let fields else { return legacyText ?? "" }
        return fields.isEmpty ? "none" : Self.readable(fields)
    }

    private static func readable(_ object: [String: JSONValue]) -> String {
        object.keys.sorted().map { key in
            if case let .object(inner) = object[key]! { return "\(key) (\(readable(inner)))" }
            return "\(key) \(text(object[key]!))"
        }.joined(separator: ", ")
    }

    /// A value as the reports print it: strings bare, numbers and lists as JSON writes them.
    private static func text(_ value: JSONValue) -> String {
        switch value {
        case let .string(text): return text
        case let .array(values): return "[" + values.map(text).joined(separator: ", ") + "]"
        case let .object(members): return "(" + readable(members) + ")"
        default: return value.serialized
        }
    }

    /// Nested objects as dotted paths ("preprocessing.positiveOnly").
    private static func flattened(_ object: [String: JSONValue], prefix: String = "") -> [String: JSONValue] {
        var flat = [String: JSONValue]()
        for (key, value) in object {
            if case let .object(inner) = value {
                flat.merge(flattened(inner, prefix: prefix + key + ".")) { a, _ in a }
            } else {
                flat[prefix + key] = value
            }
        }
        return flat
    }
}
