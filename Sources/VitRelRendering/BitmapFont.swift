/// A tiny proportional bitmap font for figure titles, labels and tick marks, built in so that
/// figures need no font files: ASCII letters, digits and punctuation, plus the few symbols
/// relevance figures use (− × · … ± ≤ ≥ Σ α γ ε °).
///
/// Glyphs are drawn on a grid of `capHeight` = 7 rows above the baseline and `descent` = 2
/// below (g j p q y and the comma use them); most are 5 columns wide (the classic 5×7 matrix
/// of character LCDs), narrow ones (i l . : ! ') less, and one empty column separates
/// glyphs. `scale` enlarges every dot to scale × scale pixels: 1 for tick labels, 2 for
/// titles. Characters without a glyph are drawn as an outlined box.
public enum BitmapFont {
    /// Rows above the baseline (capitals and digits fill them).
    public static let capHeight = 7
    /// Rows below the baseline.
    public static let descent = 2
    /// Rows of every glyph cell: `capHeight + descent`.
    public static let cellHeight = capHeight + descent
    /// Empty columns between glyphs.
    public static let letterSpacing = 1

    /// One character's dots: `rows[r]` has bit (width − 1 − c) set when column c of row r is
    /// inked; row 0 is the top of the cell.
    public struct Glyph: Sendable, Equatable {
        public let width: Int
        public let rows: [UInt16]

        /// Whether column `column` of row `row` is inked.
        public func isInked(column: Int, row: Int) -> Bool {
            rows[row] >> UInt16(width - 1 - column) & 1 == 1
        }

        /// Parses `#` (ink) and `.` (paper) rows: 7 rows stand on the baseline, 9 rows also
        /// use the descent.
        init(_ art: [String]) {
            precondition(art.count == BitmapFont.capHeight || art.count == BitmapFont.cellHeight, "glyph needs 7 or 9 rows")
            let width = art[0].count
            precondition(art.allSatisfy { $0.count == width }, "glyph rows differ in width: \(art)")
            let padded = art + [String](repeating: String(repeating: ".", count: width), count: BitmapFont.cellHeight - art.count)
            self.width = width
            rows = padded.map { row in row.reduce(UInt16(0)) { $0 << 1 | ($1 == "#" ? 1 : 0) } }
        }
    }

    /// The glyph drawn for `character`.
    public static func glyph(for character: Character) -> Glyph {
        glyphs[character] ?? missing
    }

    /// Width in pixels of `text` drawn at `scale`.
    public static func width(of text: String, scale: Int = 1) -> Int {
        guard !text.isEmpty else { return 0 }
        let dots = text.reduce(0) { $0 + glyph(for: $1).width + letterSpacing } - letterSpacing
        return dots * scale
    }

    /// Height in pixels of one line drawn at `scale`, descent included.
    public static func lineHeight(scale: Int = 1) -> Int { cellHeight * scale }

    /// `text` as it fits into `maxWidth` pixels: at `scale` if it fits, else at smaller scales,
    /// and at scale 1 cut with "…" when even that is too wide.
    public static func fitting(_ text: String, maxWidth: Int, scale: Int) -> (text: String, scale: Int) {
        for s in stride(from: scale, through: 1, by: -1) where width(of: text, scale: s) <= maxWidth {
            return (text, s)
        }
        var characters = Array(text)
        while !characters.isEmpty && width(of: String(characters) + "…") > maxWidth { characters.removeLast() }
        return (characters.isEmpty ? "" : String(characters) + "…", 1)
    }

    /// `text` broken at spaces into lines no wider than `maxWidth` pixels at `scale` (a word
    /// wider than that gets a line of its own, cut by `fitting` when drawn).
    public static func wrapped(_ text: String, maxWidth: Int, scale: Int = 1) -> [String] {
        var lines = [String](), line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            let candidate = line.isEmpty ? String(word) : line + " " + word
            if line.isEmpty || width(of: candidate, scale: scale) <= maxWidth {
                line = candidate
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    static let missing = Glyph(["#####", "#...#", "#...#", "#...#", "#...#", "#...#", "#####"])

    static let glyphs: [Character: Glyph] = {
        var table = [Character: Glyph]()
        for (character, art) in artwork { table[character] = Glyph(art) }
        table["-"] = table["‐"]
        return table
    }()

    // The artwork: 7 rows (standing on the baseline) or 9 rows (with the descent).
    static let artwork: [Character: [String]] = [
        " ": ["...", "...", "...", "...", "...", "...", "..."],
        "0": [".##.", "#..#", "#..#", "#..#", "#..#", "#..#", ".##."],
        "1": ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."],
        "2": [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"],
        "3": ["#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."],
        "4": ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."],
        "5": ["#####", "#....", "####.", "....#", "....#", "#...#", ".###."],
        "6": ["..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."],
        "7": ["#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."],
        "8": [".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."],
        "9": [".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."],
        "A": [".###.", "#...#", "#...#", "#...#", "#####", "#...#", "#...#"],
        "B": ["####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."],
        "C": [".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."],
        "D": ["###..", "#..#.", "#...#", "#...#", "#...#", "#..#.", "###.."],
        "E": ["#####", "#....", "#....", "####.", "#....", "#....", "#####"],
        "F": ["#####", "#....", "#....", "####.", "#....", "#....", "#...."],
        "G": [".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"],
        "H": ["#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
        "I": ["###", ".#.", ".#.", ".#.", ".#.", ".#.", "###"],
        "J": ["..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."],
        "K": ["#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"],
        "L": ["#....", "#....", "#....", "#....", "#....", "#....", "#####"],
        "M": ["#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"],
        "N": ["#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"],
        "O": [".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
        "P": ["####.", "#...#", "#...#", "####.", "#....", "#....", "#...."],
        "Q": [".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"],
        "R": ["####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"],
        "S": [".####", "#....", "#....", ".###.", "....#", "....#", "####."],
        "T": ["#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."],
        "U": ["#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
        "V": ["#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."],
        "W": ["#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."],
        "X": ["#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"],
        "Y": ["#...#", "#...#", "#...#", ".#.#.", "..#..", "..#..", "..#.."],
        "Z": ["#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"],
        "a": [".....", ".....", ".###.", "....#", ".####", "#...#", ".####"],
        "b": ["#....", "#....", "#.##.", "##..#", "#...#", "#...#", "####."],
        "c": [".....", ".....", ".###.", "#....", "#....", "#...#", ".###."],
        "d": ["....#", "....#", ".##.#", "#..##", "#...#", "#...#", ".####"],
        "e": [".....", ".....", ".###.", "#...#", "#####", "#....", ".###."],
        "f": ["..##", ".#..", "###.", ".#..", ".#..", ".#..", ".#.."],
        "g": [".....", ".....", ".####", "#...#", "#...#", "#...#", ".####", "....#", ".###."],
        "h": ["#....", "#....", "#.##.", "##..#", "#...#", "#...#", "#...#"],
        "i": [".#.", "...", "##.", ".#.", ".#.", ".#.", "###"],
        "j": ["..#", "...", ".##", "..#", "..#", "..#", "..#", "#.#", ".#."],
        "k": ["#...", "#...", "#..#", "#.#.", "##..", "#.#.", "#..#"],
        "l": ["##.", ".#.", ".#.", ".#.", ".#.", ".#.", "###"],
        "m": [".....", ".....", "##.#.", "#.#.#", "#.#.#", "#.#.#", "#.#.#"],
        "n": [".....", ".....", "#.##.", "##..#", "#...#", "#...#", "#...#"],
        "o": [".....", ".....", ".###.", "#...#", "#...#", "#...#", ".###."],
        "p": [".....", ".....", "####.", "#...#", "#...#", "#...#", "####.", "#....", "#...."],
        "q": [".....", ".....", ".####", "#...#", "#...#", "#...#", ".####", "....#", "....#"],
        "r": [".....", ".....", "#.##.", "##..#", "#....", "#....", "#...."],
        "s": [".....", ".....", ".####", "#....", ".###.", "....#", "####."],
        "t": [".#..", ".#..", "###.", ".#..", ".#..", ".#.#", "..#."],
        "u": [".....", ".....", "#...#", "#...#", "#...#", "#..##", ".##.#"],
        "v": [".....", ".....", "#...#", "#...#", "#...#", ".#.#.", "..#.."],
        "w": [".....", ".....", "#...#", "#...#", "#.#.#", "#.#.#", ".#.#."],
        "x": [".....", ".....", "#...#", ".#.#.", "..#..", ".#.#.", "#...#"],
        "y": [".....", ".....", "#...#", "#...#", "#...#", "#...#", ".####", "....#", ".###."],
        "z": [".....", ".....", "#####", "...#.", "..#..", ".#...", "#####"],
        ".": [".", ".", ".", ".", ".", ".", "#"],
        ",": ["..", "..", "..", "..", "..", ".#", ".#", "#.", ".."],
        ":": [".", ".", "#", ".", ".", "#", "."],
        ";": ["..", "..", ".#", "..", "..", ".#", ".#", "#.", ".."],
        "!": ["#", "#", "#", "#", "#", ".", "#"],
        "?": [".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#.."],
        "'": ["#", "#", ".", ".", ".", ".", "."],
        "\"": ["#.#", "#.#", "...", "...", "...", "...", "..."],
        "`": ["#.", ".#", "..", "..", "..", "..", ".."],
        "‐": ["....", "....", "....", "####", "....", "....", "...."],
        "−": [".....", ".....", ".....", "#####", ".....", ".....", "....."],
        "–": [".....", ".....", ".....", "#####", ".....", ".....", "....."],
        "—": ["........", "........", "........", "########", "........", "........", "........"],
        "+": [".....", "..#..", "..#..", "#####", "..#..", "..#..", "....."],
        "=": [".....", ".....", "#####", ".....", "#####", ".....", "....."],
        "_": [".....", ".....", ".....", ".....", ".....", ".....", "#####"],
        "(": ["..#", ".#.", "#..", "#..", "#..", ".#.", "..#"],
        ")": ["#..", ".#.", "..#", "..#", "..#", ".#.", "#.."],
        "[": ["###", "#..", "#..", "#..", "#..", "#..", "###"],
        "]": ["###", "..#", "..#", "..#", "..#", "..#", "###"],
        "{": ["..##", ".#..", ".#..", "#...", ".#..", ".#..", "..##"],
        "}": ["##..", "..#.", "..#.", "...#", "..#.", "..#.", "##.."],
        "/": ["....#", "....#", "...#.", "..#..", ".#...", "#....", "#...."],
        "\\": ["#....", "#....", ".#...", "..#..", "...#.", "....#", "....#"],
        "|": ["#", "#", "#", "#", "#", "#", "#", "#", "#"],
        "%": ["##...", "##..#", "...#.", "..#..", ".#...", "#..##", "...##"],
        "#": [".#.#.", ".#.#.", "#####", ".#.#.", "#####", ".#.#.", ".#.#."],
        "*": [".....", "..#..", "#.#.#", ".###.", "#.#.#", "..#..", "....."],
        "&": [".##..", "#..#.", "#.#..", ".#...", "#.#.#", "#..#.", ".##.#"],
        "@": [".###.", "#...#", "#.###", "#.#.#", "#.###", "#....", ".###."],
        "$": ["..#..", ".####", "#.#..", ".###.", "..#.#", "####.", "..#.."],
        "^": ["..#..", ".#.#.", "#...#", ".....", ".....", ".....", "....."],
        "~": [".....", ".....", ".#...", "#.#.#", "...#.", ".....", "....."],
        "<": ["...#", "..#.", ".#..", "#...", ".#..", "..#.", "...#"],
        ">": ["#...", ".#..", "..#.", "...#", "..#.", ".#..", "#..."],
        "×": [".....", ".....", "#...#", ".#.#.", "..#..", ".#.#.", "#...#"],
        "·": [".", ".", ".", "#", ".", ".", "."],
        "…": [".....", ".....", ".....", ".....", ".....", ".....", "#.#.#"],
        "±": ["..#..", "..#..", "#####", "..#..", "..#..", ".....", "#####"],
        "≤": ["....#", "..##.", "##...", "..##.", "....#", ".....", "#####"],
        "≥": ["#....", ".##..", "...##", ".##..", "#....", ".....", "#####"],
        "°": [".#.", "#.#", ".#.", "...", "...", "...", "..."],
        "Σ": ["#####", "#....", ".#...", "..#..", ".#...", "#....", "#####"],
        "α": [".....", ".....", ".##.#", "#..#.", "#..#.", "#..#.", ".##.#"],
        "γ": [".....", ".....", "#...#", "#...#", ".#.#.", ".#.#.", "..#..", "..#..", "..#.."],
        "ε": [".....", ".....", ".###.", "#....", ".##..", "#....", ".###."],
    ]
}

extension Canvas {
    /// Draws `text` with the top of its cell at `y` and its first glyph at `x`.
    public mutating func drawText(_ text: String, x: Int, y: Int, scale: Int = 1, color: RGBColor = .ink) {
        precondition(scale >= 1, "text scale \(scale) must be at least 1")
        var cursor = x
        for character in text {
            let glyph = BitmapFont.glyph(for: character)
            for row in 0..<BitmapFont.cellHeight {
                for column in 0..<glyph.width where glyph.isInked(column: column, row: row) {
                    fill(x: cursor + column * scale, y: y + row * scale, width: scale, height: scale, color)
                }
            }
            cursor += (glyph.width + BitmapFont.letterSpacing) * scale
        }
    }

    /// Draws `text` centred horizontally on `centerX`.
    public mutating func drawText(_ text: String, centeredAt centerX: Int, y: Int, scale: Int = 1, color: RGBColor = .ink) {
        drawText(text, x: centerX - BitmapFont.width(of: text, scale: scale) / 2, y: y, scale: scale, color: color)
    }
}
