import Foundation

/// A self-contained HTML page of results: headings, paragraphs, the commands that produced
/// them, tables, figures by relative path and links — one file with its CSS inline and no
/// scripts, fonts or other outside resources, so it opens offline, from a copied folder or an
/// archive, years later, exactly as written.
///
/// Every text given is escaped (`& < > " '`), so a file name or class name can never break
/// the page. Table columns whose cells are all numbers are right-aligned (so digits line up);
/// "n/a", "nan" and empty cells do not stop a column counting as numeric.
///
/// ```swift
/// var page = HTMLReport(title: "vitrel compare")
/// page.heading("AOPC")
/// page.command("vitrel compare --data covid --methods chefer-lrp,lime")
/// page.table(header: ["method", "AOPC"], rows: [["chefer-lrp", "0.412"], ["lime", "0.305"]])
/// page.image("figures/aopc.png", caption: "AOPC per class")
/// try page.write(to: URL(fileURLWithPath: "report.html"))
/// ```
public struct HTMLReport: Sendable {
    /// One piece of the page, in order.
    public enum Block: Equatable, Sendable {
        /// `<h2>`…`<h4>` for levels 2–4 (the title is the page's only `<h1>`).
        case heading(String, level: Int)
        case paragraph(String)
        /// A command line or other verbatim text, in a monospaced block.
        case preformatted(String)
        case table(header: [String], rows: [[String]], caption: String)
        /// An image by path relative to the page, with a caption under it, and links to the same
        /// figure in other formats (e.g. its SVG), each named by its file extension.
        case image(path: String, caption: String, otherFormats: [String])
        case link(text: String, href: String)
    }

    public var title: String
    public var blocks: [Block]

    public init(title: String, blocks: [Block] = []) {
        self.title = title
        self.blocks = blocks
    }

    public mutating func heading(_ text: String, level: Int = 2) {
        precondition((2...4).contains(level), "heading level \(level) outside 2…4")
        blocks.append(.heading(text, level: level))
    }

    public mutating func paragraph(_ text: String) { blocks.append(.paragraph(text)) }
    public mutating func command(_ text: String) { blocks.append(.preformatted(text)) }

    public mutating func table(header: [String], rows: [[String]], caption: String = "") {
        precondition(rows.allSatisfy { $0.count == header.count }, "every table row needs \(header.count) cells")
        blocks.append(.table(header: header, rows: rows, caption: caption))
    }

    public mutating func image(_ path: String, caption: String = "", otherFormats: [String] = []) {
        blocks.append(.image(path: path, caption: caption, otherFormats: otherFormats))
    }
    public mutating func link(_ text: String, to href: String) { blocks.append(.link(text: text, href: href)) }

    /// `text` with `& < > " '` replaced by entities: safe in element content and in quoted
    /// attribute values.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Whether a table cell reads as a number: a decimal (a true minus "−" allowed), with an
    /// optional "%" or "± …" part.
    public static func isNumeric(_ cell: String) -> Bool {
        let parts = cell.replacingOccurrences(of: "−", with: "-").split(separator: "±").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard (1...2).contains(parts.count) else { return false }
        // Only digits, sign, point and exponent: Double() alone would also take "inf", "nan", "0x1p3".
        let allowed = CharacterSet(charactersIn: "0123456789.+-eE")
        return parts.allSatisfy { part in
            let number = part.hasSuffix("%") ? String(part.dropLast()) : part
            return Double(number) != nil && number.unicodeScalars.allSatisfy(allowed.contains)
        }
    }

    /// Cells that count as neither number nor text when deciding a column's alignment.
    static func isMissing(_ cell: String) -> Bool {
        ["", "n/a", "nan", "NaN", "—", "-"].contains(cell.trimmingCharacters(in: .whitespaces))
    }

    /// Readable on screen and in print: a narrow column of system sans-serif text, tables with
    /// hairlines and tabular digits, figures no wider than the column.
    static let css = """
        body { font: 15px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1f1f1f; \
        max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
        h1 { font-size: 1.6rem; margin-bottom: 0.5rem; }
        h2 { font-size: 1.3rem; margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
        h3 { font-size: 1.1rem; margin-top: 1.5rem; }
        pre { background: #f5f5f5; border: 1px solid #e3e3e3; border-radius: 4px; padding: 0.6rem 0.8rem; overflow-x: auto; \
        font: 13px/1.4 ui-monospace, Menlo, Consolas, monospace; }
        table { border-collapse: collapse; margin: 1rem 0; font-variant-numeric: tabular-nums; }
        caption { caption-side: bottom; color: #616161; font-size: 0.9rem; padding-top: 0.3rem; text-align: left; }
        th, td { border-bottom: 1px solid #e3e3e3; padding: 0.25rem 0.7rem; text-align: left; }
        th { border-bottom: 2px solid #999; }
        .num { text-align: right; }
        figure { margin: 1.5rem 0; }
        figure img { max-width: 100%; height: auto; border: 1px solid #e3e3e3; }
        figcaption { color: #616161; font-size: 0.9rem; }
        a { color: #1f5fa8; }
        """

    /// The page.
    public var html: String {
        var lines = [
            "<!DOCTYPE html>",
            "<html lang=\"en\">",
            "<head>",
            "<meta charset=\"utf-8\">",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
            "<title>\(Self.escape(title))</title>",
            "<style>",
            Self.css,
            "</style>",
            "</head>",
            "<body>",
            "<h1>\(Self.escape(title))</h1>",
        ]
        for block in blocks { lines.append(Self.render(block)) }
        lines += ["</body>", "</html>", ""]
        return lines.joined(separator: "\n")
    }

    static func render(_ block: Block) -> String {
        switch block {
        case .heading(let text, let level):
            return "<h\(level)>\(escape(text))</h\(level)>"
        case .paragraph(let text):
            return "<p>\(escape(text))</p>"
        case .preformatted(let text):
            return "<pre><code>\(escape(text))</code></pre>"
        case .table(let header, let rows, let caption):
            let numeric = header.indices.map { column in
                let cells = rows.map { $0[column] }.filter { !isMissing($0) }
                return !cells.isEmpty && cells.allSatisfy(isNumeric)
            }
            func cell(_ tag: String, _ text: String, _ column: Int) -> String {
                "<\(tag)\(numeric[column] ? " class=\"num\"" : "")>\(escape(text))</\(tag)>"
            }
            var lines = ["<table>"]
            if !caption.isEmpty { lines.append("<caption>\(escape(caption))</caption>") }
            lines.append("<thead><tr>" + header.enumerated().map { cell("th", $1, $0) }.joined() + "</tr></thead>")
            lines.append("<tbody>")
            for row in rows { lines.append("<tr>" + row.enumerated().map { cell("td", $1, $0) }.joined() + "</tr>") }
            lines += ["</tbody>", "</table>"]
            return lines.joined(separator: "\n")
        case .image(let path, let caption, let otherFormats):
            // Percent-encode paths (spaces, '#', '?' in file names), then escape them.
            func reference(_ path: String) -> String { escape(path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path) }
            var lines = ["<figure>", "<img src=\"\(reference(path))\" alt=\"\(escape(caption))\">"]
            let links = otherFormats.map { other in
                "<a href=\"\(reference(other))\">\(escape(URL(fileURLWithPath: other).pathExtension.uppercased()))</a>"
            }
            let parts = (caption.isEmpty ? [] : [escape(caption)]) + links
            if !parts.isEmpty { lines.append("<figcaption>\(parts.joined(separator: " · "))</figcaption>") }
            lines.append("</figure>")
            return lines.joined(separator: "\n")
        case .link(let text, let href):
            return "<p><a href=\"\(escape(href))\">\(escape(text))</a></p>"
        }
    }

    /// Writes the page as UTF-8; a failure is a one-line `ReportError` naming the file.
    public func write(to url: URL) throws {
        try ReportError.write(Data(html.utf8), to: url)
    }
}
