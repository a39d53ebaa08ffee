/// A figure as a list of marks in its pixel coordinates — rectangles, lines, text, images —
/// computed once by a chart or panel and rendered by two back ends: `render()` onto a `Canvas`
/// for the PNG, `svg()` into an `SVGDocument` for vector output with real text. The layout
/// arithmetic (where a box, a tick label, a tile goes) lives in the figure that makes the marks;
/// the back ends only say how each kind of mark looks in their medium.
///
/// Positions are whole pixels, x to the right and y down, as on the canvas. The raster draws each
/// mark with the canvas calls the figures made before they had marks (`fill`, `drawLine`,
/// `drawText`, …), so their PNGs have kept every pixel (`ReportChartPixelsPinnedTests`).
///
/// ```swift
/// var drawing = FigureDrawing(width: 200, height: 100)
/// drawing.marks.append(.text(.init("COVID-19", x: 10, y: 10)))
/// try ImageIO.writePNG(drawing.render(), to: pngURL)
/// try drawing.svg().write(to: svgURL)
/// ```
public struct FigureDrawing: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var background: RGBColor
    /// Drawn in order: later marks cover earlier ones.
    public var marks: [Mark]

    public init(width: Int, height: Int, background: RGBColor = .white, marks: [Mark] = []) {
        precondition(width > 0 && height > 0, "empty drawing \(width)x\(height)")
        self.width = width
        self.height = height
        self.background = background
        self.marks = marks
    }

    public struct Point: Equatable, Sendable {
        public var x: Int
        public var y: Int

        public init(x: Int, y: Int) {
            self.x = x
            self.y = y
        }
    }

    /// One piece of a figure.
    public indirect enum Mark: Equatable, Sendable {
        /// A rectangle `width` × `height` pixels with its top-left pixel at (x, y): filled with
        /// `fill`, outlined one pixel wide inside its bounds with `edge` (either may be nil).
        case rectangle(x: Int, y: Int, width: Int, height: Int, fill: RGBColor?, edge: RGBColor?)
        /// A rectangle of `color` laid over what is below at `opacity` (a band's legend swatch).
        case translucentRectangle(x: Int, y: Int, width: Int, height: Int, color: RGBColor, opacity: Float)
        /// A straight line between two pixels, both included, `thickness` pixels wide.
        case line(from: Point, to: Point, thickness: Int, color: RGBColor)
        /// A dashed line along row `y` from column `x0` to `x1` (inclusive), starting with a dash.
        case dashedHorizontalLine(y: Int, x0: Int, x1: Int, dash: Int, gap: Int, color: RGBColor)
        /// Connected line segments through `points`, `thickness` pixels wide.
        case polyline([Point], thickness: Int, color: RGBColor)
        /// The outline of a circle of `radius` pixels around a pixel, one pixel wide.
        case circle(center: Point, radius: Int, color: RGBColor)
        /// A filled upward triangle `size` pixels wide and high centred on a pixel (matplotlib's "^").
        case triangle(center: Point, size: Int, color: RGBColor)
        /// A translucent area between two edges (a curve's confidence band).
        case band(Band)
        case text(Text)
        /// `image` with its top-left pixel at (x, y), each pixel a `scale` × `scale` block.
        case image(Image, x: Int, y: Int, scale: Int)
        /// Marks that belong together (one box of a box plot), named by `title` — a tooltip and
        /// a handle in an SVG editor; the raster draws the marks alone.
        case group(title: String, marks: [Mark])
        /// Another drawing with its top-left corner at (x, y), clipped to its own size.
        case figure(FigureDrawing, x: Int, y: Int)
    }

    /// A translucent area between a lower and an upper edge over a range of columns, in both
    /// the forms its back ends need: the raster blends `spans` (each pixel once, so the overlap
    /// of neighbouring segments is not darker), the vector output fills `outlines`. Both come
    /// from the same edges in the figure that makes the band; the spans interpolate the data
    /// between points before rounding to rows, which a polygon through rounded corners cannot
    /// reproduce to the pixel.
    public struct Band: Equatable, Sendable {
        /// Rows `top...bottom` of column `x`.
        public struct Span: Equatable, Sendable {
            public var x: Int
            public var top: Int
            public var bottom: Int

            public init(x: Int, top: Int, bottom: Int) {
                self.x = x
                self.top = top
                self.bottom = bottom
            }
        }

        public var color: RGBColor
        public var opacity: Float
        public var spans: [Span]
        /// Closed polygons, one per unbroken stretch of the band: one edge forwards, the other back.
        public var outlines: [[Point]]

        public init(color: RGBColor, opacity: Float, spans: [Span], outlines: [[Point]]) {
            self.color = color
            self.opacity = opacity
            self.spans = spans
            self.outlines = outlines
        }
    }

    /// A line of text. The raster draws it in `BitmapFont` at `scale`; the SVG as a `<text>`
    /// element whose font size matches the bitmap glyphs' cap height.
    public struct Text: Equatable, Sendable {
        /// Which point of the text `x` gives (along the text's direction).
        public enum Anchor: Equatable, Sendable {
            case start, middle, end
        }

        /// The whole text, as the figure has it; the SVG always shows it whole.
        public var string: String
        /// Column of the anchor: the text's left edge, centre or right edge. For upward text, the
        /// left edge of its column (the glyphs' tops face left).
        public var x: Int
        /// Row of the top of the glyph cells. For upward text, the row it is centred on.
        public var y: Int
        public var anchor: Anchor
        public var scale: Int
        public var color: RGBColor
        /// Room for the text, when it has a limit: the raster shrinks it to a smaller scale or
        /// cuts it with "…" (`BitmapFont.fitting`); the SVG squeezes the whole text into the room
        /// only where the raster had to cut it.
        public var maxWidth: Int?
        /// Turned a quarter anticlockwise, reading upwards (a y-axis label); always centred, the
        /// only way the figures set such text.
        public var isUpward: Bool

        public init(
            _ string: String, x: Int, y: Int, anchor: Anchor = .start, scale: Int = 1, color: RGBColor = .ink,
            maxWidth: Int? = nil, isUpward: Bool = false
        ) {
            precondition(scale >= 1, "text scale \(scale) must be at least 1")
            precondition(!isUpward || anchor == .middle, "upward text is centred on its row, not anchored at its \(anchor)")
            self.string = string
            self.x = x
            self.y = y
            self.anchor = anchor
            self.scale = scale
            self.color = color
            self.maxWidth = maxWidth
            self.isUpward = isUpward
        }

        /// The text and scale the raster draws: fitted into `maxWidth` when there is one.
        public var fitted: (text: String, scale: Int) {
            guard let maxWidth else { return (string, scale) }
            return BitmapFont.fitting(string, maxWidth: maxWidth, scale: scale)
        }
    }

    /// The drawing on a canvas of its size: the PNG figure.
    public func render() -> Image {
        var canvas = Canvas(width: width, height: height, background: background)
        for mark in marks { canvas.draw(mark) }
        return canvas.image
    }
}
