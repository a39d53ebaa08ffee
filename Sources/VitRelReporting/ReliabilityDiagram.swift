/// The reliability diagram of a `CalibrationReport` (DeGroot & Fienberg 1983; drawn as in
/// Guo et al. 2017, Figure 1): one bar per non-empty confidence bin, as high as the bin's
/// accuracy, against the diagonal of perfect calibration, with the gap between the bar and
/// the bin's mean confidence — the bin's term of the ECE — shaded red with a red edge. Under it, sharing the
/// confidence axis, the histogram of bin counts with each count written over its bar, so a
/// large gap in a bin of three images reads as what it is. The title carries the ECE.
///
/// Same frame, fonts, palette and pixel rules as the other charts (`ChartFrame`): the bars are
/// series 0's box colours, the gap is tab10's red drawn translucent.
///
/// ```swift
/// let report = try CalibrationReport(labels: labels, logits: logits)
/// try ImageIO.writePNG(ReliabilityDiagram(report: report, title: "Test split").render(), to: url)
/// ```
public struct ReliabilityDiagram: Sendable {
    public var report: CalibrationReport
    public var title: String

    /// Pixels from the main plot's x axis to the bottom of the figure: the count strip, its
    /// axis labels and the x label.
    public static let histogramBlockHeight = 110
    /// Opacity of the red gap over the bars and the background.
    public static let gapOpacity: Float = 0.4
    public static let gapColor = ChartPalette.color(3)
    public static let histogramColor = ChartPalette.color(7).mixed(with: .white, 0.35)
    public static let diagonalColor = RGBColor.ink

    public init(report: CalibrationReport, title: String = "Reliability diagram") {
        self.report = report
        self.title = title
    }

    /// The title as drawn: the caller's, then the ECE and the bin count.
    public var fullTitle: String {
        let ece = "ECE " + String(format: "%.4f", report.expectedCalibrationError) + " (\(report.binCount) bins)"
        return title.isEmpty ? ece : title + ": " + ece
    }

    /// Where everything of a `width` × `height` rendering goes.
    public struct Layout: Sendable {
        /// The reliability plot: accuracy (y) against confidence.
        public var frame: ChartFrame
        public var xAxis: ChartAxis
        /// Rows of the count strip's plot area, inclusive.
        public var histogramTop: Int
        public var histogramBottom: Int

        /// The column of confidence `value`, in both plots.
        public func x(_ value: Double) -> Int { xAxis.pixel(value, from: frame.plotLeft, to: frame.plotRight) }
        /// The row of accuracy `value` in the reliability plot.
        public func y(_ value: Double) -> Int { frame.y(value) }
        /// The columns of bin [lower, upper]'s bar: one pixel in from each edge so neighbours stay
        /// apart, unless the bin is too narrow for that.
        public func barColumns(lower: Double, upper: Double) -> ClosedRange<Int> {
            let left = x(lower), right = x(upper)
            return right - left >= 3 ? (left + 1)...(right - 1) : left...max(left, right - 1)
        }
    }

    public static let legend = ChartLegend(entries: [
        .init(label: "accuracy", symbol: .box(fill: BoxPlotChart.colors(series: 0).fill, edge: BoxPlotChart.colors(series: 0).edge)),
        .init(label: "gap to mean confidence", symbol: .box(fill: RGBColor.white.mixed(with: gapColor, gapOpacity), edge: gapColor)),
        .init(label: "perfect calibration", symbol: .line(color: diagonalColor, band: false)),
    ])

    public func layout(width: Int = 560, height: Int = 660) -> Layout {
        let unit = ChartAxis(covering: 0...1, maxIntervals: 5)
        let frame = ChartFrame(
            width: width, height: height - Self.histogramBlockHeight, title: fullTitle, xLabel: "", yLabel: "accuracy",
            yAxis: unit, legend: Self.legend, rightOverhang: BitmapFont.width(of: unit.label(1)) / 2)
        let top = frame.plotBottom + 2 + ChartFrame.tickLength + 8
        let bottom = height - 1 - ChartFrame.margin - 2 * BitmapFont.lineHeight() - 6 - ChartFrame.tickLabelGap - ChartFrame.tickLength - 2
        precondition(bottom - top >= 2 * BitmapFont.lineHeight(), "a \(width)x\(height) reliability diagram has no room for its counts")
        return Layout(frame: frame, xAxis: unit, histogramTop: top, histogramBottom: bottom)
    }

    /// The diagram as marks, for `render` and `svg`.
    public func drawing(width: Int = 560, height: Int = 660) -> FigureDrawing {
        let layout = self.layout(width: width, height: height)
        let frame = layout.frame
        var drawing = FigureDrawing(width: width, height: height, background: .white, marks: frame.backgroundMarks)
        let colors = BoxPlotChart.colors(series: 0)
        for bin in report.bins {
            guard let accuracy = bin.accuracy, let confidence = bin.meanConfidence else { continue }
            let columns = layout.barColumns(lower: bin.lower, upper: bin.upper)
            let top = layout.y(accuracy)
            drawing.marks.append(.rectangle(
                x: columns.lowerBound, y: top, width: columns.count, height: frame.plotBottom - top + 1, fill: colors.fill, edge: colors.edge))
            let gapTop = min(top, layout.y(confidence)), gapBottom = max(top, layout.y(confidence))
            if gapBottom > gapTop {
                // Translucent with a solid edge, as the legend's swatch: over the bar (under-confidence)
                // and over the background (over-confidence) it reads as the same kind of box.
                let height = gapBottom - gapTop + 1
                drawing.marks.append(.translucentRectangle(
                    x: columns.lowerBound, y: gapTop, width: columns.count, height: height, color: Self.gapColor, opacity: Self.gapOpacity))
                drawing.marks.append(.rectangle(x: columns.lowerBound, y: gapTop, width: columns.count, height: height, fill: nil, edge: Self.gapColor))
            }
        }
        drawing.marks.append(.line(
            from: .init(x: layout.x(0), y: layout.y(0)), to: .init(x: layout.x(1), y: layout.y(1)), thickness: 1, color: Self.diagonalColor))
        for tick in layout.xAxis.ticks { drawing.marks.append(frame.xTickMark(at: layout.x(tick))) }
        drawing.marks += frame.axisMarks
        drawing.marks += countMarks(layout: layout)
        return drawing
    }

    /// The diagram as an RGB image.
    public func render(width: Int = 560, height: Int = 660) -> Image {
        drawing(width: width, height: height).render()
    }

    /// The diagram as an SVG document: the PNG's marks as vector shapes and real text.
    public func svg(width: Int = 560, height: Int = 660) throws -> SVGDocument {
        try drawing(width: width, height: height).svg()
    }

    /// The count strip: bars scaled to the largest count, leaving a text line above the
    /// tallest for its number; the shared confidence ticks and the x label under it.
    private func countMarks(layout: Layout) -> [FigureDrawing.Mark] {
        let frame = layout.frame, top = layout.histogramTop, bottom = layout.histogramBottom
        let largest = report.bins.map(\.count).max() ?? 0
        let room = bottom - (top + BitmapFont.lineHeight() + 2) + 1
        var marks = [FigureDrawing.Mark]()
        for bin in report.bins where bin.count > 0 {
            let columns = layout.barColumns(lower: bin.lower, upper: bin.upper)
            let height = max(1, Int((Double(bin.count) / Double(largest) * Double(room)).rounded()))
            marks.append(.rectangle(x: columns.lowerBound, y: bottom - height + 1, width: columns.count, height: height, fill: Self.histogramColor, edge: nil))
            let label = "\(bin.count)"
            if BitmapFont.width(of: label) <= columns.count + 2 {
                let center = (columns.lowerBound + columns.upperBound + 1) / 2
                marks.append(.text(.init(label, x: center, y: bottom - height - BitmapFont.lineHeight() - 1, anchor: .middle, color: .mutedInk)))
            }
        }
        marks.append(.rectangle(x: frame.plotLeft - 1, y: top, width: 1, height: bottom - top + 2, fill: .ink, edge: nil))
        marks.append(.rectangle(x: frame.plotLeft - 1, y: bottom + 1, width: frame.plotWidth + 1, height: 1, fill: .ink, edge: nil))
        marks.append(.text(.init("images", x: ChartFrame.margin, y: (top + bottom) / 2, anchor: .middle, isUpward: true)))
        let labelTop = bottom + 2 + ChartFrame.tickLength + ChartFrame.tickLabelGap
        for tick in layout.xAxis.ticks {
            let column = layout.x(tick)
            marks.append(.rectangle(x: column, y: bottom + 2, width: 1, height: ChartFrame.tickLength, fill: .ink, edge: nil))
            marks.append(.text(.init(layout.xAxis.label(tick), x: column, y: labelTop, anchor: .middle)))
        }
        marks.append(.text(.init(
            "confidence (top-label probability)", x: (frame.plotLeft + frame.plotRight) / 2,
            y: frame.height + Self.histogramBlockHeight - ChartFrame.margin - BitmapFont.lineHeight(), anchor: .middle)))
        return marks
    }
}
