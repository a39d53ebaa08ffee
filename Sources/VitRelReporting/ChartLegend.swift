/// The key of a chart: one entry per series (a symbol in the series' colour and its name),
/// laid out left to right in rows under the title and wrapped when a row is full, so it
/// never hides data the way a legend inside the axes can.
public struct ChartLegend: Sendable {
    /// What an entry shows before its label.
    public enum Symbol: Equatable, Sendable {
        /// A box: filled with `fill`, outlined with `edge` (box plots).
        case box(fill: RGBColor, edge: RGBColor)
        /// A line segment of `color`, over a translucent band when `band` is true (line charts).
        case line(color: RGBColor, band: Bool)
        /// A filled triangle, the mark of a box's mean.
        case triangle(color: RGBColor)
    }

    public struct Entry: Equatable, Sendable {
        public var label: String
        public var symbol: Symbol

        public init(label: String, symbol: Symbol) {
            self.label = label
            self.symbol = symbol
        }
    }

    /// Where one entry is drawn: its symbol's box and the top-left corner of its label.
    public struct Placement: Equatable, Sendable {
        public var symbolX: Int
        public var y: Int
        public var labelX: Int
        /// The label as drawn (cut with "…" when a row cannot hold it).
        public var label: String
    }

    /// Width and height of a symbol's box.
    public static let symbolWidth = 18
    public static let symbolHeight = BitmapFont.capHeight + 2
    /// Between a symbol and its label, and between entries.
    public static let labelGap = 5
    public static let entryGap = 16
    /// Height of a row of entries.
    public static let rowHeight = BitmapFont.lineHeight() + 5
    /// Opacity of a band symbol (the line chart's bands use the same).
    public static let bandOpacity: Float = 0.25

    public var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// The entries placed in rows from (x, y), none wider than `maxWidth`.
    public func placements(x: Int, y: Int, maxWidth: Int) -> [Placement] {
        var placements = [Placement]()
        var cursor = x, row = y
        let labelRoom = Self.labelRoom(maxWidth: maxWidth)
        for entry in entries {
            let label = BitmapFont.fitting(entry.label, maxWidth: labelRoom, scale: 1).text
            let width = Self.symbolWidth + Self.labelGap + BitmapFont.width(of: label)
            if cursor > x && cursor + width > x + maxWidth {
                cursor = x
                row += Self.rowHeight
            }
            placements.append(Placement(symbolX: cursor, y: row, labelX: cursor + Self.symbolWidth + Self.labelGap, label: label))
            cursor += width + Self.entryGap
        }
        return placements
    }

    /// Width a label may take in a legend `maxWidth` wide: a row holding its entry alone.
    static func labelRoom(maxWidth: Int) -> Int {
        max(maxWidth - symbolWidth - labelGap, 1)
    }

    /// Pixels the legend takes down the figure when its rows are `maxWidth` wide.
    public func height(maxWidth: Int) -> Int {
        guard let last = placements(x: 0, y: 0, maxWidth: maxWidth).last else { return 0 }
        return last.y + Self.rowHeight
    }

    /// The entries where `placements` put them, for a legend `maxWidth` wide (the width the
    /// placements were made for: labels that did not fit are cut by the raster).
    public func marks(placements: [Placement], maxWidth: Int) -> [FigureDrawing.Mark] {
        var marks = [FigureDrawing.Mark]()
        let labelRoom = Self.labelRoom(maxWidth: maxWidth)
        for (entry, place) in zip(entries, placements) {
            let top = place.y, middle = place.y + Self.symbolHeight / 2
            switch entry.symbol {
            case .box(let fill, let edge):
                marks.append(.rectangle(x: place.symbolX, y: top, width: Self.symbolWidth, height: Self.symbolHeight, fill: fill, edge: edge))
            case .line(let color, let band):
                if band {
                    marks.append(.translucentRectangle(
                        x: place.symbolX, y: top, width: Self.symbolWidth, height: Self.symbolHeight, color: color, opacity: Self.bandOpacity))
                }
                marks.append(.rectangle(x: place.symbolX, y: middle - 1, width: Self.symbolWidth, height: 2, fill: color, edge: nil))
            case .triangle(let color):
                marks.append(.triangle(center: .init(x: place.symbolX + Self.symbolWidth / 2, y: middle), size: 7, color: color))
            }
            marks.append(.text(.init(entry.label, x: place.labelX, y: top + 1, maxWidth: labelRoom)))
        }
        return marks
    }
}
