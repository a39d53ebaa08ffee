/// The MLP's nonlinearity, by timm's `act_layer` name: the exact GELU of the ViT paper and
/// most checkpoints, QuickGELU, which OpenAI's CLIP towers were trained with (timm's
/// `vit_*_clip_quickgelu_*`), or SiLU, the gate of DINOv2 ViT-g/14's SwiGLU feed-forward
/// (`SwiGLU`; timm `act_layer=nn.SiLU`). Every LRP rule set treats all three alike (identity
/// rule, Chefer et al. 2021; AttnLRP, Achtibat et al. 2024, eq. 9); only their gradients and
/// their DeepLIFT multipliers differ, which is all this type dispatches.
public enum Activation: String, Codable, CaseIterable, Sendable {
    /// x·Φ(x), `GELU` (timm "gelu", nn.GELU).
    case gelu
    /// x·σ(1.702·x), `QuickGELU` (timm "quick_gelu").
    case quickGELU = "quick_gelu"
    /// x·σ(x), `Swish` at β = 1 (timm "silu", nn.SiLU): SwiGLU's gate.
    case silu

    func forward<Scalar: TensorScalar>(_ x: [Scalar]) -> [Scalar] {
        switch self {
        case .gelu: return GELU.forward(x)
        case .quickGELU: return QuickGELU.forward(x)
        case .silu: return Swish.forward(x, beta: 1)
        }
    }

    func forwardInPlace<Scalar: TensorScalar>(_ x: inout [Scalar]) {
        switch self {
        case .gelu: GELU.forwardInPlace(&x)
        case .quickGELU: QuickGELU.forwardInPlace(&x)
        case .silu: Swish.forwardInPlace(&x, beta: 1)
        }
    }

    func backward<Scalar: TensorScalar>(_ dy: [Scalar], input x: [Scalar]) -> [Scalar] {
        switch self {
        case .gelu: return GELU.backward(dy, input: x)
        case .quickGELU: return QuickGELU.backward(dy, input: x)
        case .silu: return Swish.backward(dy, input: x, beta: 1)
        }
    }

    /// The identity rule's modified gradient, dy·f(x)/x.
    func identityRuleBackward<Scalar: TensorScalar>(_ dy: [Scalar], input x: [Scalar]) -> [Scalar] {
        switch self {
        case .gelu: return GELU.identityRuleBackward(dy, input: x)
        case .quickGELU: return QuickGELU.identityRuleBackward(dy, input: x)
        case .silu: return Swish.identityRuleBackward(dy, input: x, beta: 1)
        }
    }

    func rescaleBackward<Scalar: TensorScalar>(
        _ dy: [Scalar], input x: [Scalar], output y: [Scalar], baselineInput x0: [Scalar], baselineOutput y0: [Scalar]
    ) -> [Scalar] {
        switch self {
        case .gelu: return GELU.rescaleBackward(dy, input: x, output: y, baselineInput: x0, baselineOutput: y0)
        case .quickGELU: return QuickGELU.rescaleBackward(dy, input: x, output: y, baselineInput: x0, baselineOutput: y0)
        case .silu: return Swish.rescaleBackward(dy, input: x, output: y, baselineInput: x0, baselineOutput: y0, beta: 1)
        }
    }
}
