import XCTest
import VitRelTestSupport
@testable import VitRelReporting

/// The line chart: points on the pixels the axes map them to, bands blended between their
/// edges, gaps at NaN, the same bytes twice.
final class ReportLineChartTests: XCTestCase {
    func color(_ image: Image, _ x: Int, _ y: Int) -> RGBColor { ChartPixels.color(of: image, x: x, y: y) }

    /// 41 steps (no point markers), a mean curve with a band of ±0.1, and a 3-point second
    /// series that stays clear of the band where the tests look.
    var chart: LineChart {
        let steps = (0...40).map { Double($0) }
        let mean = steps.map { 0.9 - 0.02 * $0 }
        return LineChart(
            title: "Region perturbation (MoRF)", xLabel: "regions perturbed", yLabel: "score",
            series: [
                .init(name: "chefer-lrp", x: steps, y: mean, band: (lower: mean.map { $0 - 0.1 }, upper: mean.map { $0 + 0.1 })),
                .init(name: "random", x: [0, 20, 40], y: [0.9, 0.8, 0.75]),
            ])
    }

    /// What the plot shows under the data at a pixel: white, or a grid line's gray.
    func background(_ layout: LineChart.Layout, row: Int) -> RGBColor {
        layout.frame.yAxis.ticks.contains { layout.y($0) == row } ? ChartFrame.gridColor : .white
    }

    func testKnownPointsLieOnTheirPixels() {
        let chart = self.chart, layout = chart.layout(), image = chart.render()
        XCTAssertEqual(layout.xAxis.ticks, [0, 5, 10, 15, 20, 25, 30, 35, 40])
        XCTAssertEqual(layout.frame.yAxis.ticks, [0, 0.2, 0.4, 0.6, 0.8, 1.0])
        XCTAssertEqual(layout.x(0), layout.frame.plotLeft)
        XCTAssertEqual(layout.x(40), layout.frame.plotRight)
        let blue = ChartPalette.color(0), orange = ChartPalette.color(1)
        for step in [7.0, 13, 27, 40] {
            XCTAssertEqual(color(image, layout.x(step), layout.y(0.9 - 0.02 * step)), blue, "curve point at step \(step)")
        }
        // The second series has 3 points: each marked with a 5×5 square (left of x = 0 the
        // y axis is drawn over it).
        for (x, y) in [(0.0, 0.9), (20, 0.8), (40, 0.75)] {
            for dx in (x == 0 ? 0 : -2)...2 { XCTAssertEqual(color(image, layout.x(x) + dx, layout.y(y) + 2), orange, "marker at \(x)") }
        }
    }

    func testTheBandIsABlendOfTheSeriesColourBetweenItsEdges() {
        let chart = self.chart, layout = chart.layout(), image = chart.render()
        let blue = ChartPalette.color(0)
        for step in [12.0, 25, 31] {
            let x = layout.x(step), mean = 0.9 - 0.02 * step
            let top = layout.y(mean + 0.1), bottom = layout.y(mean - 0.1)
            for row in [top, (top + layout.y(mean)) / 2 - 3, bottom] {
                XCTAssertEqual(
                    color(image, x, row), background(layout, row: row).mixed(with: blue, ChartLegend.bandOpacity),
                    "band at step \(step), row \(row)")
            }
            XCTAssertEqual(color(image, x, top - 1), background(layout, row: top - 1), "above the band")
            XCTAssertEqual(color(image, x, bottom + 1), background(layout, row: bottom + 1), "below the band")
        }
        // Between two points the edges are interpolated: half-way from step 10 to 11.
        let between = (layout.x(10) + layout.x(11)) / 2
        let t = Double(between - layout.x(10)) / Double(layout.x(11) - layout.x(10))
        let mean = chart.series[0].y, upper10 = mean[10] + 0.1, upper11 = mean[11] + 0.1
        let upper = upper10 + t * (upper11 - upper10)
        XCTAssertEqual(color(image, between, layout.y(upper)), background(layout, row: layout.y(upper)).mixed(with: blue, 0.25))
    }

    func testNaNBreaksTheCurve() {
        let broken = LineChart(series: [.init(name: "m", x: [0, 1, 2, 3], y: [0, 1, .nan, 1])])
        let layout = broken.layout(), image = broken.render()
        let midX = (layout.x(1) + layout.x(3)) / 2
        XCTAssertEqual(color(image, midX, layout.y(1)), background(layout, row: layout.y(1)), "no line over the gap")
        let rising = (layout.x(0) + layout.x(1)) / 2
        let inked = (layout.frame.plotTop...layout.frame.plotBottom).contains { color(image, rising, $0) == ChartPalette.color(0) }
        XCTAssertTrue(inked, "the segment before the gap is drawn")
    }

    func testLegendNamesTheSeries() {
        let chart = self.chart, layout = chart.layout(), image = chart.render()
        XCTAssertEqual(layout.frame.legendPlacements.map(\.label), ["chefer-lrp", "random"])
        for (index, place) in layout.frame.legendPlacements.enumerated() {
            let middle = place.y + ChartLegend.symbolHeight / 2
            XCTAssertEqual(color(image, place.symbolX + 1, middle), ChartPalette.color(index), "line swatch")
            for point in ChartPixels.inked(width: image.width, height: image.height, { $0.drawText(place.label, x: place.labelX, y: place.y + 1) }) {
                XCTAssertEqual(color(image, point.x, point.y), .ink)
            }
        }
    }

    func testRenderingTwiceGivesTheSameBytes() throws {
        let chart = self.chart
        XCTAssertEqual(try ImageIO.encodePNG(chart.render(width: 640, height: 360)), try ImageIO.encodePNG(chart.render(width: 640, height: 360)))
    }
}
