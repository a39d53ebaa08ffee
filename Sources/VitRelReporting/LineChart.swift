/// Curves against a numeric x axis, each with an optional band: the perturbation curves of
/// faithfulness metrics — AOPC against the number of regions perturbed (Samek et al. 2017),
/// the class score against the fraction of pixels flipped (Bach et al. 2015) — with the mean
/// over images as the line and a spread (a bootstrap interval, ± one standard deviation) as
/// a light band of the same colour, drawn translucent as matplotlib's `fill_between(alpha=…)`
/// so overlapping bands stay visible.
///
/// Non-finite y values break a curve (and its band) there rather than dragging it to zero.
///
/// ```swift
/// let chart = LineChart(
///     title: "Region perturbation (MoRF)", xLabel: "regions perturbed", yLabel: "AOPC",
///     series: [.init(name: "chefer-lrp", x: steps, y: mean, band: (lower, upper))])
/// try ImageIO.writePNG(chart.render(), to: pngURL)
/// try chart.svg().write(to: svgURL)
/// ```
public struct LineChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var x: [Double]
        public var y: [Double]
        /// Lower and upper edge of the band at each x; nil for none.
        public var band: (lower: [Double], upper: [Double])?

        public init(name: String, x: [Double], y: [Double], band: (lower: [Double], upper: [Double])? = nil) {
            precondition(x.count == y.count, "series \(name): \(x.count) x values but \(y.count) y values")
            if let band {
                precondition(
                    band.lower.count == x.count && band.upper.count == x.count,
                    "series \(name): the band needs \(x.count) lower and upper values")
            }
            self.name = name
            self.x = x
            self.y = y
            self.band = band
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    /// Series i is drawn in `ChartPalette.color(i)`.
    public var series: [Series]

    /// Thickness of the curves.
    public static let lineThickness = 2
    /// Curves with at most this many points mark each point with a small square.
    public static let markerLimit = 25

    public init(title: String = "", xLabel: String = "", yLabel: String = "", series: [Series]) {
        precondition(!series.isEmpty, "a line chart needs at least one series")
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    /// Where everything of a `width` × `height` rendering goes.
    public struct Layout: Sendable {
        public var frame: ChartFrame
        public var xAxis: ChartAxis

        /// The column of `value` on the x axis.
        public func x(_ value: Double) -> Int {
            xAxis.pixel(value, from: frame.plotLeft, to: frame.plotRight)
        }

        /// The row of `value` on the y axis.
        public func y(_ value: Double) -> Int { frame.y(value) }
    }

    public func layout(width: Int = 720, height: Int = 420) -> Layout {
        let xs = series.flatMap(\.x).filter(\.isFinite)
        let ys = series.flatMap { $0.y + ($0.band.map { $0.lower + $0.upper } ?? []) }.filter(\.isFinite)
        let xAxis = ChartAxis(covering: xs.isEmpty ? 0...1 : xs.min()!...xs.max()!, maxIntervals: 8)
        let yAxis = ChartAxis(covering: ys.isEmpty ? 0...1 : ys.min()!...ys.max()!, maxIntervals: ChartFrame.maxYIntervals)
        let entries = series.enumerated().map { index, line in
            ChartLegend.Entry(label: line.name, symbol: .line(color: ChartPalette.color(index), band: line.band != nil))
        }
        let overhang = BitmapFont.width(of: xAxis.label(xAxis.upper)) / 2
        let frame = ChartFrame(
            width: width, height: height, title: title, xLabel: xLabel, yLabel: yLabel, yAxis: yAxis,
            legend: ChartLegend(entries: entries), rightOverhang: overhang)
        return Layout(frame: frame, xAxis: xAxis)
    }

    /// The chart as marks, for `render` and `svg`: the bands, then each series' curve (one
    /// polyline per stretch between NaNs) and point markers in a group named after the series.
    public func drawing(width: Int = 720, height: Int = 420) -> FigureDrawing {
        let layout = self.layout(width: width, height: height)
        let frame = layout.frame
        var drawing = FigureDrawing(width: width, height: height, background: .white, marks: frame.backgroundMarks)
        for tick in layout.xAxis.ticks {
            let column = layout.x(tick)
            drawing.marks.append(frame.xTickMark(at: column))
            drawing.marks.append(.text(.init(layout.xAxis.label(tick), x: column, y: frame.xTickLabelTop, anchor: .middle)))
        }
        // Bands first, all of them, so no band covers another series' curve.
        for (index, line) in series.enumerated() {
            guard let band = line.band else { continue }
            drawing.marks.append(.band(
                self.band(x: line.x, lower: band.lower, upper: band.upper, color: ChartPalette.color(index), layout: layout)))
        }
        for (index, line) in series.enumerated() {
            let color = ChartPalette.color(index)
            var marks = [FigureDrawing.Mark]()
            var stretch = [FigureDrawing.Point]()
            for (x, y) in zip(line.x, line.y) {
                if x.isFinite && y.isFinite {
                    stretch.append(.init(x: layout.x(x), y: layout.y(y)))
                } else {
                    if stretch.count >= 2 { marks.append(.polyline(stretch, thickness: Self.lineThickness, color: color)) }
                    stretch = []
                }
            }
            if stretch.count >= 2 { marks.append(.polyline(stretch, thickness: Self.lineThickness, color: color)) }
            let finite = zip(line.x, line.y).filter { $0.isFinite && $1.isFinite }
            if finite.count <= Self.markerLimit {
                for (x, y) in finite {
                    marks.append(.rectangle(x: layout.x(x) - 2, y: layout.y(y) - 2, width: 5, height: 5, fill: color, edge: nil))
                }
            }
            drawing.marks.append(.group(title: line.name, marks: marks))
        }
        drawing.marks += frame.axisMarks
        return drawing
    }

    /// The chart as an RGB image.
    public func render(width: Int = 720, height: Int = 420) -> Image {
        drawing(width: width, height: height).render()
    }

    /// The chart as an SVG document: the marks of the PNG as vector shapes and real text.
    public func svg(width: Int = 720, height: Int = 420) throws -> SVGDocument {
        try drawing(width: width, height: height).svg()
    }

    /// The band between `lower` and `upper`. For the raster, column by column, the rows between
    /// the edges interpolated linearly between neighbouring points, each column once even where
    /// segments meet; for vector output, a polygon through the edges' points per stretch of
    /// finite values.
    private func band(x: [Double], lower: [Double], upper: [Double], color: RGBColor, layout: Layout) -> FigureDrawing.Band {
        var spans = [FigureDrawing.Band.Span](), painted = Set<Int>()
        var outlines = [[FigureDrawing.Point]](), stretch = [Int]()
        func closeStretch() {
            if stretch.count >= 2 {
                outlines.append(
                    stretch.map { FigureDrawing.Point(x: layout.x(x[$0]), y: layout.y(upper[$0])) }
                        + stretch.reversed().map { FigureDrawing.Point(x: layout.x(x[$0]), y: layout.y(lower[$0])) })
            }
            stretch = []
        }
        for i in 0..<max(x.count - 1, 0) {
            let values = [x[i], x[i + 1], lower[i], lower[i + 1], upper[i], upper[i + 1]]
            guard values.allSatisfy(\.isFinite), x[i] != x[i + 1] else {
                closeStretch()
                continue
            }
            stretch += stretch.isEmpty ? [i, i + 1] : [i + 1]
            let left = layout.x(x[i]), right = layout.x(x[i + 1])
            for column in min(left, right)...max(left, right) where !painted.contains(column) {
                let t = left == right ? 0 : Double(column - left) / Double(right - left)
                let low = lower[i] + t * (lower[i + 1] - lower[i]), high = upper[i] + t * (upper[i + 1] - upper[i])
                let top = layout.y(max(low, high)), bottom = layout.y(min(low, high))
                spans.append(.init(x: column, top: top, bottom: bottom))
                painted.insert(column)
            }
        }
        closeStretch()
        return FigureDrawing.Band(color: color, opacity: ChartLegend.bandOpacity, spans: spans, outlines: outlines)
    }
}
