import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRelReporting

/// The charts as SVG: well-formed documents of the chart's size whose text is real `<text>`
/// with the chart's strings, and whose shapes lie where the raster chart's layout (and so the
/// PNG's pixels) puts them.
final class ReportChartSVGTests: XCTestCase {
    let groups = ["COVID-19", "Non-COVID", "Normal"]
    let series = ["chefer-lrp", "lime"]

    /// As `ReportBoxPlotChartTests`: series 0 / group 1 has a flier at 1.2; lime's COVID-19
    /// box is empty.
    var values: [[[Double]]] {
        [
            [[0.1, 0.2, 0.25, 0.3], [0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 1.2], [0.6, 0.7, 0.8]],
            [[], [0.05, 0.1, 0.2], [0.5, 0.6, 0.9, 0.95]],
        ]
    }

    var boxPlot: BoxPlotChart {
        BoxPlotChart(title: "AOPC <MoRF> & rank", yLabel: "AOPC", xLabel: "class", groups: groups, series: series, values: values)
            .withPooledGroup()
    }

    func texts(_ root: SVGElement) -> [String] { root.elements("text").map(\.text) }

    func testABoxPlotIsWellFormedAtItsSizeWithEveryStringAsText() throws {
        let chart = boxPlot
        let svg = try chart.svg(width: 640, height: 400)
        let root = try XCTUnwrap(SVGReader.parse(svg.xml))
        XCTAssertEqual(root.attributes["width"], "640")
        XCTAssertEqual(root.attributes["height"], "400")
        XCTAssertEqual(root.attributes["viewBox"], "0 0 640 400")
        let layout = chart.layout(width: 640, height: 400), frame = layout.frame
        let strings = texts(root)
        XCTAssertEqual(strings.first, "AOPC <MoRF> & rank", "the title first, read back unescaped")
        XCTAssertTrue(svg.xml.contains(">AOPC &lt;MoRF&gt; &amp; rank</text>"), "and escaped in the file")
        let tickLabels = frame.yAxis.ticks.map(frame.yAxis.label)
        XCTAssertEqual(tickLabels, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0", "1.2"])
        for expected in ["AOPC", "class", "mean", "n/a"] + series + groups + ["all"] + tickLabels {
            XCTAssertTrue(strings.contains(expected), "\(expected) in \(strings)")
        }
        for text in root.elements("text") {
            XCTAssertEqual(text.attributes["font-family"], "DejaVu Sans, Helvetica, Arial, sans-serif")
        }
        // The title at scale 2 with its baseline under the bitmap capitals; the y label turned
        // to read upwards, centred on the plot.
        let title = root.elements("text")[0]
        XCTAssertEqual(title.attributes["font-size"], "20")
        XCTAssertEqual(title.number("y"), Double(ChartFrame.margin + 2 * BitmapFont.capHeight))
        let yLabel = try XCTUnwrap(root.elements("text").first { $0.text == "AOPC" })
        XCTAssertEqual(
            yLabel.attributes["transform"],
            "translate(\(ChartFrame.margin + BitmapFont.capHeight) \((frame.plotTop + frame.plotBottom) / 2)) rotate(-90)")
        // Tick labels end at the tick: right-anchored at the same column for every tick.
        let ticks = root.elements("text").filter { tickLabels.contains($0.text) }
        XCTAssertEqual(ticks.count, tickLabels.count)
        XCTAssertEqual(Set(ticks.map { $0.attributes["text-anchor"] }), ["end"])
        XCTAssertEqual(Set(ticks.map { $0.number("x") }), [Double(frame.plotLeft - 1 - ChartFrame.tickLength - ChartFrame.tickLabelGap)])
    }

    func testEveryBoxSpansTheRowsOfItsLayoutAndOfThePNG() throws {
        let chart = boxPlot
        let layout = chart.layout(), frame = layout.frame, image = chart.render()
        let root = try XCTUnwrap(SVGReader.parse(try chart.svg().xml))
        let boxes = root.elements("g").filter { $0.title?.contains(" · ") == true }
        XCTAssertEqual(boxes.count, series.count * chart.groups.count, "one group per series and class")
        for (s, name) in series.enumerated() {
            let (fill, edge) = BoxPlotChart.colors(series: s)
            for (g, group) in chart.groups.enumerated() {
                let element = try XCTUnwrap(boxes.first { $0.title == "\(name) · \(group)" }, "\(name) · \(group)")
                let box = layout.statistics[s][g]
                let left = layout.boxLeft(series: s, group: g), center = left + layout.boxWidth / 2
                if box.isEmpty {
                    XCTAssertEqual(element.elements("text").map(\.text), ["n/a"])
                    XCTAssertEqual(element.elements("rect").count, 1, "only the white patch")
                    continue
                }
                let q1 = frame.y(box.firstQuartile), q3 = frame.y(box.thirdQuartile)
                // The box: a 1-pixel outline centred half a pixel inside rows q3…q1, columns
                // left…left + boxWidth − 1.
                let rect = try XCTUnwrap(element.elements("rect").first { $0.attributes["stroke"] == SVGDocument.hex(edge) })
                XCTAssertEqual(rect.attributes["fill"], SVGDocument.hex(fill))
                XCTAssertEqual(rect.number("y") - 0.5, Double(q3), "box top at q3")
                XCTAssertEqual(rect.number("y") + rect.number("height") + 0.5, Double(q1 + 1), "box bottom at q1")
                XCTAssertEqual(rect.number("x") - 0.5, Double(left))
                XCTAssertEqual(rect.number("width") + 1, Double(layout.boxWidth))
                // The PNG's box (fill, edge and median colours) in a column beside the whisker
                // covers the same rows of the plot.
                let rows = (frame.plotTop...frame.plotBottom).filter {
                    [fill, edge, BoxPlotChart.medianColor].contains(ChartPixels.color(of: image, x: left + 1, y: $0))
                }
                XCTAssertEqual(rows.first, q3, "\(name) · \(group)")
                XCTAssertEqual(rows.last, q1, "\(name) · \(group)")
                // Whiskers run from the box to the rows of the whisker values, through pixel centres.
                let whiskers = element.elements("line").filter { $0.number("x1") == $0.number("x2") }
                XCTAssertEqual(whiskers.count, 2)
                for whisker in whiskers { XCTAssertEqual(whisker.number("x1"), Double(center) + 0.5) }
                let ends = whiskers.map { [$0.number("y1"), $0.number("y2")] }
                XCTAssertEqual(ends[0], [Double(frame.y(box.upperWhisker)) + 0.5, Double(q3) + 0.5], "upper whisker")
                XCTAssertEqual(ends[1], [Double(q1) + 0.5, Double(frame.y(box.lowerWhisker)) + 0.5], "lower whisker")
                let caps = element.elements("line").filter { $0.number("y1") == $0.number("y2") }
                XCTAssertEqual(caps.map { $0.number("y1") }, [frame.y(box.upperWhisker), frame.y(box.lowerWhisker)].map { Double($0) + 0.5 })
                // The 2-pixel median ends on the median's row; fliers are circles on theirs.
                let median = try XCTUnwrap(element.elements("rect").first { $0.attributes["fill"] == SVGDocument.hex(BoxPlotChart.medianColor) })
                XCTAssertEqual(median.number("y") + median.number("height"), Double(frame.y(box.median) + 1))
                XCTAssertEqual(element.elements("circle").map { $0.number("cy") }, box.fliers.map { Double(frame.y($0)) + 0.5 })
                XCTAssertEqual(element.elements("polygon").count, 1, "the mean's triangle")
            }
        }
        // The flier at 1.2 of chefer-lrp · Non-COVID, on the axis' top row.
        let flier = try XCTUnwrap(boxes.first { $0.title == "chefer-lrp · Non-COVID" }?.elements("circle").first)
        XCTAssertEqual(flier.number("cy"), Double(frame.plotTop) + 0.5)
    }

    func testTextTheRasterHasToCutIsWholeInTheSVGAndSqueezedIntoItsRoom() throws {
        let long = "Non-COVID pneumonia (viral and bacterial)"
        let chart = BoxPlotChart(groups: ["COVID-19", long], series: series, values: [[[0.1, 0.2], [0.3]], [[0.2], [0.4, 0.5]]])
        let layout = chart.layout(width: 320, height: 260)
        let room = Int(layout.groupWidth) - 4
        XCTAssertNotEqual(BitmapFont.fitting(long, maxWidth: room, scale: 1).text, long, "the PNG cuts it")
        let root = try XCTUnwrap(SVGReader.parse(try chart.svg(width: 320, height: 260).xml))
        let label = try XCTUnwrap(root.elements("text").first { $0.text == long })
        XCTAssertEqual(label.number("textLength"), Double(room))
        XCTAssertEqual(label.attributes["lengthAdjust"], "spacingAndGlyphs")
        let short = try XCTUnwrap(root.elements("text").first { $0.text == "COVID-19" })
        XCTAssertNil(short.attributes["textLength"], "text that fits is left alone")
    }

    /// 41 steps with a band; a 3-point series; a series broken by NaN.
    var lineChart: LineChart {
        let steps = (0...40).map { Double($0) }
        let mean = steps.map { 0.9 - 0.02 * $0 }
        return LineChart(
            title: "Region perturbation (MoRF)", xLabel: "regions perturbed", yLabel: "score",
            series: [
                .init(name: "chefer-lrp", x: steps, y: mean, band: (lower: mean.map { $0 - 0.1 }, upper: mean.map { $0 + 0.1 })),
                .init(name: "random", x: [0, 20, 40], y: [0.9, 0.8, 0.75]),
                .init(name: "lime & co", x: [0, 10, 20, 30, 40], y: [0.5, 0.4, .nan, 0.3, 0.2]),
            ])
    }

    func testALineChartsPolylinesPassThroughTheLayoutsPoints() throws {
        let chart = lineChart
        let layout = chart.layout(width: 640, height: 360)
        let root = try XCTUnwrap(SVGReader.parse(try chart.svg(width: 640, height: 360).xml))
        XCTAssertEqual(root.attributes["viewBox"], "0 0 640 360")
        let strings = texts(root)
        let xTicks = layout.xAxis.ticks.map(layout.xAxis.label), yTicks = layout.frame.yAxis.ticks.map(layout.frame.yAxis.label)
        for expected in ["Region perturbation (MoRF)", "regions perturbed", "score", "chefer-lrp", "random", "lime & co"] + xTicks + yTicks {
            XCTAssertTrue(strings.contains(expected), "\(expected) in \(strings)")
        }
        // A 2-pixel pen inks its pixel and the next: its centre is a whole pixel on.
        let pen = FigureDrawing.penCenter(thickness: LineChart.lineThickness)
        XCTAssertEqual(pen, 1)
        XCTAssertEqual(FigureDrawing.penCenter(thickness: 1), 0.5)
        func group(_ name: String) throws -> SVGElement { try XCTUnwrap(root.elements("g").first { $0.title == name }, name) }
        func expected(_ points: [(Double, Double)]) -> [[Double]] {
            points.map { [Double(layout.x($0.0)) + pen, Double(layout.y($0.1)) + pen] }
        }
        let chefer = try group("chefer-lrp").elements("polyline")
        XCTAssertEqual(chefer.count, 1)
        XCTAssertEqual(chefer[0].points.map { [$0.x, $0.y] }, expected(chart.series[0].x.map { ($0, 0.9 - 0.02 * $0) }))
        XCTAssertEqual(chefer[0].attributes["stroke"], SVGDocument.hex(ChartPalette.color(0)))
        XCTAssertEqual(chefer[0].number("stroke-width"), Double(LineChart.lineThickness))
        // NaN breaks the curve into two polylines; each finite point of a short series is marked.
        let lime = try group("lime & co")
        XCTAssertEqual(lime.elements("polyline").map { $0.points.map { [$0.x, $0.y] } }, [expected([(0, 0.5), (10, 0.4)]), expected([(30, 0.3), (40, 0.2)])])
        XCTAssertEqual(lime.elements("rect").count, 4)
        let markers = try group("random").elements("rect")
        XCTAssertEqual(markers.map { [$0.number("x"), $0.number("y"), $0.number("width")] }, [(0.0, 0.9), (20, 0.8), (40, 0.75)].map {
            [Double(layout.x($0.0) - 2), Double(layout.y($0.1) - 2), 5]
        })
        XCTAssertEqual(try group("chefer-lrp").elements("rect").count, 0, "41 points: no markers")
    }

    func testTheBandPolygonFollowsTheEdgesTheRasterFills() throws {
        let chart = lineChart
        let drawing = chart.drawing(), layout = chart.layout()
        let root = try XCTUnwrap(SVGReader.parse(try drawing.svg().xml))
        let bands = root.elements("polygon").filter { $0.attributes["fill-opacity"] != nil }
        XCTAssertEqual(bands.count, 1, "one unbroken band")
        XCTAssertEqual(bands[0].attributes["fill"], SVGDocument.hex(ChartPalette.color(0)))
        XCTAssertEqual(bands[0].number("fill-opacity"), Double(ChartLegend.bandOpacity))
        let points = bands[0].points
        XCTAssertEqual(points.count, 2 * 41, "the upper edge forwards, the lower edge back")
        let spans = drawing.marks.compactMap { mark -> [FigureDrawing.Band.Span]? in
            if case .band(let band) = mark { return band.spans }
            return nil
        }.joined()
        for step in [0, 7, 25, 40] {
            let x = Double(step), mean = 0.9 - 0.02 * x
            let upper = points[step], lower = points[2 * 41 - 1 - step]
            XCTAssertEqual([upper.x, upper.y], [Double(layout.x(x)), Double(layout.y(mean + 0.1))].map { $0 + 0.5 })
            XCTAssertEqual([lower.x, lower.y], [Double(layout.x(x)), Double(layout.y(mean - 0.1))].map { $0 + 0.5 })
            // The raster's span in that column has the same rows.
            let span = try XCTUnwrap(spans.first { $0.x == layout.x(x) })
            XCTAssertEqual(Double(span.top) + 0.5, upper.y, "step \(step)")
            XCTAssertEqual(Double(span.bottom) + 0.5, lower.y, "step \(step)")
        }
    }

    func testRenderingTwiceGivesTheSameBytes() throws {
        XCTAssertEqual(try boxPlot.svg().xml, try boxPlot.svg().xml)
        XCTAssertEqual(try lineChart.svg().xml, try lineChart.svg().xml)
        XCTAssertNotEqual(try lineChart.svg(width: 600, height: 400).xml, try lineChart.svg().xml)
    }
}
