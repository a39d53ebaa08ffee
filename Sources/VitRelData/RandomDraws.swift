/// The draws the phantom and dataset code makes from a `SeededGenerator`, spelled once.
///
/// Every draw goes through the generator's own `nextUnit()`, never through the standard
/// library's `random(in:using:)`, whose algorithm is not specified and may change between
/// toolchains; the phantoms must stay byte-identical across Swift versions.
extension SeededGenerator {
    /// Uniform in `range` (closed ranges of width 0 return the bound).
    mutating func draw(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * nextUnit()
    }

    /// Uniform in `range`, as Float (the renderer's working precision).
    mutating func drawFloat(_ range: ClosedRange<Double>) -> Float {
        Float(draw(range))
    }

    /// Uniform integer in `range`.
    mutating func draw(_ range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound + 1)
        return range.lowerBound + Int(next() % span)
    }

    /// True with probability `probability`.
    mutating func chance(_ probability: Double) -> Bool {
        nextUnit() < probability
    }
}
