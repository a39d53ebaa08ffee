import XCTest
import VitRelTestSupport
@testable import VitRelReporting

/// The raster figures pixel for pixel: SHA-256 digests of the 8-bit pixels of charts and a
/// panel that use every feature (titles that shrink, legends that wrap and cut, "n/a" boxes,
/// zero lines, bands broken at NaN, point markers, colour bars, empty tiles). The digests were
/// taken from the PNG renderer before charts were drawn through `ChartDrawing`, so any change
/// of a single pixel in the PNG figures fails here.
final class ReportChartPixelsPinnedTests: XCTestCase {
    /// SHA-256 of the pixels as the PNG stores them (8 bits, planar order), so the digest
    /// does not depend on the PNG encoder's compression.
    static func digest(_ image: Image) -> String {
        let bytes = image.pixels.map { UInt8((min(max($0, 0), 1) * 255).rounded()) }
        return SHA256.hexDigest(Array("\(image.width)x\(image.height)x\(image.channels)".utf8) + bytes)
    }

    static let groups = ["COVID-19", "Non-COVID", "Normal"]

    /// Two series over three classes and the pooled group; one empty box and one all-NaN box.
    static var boxPlot: BoxPlotChart {
        BoxPlotChart(
            title: "Faithfulness estimate by class (higher is better)", yLabel: "faithfulness", xLabel: "class",
            groups: groups, series: ["chefer-lrp", "lime"],
            values: [
                [[0.1, 0.2, 0.25, 0.3], [0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 1.2], [0.6, 0.7, 0.8]],
                [[], [0.05, 0.1, 0.2], [.nan, .infinity]],
            ]
        ).withPooledGroup()
    }

    /// Negative values (a zero line), five series whose long names wrap and cut the legend, a
    /// title too wide for scale 2.
    static var crowdedBoxPlot: BoxPlotChart {
        let series = ["chefer-lrp", "lime", "integrated-gradients with a very long name indeed for the legend row", "gradient-input", "random"]
        let values = series.indices.map { s in
            groups.indices.map { g in (0..<9).map { i in Double((s * 7 + g * 3 + i * 5) % 11) / 10 - 0.4 } }
        }
        return BoxPlotChart(
            title: "AOPC against a random baseline on every class of the test split, all methods", yLabel: "AOPC",
            groups: groups, series: series, values: values)
    }

    static var lineChart: LineChart {
        let steps = (0...40).map { Double($0) }
        let mean = steps.map { 0.9 - 0.02 * $0 }
        return LineChart(
            title: "Region perturbation (MoRF)", xLabel: "regions perturbed", yLabel: "score",
            series: [
                .init(name: "chefer-lrp", x: steps, y: mean, band: (lower: mean.map { $0 - 0.1 }, upper: mean.map { $0 + 0.1 })),
                .init(name: "random", x: [0, 20, 40], y: [0.9, 0.8, 0.75]),
            ])
    }

    /// A curve and band broken by NaN, edges that cross, values below zero, markers.
    static var brokenLineChart: LineChart {
        let steps = (0...12).map { Double($0) }
        let mean = steps.map { $0 == 5 ? .nan : 0.3 * cos($0 / 2) }
        let lower = steps.indices.map { $0 == 8 ? Double.nan : mean[$0] - 0.05 * Double($0 % 4) }
        let upper = steps.indices.map { mean[$0] + 0.04 * Double(($0 + 2) % 5) - 0.05 }
        return LineChart(
            title: "pixel-flipping curve (mean, 95% bootstrap band)", xLabel: "perturbation steps", yLabel: "model output",
            series: [
                .init(name: "lime (n=12)", x: steps, y: mean, band: (lower, upper)),
                .init(name: "chefer-lrp (n=12)", x: steps, y: steps.map { 0.25 - 0.04 * $0 }, band: (steps.map { 0.2 - 0.04 * $0 }, steps.map { 0.3 - 0.04 * $0 })),
            ])
    }

    static var panel: FigurePanel {
        let plane = 12 * 10
        let ramp = Image(width: 12, height: 10, channels: 3, pixels: (0..<3 * plane).map { Float($0 % plane) / Float(plane) })
        let gray = Image(width: 12, height: 10, channels: 1, pixels: (0..<plane).map { Float(($0 * 7) % plane) / Float(plane) })
        return FigurePanel(
            title: "covid_1579.png · chefer-lrp", subtitle: "model vit-tiny · maps min-max normalised (Chefer et al. 2021) · alpha 0.5",
            rows: [
                [FigurePanel.Tile(title: "Input", subtitle: "true COVID-19", image: gray), FigurePanel.Tile(title: "COVID-19", subtitle: "p = 0.912, predicted", image: ramp)],
                [FigurePanel.Tile(title: "", image: nil), FigurePanel.Tile(title: "a title far too long for its tile", image: ramp)],
            ],
            colorBar: ColorBar(colorMap: .rdBuReversed, range: -1...1, caption: "R/max|R|"), scale: 4)
    }

    func testBoxPlotPixelsAreUnchanged() {
        XCTAssertEqual(Self.digest(Self.boxPlot.render()), "6da757d4a07bec6901a8e46338018cfe97bd36e8672a53992e73925031002bb4")
        XCTAssertEqual(Self.digest(Self.boxPlot.render(width: 600, height: 400)), "07719a16d9fbcf438cb09ff5089d27e8248d6fd90c6b76ecde3431477393c267")
        XCTAssertEqual(Self.digest(Self.crowdedBoxPlot.render(width: 480, height: 320)), "58fd311ff8877e076bfc2bffd55ab1dd9048823ae0ec66ce3616cc59fc4cb3ac")
    }

    func testLineChartPixelsAreUnchanged() {
        XCTAssertEqual(Self.digest(Self.lineChart.render()), "76e8b1a963309809ed2243b143931e4bd4e2f9ed484a7df4c55b3eb2fd7a36cb")
        XCTAssertEqual(Self.digest(Self.lineChart.render(width: 640, height: 360)), "536b50ffd840cf3b05f2a972b91548d5d37fa0f8e908fa0dac69a2d2d9aa376f")
        XCTAssertEqual(Self.digest(Self.brokenLineChart.render()), "7ad6b2db85d7fb3421a64a51910cb4a0f6d89cb4b57d82f9bf82108c98eaf0af")
    }

    func testFigurePanelPixelsAreUnchanged() {
        XCTAssertEqual(Self.digest(Self.panel.render()), "a653734d8e5fdbc319f1eb355c9d74491bd8d9724d8b0c673753609cde14d045")
    }
}
