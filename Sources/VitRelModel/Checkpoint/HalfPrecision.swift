/// Bit-level conversions between Float and the two 16-bit formats checkpoints store.
///
/// Written out by hand rather than through Swift's `Float16`, which is missing on macOS/x86_64,
/// so the reader behaves the same on every platform. Both directions follow IEEE 754:
/// widening is exact (subnormal halves become normal floats, ±0, ±∞ and NaN keep their
/// sign), narrowing rounds to nearest, ties to even, as `torch.Tensor.half()` and
/// `.bfloat16()` do (c10/util/Half.h, c10/util/BFloat16.h).
enum HalfPrecision {
    // MARK: IEEE binary16: 1 sign, 5 exponent (bias 15), 10 fraction bits.

    /// The Float a binary16 bit pattern denotes (exact).
    @inline(__always)
    static func float(fromFloat16Bits bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let fraction = UInt32(bits & 0x03FF)
        switch exponent {
        case 0:
            // Zero or subnormal: fraction · 2⁻²⁴, exact in Float (a normal number there).
            let magnitude = Float(fraction) * 0x1p-24
            return Float(bitPattern: magnitude.bitPattern | sign)
        case 0x1F:
            // ∞ or NaN; the NaN payload moves to the top of the Float fraction.
            return Float(bitPattern: sign | 0x7F80_0000 | (fraction << 13))
        default:
            // Rebias 15 → 127 and widen the fraction.
            return Float(bitPattern: sign | ((exponent + 112) << 23) | (fraction << 13))
        }
    }

    /// The binary16 bit pattern nearest to `value` (ties to even; beyond 65520 becomes ∞).
    static func float16Bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let magnitude = bits & 0x7FFF_FFFF
        if magnitude >= 0x7F80_0000 {
            // ∞ stays ∞; NaN keeps its top payload bits and is made quiet.
            return magnitude == 0x7F80_0000 ? sign | 0x7C00 : sign | 0x7E00 | UInt16((magnitude >> 13) & 0x03FF)
        }
        if magnitude >= 0x477F_F000 {
            // 65520 is halfway between the largest half (65504) and 2¹⁶; ties go to the even
            // neighbour, which is ∞.
            return sign | 0x7C00
        }
        if magnitude < 0x3880_0000 {
            // Below 2⁻¹⁴ the result is subnormal (or zero): count units of 2⁻²⁴. Scaling by a
            // power of two is exact here, and rounding 1024 spills correctly into the
            // smallest normal pattern 0x0400.
            let units = (Float(bitPattern: magnitude) * 0x1p24).rounded(.toNearestOrEven)
            return sign | UInt16(units)
        }
        let exponent = (magnitude >> 23) - 112
        let fraction = magnitude & 0x007F_FFFF
        var result = UInt32(exponent << 10) | (fraction >> 13)
        let dropped = fraction & 0x1FFF
        if dropped > 0x1000 || (dropped == 0x1000 && result & 1 == 1) {
            result += 1  // a carry out of the fraction correctly bumps the exponent
        }
        return sign | UInt16(result)
    }

    // MARK: bfloat16: the top 16 bits of a Float.

    /// The Float a bfloat16 bit pattern denotes (exact).
    @inline(__always)
    static func float(fromBFloat16Bits bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// The bfloat16 bit pattern nearest to `value` (ties to even; NaN stays a quiet NaN).
    static func bfloat16Bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN {
            return UInt16(bits >> 16) | 0x0040
        }
        let roundingBias = 0x7FFF + ((bits >> 16) & 1)
        return UInt16((bits &+ roundingBias) >> 16)
    }
}
