import XCTest
@testable import VitRelReporting

/// GitHub-flavoured Markdown tables: known output, alignment markers, escaped pipes.
final class ReportMarkdownTableTests: XCTestCase {
    func testKnownTable() {
        let table = MarkdownTable(
            header: ["method", "AOPC", "class", "n"],
            rows: [["chefer-lrp", "0.412", "COVID-19", "105"], ["lime", "−0.031", "all", "315"]],
            alignments: [.left, .right, .center, .none])
        XCTAssertEqual(
            table.markdown,
            """
            | method     |   AOPC |  class   | n   |
            | :--------- | -----: | :------: | --- |
            | chefer-lrp |  0.412 | COVID-19 | 105 |
            | lime       | −0.031 |   all    | 315 |

            """)
    }

    func testPipesAreEscapedLineBreaksBecomeSpacesAndShortRowsArePadded() {
        let table = MarkdownTable(header: ["a|b", "c"], rows: [["x | y\nz"], []])
        let lines = table.markdown.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines[0], "| a\\|b     | c   |")
        XCTAssertEqual(lines[1], "| -------- | --- |")
        XCTAssertEqual(lines[2], "| x \\| y z |     |")
        XCTAssertEqual(lines[3], "|          |     |")
        XCTAssertEqual(lines.count, 5, "four rows and the final newline")
        XCTAssertEqual(MarkdownTable.escape("a|b"), "a\\|b")
    }
}
