import Foundation

/// Typed access to one JSON object of a config file, with errors that name the file and the
/// field's full path (`config.json: model_args.embed_dim is a string, expected an integer`).
///
/// Absent fields and JSON `null` both read as nil, as Python's `dict.get` + `None` defaults
/// treat them in timm and transformers.
struct ConfigFields {
    let file: String
    /// Dotted path of this object inside the file, "" at the top.
    let path: String
    let members: [String: JSONValue]

    /// Parses `url` as a JSON object.
    init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CheckpointError.unreadable(file: url.path, reason: error.localizedDescription)
        }
        let root: JSONValue
        do {
            root = try JSONValue.parse(data)
        } catch {
            throw CheckpointError.invalidConfig(file: url.path, detail: "not valid JSON")
        }
        guard let members = root.objectValue else {
            throw CheckpointError.invalidConfig(file: url.path, detail: "the top level is \(root.kindDescription), not an object")
        }
        self.init(file: url.path, path: "", members: members)
    }

    init(file: String, path: String, members: [String: JSONValue]) {
        self.file = file
        self.path = path
        self.members = members
    }

    func fieldName(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func value(_ key: String) -> JSONValue? {
        guard let value = members[key], !value.isNull else { return nil }
        return value
    }

    func has(_ key: String) -> Bool { value(key) != nil }

    func invalid(_ key: String, _ problem: String) -> CheckpointError {
        .invalidConfig(file: file, detail: "\(fieldName(key)) \(problem)")
    }

    private func mismatch(_ key: String, _ value: JSONValue, expected: String) -> CheckpointError {
        invalid(key, "is \(value.kindDescription), expected \(expected)")
    }

    func int(_ key: String) throws -> Int? {
        guard let value = value(key) else { return nil }
        guard let number = value.exactInteger else { throw mismatch(key, value, expected: "an integer") }
        return number
    }

    func double(_ key: String) throws -> Double? {
        guard let value = value(key) else { return nil }
        guard let number = value.numberValue else { throw mismatch(key, value, expected: "a number") }
        return number
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = value(key) else { return nil }
        guard let flag = value.boolValue else { throw mismatch(key, value, expected: "true or false") }
        return flag
    }

    func string(_ key: String) throws -> String? {
        guard let value = value(key) else { return nil }
        guard let text = value.stringValue else { throw mismatch(key, value, expected: "a string") }
        return text
    }

    func object(_ key: String) throws -> ConfigFields? {
        guard let value = value(key) else { return nil }
        guard let members = value.objectValue else { throw mismatch(key, value, expected: "an object") }
        return ConfigFields(file: file, path: fieldName(key), members: members)
    }

    /// A list of numbers; a single number is accepted as a list of one.
    func doubles(_ key: String) throws -> [Double]? {
        guard let value = value(key) else { return nil }
        if let number = value.numberValue { return [number] }
        guard let items = value.arrayValue else { throw mismatch(key, value, expected: "a list of numbers") }
        return try items.map {
            guard let number = $0.numberValue else { throw mismatch(key, $0, expected: "a list of numbers") }
            return number
        }
    }

    /// A list of integers.
    func ints(_ key: String) throws -> [Int]? {
        guard let value = value(key) else { return nil }
        guard let items = value.arrayValue else { throw mismatch(key, value, expected: "a list of integers") }
        return try items.map {
            guard let number = $0.exactInteger else { throw mismatch(key, $0, expected: "a list of integers") }
            return number
        }
    }

    /// A size given as one integer (square) or as [height, width], as timm's `to_2tuple` and
    /// transformers' `image_size` accept; both must be positive.
    func size(_ key: String) throws -> (height: Int, width: Int)? {
        guard let value = value(key) else { return nil }
        if let side = value.exactInteger {
            guard side > 0 else { throw invalid(key, "must be positive, got \(side)") }
            return (side, side)
        }
        guard let items = value.arrayValue, items.count == 2,
              let height = items[0].exactInteger, let width = items[1].exactInteger
        else { throw mismatch(key, value, expected: "an integer or [height, width]") }
        guard height > 0, width > 0 else { throw invalid(key, "must be positive, got [\(height), \(width)]") }
        return (height, width)
    }

    /// Class names given as a list, or as an object from index ("0", "1", ...) to name; the
    /// indices must be exactly 0..<n.
    func classNames(_ key: String) throws -> [String]? {
        guard let value = value(key) else { return nil }
        if let items = value.arrayValue {
            return try items.map {
                guard let name = $0.stringValue else { throw mismatch(key, $0, expected: "a list of strings") }
                return name
            }
        }
        guard let members = value.objectValue else { throw mismatch(key, value, expected: "a list or an object of names") }
        var byIndex: [Int: String] = [:]
        for (indexText, item) in members {
            guard let index = Int(indexText), index >= 0 else {
                throw invalid(key, "has key '\(indexText)', expected class indices 0, 1, ...")
            }
            guard let name = item.stringValue else { throw mismatch(key, item, expected: "an object of names") }
            byIndex[index] = name
        }
        let count = byIndex.count
        guard (0..<count).allSatisfy({ byIndex[$0] != nil }) else {
            throw invalid(key, "has indices \(byIndex.keys.sorted()), expected 0..<\(count)")
        }
        return (0..<count).map { byIndex[$0]! }
    }
}
