import CVitRelBF16

/// A row-major matrix rounded to bfloat16 (nearest even), kept beside a Linear layer's Float32
/// weight for `ProductPrecision.bf16`. Immutable once made, so shared freely between copies.
public final class BFloat16Matrix: @unchecked Sendable {
    public let rows: Int
    public let columns: Int
    public let bits: [UInt16]

    public init(rows: Int, columns: Int, floats: UnsafeBufferPointer<Float>) {
        precondition(floats.count == rows * columns, "bfloat16 matrix \(rows)×\(columns) from \(floats.count) values")
        self.rows = rows
        self.columns = columns
        bits = floats.baseAddress.map { BFloat16Products.rounded($0, count: floats.count) } ?? []
    }

    /// The value each entry holds, widened back to Float (for tests and fidelity checks).
    public var floats: [Float] { bits.map { Float(bitPattern: UInt32($0) << 16) } }

    /// True when oneDNN runs bfloat16 products on native instructions on this CPU.
    public static var isNative: Bool { vitrel_bf16_is_native() != 0 }

    /// True when oneDNN has a bfloat16 matmul here at all: oneDNN 2.6 has none below AVX-512
    /// (nor under `ONEDNN_MAX_CPU_ISA=AVX2`). Found by asking it for a 1×1×1 product.
    public static let isSupported: Bool = {
        let one: [UInt16] = [0x3F80]
        var product: Float = 0
        let status = vitrel_bf16_matmul(0, 1, 1, 1, 1, one, 1, one, 1, &product, 1, 0)
        return status == 0 && product == 1
    }()
}
