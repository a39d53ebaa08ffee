/// A GitHub-flavoured Markdown table (GFM spec, "Tables (extension)"): a header row, the
/// delimiter row that sets each column's alignment, then the body rows — for README
/// summaries and PR descriptions of `vitrel compare` results that render as tables on GitHub
/// and still read as a table in a terminal, because every column is padded to its widest cell
/// (on the side its alignment says).
///
/// A "|" in a cell is escaped as "\|" (GFM's rule, so it does not end the cell) and line
/// breaks become spaces (a table row is one line).
///
/// ```swift
/// MarkdownTable(header: ["method", "AOPC"], rows: [["lime", "0.31"]], alignments: [.left, .right]).markdown
/// // | method | AOPC |
/// // | :----- | ---: |
/// // | lime   | 0.31 |
/// ```
public struct MarkdownTable: Equatable, Sendable {
    public enum Alignment: Equatable, Sendable {
        /// No colon: the renderer's default (left on GitHub).
        case none
        case left
        case center
        case right
    }

    public var header: [String]
    public var rows: [[String]]
    public var alignments: [Alignment]

    /// `alignments` defaults to `.none` for every column; rows shorter than the header are
    /// padded with empty cells.
    public init(header: [String], rows: [[String]], alignments: [Alignment]? = nil) {
        precondition(!header.isEmpty, "a Markdown table needs at least one column")
        precondition(
            rows.allSatisfy { $0.count <= header.count }, "a Markdown table row has more cells than the \(header.count) columns")
        precondition(alignments == nil || alignments!.count == header.count, "one alignment per column")
        self.header = header
        self.rows = rows.map { $0 + [String](repeating: "", count: header.count - $0.count) }
        self.alignments = alignments ?? [Alignment](repeating: .none, count: header.count)
    }

    /// A cell's text as it goes between the pipes.
    public static func escape(_ cell: String) -> String {
        cell.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).joined(separator: " ")
            .replacingOccurrences(of: "|", with: "\\|")
    }

    /// The table, one line per row, each ending in "\n".
    public var markdown: String {
        let head = header.map(Self.escape), body = rows.map { $0.map(Self.escape) }
        // At least 3 wide: the delimiter row needs three characters ("---", ":-:").
        let widths = head.indices.map { column in max(3, ([head] + body).map { $0[column].count }.max()!) }
        func line(_ cells: [String]) -> String {
            "| " + cells.enumerated().map { column, text in
                let padding = widths[column] - text.count
                switch alignments[column] {
                case .right: return String(repeating: " ", count: padding) + text
                case .center: return String(repeating: " ", count: padding / 2) + text + String(repeating: " ", count: padding - padding / 2)
                case .left, .none: return text + String(repeating: " ", count: padding)
                }
            }.joined(separator: " | ") + " |\n"
        }
        let delimiter = alignments.enumerated().map { column, alignment -> String in
            let width = widths[column]
            switch alignment {
            case .none: return String(repeating: "-", count: width)
            case .left: return ":" + String(repeating: "-", count: width - 1)
            case .right: return String(repeating: "-", count: width - 1) + ":"
            case .center: return ":" + String(repeating: "-", count: width - 2) + ":"
            }
        }
        return line(head) + "| " + delimiter.joined(separator: " | ") + " |\n" + body.map(line).joined()
    }
}
