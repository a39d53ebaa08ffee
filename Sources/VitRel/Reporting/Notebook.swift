import Foundation

/// A Jupyter notebook (nbformat 4.5) that vitrel writes with its results already in it:
/// markdown cells for the text, code cells with the Python that reproduces a step and the
/// outputs vitrel computed (text, PNG figures, HTML tables), so the report opens in Jupyter,
/// JupyterLab, VS Code or GitHub with everything shown and nothing to run.
///
/// The JSON follows the nbformat 4 schema (`nbformat.v4` `nbformat.v4.5.schema.json`), as
/// Jupyter writes it:
/// - every cell has an `id` (required since 4.5): `cell-<index>`, deterministic, so the same
///   report gives the same bytes;
/// - text (sources, streams, `text/plain`, `text/html`) is stored as a list of lines, each but
///   the last ending in "\n";
/// - `image/png` is base64 text in one string;
/// - `execute_result` outputs carry their cell's `execution_count`;
/// - keys sorted, two-space indentation, no escaped slashes (base64 and paths stay readable).
///
/// ```swift
/// var notebook = Notebook()
/// notebook.appendMarkdown("# AOPC by method")
/// notebook.appendCode("Image('aopc.png')", outputs: [.image(png: pngData, description: "AOPC box plot")])
/// try notebook.write(to: URL(fileURLWithPath: "report.ipynb"))
/// ```
public struct Notebook: Sendable {
    /// What a code cell printed or displayed.
    public enum Output: Equatable, Sendable {
        /// Text printed to `stdout` or `stderr` (`stream`).
        case stream(name: StreamName, text: String)
        /// A rich display (`display_data`): MIME type → content. Text types are stored as
        /// lines; `image/png` holds the PNG bytes and is stored as base64.
        case displayData(MimeBundle)
        /// The value of the cell's last expression (`execute_result`).
        case executeResult(MimeBundle)

        /// A figure: PNG bytes with a `text/plain` description (what Jupyter shows without images).
        public static func image(png: Data, description: String) -> Output {
            .displayData(MimeBundle(png: png, plainText: description))
        }

        /// A table or other HTML as the cell's result, with a plain-text fallback.
        public static func html(_ html: String, plainText: String) -> Output {
            .executeResult(MimeBundle(html: html, plainText: plainText))
        }
    }

    public enum StreamName: String, Sendable {
        case stdout
        case stderr
    }

    /// The representations of one output, keyed by MIME type (Jupyter's "mime bundle").
    public struct MimeBundle: Equatable, Sendable {
        /// PNG bytes (`image/png`).
        public var png: Data?
        /// `text/html`.
        public var html: String?
        /// `text/plain`.
        public var plainText: String?

        public init(png: Data? = nil, html: String? = nil, plainText: String? = nil) {
            precondition(png != nil || html != nil || plainText != nil, "a notebook output needs at least one representation")
            self.png = png
            self.html = html
            self.plainText = plainText
        }
    }

    public enum Cell: Equatable, Sendable {
        case markdown(String)
        /// `executionCount` is the number shown in `In [n]:`; nil for a cell never run.
        case code(source: String, outputs: [Output], executionCount: Int?)
    }

    public var cells: [Cell]
    /// `metadata.kernelspec.display_name` and `metadata.language_info.version`.
    public var kernelDisplayName: String
    public var pythonVersion: String?

    public init(cells: [Cell] = [], kernelDisplayName: String = "Python 3", pythonVersion: String? = nil) {
        self.cells = cells
        self.kernelDisplayName = kernelDisplayName
        self.pythonVersion = pythonVersion
    }

    public mutating func appendMarkdown(_ text: String) {
        cells.append(.markdown(text))
    }

    /// Appends a code cell numbered after the code cells before it (`In [1]`, `In [2]`, …).
    public mutating func appendCode(_ source: String, outputs: [Output] = []) {
        let previous = cells.filter { if case .code = $0 { return true } else { return false } }.count
        cells.append(.code(source: source, outputs: outputs, executionCount: previous + 1))
    }

    /// `text` as Jupyter stores multi-line strings: split after each "\n", the newline kept
    /// ("a\nb\n" → ["a\n", "b\n"]); "" → [].
    public static func lines(_ text: String) -> [String] {
        var lines = [String](), current = ""
        for character in text {
            current.append(character)
            if character == "\n" {
                lines.append(current)
                current = ""
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// The id of cell `index`: unique, stable, and within the schema's `^[a-zA-Z0-9-_]+$`, 1–64.
    public static func cellID(_ index: Int) -> String { "cell-\(index)" }

    /// The notebook as JSON bytes.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(Document(notebook: self))
        data.append(0x0A)  // a final newline, as Jupyter writes
        return data
    }

    /// Writes the notebook; a failure is a one-line `ReportError` naming the file.
    public func write(to url: URL) throws {
        let data: Data
        do {
            data = try encoded()
        } catch {
            throw ReportError.unwritable(file: url.path, reason: "cannot encode the notebook: \(error)")
        }
        try ReportError.write(data, to: url)
    }
}

// MARK: - The nbformat 4.5 JSON document

extension Notebook {
    /// The top level: cells, metadata, format version.
    private struct Document: Encodable {
        let notebook: Notebook

        enum Keys: String, CodingKey { case cells, metadata, nbformat, nbformat_minor }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            var cells = container.nestedUnkeyedContainer(forKey: .cells)
            for (index, cell) in notebook.cells.enumerated() {
                try cells.encode(EncodedCell(cell: cell, id: Notebook.cellID(index)))
            }
            try container.encode(
                Metadata(
                    kernelspec: .init(display_name: notebook.kernelDisplayName, language: "python", name: "python3"),
                    language_info: .init(name: "python", version: notebook.pythonVersion)),
                forKey: .metadata)
            try container.encode(4, forKey: .nbformat)
            try container.encode(5, forKey: .nbformat_minor)
        }
    }

    private struct Metadata: Encodable {
        struct KernelSpec: Encodable {
            let display_name: String
            let language: String
            let name: String
        }
        struct LanguageInfo: Encodable {
            let name: String
            let version: String?
        }
        let kernelspec: KernelSpec
        let language_info: LanguageInfo
    }

    /// An empty JSON object (`"metadata": {}`).
    private struct EmptyObject: Encodable {
        func encode(to encoder: Encoder) throws { _ = encoder.container(keyedBy: Keys.self) }
        enum Keys: CodingKey {}
    }

    private struct EncodedCell: Encodable {
        let cell: Cell
        let id: String

        enum Keys: String, CodingKey { case cell_type, execution_count, id, metadata, outputs, source }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(id, forKey: .id)
            try container.encode(EmptyObject(), forKey: .metadata)
            switch cell {
            case .markdown(let text):
                try container.encode("markdown", forKey: .cell_type)
                try container.encode(Notebook.lines(text), forKey: .source)
            case .code(let source, let outputs, let count):
                try container.encode("code", forKey: .cell_type)
                try container.encode(Notebook.lines(source), forKey: .source)
                // The schema requires the key, with null for a cell never run.
                if let count { try container.encode(count, forKey: .execution_count) } else {
                    try container.encodeNil(forKey: .execution_count)
                }
                try container.encode(outputs.map { EncodedOutput(output: $0, executionCount: count) }, forKey: .outputs)
            }
        }
    }

    private struct EncodedOutput: Encodable {
        let output: Output
        let executionCount: Int?

        enum Keys: String, CodingKey { case data, execution_count, metadata, name, output_type, text }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            switch output {
            case .stream(let name, let text):
                try container.encode("stream", forKey: .output_type)
                try container.encode(name.rawValue, forKey: .name)
                try container.encode(Notebook.lines(text), forKey: .text)
            case .displayData(let bundle):
                try container.encode("display_data", forKey: .output_type)
                try container.encode(EncodedBundle(bundle: bundle), forKey: .data)
                try container.encode(EmptyObject(), forKey: .metadata)
            case .executeResult(let bundle):
                try container.encode("execute_result", forKey: .output_type)
                try container.encode(EncodedBundle(bundle: bundle), forKey: .data)
                try container.encode(EmptyObject(), forKey: .metadata)
                if let executionCount { try container.encode(executionCount, forKey: .execution_count) } else {
                    try container.encodeNil(forKey: .execution_count)
                }
            }
        }
    }

    private struct EncodedBundle: Encodable {
        let bundle: MimeBundle

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            if let png = bundle.png { try container.encode(png.base64EncodedString(), forKey: Key(stringValue: "image/png")) }
            if let html = bundle.html { try container.encode(Notebook.lines(html), forKey: Key(stringValue: "text/html")) }
            if let text = bundle.plainText { try container.encode(Notebook.lines(text), forKey: Key(stringValue: "text/plain")) }
        }
    }
}
