/// Grouped box plots, the figure the COVID ViT explainability papers compare methods with
/// (Figure 5 of the COVID-19 ViT paper: a metric's distribution per class, one box per
/// explanation method): groups along the x axis (classes, and optionally "all"), within each
/// group one box per series (method) in the series' colour, a legend of the series.
///
/// Each box follows matplotlib's `boxplot` (`BoxPlotStatistics`): box from q1 to q3, a median
/// line, whiskers with caps, fliers as small circles, and the mean as a triangle (matplotlib's
/// `showmeans=True` marker). Boxes without a finite value say "n/a" instead.
///
/// ```swift
/// let chart = BoxPlotChart(
///     title: "AOPC (MoRF)", yLabel: "AOPC", groups: ["COVID-19", "Non-COVID", "Normal"],
///     series: ["chefer-lrp", "lime"], values: aopc)          // aopc[series][group] = per image
/// let pooled = chart.withPooledGroup()
/// try ImageIO.writePNG(pooled.render(), to: pngURL)
/// try pooled.svg().write(to: svgURL)                         // the same chart as SVG
/// ```
public struct BoxPlotChart: Sendable {
    public var title: String
    public var yLabel: String
    public var xLabel: String
    /// Names along the x axis.
    public var groups: [String]
    /// Names in the legend; series i is drawn in `ChartPalette.color(i)`.
    public var series: [String]
    /// `values[series][group]`: the values of one box.
    public var values: [[[Double]]]
    /// The whisker factor of every box (matplotlib's `whis`).
    public var whisker: Double

    /// Colour of the median line.
    public static let medianColor = RGBColor.ink
    /// Colour of the mean marker.
    public static let meanColor = RGBColor.ink
    /// Fraction of a group's width its boxes take, and of a box's slot the box takes.
    public static let groupFill = 0.8
    public static let boxFill = 0.7
    /// Widest box drawn, so a single series does not give slabs.
    public static let maximumBoxWidth = 60

    public init(
        title: String = "", yLabel: String = "", xLabel: String = "", groups: [String], series: [String],
        values: [[[Double]]], whisker: Double = 1.5
    ) {
        precondition(!groups.isEmpty && !series.isEmpty, "a box plot needs at least one group and one series")
        precondition(
            values.count == series.count && values.allSatisfy { $0.count == groups.count },
            "box plot values must be [series: \(series.count)][group: \(groups.count)]")
        self.title = title
        self.yLabel = yLabel
        self.xLabel = xLabel
        self.groups = groups
        self.series = series
        self.values = values
        self.whisker = whisker
    }

    /// The chart with one more group, `name`, holding every series' values of all groups
    /// together (the "all classes" box of the papers' figures).
    public func withPooledGroup(_ name: String = "all") -> BoxPlotChart {
        var chart = self
        chart.groups.append(name)
        chart.values = values.map { $0 + [Array($0.joined())] }
        return chart
    }

    /// Box fill and outline of series `index`: a light tint of its colour, the colour itself
    /// darkened a little for lines, so the ink median stands out on the fill.
    public static func colors(series index: Int) -> (fill: RGBColor, edge: RGBColor) {
        let color = ChartPalette.color(index)
        return (color.mixed(with: .white, 0.45), color.mixed(with: .black, 0.2))
    }

    /// `BoxPlotStatistics` of every box, `[series][group]`.
    public var statistics: [[BoxPlotStatistics]] {
        values.map { $0.map { BoxPlotStatistics($0, whisker: whisker) } }
    }

    /// Where everything of a `width` × `height` rendering goes.
    public struct Layout: Sendable {
        public var frame: ChartFrame
        public var statistics: [[BoxPlotStatistics]]
        /// Width of a group's slot along the x axis.
        public var groupWidth: Double
        /// Width of one box.
        public var boxWidth: Int
        let seriesCount: Int

        /// Column at the centre of group `group`.
        public func groupCenter(_ group: Int) -> Int {
            frame.plotLeft + Int((Double(group) + 0.5) * groupWidth)
        }

        /// Left column of the box of `series` in `group`.
        public func boxLeft(series: Int, group: Int) -> Int {
            let slot = groupWidth * BoxPlotChart.groupFill / Double(seriesCount)
            let start = Double(frame.plotLeft) + (Double(group) + 0.5) * groupWidth - groupWidth * BoxPlotChart.groupFill / 2
            let center = start + (Double(series) + 0.5) * slot
            return Int(center.rounded(.down)) - boxWidth / 2
        }
    }

    public func layout(width: Int = 720, height: Int = 420) -> Layout {
        let statistics = self.statistics
        let drawn = statistics.joined().compactMap(\.drawnRange)
        let range = drawn.isEmpty ? 0...1 : drawn.map(\.lowerBound).min()!...drawn.map(\.upperBound).max()!
        var entries = series.indices.map { index in
            let colors = Self.colors(series: index)
            return ChartLegend.Entry(label: series[index], symbol: .box(fill: colors.fill, edge: colors.edge))
        }
        entries.append(ChartLegend.Entry(label: "mean", symbol: .triangle(color: Self.meanColor)))
        let frame = ChartFrame(
            width: width, height: height, title: title, xLabel: xLabel, yLabel: yLabel,
            yAxis: ChartAxis(covering: range, maxIntervals: ChartFrame.maxYIntervals),
            legend: ChartLegend(entries: entries))
        let groupWidth = Double(frame.plotWidth) / Double(groups.count)
        let slot = groupWidth * Self.groupFill / Double(series.count)
        let boxWidth = max(3, min(Self.maximumBoxWidth, Int(slot * Self.boxFill)))
        return Layout(frame: frame, statistics: statistics, groupWidth: groupWidth, boxWidth: boxWidth, seriesCount: series.count)
    }

    /// The chart as marks, for `render` and `svg`: every box a group titled with its series
    /// and group ("chefer-lrp · COVID-19").
    public func drawing(width: Int = 720, height: Int = 420) -> FigureDrawing {
        let layout = self.layout(width: width, height: height)
        let frame = layout.frame
        var drawing = FigureDrawing(width: width, height: height, background: .white, marks: frame.backgroundMarks)
        for (group, name) in groups.enumerated() {
            let center = layout.groupCenter(group)
            drawing.marks.append(frame.xTickMark(at: center))
            drawing.marks.append(.text(.init(
                name, x: center, y: frame.xTickLabelTop, anchor: .middle, maxWidth: Int(layout.groupWidth) - 4)))
        }
        for (s, row) in layout.statistics.enumerated() {
            for (g, box) in row.enumerated() {
                let marks = self.marks(box, left: layout.boxLeft(series: s, group: g), width: layout.boxWidth, series: s, frame: frame)
                drawing.marks.append(.group(title: "\(series[s]) · \(groups[g])", marks: marks))
            }
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

    private func marks(_ box: BoxPlotStatistics, left: Int, width: Int, series: Int, frame: ChartFrame) -> [FigureDrawing.Mark] {
        let center = left + width / 2
        guard !box.isEmpty else {
            // On a white patch, so a grid or zero line behind it does not strike it through.
            let top = (frame.plotTop + frame.plotBottom) / 2, textWidth = BitmapFont.width(of: "n/a")
            return [
                .rectangle(x: center - textWidth / 2 - 2, y: top - 2, width: textWidth + 4, height: BitmapFont.lineHeight() + 3, fill: .white, edge: nil),
                .text(.init("n/a", x: center, y: top, anchor: .middle, color: .mutedInk)),
            ]
        }
        let colors = Self.colors(series: series)
        let q1 = frame.y(box.firstQuartile), q3 = frame.y(box.thirdQuartile)
        let low = frame.y(box.lowerWhisker), high = frame.y(box.upperWhisker)
        // Whiskers and caps (half the box wide), then the box over them.
        let capLeft = center - width / 4, capRight = capLeft + width / 2
        var marks: [FigureDrawing.Mark] = [
            .line(from: .init(x: center, y: high), to: .init(x: center, y: q3), thickness: 1, color: colors.edge),
            .line(from: .init(x: center, y: q1), to: .init(x: center, y: low), thickness: 1, color: colors.edge),
            .line(from: .init(x: capLeft, y: high), to: .init(x: capRight, y: high), thickness: 1, color: colors.edge),
            .line(from: .init(x: capLeft, y: low), to: .init(x: capRight, y: low), thickness: 1, color: colors.edge),
            .rectangle(x: left, y: q3, width: width, height: q1 - q3 + 1, fill: colors.fill, edge: colors.edge),
            // The median two pixels thick: its own row and the one above.
            .rectangle(x: left, y: frame.y(box.median) - 1, width: width, height: 2, fill: Self.medianColor, edge: nil),
        ]
        for flier in box.fliers {
            marks.append(.circle(center: .init(x: center, y: frame.y(flier)), radius: 2, color: colors.edge))
        }
        marks.append(.triangle(center: .init(x: center, y: frame.y(box.mean)), size: 7, color: Self.meanColor))
        return marks
    }
}
