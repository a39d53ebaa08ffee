import CVitRelBF16

/// The precision of vitrel's untraced forward pass (`VisionTransformer.logits`, the bulk work
/// of predict, evaluate, LIME and the perturbation metrics). Traced passes (explanations,
/// gradients, relevance, training) always run in Float32 (or Float64 for checks).
public enum InferencePrecision: String, CaseIterable, Codable, Sendable {
    /// Float32 throughout.
    case fp32
    /// The Linear layers' products (qkv, projection, fc1, fc2: ~90% of a ViT's multiply-adds)
    /// with weights and inputs rounded to bfloat16 and sums kept in Float32 (oneDNN's matmul,
    /// AVX512-BF16 dot products where the CPU has them); patch embedding, attention maps,
    /// softmax, LayerNorm, GELU, residuals and the head stay Float32.
    case bf16
}

/// A row-major matrix rounded to bfloat16 (nearest even), kept beside a Linear layer's Float32
/// weight for `InferencePrecision.bf16`. Immutable once made, so shared freely between copies.
public final class BFloat16Matrix: @unchecked Sendable {
    public let rows: Int
    public let columns: Int
    public let bits: [UInt16]

    public init(rows: Int, columns: Int, floats: UnsafeBufferPointer<Float>) {
        precondition(floats.count == rows * columns, "bfloat16 matrix \(rows)×\(columns) from \(floats.count) values")
        self.rows = rows
        self.columns = columns
        var bits = [UInt16](repeating: 0, count: rows * columns)
        bits.withUnsafeMutableBufferPointer { destination in
            if let source = floats.baseAddress { vitrel_f32_to_bf16(source, destination.baseAddress!, Int64(floats.count)) }
        }
        self.bits = bits
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
        let status = vitrel_bf16_matmul(1, 1, 1, 1, one, 1, one, 1, &product, 1, 0)
        return status == 0 && product == 1
    }()
}

/// Why a model cannot run at the precision asked for.
public enum InferencePrecisionError: Error, CustomStringConvertible, Equatable {
    case bf16Unsupported(instructionSet: String)

    public var description: String {
        switch self {
        case .bf16Unsupported(let isa):
            return "--precision bf16 needs oneDNN's bfloat16 matmul, which oneDNN \(OneDNNGEMM.version) has only on CPUs with AVX-512 (this one runs \(isa)); use --precision fp32"
        }
    }
}

/// y[m, n] = x[m, k]·Wᵀ + b with W [n, k] in bfloat16: x rounded to bfloat16 per block of rows,
/// the product accumulated in Float32 into y after y is filled with the bias. Blocks of
/// `GEMMBlocks` shared out by `Parallel.forEachTask`, each one single-threaded oneDNN matmul, so
/// the bits do not depend on the thread count.
package enum BFloat16LinearProduct {
    package static func forward(
        x: UnsafePointer<Float>, rows m: Int, weight: BFloat16Matrix, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>
    ) {
        let n = weight.rows, k = weight.columns
        guard m > 0, n > 0 else { return }
        var input = [UInt16](repeating: 0, count: m * k)
        input.withUnsafeMutableBufferPointer { converted in
            let destination = converted.baseAddress!
            Parallel.forEachChunk(m, grain: max(1, 16_384 / max(k, 1))) { rows in
                vitrel_f32_to_bf16(x + rows.lowerBound * k, destination + rows.lowerBound * k, Int64(rows.count * k))
            }
        }
        let blocks = GEMMBlocks(m: m, n: n, k: k)
        input.withUnsafeBufferPointer { a in
            weight.bits.withUnsafeBufferPointer { w in
                Parallel.forEachTask(blocks.count) { index in
                    let part = blocks.range(index)
                    let rows = blocks.axis == .rows ? part : 0..<m
                    let columns = blocks.axis == .columns ? part : 0..<n
                    if let bias {
                        for row in rows { (y + row * n + columns.lowerBound).update(from: bias + columns.lowerBound, count: columns.count) }
                    }
                    let status = vitrel_bf16_matmul(
                        1, Int64(rows.count), Int64(columns.count), Int64(k),
                        a.baseAddress! + rows.lowerBound * k, Int64(k),
                        w.baseAddress! + columns.lowerBound * k, Int64(k),
                        y + rows.lowerBound * n + columns.lowerBound, Int64(n), bias == nil ? 0 : 1)
                    precondition(status == 0, "oneDNN bfloat16 matmul failed (status \(status)) on \(rows.count)×\(columns.count)×\(k)")
                }
            }
        }
    }
}
