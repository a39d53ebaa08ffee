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
/// - the bytes are those `nbformat.write` gives (`JupyterJSON`), so opening and saving the
///   notebook in Jupyter changes nothing.
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

    /// `text` as Jupyter stores multi-line strings: split after each line break, the break kept
    /// ("a\nb\n" → ["a\n", "b\n"]); "" → []. Breaks are those of Python's
    /// `str.splitlines(True)`, which nbformat's `split_lines` uses: \n, \r\n, \r, \v, \f,
    /// \u{1C}–\u{1E}, \u{85}, \u{2028}, \u{2029}.
    public static func lines(_ text: String) -> [String] {
        var lines = [String](), current = ""
        for character in text {
            current.append(character)
            // Swift's Character keeps "\r\n" as one, as splitlines does.
            if character.isNewline || ["\u{1C}", "\u{1D}", "\u{1E}"].contains(character) {
                lines.append(current)
                current = ""
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// The id of cell `index`: unique, stable, and within the schema's `^[a-zA-Z0-9-_]+$`, 1–64.
    public static func cellID(_ index: Int) -> String { "cell-\(index)" }

    /// The notebook as JSON bytes, exactly as `nbformat.write` would write it.
    public func encoded() -> Data {
        Data(json.document.utf8)
    }

    /// Writes the notebook; a failure is a one-line `ReportError` naming the file.
    public func write(to url: URL) throws {
        try ReportError.write(encoded(), to: url)
    }
}

// MARK: - The nbformat 4.5 JSON document

extension Notebook {
    /// The whole document: cells, metadata, format version.
    var json: JupyterJSON {
        var languageInfo: [String: JupyterJSON] = ["name": .string("python")]
        if let pythonVersion { languageInfo["version"] = .string(pythonVersion) }
        return .object([
            "cells": .array(cells.enumerated().map { Self.json($1, id: Self.cellID($0)) }),
            "metadata": .object([
                "kernelspec": .object([
                    "display_name": .string(kernelDisplayName), "language": .string("python"), "name": .string("python3"),
                ]),
                "language_info": .object(languageInfo),
            ]),
            "nbformat": .integer(4),
            "nbformat_minor": .integer(5),
        ])
    }

    static func lineArray(_ text: String) -> JupyterJSON { .array(lines(text).map(JupyterJSON.string)) }

    static func json(_ cell: Cell, id: String) -> JupyterJSON {
        switch cell {
        case .markdown(let text):
            return .object(["cell_type": .string("markdown"), "id": .string(id), "metadata": .object([:]), "source": lineArray(text)])
        case .code(let source, let outputs, let count):
            // The schema requires execution_count, null for a cell never run.
            let executionCount = count.map(JupyterJSON.integer) ?? .null
            return .object([
                "cell_type": .string("code"), "execution_count": executionCount, "id": .string(id), "metadata": .object([:]),
                "outputs": .array(outputs.map { json($0, executionCount: executionCount) }), "source": lineArray(source),
            ])
        }
    }

    static func json(_ output: Output, executionCount: JupyterJSON) -> JupyterJSON {
        switch output {
        case .stream(let name, let text):
            return .object(["name": .string(name.rawValue), "output_type": .string("stream"), "text": lineArray(text)])
        case .displayData(let bundle):
            return .object(["data": json(bundle), "metadata": .object([:]), "output_type": .string("display_data")])
        case .executeResult(let bundle):
            return .object([
                "data": json(bundle), "execution_count": executionCount, "metadata": .object([:]),
                "output_type": .string("execute_result"),
            ])
        }
    }

    static func json(_ bundle: MimeBundle) -> JupyterJSON {
        var data = [String: JupyterJSON]()
        if let png = bundle.png { data["image/png"] = .string(png.base64EncodedString()) }
        if let html = bundle.html { data["text/html"] = lineArray(html) }
        if let text = bundle.plainText { data["text/plain"] = lineArray(text) }
        return .object(data)
    }
}
