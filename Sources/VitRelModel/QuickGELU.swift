/// QuickGELU, x·σ(1.702·x): the sigmoid approximation of GELU (Hendrycks & Gimpel 2016, §2,
/// "x·σ(1.702x)") that OpenAI's CLIP image towers were trained with (Radford et al. 2021), so
/// their weights need it rather than the exact GELU (timm `quick_gelu`, the
/// `vit_*_clip_quickgelu_*` factories, `act_layer='quick_gelu'`).
///
/// Forward, backward and the relevance rule in one place. The relevance rule is GELU's: an
/// elementwise nonlinearity passes relevance on unchanged (R_in = R_out, Chefer et al. 2021;
/// AttnLRP, Achtibat et al. 2024, eq. 9 "identity rule" for elementwise activations), so the
/// explicit relevance pass has nothing to compute here and the MLP's rule skips it, as it does
/// GELU. The modified-gradient form of that rule (x ⊙ dx = y ⊙ dy) is
/// `identityRuleBackward`: dx = dy·y/x = dy·σ(1.702·x). The arithmetic is `Swish`'s at β = 1.702
/// (SiLU, SwiGLU's gate, is β = 1).
public enum QuickGELU {
    /// The slope of the sigmoid, 1.702 (Hendrycks & Gimpel 2016, §2; timm, open_clip).
    public static let slope = 1.702

    public static func forward<Scalar: TensorScalar>(_ x: [Scalar]) -> [Scalar] { Swish.forward(x, beta: slope) }

    /// x ← x·σ(1.702·x) (the inference pass).
    public static func forwardInPlace<Scalar: TensorScalar>(_ x: inout [Scalar]) { Swish.forwardInPlace(&x, beta: slope) }

    /// dx = dy·(σ(a·x) + a·x·σ(a·x)·(1 − σ(a·x))).
    public static func backward<Scalar: TensorScalar>(_ dy: [Scalar], input x: [Scalar]) -> [Scalar] {
        Swish.backward(dy, input: x, beta: slope)
    }

    /// dx = dy·σ(1.702·x) = dy·y/x: the modified gradient of the identity relevance rule
    /// (x ⊙ dx = y ⊙ dy, Achtibat et al. 2024 §3.3), as `GELU.identityRuleBackward` is GELU's.
    public static func identityRuleBackward<Scalar: TensorScalar>(_ dy: [Scalar], input x: [Scalar]) -> [Scalar] {
        Swish.identityRuleBackward(dy, input: x, beta: slope)
    }

    /// DeepLIFT's rescale rule (Shrikumar et al. 2017, §3.5.1): dx = dy·(y − y′)/(x − x′), the
    /// derivative at the midpoint where x − x′ is at rounding level (as `GELU.rescaleBackward`).
    public static func rescaleBackward<Scalar: TensorScalar>(
        _ dy: [Scalar], input x: [Scalar], output y: [Scalar], baselineInput x0: [Scalar], baselineOutput y0: [Scalar]
    ) -> [Scalar] {
        Swish.rescaleBackward(dy, input: x, output: y, baselineInput: x0, baselineOutput: y0, beta: slope)
    }
}
