/// Comma-separated values as RFC 4180 writes them, so that pandas, R and spreadsheets read
/// `results.csv` without options: fields holding a comma, a quote, CR or LF are quoted, quotes
/// doubled; lines end in LF.
public enum CSVFormat {
    /// One field, quoted when it must be.
    public static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One record, without the line end.
    public static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",")
    }

    /// The records of `text`. A record may span lines inside quotes; a final record without
    /// its line end is returned as well (callers that append records check `text` ends in LF).
    ///
    /// - Throws: `CSVError.unterminatedQuote` when the text ends inside a quoted field.
    public static func records(_ text: String) throws -> [[String]] {
        var records = [[String]]()
        var fields = [String]()
        var field = ""
        var inQuotes = false
        var fieldWasQuoted = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = iterator.next()
        var line = 1
        func endField() {
            fields.append(field)
            field = ""
            fieldWasQuoted = false
        }
        while let scalar = pending {
            pending = iterator.next()
            if inQuotes {
                if scalar == "\"" {
                    if pending == "\"" {
                        field.unicodeScalars.append("\"")
                        pending = iterator.next()
                    } else {
                        inQuotes = false
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty && !fieldWasQuoted:
                inQuotes = true
                fieldWasQuoted = true
            case ",":
                endField()
            case "\r" where pending == "\n":
                continue
            case "\n":
                endField()
                records.append(fields)
                fields = []
                line += 1
            default:
                field.unicodeScalars.append(scalar)
            }
        }
        if inQuotes { throw CSVError.unterminatedQuote(line: line) }
        if !field.isEmpty || !fields.isEmpty || fieldWasQuoted {
            endField()
            records.append(fields)
        }
        return records
    }
}

/// A CSV text that cannot be parsed.
public enum CSVError: Error, Equatable, CustomStringConvertible {
    case unterminatedQuote(line: Int)

    public var description: String {
        switch self {
        case .unterminatedQuote(let line): return "a quoted field opened on or before line \(line) is never closed"
        }
    }
}
