import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRelReporting

/// The HTML page builder: everything escaped, tables in order with numbers right-aligned,
/// nothing fetched from outside, the same bytes every time.
final class ReportHTMLTests: XCTestCase {
    func samplePage() -> HTMLReport {
        var page = HTMLReport(title: "vitrel compare <phantoms>")
        page.heading("AOPC & friends")
        page.paragraph("Higher is better; \"random\" is the baseline's 'floor'.")
        page.command("vitrel compare --data 'covid qu-ex' --methods chefer-lrp,lime > results.csv")
        page.table(
            header: ["method", "AOPC", "95% CI", "n"],
            rows: [["chefer-lrp", "0.412", "0.40 ± 0.02", "315"], ["lime", "−0.031", "n/a", "315"], ["<random>", "0.1", "0.2 ± 0.1", "12"]],
            caption: "MoRF, 34×34 regions")
        page.image("figures/aopc by class.png", caption: "AOPC per class & method")
        page.link("results.csv", to: "results.csv?raw=1&x=\"y\"")
        return page
    }

    func testEscapingCoversTheFiveSpecialCharacters() {
        XCTAssertEqual(HTMLReport.escape(#"a & b < c > d "e" 'f'"#), "a &amp; b &lt; c &gt; d &quot;e&quot; &#39;f&#39;")
        XCTAssertEqual(HTMLReport.escape("&amp;"), "&amp;amp;", "escaping is not idempotent: text is text")
        XCTAssertEqual(HTMLReport.escape("Σ αβ — ok"), "Σ αβ — ok")
        let html = samplePage().html
        XCTAssertTrue(html.contains("<title>vitrel compare &lt;phantoms&gt;</title>"))
        XCTAssertTrue(html.contains("<h2>AOPC &amp; friends</h2>"))
        XCTAssertTrue(html.contains("<p>Higher is better; &quot;random&quot; is the baseline&#39;s &#39;floor&#39;.</p>"))
        XCTAssertTrue(html.contains("<pre><code>vitrel compare --data &#39;covid qu-ex&#39; --methods chefer-lrp,lime &gt; results.csv</code></pre>"))
        XCTAssertTrue(html.contains(#"<img src="figures/aopc%20by%20class.png" alt="AOPC per class &amp; method">"#))
        XCTAssertTrue(html.contains(#"<a href="results.csv?raw=1&amp;x=&quot;y&quot;">results.csv</a>"#))
        XCTAssertFalse(html.contains("<random>"))
    }

    func testAFigureLinksItsOtherFormatsByExtensionInItsCaption() {
        var page = HTMLReport(title: "t")
        page.image("figures/grid-a b.png", caption: "a & b", otherFormats: ["figures/grid-a b.svg"])
        page.image("figures/c.png", otherFormats: ["figures/c.svg"])
        page.image("figures/d.png")
        let html = page.html
        XCTAssertTrue(html.contains(#"<figcaption>a &amp; b · <a href="figures/grid-a%20b.svg">SVG</a></figcaption>"#), html)
        XCTAssertTrue(html.contains(#"<figcaption><a href="figures/c.svg">SVG</a></figcaption>"#), html)
        XCTAssertEqual(html.components(separatedBy: "<figcaption>").count - 1, 2, "no empty caption for d.png")
    }

    func testATableRendersItsCellsInOrderWithNumbersRightAligned() throws {
        let html = samplePage().html
        let table = try XCTUnwrap(html.range(of: "<table>").map { html[$0.lowerBound...] })
        var cursor = table.startIndex
        let cells = ["method", "AOPC", "95% CI", "n", "chefer-lrp", "0.412", "0.40 ± 0.02", "315", "lime", "−0.031", "n/a", "315",
                     "&lt;random&gt;", "0.1", "0.2 ± 0.1", "12"]
        for cell in cells {
            let found = try XCTUnwrap(table.range(of: ">\(cell)</", range: cursor..<table.endIndex), "\(cell) after the previous cell")
            cursor = found.upperBound
        }
        XCTAssertTrue(html.contains("<thead><tr><th>method</th><th class=\"num\">AOPC</th><th class=\"num\">95% CI</th><th class=\"num\">n</th></tr></thead>"))
        XCTAssertTrue(html.contains("<tr><td>lime</td><td class=\"num\">−0.031</td><td class=\"num\">n/a</td><td class=\"num\">315</td></tr>"))
        XCTAssertTrue(html.contains("<caption>MoRF, 34×34 regions</caption>"))
        XCTAssertTrue(HTMLReport.isNumeric("1e-3"))
        XCTAssertTrue(HTMLReport.isNumeric("12.5%"))
        XCTAssertFalse(HTMLReport.isNumeric("inf"))
        XCTAssertFalse(HTMLReport.isNumeric("0x1p3"))
        XCTAssertFalse(HTMLReport.isNumeric("3 classes"))
    }

    func testThePageIsSelfContainedAndDeterministic() throws {
        let html = samplePage().html
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        XCTAssertTrue(html.contains("<meta charset=\"utf-8\">"))
        XCTAssertTrue(html.contains("<style>"))
        for outside in ["<script", "<link", "@import", "url(", "src=\"http", "//fonts."] {
            XCTAssertFalse(html.contains(outside), outside)
        }
        XCTAssertEqual(html, samplePage().html)
        let url = try TestPaths.temporaryDirectory(self).appendingPathComponent("report.html")
        try samplePage().write(to: url)
        XCTAssertEqual(try Data(contentsOf: url), Data(html.utf8))
        XCTAssertThrowsError(try samplePage().write(to: url.deletingLastPathComponent().appendingPathComponent("no/such.html"))) {
            XCTAssertTrue(String(describing: $0).contains("no/such.html: cannot write"))
        }
    }
}
