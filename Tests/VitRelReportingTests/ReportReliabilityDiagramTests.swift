import XCTest
import VitRelTestSupport
@testable import VitRelReporting

/// The reliability diagram: bars as high as their bin's accuracy, the gap to the mean
/// confidence shaded red, the diagonal, the counts, the ECE in the title.
final class ReportReliabilityDiagramTests: XCTestCase {
    func color(_ image: Image, _ x: Int, _ y: Int) -> RGBColor { ChartPixels.color(of: image, x: x, y: y) }

    /// Bin 13 of 15 (0.9): 10 examples, 6 right (over-confident, gap 0.3). Bin 7 (0.5): 4
    /// examples, all right (under-confident: the gap lies inside the bar).
    func report() throws -> CalibrationReport {
        var labels = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1], probabilities = Array(repeating: [0.9, 0.1], count: 10)
        labels += [0, 0, 0, 0]
        probabilities += Array(repeating: [0.5, 0.5], count: 4)
        return try CalibrationReport(labels: labels, probabilities: probabilities)
    }

    /// What the plot shows under the data at a row: white, or a grid line's gray.
    func background(_ layout: ReliabilityDiagram.Layout, row: Int) -> RGBColor {
        layout.frame.yAxis.ticks.contains { layout.y($0) == row } ? ChartFrame.gridColor : .white
    }

    func testBarsReachTheAccuracyAndTheGapReachesTheMeanConfidence() throws {
        let diagram = ReliabilityDiagram(report: try report(), title: "Test split")
        let layout = diagram.layout(), image = diagram.render()
        XCTAssertEqual([image.width, image.height, image.channels], [560, 660, 3])
        XCTAssertEqual(layout.frame.yAxis.ticks, [0, 0.2, 0.4, 0.6, 0.8, 1.0])
        XCTAssertEqual(layout.x(0), layout.frame.plotLeft)
        XCTAssertEqual(layout.x(1), layout.frame.plotRight)
        let fill = BoxPlotChart.colors(series: 0).fill
        let red = ReliabilityDiagram.gapColor, opacity = ReliabilityDiagram.gapOpacity
        // Over-confident bin 13: bar to 0.6, red over white from 0.6 to 0.9, white above.
        let over = layout.barColumns(lower: 13.0 / 15, upper: 14.0 / 15), x = (over.lowerBound + over.upperBound) / 2
        XCTAssertEqual(color(image, x, layout.y(0.3)), fill)
        XCTAssertEqual(color(image, x, layout.y(0.75)), background(layout, row: layout.y(0.75)).mixed(with: red, opacity))
        // At the bin's left edge the diagonal runs ~14 rows below 0.9: the gap's red edge lies on
        // 0.9's row, the blend just under it, the background just over it; its left edge is red.
        let edge = over.lowerBound + 1
        XCTAssertEqual(color(image, edge, layout.y(0.9)), red)
        XCTAssertEqual(color(image, edge, layout.y(0.9) + 1), background(layout, row: layout.y(0.9) + 1).mixed(with: red, opacity))
        XCTAssertEqual(color(image, edge, layout.y(0.9) - 1), background(layout, row: layout.y(0.9) - 1))
        XCTAssertEqual(color(image, over.lowerBound, layout.y(0.75)), red)
        XCTAssertEqual(color(image, x, layout.y(0.95)), background(layout, row: layout.y(0.95)))
        // Under-confident bin 7: bar to 1.0, red over the bar from 0.5 up to 1.0.
        let under = layout.barColumns(lower: 7.0 / 15, upper: 8.0 / 15), u = under.lowerBound + 2
        XCTAssertEqual(color(image, u, layout.y(0.25)), fill)
        XCTAssertEqual(color(image, u, layout.y(0.75)), fill.mixed(with: red, opacity))
        // Empty bins have no bar.
        let empty = layout.barColumns(lower: 3.0 / 15, upper: 4.0 / 15)
        XCTAssertEqual(color(image, (empty.lowerBound + empty.upperBound) / 2, layout.y(0.1)), background(layout, row: layout.y(0.1)))
        // The diagonal passes through (0.1, 0.1), in an empty bin.
        let column = layout.x(0.1), rows = (layout.y(0.1) - 1)...(layout.y(0.1) + 1)
        XCTAssertTrue(rows.contains { color(image, column, $0) == ReliabilityDiagram.diagonalColor }, "no diagonal at 0.1")
    }

    func testCountsAndTitleAreDrawn() throws {
        let diagram = ReliabilityDiagram(report: try report(), title: "Test split")
        XCTAssertEqual(diagram.fullTitle, "Test split: ECE 0.3571 (15 bins)")  // 10/14 · 0.3 + 4/14 · 0.5 = 5/14
        let layout = diagram.layout(), image = diagram.render()
        // The bin of 10 has the full strip height under its count; the bin of 4, 4/10 of it.
        let over = layout.barColumns(lower: 13.0 / 15, upper: 14.0 / 15), x = (over.lowerBound + over.upperBound) / 2
        let room = layout.histogramBottom - (layout.histogramTop + BitmapFont.lineHeight() + 2) + 1
        XCTAssertEqual(color(image, x, layout.histogramBottom), ReliabilityDiagram.histogramColor)
        XCTAssertEqual(color(image, x, layout.histogramBottom - room + 1), ReliabilityDiagram.histogramColor)
        XCTAssertEqual(color(image, x, layout.histogramBottom - room), .white)
        let under = layout.barColumns(lower: 7.0 / 15, upper: 8.0 / 15), u = under.lowerBound + 1
        let fourTenths = Int((0.4 * Double(room)).rounded())
        XCTAssertEqual(color(image, u, layout.histogramBottom - fourTenths + 1), ReliabilityDiagram.histogramColor)
        XCTAssertEqual(color(image, u, layout.histogramBottom - fourTenths), .white)
        // The count "10" is written over its bar: its inked pixels appear in the image.
        let center = (over.lowerBound + over.upperBound + 1) / 2
        let label = ChartPixels.inked(width: image.width, height: image.height) {
            $0.drawText("10", centeredAt: center, y: layout.histogramBottom - room - BitmapFont.lineHeight() - 1, color: .mutedInk)
        }
        XCTAssertFalse(label.isEmpty)
        for point in label { XCTAssertEqual(color(image, point.x, point.y), .mutedInk) }
        // Same report, same bytes.
        XCTAssertEqual(diagram.render().pixels, image.pixels)
    }

    func testEveryBinCountFitsIncludingOneBinAndManyBins() throws {
        let report = try self.report()
        for bins in [1, 2, 50, 100] {
            let rebinned = try CalibrationReport(labels: [0, 1, 0, 0], probabilities: [[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [1, 0]], binCount: bins)
            let image = ReliabilityDiagram(report: rebinned).render()
            XCTAssertEqual(image.width, 560, "\(bins) bins")
        }
        XCTAssertEqual(ReliabilityDiagram(report: report, title: "").fullTitle, "ECE 0.3571 (15 bins)")
    }
}
