/// What every chart around its data has in common, and where it goes: the title (top left,
/// as `FigurePanel` puts it), the legend rows under it, the plot area, the y axis with its
/// ticks, labels and horizontal grid lines, a dashed zero line when the axis crosses zero
/// (so "better than nothing" and "worse than nothing" read at a glance, e.g. for AOPC), the
/// axis labels, and room under the plot for the x tick labels the chart draws itself.
///
/// The plot area's pixels are inclusive: `yAxis.lower` maps to row `plotBottom`,
/// `yAxis.upper` to row `plotTop`. The axis lines lie just outside it, so data drawn on the
/// axis' ends stay visible.
public struct ChartFrame: Sendable {
    /// Space around the figure (as `FigurePanel.margin`).
    public static let margin = 16
    /// Length of a tick mark, and the gap between tick mark and label.
    public static let tickLength = 4
    public static let tickLabelGap = 3
    /// Scale of the title (as `FigurePanel.titleScale`).
    public static let titleScale = 2
    public static let gridColor = RGBColor(gray: 0.9)
    /// At most this many y intervals: on a chart a few hundred pixels high, grid lines 30–40
    /// pixels apart, and the data fill most of the height.
    public static let maxYIntervals = 8
    public static let zeroLineColor = RGBColor.mutedInk

    public let width: Int
    public let height: Int
    public let title: String
    public let xLabel: String
    public let yLabel: String
    public let yAxis: ChartAxis
    public let legend: ChartLegend
    public let legendPlacements: [ChartLegend.Placement]
    /// The plot area, edges included.
    public let plotLeft: Int
    public let plotRight: Int
    public let plotTop: Int
    public let plotBottom: Int

    /// Lays out a `width` × `height` chart. `rightOverhang` is the room the x tick labels need
    /// to the right of the plot's last column (half the last label of a numeric axis).
    public init(
        width: Int, height: Int, title: String, xLabel: String, yLabel: String, yAxis: ChartAxis, legend: ChartLegend,
        rightOverhang: Int = 0
    ) {
        self.width = width
        self.height = height
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.yAxis = yAxis
        self.legend = legend
        let inner = width - 2 * Self.margin
        var top = Self.margin
        if !title.isEmpty { top += BitmapFont.lineHeight(scale: Self.titleScale) + 6 }
        legendPlacements = legend.placements(x: Self.margin, y: top, maxWidth: inner)
        top += legend.height(maxWidth: inner)
        // Half a label's height above the top tick, so its label is not cut.
        plotTop = top + 6
        var bottom = height - 1 - Self.margin - Self.tickLength - Self.tickLabelGap - BitmapFont.lineHeight()
        if !xLabel.isEmpty { bottom -= BitmapFont.lineHeight() + 6 }
        plotBottom = bottom
        var left = Self.margin + Self.tickLength + Self.tickLabelGap + 1
        left += yAxis.ticks.map { BitmapFont.width(of: yAxis.label($0)) }.max() ?? 0
        if !yLabel.isEmpty { left += BitmapFont.lineHeight() + 8 }
        plotLeft = left
        plotRight = width - 1 - Self.margin - rightOverhang
        precondition(
            plotRight - plotLeft >= 16 && plotBottom - plotTop >= 16,
            "a \(width)x\(height) chart is too small for its title, legend and labels")
    }

    public var plotWidth: Int { plotRight - plotLeft + 1 }
    public var plotHeight: Int { plotBottom - plotTop + 1 }

    /// The row of `value` on the y axis.
    public func y(_ value: Double) -> Int {
        yAxis.pixel(value, from: plotBottom, to: plotTop)
    }

    /// The row where x tick labels start.
    public var xTickLabelTop: Int { plotBottom + 2 + Self.tickLength + Self.tickLabelGap }

    /// Everything under the data: title, legend, grid, y ticks and labels, axis labels, the
    /// zero line.
    public var backgroundMarks: [FigureDrawing.Mark] {
        var marks = [FigureDrawing.Mark]()
        if !title.isEmpty {
            marks.append(.text(.init(title, x: Self.margin, y: Self.margin, scale: Self.titleScale, maxWidth: width - 2 * Self.margin)))
        }
        marks += legend.marks(placements: legendPlacements, maxWidth: width - 2 * Self.margin)
        for tick in yAxis.ticks {
            let row = y(tick)
            marks.append(.rectangle(x: plotLeft, y: row, width: plotWidth, height: 1, fill: Self.gridColor, edge: nil))
            marks.append(.rectangle(x: plotLeft - 1 - Self.tickLength, y: row, width: Self.tickLength, height: 1, fill: .ink, edge: nil))
            let labelRight = plotLeft - 1 - Self.tickLength - Self.tickLabelGap
            marks.append(.text(.init(yAxis.label(tick), x: labelRight, y: row - BitmapFont.capHeight / 2, anchor: .end)))
        }
        if yAxis.lower < 0 && yAxis.upper > 0 {
            marks.append(.dashedHorizontalLine(y: y(0), x0: plotLeft, x1: plotRight, dash: 6, gap: 4, color: Self.zeroLineColor))
        }
        if !yLabel.isEmpty {
            marks.append(.text(.init(
                yLabel, x: Self.margin, y: (plotTop + plotBottom) / 2, anchor: .middle, maxWidth: plotHeight, isUpward: true)))
        }
        if !xLabel.isEmpty {
            marks.append(.text(.init(
                xLabel, x: (plotLeft + plotRight) / 2, y: height - Self.margin - BitmapFont.lineHeight(), anchor: .middle,
                maxWidth: plotWidth)))
        }
        return marks
    }

    /// The axis lines (left and bottom, just outside the plot area), drawn over the data.
    public var axisMarks: [FigureDrawing.Mark] {
        [
            .rectangle(x: plotLeft - 1, y: plotTop, width: 1, height: plotHeight + 2, fill: .ink, edge: nil),
            .rectangle(x: plotLeft - 1, y: plotBottom + 1, width: plotWidth + 1, height: 1, fill: .ink, edge: nil),
        ]
    }

    /// A tick mark under the x axis at column `x`.
    public func xTickMark(at x: Int) -> FigureDrawing.Mark {
        .rectangle(x: x, y: plotBottom + 2, width: 1, height: Self.tickLength, fill: .ink, edge: nil)
    }
}
