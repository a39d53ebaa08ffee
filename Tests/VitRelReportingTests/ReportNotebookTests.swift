import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRelReporting

/// The Jupyter notebook writer: nbformat 4.5 structure, lines as Jupyter stores them, PNGs
/// that decode back to their bytes, deterministic output. (The schema itself is checked by
/// `python3 Tools/make_report_fixtures.py --validate-notebook PATH` on a notebook this suite
/// writes: set VITREL_KEEP_NOTEBOOK=PATH to keep a copy.)
final class ReportNotebookTests: XCTestCase {
    func samplePNG() throws -> Data {
        var canvas = Canvas(width: 12, height: 8, background: .white)
        canvas.fill(x: 2, y: 2, width: 5, height: 3, RGBColor(red: 0.8, green: 0.1, blue: 0.2))
        return try ImageIO.encodePNG(canvas.image)
    }

    func sampleNotebook() throws -> Notebook {
        var notebook = Notebook(pythonVersion: "3.11")
        notebook.appendMarkdown("# vitrel compare\r\n\nMethods × metrics on 3 classes.")  // a Windows line end too
        notebook.appendCode(
            "import pandas as pd\nprint(len(results))", outputs: [.stream(name: .stdout, text: "315\n")])
        notebook.appendCode(
            "from IPython.display import Image\nImage('aopc.png')",
            outputs: [.image(png: try samplePNG(), description: "<Figure: AOPC box plot>")])
        notebook.appendCode(
            "results.groupby('method').mean()",
            outputs: [.html("<table>\n<tr><td>0.41</td></tr>\n</table>", plainText: "method  aopc\nlime    0.41")])
        notebook.cells.append(.code(source: "", outputs: [], executionCount: nil))
        return notebook
    }

    func testJSONIsWrittenAsPythonsJsonDumpsWritesNotebooks() {
        // json.dumps(value, indent=1, sort_keys=True, separators=(",", ": "), ensure_ascii=False)
        let value = JupyterJSON.object([
            "b": .array([]), "a": .object(["y": .null, "x": .integer(1)]),
            "c": .array([.string("q\"\\/\n\tü\u{01}\u{2028}")]), "e": .object([:]), "B": .string("é"),
        ])
        let expected = [
            "{",
            #" "B": "é","#,
            #" "a": {"#,
            #"  "x": 1,"#,
            #"  "y": null"#,
            #" },"#,
            #" "b": [],"#,
            #" "c": ["#,
            #"  "q\"\\/\n\tü\u0001"# + "\u{2028}\"",
            #" ],"#,
            #" "e": {}"#,
            "}",
        ].joined(separator: "\n") + "\n"
        XCTAssertEqual(value.document, expected)
    }

    func parsed(_ notebook: Notebook) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: notebook.encoded()) as? [String: Any])
    }

    func testTextIsStoredAsLinesThatJoinBackToTheText() {
        XCTAssertEqual(Notebook.lines("a\nb"), ["a\n", "b"])
        XCTAssertEqual(Notebook.lines("a\nb\n"), ["a\n", "b\n"])
        XCTAssertEqual(Notebook.lines("\n\nx"), ["\n", "\n", "x"])
        XCTAssertEqual(Notebook.lines(""), [])
        // Python's 'a\r\nb\rc\u2028d\x1ce\x0bf'.splitlines(True):
        XCTAssertEqual(Notebook.lines("a\r\nb\rc\u{2028}d\u{1C}e\u{0B}f"), ["a\r\n", "b\r", "c\u{2028}", "d\u{1C}", "e\u{0B}", "f"])
        let text = "# t\n\n| a | b |\n|---|---|\nlast"
        XCTAssertEqual(Notebook.lines(text).joined(), text)
    }

    func testStructureIsNbformat45() throws {
        let json = try parsed(sampleNotebook())
        XCTAssertEqual(json["nbformat"] as? Int, 4)
        XCTAssertEqual(json["nbformat_minor"] as? Int, 5)
        let metadata = try XCTUnwrap(json["metadata"] as? [String: Any])
        let kernel = try XCTUnwrap(metadata["kernelspec"] as? [String: String])
        XCTAssertEqual(kernel, ["display_name": "Python 3", "language": "python", "name": "python3"])
        XCTAssertEqual(metadata["language_info"] as? [String: String], ["name": "python", "version": "3.11"])

        let cells = try XCTUnwrap(json["cells"] as? [[String: Any]])
        XCTAssertEqual(cells.count, 5)
        XCTAssertEqual(cells.map { $0["id"] as? String }, ["cell-0", "cell-1", "cell-2", "cell-3", "cell-4"])
        XCTAssertEqual(cells.map { $0["cell_type"] as? String }, ["markdown", "code", "code", "code", "code"])
        for cell in cells { XCTAssertEqual((cell["metadata"] as? [String: Any])?.count, 0) }

        XCTAssertEqual(cells[0]["source"] as? [String], ["# vitrel compare\r\n", "\n", "Methods × metrics on 3 classes."])
        XCTAssertNil(cells[0]["outputs"], "markdown cells have no outputs")
        XCTAssertNil(cells[0]["execution_count"])
        XCTAssertEqual(cells[1]["source"] as? [String], ["import pandas as pd\n", "print(len(results))"])
        XCTAssertEqual(cells.dropFirst().map { $0["execution_count"] as? Int }, [1, 2, 3, nil])
        XCTAssertTrue(cells[4]["execution_count"] is NSNull, "a cell never run has execution_count null")
        XCTAssertEqual(cells[4]["source"] as? [String], [])

        let stream = try XCTUnwrap((cells[1]["outputs"] as? [[String: Any]])?.first)
        XCTAssertEqual(stream["output_type"] as? String, "stream")
        XCTAssertEqual(stream["name"] as? String, "stdout")
        XCTAssertEqual(stream["text"] as? [String], ["315\n"])

        let display = try XCTUnwrap((cells[2]["outputs"] as? [[String: Any]])?.first)
        XCTAssertEqual(display["output_type"] as? String, "display_data")
        let displayData = try XCTUnwrap(display["data"] as? [String: Any])
        XCTAssertEqual(Set(displayData.keys), ["image/png", "text/plain"])
        XCTAssertEqual(displayData["text/plain"] as? [String], ["<Figure: AOPC box plot>"])
        XCTAssertNil(display["execution_count"], "display_data has no execution count")

        let result = try XCTUnwrap((cells[3]["outputs"] as? [[String: Any]])?.first)
        XCTAssertEqual(result["output_type"] as? String, "execute_result")
        XCTAssertEqual(result["execution_count"] as? Int, 3, "an execute_result carries its cell's count")
        let resultData = try XCTUnwrap(result["data"] as? [String: Any])
        XCTAssertEqual(resultData["text/html"] as? [String], ["<table>\n", "<tr><td>0.41</td></tr>\n", "</table>"])
        XCTAssertEqual(resultData["text/plain"] as? [String], ["method  aopc\n", "lime    0.41"])
    }

    func testThePNGDecodesBackToTheSameBytesAndImage() throws {
        let json = try parsed(sampleNotebook())
        let cells = try XCTUnwrap(json["cells"] as? [[String: Any]])
        let display = try XCTUnwrap((cells[2]["outputs"] as? [[String: Any]])?.first)
        let base64 = try XCTUnwrap((display["data"] as? [String: Any])?["image/png"] as? String)
        XCTAssertFalse(base64.contains("\n"), "one base64 string, as Jupyter stores image/png")
        let bytes = try XCTUnwrap(Data(base64Encoded: base64))
        XCTAssertEqual(bytes, try samplePNG())
        let image = try ImageIO.decode(bytes, name: "notebook image/png")
        XCTAssertEqual(image.width, 12)
        XCTAssertEqual(image.height, 8)
    }

    func testWritingGivesTheSameBytesEveryTimeAndNoEscapedSlashes() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let url = directory.appendingPathComponent("report.ipynb")
        let notebook = try sampleNotebook()
        try notebook.write(to: url)
        let written = try Data(contentsOf: url)
        XCTAssertEqual(written, notebook.encoded())
        XCTAssertEqual(written, try sampleNotebook().encoded())
        XCTAssertEqual(written.last, 0x0A)
        XCTAssertFalse(String(decoding: written, as: UTF8.self).contains("\\/"))
        if let keep = ProcessInfo.processInfo.environment["VITREL_KEEP_NOTEBOOK"] {
            try written.write(to: URL(fileURLWithPath: keep))
        }
    }

    func testAnUnwritablePathGivesOneLineNamingTheFile() throws {
        let url = try TestPaths.temporaryDirectory(self).appendingPathComponent("missing/report.ipynb")
        XCTAssertThrowsError(try Notebook().write(to: url)) { error in
            let message = String(describing: error)
            XCTAssertTrue(error is ReportError)
            XCTAssertTrue(message.hasPrefix(url.path + ": cannot write"), message)
            XCTAssertFalse(message.contains("\n"))
        }
    }
}
