/// A figure of titled image tiles in rows, with an optional figure title and a colour bar:
/// the layout of Figure 4 of the COVID-19 ViT explainability papers — the input X-ray, then
/// the map of each class (titled with the class and its probability), then extra columns such
/// as LIME's top-3 and top-8 superpixels.
///
/// All tiles have the size of the first image and are drawn `scale` times enlarged (nearest
/// neighbour), so a 32-pixel test input and a 224-pixel X-ray both give readable figures.
///
/// ```swift
/// let panel = FigurePanel(
///     title: "covid_1579.png · chefer-lrp", rows: [[input, covidMap, normalMap]],
///     colorBar: ColorBar(for: overlay, caption: "min–max"))
/// try ImageIO.writePNG(panel.render(), to: pngURL)
/// try panel.svg().write(to: svgURL)        // tiles embedded as PNG, titles as text
/// ```
public struct FigurePanel: Sendable {
    public struct Tile: Sendable {
        /// Drawn above the tile at scale 2 (shrunk or cut with "…" to the tile's width).
        public var title: String
        /// Drawn under the title at scale 1 in a muted colour; empty for none.
        public var subtitle: String
        /// nil leaves the place empty (to keep columns aligned across rows).
        public var image: Image?

        public init(title: String, subtitle: String = "", image: Image?) {
            self.title = title
            self.subtitle = subtitle
            self.image = image
        }
    }

    /// Pixel sizes of a rendered panel and where each part goes.
    public struct Layout: Equatable, Sendable {
        public var width: Int
        public var height: Int
        public var tileWidth: Int
        public var tileHeight: Int
        /// Height of the figure title block (0 without a title).
        public var headerHeight: Int
        /// Height of the title block above each tile.
        public var labelHeight: Int
        public var columns: Int
        public var rows: Int

        /// Top-left corner of the tile's image (not its title) in row `row`, column `column`.
        public func tileOrigin(row: Int, column: Int) -> (x: Int, y: Int) {
            (FigurePanel.margin + column * (tileWidth + FigurePanel.gap),
             FigurePanel.margin + headerHeight + row * (labelHeight + tileHeight + FigurePanel.gap) + labelHeight)
        }

        /// Left edge of the colour bar column.
        public var colorBarX: Int { FigurePanel.margin + columns * tileWidth + (columns - 1) * FigurePanel.gap + 2 * FigurePanel.gap }
    }

    /// Space around the figure.
    public static let margin = 16
    /// Space between tiles, between rows, and before the colour bar (twice).
    public static let gap = 10
    /// Scale of tile and figure titles.
    public static let titleScale = 2

    public var title: String
    /// Smaller text under the title (model, settings), wrapped at spaces to the figure's
    /// width; empty for none.
    public var subtitle: String
    public var rows: [[Tile]]
    public var colorBar: ColorBar?
    public var scale: Int
    public var background: RGBColor

    public init(
        title: String = "", subtitle: String = "", rows: [[Tile]], colorBar: ColorBar? = nil, scale: Int = 1,
        background: RGBColor = .white
    ) {
        let images = rows.joined().compactMap(\.image)
        precondition(!images.isEmpty, "a panel needs at least one tile with an image")
        precondition(scale >= 1, "tile scale \(scale) must be at least 1")
        let first = images[0]
        precondition(
            images.allSatisfy { $0.width == first.width && $0.height == first.height },
            "every tile of a panel must have the size of the first (\(first.width)x\(first.height))")
        self.title = title
        self.subtitle = subtitle
        self.rows = rows
        self.colorBar = colorBar
        self.scale = scale
        self.background = background
    }

    public var layout: Layout {
        let first = rows.joined().compactMap(\.image)[0]
        let tileWidth = first.width * scale, tileHeight = first.height * scale
        let columns = rows.map(\.count).max()!
        let hasSubtitles = rows.joined().contains { !$0.subtitle.isEmpty }
        let labelHeight = BitmapFont.lineHeight(scale: Self.titleScale) + (hasSubtitles ? 3 + BitmapFont.lineHeight() : 0) + 6
        var width = 2 * Self.margin + columns * tileWidth + (columns - 1) * Self.gap
        if let colorBar { width += 2 * Self.gap + colorBar.width }
        var headerHeight = 0
        if !title.isEmpty { headerHeight += BitmapFont.lineHeight(scale: Self.titleScale) + 4 }
        headerHeight += subtitleLines(width: width).count * (BitmapFont.lineHeight() + 3)
        if headerHeight > 0 { headerHeight += 8 }
        // The colour bar's caption sits above the first row's tiles, within its title block.
        let height = 2 * Self.margin + headerHeight + rows.count * (labelHeight + tileHeight) + (rows.count - 1) * Self.gap
        return Layout(
            width: width, height: height, tileWidth: tileWidth, tileHeight: tileHeight, headerHeight: headerHeight,
            labelHeight: labelHeight, columns: columns, rows: rows.count)
    }

    private func subtitleLines(width: Int) -> [String] {
        BitmapFont.wrapped(subtitle, maxWidth: width - 2 * Self.margin)
    }

    /// The figure as marks, for `render` and `svg`: tiles as images, titles and the colour
    /// bar's labels as text.
    public func drawing() -> FigureDrawing {
        let layout = self.layout
        var drawing = FigureDrawing(width: layout.width, height: layout.height, background: background)
        let textWidth = layout.width - 2 * Self.margin
        var y = Self.margin
        if !title.isEmpty {
            drawing.marks.append(.text(.init(title, x: Self.margin, y: y, scale: Self.titleScale, maxWidth: textWidth)))
            y += BitmapFont.lineHeight(scale: Self.titleScale) + 4
        }
        for line in subtitleLines(width: layout.width) {
            drawing.marks.append(.text(.init(line, x: Self.margin, y: y, color: .mutedInk, maxWidth: textWidth)))
            y += BitmapFont.lineHeight() + 3
        }
        for (r, row) in rows.enumerated() {
            for (c, tile) in row.enumerated() {
                guard let image = tile.image else { continue }
                let origin = layout.tileOrigin(row: r, column: c)
                let labelTop = origin.y - layout.labelHeight
                let centre = origin.x + layout.tileWidth / 2
                if !tile.title.isEmpty {
                    drawing.marks.append(.text(.init(
                        tile.title, x: centre, y: labelTop, anchor: .middle, scale: Self.titleScale, maxWidth: layout.tileWidth)))
                }
                if !tile.subtitle.isEmpty {
                    drawing.marks.append(.text(.init(
                        tile.subtitle, x: centre, y: labelTop + BitmapFont.lineHeight(scale: Self.titleScale) + 3, anchor: .middle,
                        color: .mutedInk, maxWidth: layout.tileWidth)))
                }
                drawing.marks.append(.rectangle(
                    x: origin.x - 1, y: origin.y - 1, width: layout.tileWidth + 2, height: layout.tileHeight + 2, fill: nil,
                    edge: RGBColor(gray: 0.8)))
                drawing.marks.append(.image(image, x: origin.x, y: origin.y, scale: scale))
            }
        }
        if let colorBar {
            let origin = layout.tileOrigin(row: 0, column: 0)
            drawing.marks += colorBar.marks(
                x: layout.colorBarX, y: origin.y - colorBar.captionHeight, height: layout.tileHeight + colorBar.captionHeight)
        }
        return drawing
    }

    /// The figure as an RGB image.
    public func render() -> Image {
        drawing().render()
    }

    /// The figure as an SVG document: tiles embedded as PNG images, text as text.
    public func svg() throws -> SVGDocument {
        try drawing().svg()
    }
}
