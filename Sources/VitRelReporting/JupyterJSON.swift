/// A JSON value written byte for byte as Jupyter writes notebooks: nbformat's `JSONWriter`
/// calls Python's `json.dumps(nb, indent=1, sort_keys=True, separators=(",", ": "),
/// ensure_ascii=False)` and `nbformat.write` ends the file with "\n".
///
/// Matching that exactly (rather than Foundation's pretty printer, which writes `"key" : value`
/// and escapes "/") means a notebook vitrel writes is unchanged when Jupyter opens and saves
/// it, so committed reports give clean diffs.
///
/// Python's rules reproduced: keys sorted by code point; one space of indentation per level;
/// `{}` and `[]` for empty containers; strings escape `"` `\` and the controls (\n \r \t \b \f
/// by name, the rest as \u00XX), and nothing else (no "/", no non-ASCII).
enum JupyterJSON: Equatable, Sendable {
    case null
    case integer(Int)
    case string(String)
    case array([JupyterJSON])
    case object([String: JupyterJSON])

    /// The document as nbformat writes it, final newline included.
    var document: String {
        var text = ""
        write(into: &text, depth: 0)
        return text + "\n"
    }

    private func write(into text: inout String, depth: Int) {
        switch self {
        case .null:
            text += "null"
        case .integer(let value):
            text += String(value)
        case .string(let value):
            text += JSONValue.quoted(value)
        case .array(let items):
            guard !items.isEmpty else { text += "[]"; return }
            text += "["
            for (index, item) in items.enumerated() {
                text += (index == 0 ? "\n" : ",\n") + String(repeating: " ", count: depth + 1)
                item.write(into: &text, depth: depth + 1)
            }
            text += "\n" + String(repeating: " ", count: depth) + "]"
        case .object(let members):
            guard !members.isEmpty else { text += "{}"; return }
            text += "{"
            // Python sorts str keys by code point.
            let keys = members.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
            for (index, key) in keys.enumerated() {
                text += (index == 0 ? "\n" : ",\n") + String(repeating: " ", count: depth + 1)
                text += JSONValue.quoted(key)
                text += ": "
                members[key]!.write(into: &text, depth: depth + 1)
            }
            text += "\n" + String(repeating: " ", count: depth) + "}"
        }
    }
}
