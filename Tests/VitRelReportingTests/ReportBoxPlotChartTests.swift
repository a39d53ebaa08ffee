import XCTest
import VitRelTestSupport
@testable import VitRelReporting

/// The grouped box plot: boxes where the axis puts their statistics, a legend that spells the
/// series, "n/a" for empty boxes, a zero line when the axis crosses zero, the same bytes twice.
final class ReportBoxPlotChartTests: XCTestCase {
    let groups = ["COVID-19", "Non-COVID", "Normal"]
    let series = ["chefer-lrp", "lime"]

    /// Known boxes: series 0 / group 1 has q1 0.3375, median 0.425, q3 0.5125, mean 0.49375 and a
    /// flier at 1.2 (numpy's linear percentiles of 8 values).
    var values: [[[Double]]] {
        [
            [[0.1, 0.2, 0.25, 0.3], [0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 1.2], [0.6, 0.7, 0.8]],
            [[0.15, 0.35, 0.5], [0.05, 0.1, 0.2], [0.5, 0.6, 0.9, 0.95]],
        ]
    }

    func color(_ image: Image, _ x: Int, _ y: Int) -> RGBColor { ChartPixels.color(of: image, x: x, y: y) }

    func testBoxPartsLieOnTheRowsTheAxisMapsTheirStatisticsTo() {
        let chart = BoxPlotChart(title: "AOPC (MoRF)", yLabel: "AOPC", groups: groups, series: series, values: values)
        let layout = chart.layout(), image = chart.render()
        XCTAssertEqual(image.width, 720)
        XCTAssertEqual(image.height, 420)
        let box = layout.statistics[0][1], frame = layout.frame
        XCTAssertEqual(box.median, 0.425, accuracy: 1e-12)
        XCTAssertEqual(box.fliers, [1.2])
        let (fill, edge) = BoxPlotChart.colors(series: 0)
        let left = layout.boxLeft(series: 0, group: 1), center = left + layout.boxWidth / 2
        XCTAssertGreaterThan(layout.boxWidth, 20)
        let median = frame.y(box.median), q1 = frame.y(box.firstQuartile), q3 = frame.y(box.thirdQuartile)
        XCTAssertGreaterThan(q1 - median, 4, "enough rows between median and q1 to tell them apart")
        XCTAssertEqual(color(image, left + 3, median), BoxPlotChart.medianColor, "the median line on its row")
        XCTAssertEqual(color(image, left + 3, median + 1), fill, "box fill just under the median")
        XCTAssertEqual(color(image, left + 3, median - 2), fill, "box fill just over the 2-pixel median")
        XCTAssertEqual(color(image, left + 3, q1), edge, "box bottom at q1")
        XCTAssertEqual(color(image, left + 3, q3), edge, "box top at q3")
        XCTAssertEqual(color(image, left + 3, q1 + 1), .white, "nothing below the box beside the whisker")
        XCTAssertEqual(color(image, left, (q1 + median) / 2), edge, "left side of the box")
        // Whiskers: the centre column down to the lower whisker, its cap, and the flier's circle.
        XCTAssertEqual(color(image, center, frame.y(box.lowerWhisker)), edge)
        XCTAssertEqual(color(image, center - layout.boxWidth / 4, frame.y(box.upperWhisker)), edge, "cap")
        XCTAssertEqual(color(image, center, frame.y(box.upperWhisker) - 1), .white, "whisker ends at its cap")
        XCTAssertEqual(color(image, center + 2, frame.y(1.2)), edge, "flier circle, radius 2")
        XCTAssertEqual(color(image, center, frame.y(1.2)), ChartFrame.gridColor, "hollow: the top grid line shows through")
        XCTAssertEqual(color(image, center, frame.y(box.mean)), BoxPlotChart.meanColor, "mean marker")
        // The axis covers every box: 0…1.2 in steps of 0.2.
        XCTAssertEqual(frame.yAxis.ticks, [0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2])
        XCTAssertEqual(frame.y(0), frame.plotBottom)
        XCTAssertEqual(frame.y(1.2), frame.plotTop)
    }

    func testLegendSpellsEverySeriesBesideASwatchOfItsColour() {
        let chart = BoxPlotChart(title: "AOPC", groups: groups, series: series, values: values)
        let layout = chart.layout(), image = chart.render()
        let placements = layout.frame.legendPlacements
        XCTAssertEqual(placements.map(\.label), series + ["mean"])
        for (index, place) in placements.prefix(series.count).enumerated() {
            XCTAssertEqual(
                color(image, place.symbolX + ChartLegend.symbolWidth / 2, place.y + ChartLegend.symbolHeight / 2),
                BoxPlotChart.colors(series: index).fill)
            let text = ChartPixels.inked(width: image.width, height: image.height) {
                $0.drawText(place.label, x: place.labelX, y: place.y + 1, color: .ink)
            }
            XCTAssertGreaterThan(text.count, 30)
            for point in text { XCTAssertEqual(color(image, point.x, point.y), .ink, "\(place.label) at \(point)") }
        }
        // Series get matplotlib's first tab10 colours, in order.
        XCTAssertEqual(ChartPalette.color(0), RGBColor(red: 0x1f / 255, green: 0x77 / 255, blue: 0xb4 / 255))
        XCTAssertEqual(ChartPalette.color(11), ChartPalette.color(1))
    }

    func testEmptyAndAllNaNBoxesSayNotAvailable() {
        var values = self.values
        values[1][0] = []
        values[1][2] = [.nan, .infinity]
        let chart = BoxPlotChart(groups: groups, series: series, values: values)
        let layout = chart.layout(), image = chart.render()
        XCTAssertTrue(layout.statistics[1][2].isEmpty)
        XCTAssertEqual(layout.statistics[1][2].droppedCount, 2)
        for group in [0, 2] {
            let center = layout.boxLeft(series: 1, group: group) + layout.boxWidth / 2
            let text = ChartPixels.inked(width: image.width, height: image.height) {
                $0.drawText("n/a", centeredAt: center, y: (layout.frame.plotTop + layout.frame.plotBottom) / 2, color: .ink)
            }
            XCTAssertFalse(text.isEmpty)
            for point in text { XCTAssertEqual(color(image, point.x, point.y), .mutedInk, "n/a of group \(group)") }
        }
        // Nothing at all to draw: still a chart, on a 0…1 axis.
        let empty = BoxPlotChart(groups: ["a"], series: ["m"], values: [[[]]])
        XCTAssertEqual(empty.layout().frame.yAxis.ticks.first, 0)
        XCTAssertEqual(empty.layout().frame.yAxis.ticks.last, 1)
        XCTAssertEqual(empty.render().width, 720)
    }

    func testADashedZeroLineOnlyWhenTheAxisCrossesZero() {
        let signed = BoxPlotChart(groups: ["a", "b"], series: ["m"], values: [[[-0.4, -0.1, 0.2], [0.1, 0.3, 0.5]]])
        let frame = signed.layout().frame, image = signed.render()
        let zero = frame.y(0)
        XCTAssertLessThan(frame.yAxis.lower, 0)
        // Dashes of 6 from the plot's left edge, gaps of 4.
        for x in frame.plotLeft..<(frame.plotLeft + 6) { XCTAssertEqual(color(image, x, zero), ChartFrame.zeroLineColor) }
        XCTAssertEqual(color(image, frame.plotLeft + 7, zero), ChartFrame.gridColor, "a gap shows the grid line under it")
        let positive = BoxPlotChart(groups: ["a"], series: ["m"], values: [[[0.1, 0.3, 0.5]]])
        let positiveFrame = positive.layout().frame, positiveImage = positive.render()
        for y in positiveFrame.plotTop...positiveFrame.plotBottom {
            XCTAssertNotEqual(color(positiveImage, positiveFrame.plotLeft + 2, y), ChartFrame.zeroLineColor)
        }
    }

    func testThePooledGroupHoldsEveryGroupsValues() {
        let chart = BoxPlotChart(groups: groups, series: series, values: values).withPooledGroup()
        XCTAssertEqual(chart.groups, groups + ["all"])
        XCTAssertEqual(chart.values[0][3], values[0].flatMap { $0 })
        XCTAssertEqual(chart.statistics[1][3].count, 10)
    }

    func testRenderingTwiceGivesTheSameBytes() throws {
        let chart = BoxPlotChart(title: "Faithfulness", yLabel: "correlation", xLabel: "class", groups: groups, series: series, values: values)
            .withPooledGroup()
        let first = try ImageIO.encodePNG(chart.render()), second = try ImageIO.encodePNG(chart.render())
        XCTAssertEqual(first, second)
        XCTAssertNotEqual(try ImageIO.encodePNG(chart.render(width: 600, height: 400)), first)
    }
}
