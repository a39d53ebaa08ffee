/// The precision of a ViT's Linear-layer products. It applies to the untraced forward pass
/// (`VisionTransformer.logits`, the bulk work of predict, evaluate, LIME and the perturbation
/// metrics) and, when training asks for it (`TrainingConfiguration.precision`), to the traced
/// forward and backward passes of a training step. Explanations (their traced passes,
/// gradients and relevance) always run in Float32, or Float64 for checks.
public enum ProductPrecision: String, CaseIterable, Codable, Sendable {
    /// Float32 throughout.
    case fp32
    /// The Linear layers' products (qkv, projection, fc1, fc2: ~90% of a ViT's multiply-adds)
    /// with weights and inputs rounded to bfloat16 and sums kept in Float32 (oneDNN's matmul,
    /// AVX512-BF16 dot products where the CPU has them); patch embedding, attention maps,
    /// softmax, LayerNorm, GELU, residuals and the head stay Float32. In training the same
    /// layers' backward products (dx and dW) run on bfloat16 operands too, and the weights,
    /// gradients and optimiser state stay Float32.
    case bf16

    /// Throws `ProductPrecisionError.bf16Unsupported` when this machine cannot run `self`:
    /// bf16 where oneDNN has no bfloat16 matmul (`BFloat16Matrix.isSupported`). fp32 runs
    /// everywhere.
    public func requireSupported() throws {
        if self == .bf16 && !BFloat16Matrix.isSupported {
            throw ProductPrecisionError.bf16Unsupported(instructionSet: OneDNNGEMM.instructionSet)
        }
    }
}

/// Why a model cannot run at the precision asked for.
public enum ProductPrecisionError: Error, CustomStringConvertible, Equatable {
    case bf16Unsupported(instructionSet: String)

    public var description: String {
        switch self {
        case .bf16Unsupported(let isa):
            return "--precision bf16 needs oneDNN's bfloat16 matmul, which oneDNN \(OneDNNGEMM.version) has only on CPUs with AVX-512 (this one runs \(isa)); use --precision fp32"
        }
    }
}
