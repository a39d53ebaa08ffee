/// Burned-in projection markers: the "L", "R" and "A-P" a radiographer's lead letters or
/// the console leave in the corner of a film (COVID-QU-Ex's `non_COVID (11906).png` has
/// "A-P" and "R"). They are drawn on a random subset of images, independent of the class,
/// so they are clutter a classifier must learn to ignore — unlike `PhantomShortcut`.
struct PhantomMarkers: Sendable {
    struct Stamp: Sendable {
        var text: String
        var x: Int, y: Int
        var scale: Int
        var level: UInt8
    }

    var stamps: [Stamp]

    /// The text of all stamps, joined by a space ("" when the image has none).
    var text: String { stamps.map(\.text).joined(separator: " ") }

    init(parameters: PhantomParameters, generator g: inout SeededGenerator) {
        stamps = []
        guard g.chance(parameters.markerProbability) else { return }
        let size = parameters.size
        let scale = max(1, (size + 64) / 128)
        let level = UInt8(g.draw(215...255))
        let glyphHeight = 7 * scale
        let margin = max(2, size / 64)
        func width(_ text: String) -> Int { (6 * text.count - 1) * scale }
        let onLeft = g.chance(0.6)
        func xPosition(_ text: String) -> Int {
            let jitter = g.draw(0...(size / 32))
            return onLeft ? margin + jitter : size - margin - jitter - width(text)
        }
        switch g.draw(0...2) {
        case 0:   // a side letter in an upper corner
            let text = g.chance(0.5) ? "L" : "R"
            stamps.append(Stamp(text: text, x: xPosition(text), y: margin + g.draw(0...(size / 16)), scale: scale, level: level))
        case 1:   // a side letter along the edge, level with the upper lung
            let text = g.chance(0.5) ? "L" : "R"
            stamps.append(Stamp(text: text, x: xPosition(text), y: size / 8 + g.draw(0...(size / 8)), scale: scale, level: level))
        default:  // the projection, with the side letter under it
            let y = margin + g.draw(0...(size / 32))
            stamps.append(Stamp(text: "A-P", x: xPosition("A-P"), y: y, scale: scale, level: level))
            let side = g.chance(0.5) ? "L" : "R"
            stamps.append(Stamp(text: side, x: xPosition(side), y: y + glyphHeight + 3 * scale, scale: scale, level: level))
        }
    }

    /// Draws the stamps into an 8-bit image (row-major, `size`×`size`), never darkening it.
    func draw(into pixels: UnsafeMutablePointer<UInt8>, size: Int) {
        for stamp in stamps {
            var penX = stamp.x
            for character in stamp.text {
                if let rows = Self.font[character] {
                    for (row, bits) in rows.enumerated() {
                        for (column, bit) in bits.enumerated() where bit == "#" {
                            for dy in 0..<stamp.scale {
                                for dx in 0..<stamp.scale {
                                    let x = penX + column * stamp.scale + dx
                                    let y = stamp.y + row * stamp.scale + dy
                                    if x >= 0 && x < size && y >= 0 && y < size {
                                        pixels[y * size + x] = max(pixels[y * size + x], stamp.level)
                                    }
                                }
                            }
                        }
                    }
                }
                penX += 6 * stamp.scale
            }
        }
    }

    /// A 5×7 bitmap font with just the marker letters.
    static let font: [Character: [String]] = [
        "L": ["#....", "#....", "#....", "#....", "#....", "#....", "#####"],
        "R": ["####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"],
        "A": [".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
        "P": ["####.", "#...#", "#...#", "####.", "#....", "#....", "#...."],
        "-": [".....", ".....", ".....", ".###.", ".....", ".....", "....."],
    ]
}
