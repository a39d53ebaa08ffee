/// A colour map as matplotlib defines one (`matplotlib.colors.LinearSegmentedColormap`): for
/// each channel a piecewise-linear function given by segment data, sampled into a lookup table
/// of `size` colours (256 for the registered maps), and a lookup that picks a table entry.
///
/// Both steps follow matplotlib 3.x exactly, so a figure drawn here has the colours the
/// Python figures of the papers have:
/// - `_create_lookup_table`: entry i samples x_i = i·(1/(N−1)) (numpy `linspace`); on the
///   segment [x_{k−1}, x_k] that contains it (`searchsorted`, left side) the value is
///   y1_{k−1} + (x_i − x_{k−1})/(x_k − x_{k−1}) · (y0_k − y1_{k−1}); the first entry is y1_0,
///   the last y0_last; everything is clipped to [0, 1].
/// - `Colormap.__call__` for floats: index = ⌊x·N⌋, with x = 1 in the last bin, below 0 the
///   first colour, above 1 the last; NaN is matplotlib's "bad" colour (transparent black
///   there, `badColor` here).
///
/// ```swift
/// let colour = ColorMap.jet.color(at: 0.8)     // matplotlib.colormaps["jet"](0.8)[:3]
/// ```
public struct ColorMap: Sendable, Equatable {
    /// One channel's segment data: rows (x, y0, y1) with x rising from 0 to 1; y0 is the value
    /// just below x and y1 just above it (equal unless the channel jumps at x).
    public struct Segments: Sendable, Equatable {
        public var rows: [(x: Double, below: Double, above: Double)]

        public init(_ rows: [(x: Double, below: Double, above: Double)]) {
            precondition(rows.count >= 2 && rows.first!.x == 0 && rows.last!.x == 1, "segment data must run from x = 0 to x = 1")
            precondition(zip(rows, rows.dropFirst()).allSatisfy { $0.x <= $1.x }, "segment x must not decrease")
            self.rows = rows
        }

        public static func == (a: Segments, b: Segments) -> Bool {
            a.rows.count == b.rows.count && zip(a.rows, b.rows).allSatisfy { $0 == $1 }
        }

        /// matplotlib `_create_lookup_table(N, data)` with gamma 1.
        public func lookupTable(size: Int) -> [Double] {
            precondition(size >= 2, "a lookup table needs at least 2 entries")
            let n = Double(size - 1)
            let xs = rows.map { $0.x * n }
            let step = 1.0 / n  // numpy linspace(0, 1, N): i·step, the last entry exactly 1
            var table = [Double](repeating: 0, count: size)
            table[0] = rows[0].above
            table[size - 1] = rows[rows.count - 1].below
            for i in 1..<(size - 1) {
                let position = n * (Double(i) * step)
                // searchsorted(side="left"): the first k with xs[k] ≥ position.
                var k = 0
                while xs[k] < position { k += 1 }
                let distance = (position - xs[k - 1]) / (xs[k] - xs[k - 1])
                table[i] = distance * (rows[k].below - rows[k - 1].above) + rows[k - 1].above
            }
            return table.map { min(max($0, 0), 1) }
        }

        /// The channel of the reversed map: matplotlib's `reversed()` maps each (x, y0, y1),
        /// taken in reverse order, to (1 − x, y1, y0).
        public var reversed: Segments {
            Segments(rows.reversed().map { (x: 1 - $0.x, below: $0.above, above: $0.below) })
        }
    }

    public let name: String
    public let red: Segments
    public let green: Segments
    public let blue: Segments
    /// The sampled colours; `color(at:)` picks one of them.
    public let table: [RGBColor]
    /// The colour of NaN.
    public var badColor = RGBColor(gray: 0.5)

    public init(name: String, red: Segments, green: Segments, blue: Segments, size: Int = 256) {
        self.name = name
        self.red = red
        self.green = green
        self.blue = blue
        let r = red.lookupTable(size: size), g = green.lookupTable(size: size), b = blue.lookupTable(size: size)
        table = (0..<size).map { RGBColor(red: Float(r[$0]), green: Float(g[$0]), blue: Float(b[$0])) }
    }

    /// matplotlib `LinearSegmentedColormap.from_list(name, colors)`: the colours evenly spaced
    /// at x_k = k·(1/(K−1)), each channel continuous.
    /// Colours are given in Double, as matplotlib holds them, so the table matches its to
    /// rounding.
    public init(name: String, evenlySpaced colors: [(red: Double, green: Double, blue: Double)], size: Int = 256) {
        precondition(colors.count >= 2, "a colour list needs at least 2 colours")
        let step = 1.0 / Double(colors.count - 1)
        let xs = colors.indices.map { $0 == colors.count - 1 ? 1 : Double($0) * step }
        func channel(_ value: ((red: Double, green: Double, blue: Double)) -> Double) -> Segments {
            Segments(zip(xs, colors).map { (x: $0, below: value($1), above: value($1)) })
        }
        self.init(name: name, red: channel { $0.red }, green: channel { $0.green }, blue: channel { $0.blue }, size: size)
    }

    /// The map run backwards (matplotlib's `cmap.reversed()`, registered as "<name>_r").
    public func reversed() -> ColorMap {
        ColorMap(name: name + "_r", red: red.reversed, green: green.reversed, blue: blue.reversed, size: table.count)
    }

    /// The colour of x ∈ [0, 1] (values outside take the end colours).
    public func color(at x: Double) -> RGBColor {
        if x.isNaN { return badColor }
        let n = table.count
        let scaled = x * Double(n)
        if scaled < 0 { return table[0] }
        if scaled >= Double(n) { return table[n - 1] }  // includes x = 1, which matplotlib puts in the last bin
        return table[Int(scaled)]
    }

    public static func == (a: ColorMap, b: ColorMap) -> Bool {
        a.name == b.name && a.table == b.table && a.badColor == b.badColor
    }
}
