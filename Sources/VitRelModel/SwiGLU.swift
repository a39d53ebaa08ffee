/// The gated product of a SwiGLU feed-forward (Shazeer 2020, "GLU Variants Improve
/// Transformer", FFN_SwiGLU(x) = (Swish₁(xW) ⊗ xV)·W₂): DINOv2 ViT-g/14's MLP (Oquab et al.
/// 2023), as timm's `SwiGLUPacked` (= `GluMlp(act_layer=nn.SiLU, gate_last=False)`) and
/// transformers' `Dinov2SwiGLUFFN` compute it.
///
/// fc1 maps D → 2k in one packed product; each row u = [x₁ | x₂] is split into its halves
/// (timm `x.chunk(2, dim=-1)`; transformers' `weights_in` is `gate_proj` stacked over `up_proj`,
/// `conversion_mapping.py`, so the same order), the first half is gated:
///
///     h = silu(x₁) ⊙ x₂,   silu(x) = x·σ(x)   (`Swish` at β = 1)
///
/// and fc2 maps k → D (`MLP` does fc1 and fc2; this type is the part between them). Widths:
/// timm's fc1 is int(D·mlp_ratio) wide (ViT-g: int(1536·2.66667·2) = 8192, fc2 4096 → 1536);
/// transformers' k = ⌊(⌊⌊D·mlp_ratio⌋·2/3⌋ + 7)/8⌋·8 (ViT-g: 4096, `weights_in` 1536 → 8192).
/// `ViTConfig.mlpHiddenDimension` is the packed width 2k.
///
/// ## The relevance rule of the gated product, per rule set
///
/// silu(x₁) ⊙ x₂ is a nonlinearity followed by the product of two inputs. Every rule set
/// passes the nonlinearity with the identity rule, as it passes GELU (R_{x₁} = R_{silu(x₁)};
/// Chefer et al. 2021; AttnLRP, Achtibat et al. 2024, eq. 9). The product is where the rule
/// sets differ, and each treats it as it treats the other product of two activations in a
/// ViT, the attention-weighted sum A·V (`RelevanceRules.GatedProductRule`):
/// - `.attnLRP` (uniform): R_{x₁} = R_{x₂} = R_h/2. AttnLRP's uniform rule for the product of
///   N inputs, R_i = R/N (Achtibat et al. 2024; the rule its eq. 11 applies to A·V), as LXT's
///   `gated_mlp_forward` runs it for LLaMA's gated MLP (identity rule on `act_fn`, then
///   `divide_gradient(·, 2)` on the product). LXT's DINOv2 map (`lxt/efficient/models/
///   dinov2.py`) patches only LayerNorm and attention, so it would take the plain gradient
///   through `Dinov2SwiGLUFFN`; vitrel follows the gated-MLP maps instead.
/// - `.chefer` (uniform): R_h/2 each. Chefer et al. 2021 split A·V by the generic rule on each
///   operand and halve both (`layers_ours.einsum.relprop`, then `cam /= 2`); for an elementwise
///   product each operand's share x·(∂h/∂x)·R/h is all of R, so halving it is the uniform rule
///   (computed without the division, whose safe form would only drop R where h = 0).
/// - `.cpLRP` (constant gate): R_{x₂} = R_h, R_{x₁} = 0. CP-LRP holds the attention weights
///   constant and sends all relevance through V (Ali et al. 2022, the AH rule); the gate is an
///   input-dependent weight of the same kind and is held constant the same way, which is the
///   "signal-take-all" rule of LSTM gates (Arras et al. 2017, 2019) and LXT's
///   `cp_gated_mlp_forward` (`stop_gradient` on the gate).
/// - `.lrp0` (constant gate): its attention rule is CP-LRP's constant attention.
///
/// Both rules conserve exactly, row by row and element by element: R_{x₁} + R_{x₂} = R_h with
/// no stabiliser and no bias, so the gate adds nothing to the ledger's `blocks.N.mlp` entry
/// beyond fc1's and fc2's bias shares (and their ε leaks).
///
/// As modified gradients (Achtibat et al. 2024, §3.3, "LRP as gradient × input"), `backward`:
/// - `.attnLRP`: dx₂ = dh·silu(x₁)/2, dx₁ = dh·x₂/2·σ(x₁) (uniform, then identity: y/x = σ(x)).
/// - `.constantAttention`: dx₂ = dh·silu(x₁), dx₁ = 0.
/// - `.exact`: dx₂ = dh·silu(x₁), dx₁ = dh·x₂·silu′(x₁).
/// - `.deepLIFTRescale` (`rescaleBackward`): the two-factor product rule Δ(g·x₂) = ḡ·Δx₂ +
///   Δg·x̄₂ (bars: endpoint means; as the attention products) and the rescale rule
///   Δg/Δx₁ for g = silu(x₁), so Σ m·Δu = Δh exactly.
public enum SwiGLU {
    /// h [rows, k] = silu(x₁) ⊙ x₂ of `packed` [rows, 2k] (fc1's output).
    public static func forward<Scalar: TensorScalar>(_ packed: [Scalar], rows: Int) -> [Scalar] {
        var h = [Scalar].uninitialized(packed.count / 2)
        forward(packed, rows: rows, into: &h)
        return h
    }

    /// Writes silu(x₁) ⊙ x₂ of `packed` [rows, 2k] into `h` [rows, k] (the inference pass's
    /// scratch buffer). The same arithmetic as `forward(_:rows:)`, so the same bits.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func forward<Scalar: TensorScalar>(_ packed: [Scalar], rows: Int, into h: inout [Scalar]) {
        precondition(rows > 0 ? packed.count % (2 * rows) == 0 : packed.isEmpty, "SwiGLU input \(packed.count) for \(rows) rows")
        let k = rows > 0 ? packed.count / (2 * rows) : 0
        precondition(h.count == rows * k, "SwiGLU output \(h.count) ≠ \(rows)×\(k)")
        guard k > 0 else { return }
        packed.withUnsafeBufferPointer { up in
            h.withUnsafeMutableBufferPointer { hp in
                forEachRow(rows, width: k) { row in
                    let u = up.baseAddress! + row * 2 * k, out = hp.baseAddress! + row * k
                    for j in 0..<k { out[j] = Swish.value(u[j], beta: 1) * u[k + j] }
                }
            }
        }
    }

    /// d packed [rows, 2k] from dh [rows, k]: the exact gradient, or the modified gradient of
    /// `rule`'s relevance rule (the type's comment). DeepLIFT is `rescaleBackward`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func backward<Scalar: TensorScalar>(_ dh: [Scalar], packed: [Scalar], rows: Int, rule: GradientRule = .exact) -> [Scalar] {
        precondition(rule != .deepLIFTRescale, "DeepLIFT's multipliers need the baseline: rescaleBackward")
        precondition(packed.count == 2 * dh.count, "SwiGLU backward shapes \(dh.count), \(packed.count)")
        let k = rows > 0 ? dh.count / rows : 0
        // AttnLRP halves both factors' gradients (uniform rule) and passes SiLU by the identity
        // rule (y/x = σ(x₁) in place of silu′(x₁)); CP-LRP stops the gate's gradient.
        let share: Scalar = rule == .attnLRP ? 0.5 : 1
        let gateShare: Scalar = rule == .constantAttention ? 0 : share
        let identityRule = rule == .attnLRP
        var du = [Scalar].uninitialized(packed.count)
        dh.withUnsafeBufferPointer { dhp in
            packed.withUnsafeBufferPointer { up in
                du.withUnsafeMutableBufferPointer { dup in
                    forEachRow(rows, width: k) { row in
                        let g = dhp.baseAddress! + row * k, u = up.baseAddress! + row * 2 * k, d = dup.baseAddress! + row * 2 * k
                        for j in 0..<k {
                            let x1 = u[j], x2 = u[k + j], sigma = Swish.sigmoid(x1)
                            d[j] = gateShare * g[j] * x2 * (identityRule ? sigma : Swish.derivative(x1, beta: 1))
                            d[k + j] = share * g[j] * x1 * sigma
                        }
                    }
                }
            }
        }
        return du
    }

    /// DeepLIFT multipliers of `packed` [rows, 2k] at the input and `baseline` [rows, 2k] from
    /// the multipliers dh [rows, k] (the type's comment): summation-to-delta holds per element.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func rescaleBackward<Scalar: TensorScalar>(_ dh: [Scalar], packed: [Scalar], baseline: [Scalar], rows: Int) -> [Scalar] {
        precondition(packed.count == 2 * dh.count && baseline.count == packed.count, "SwiGLU rescale shapes")
        let k = rows > 0 ? dh.count / rows : 0
        var du = [Scalar].uninitialized(packed.count)
        dh.withUnsafeBufferPointer { dhp in
            packed.withUnsafeBufferPointer { up in
                baseline.withUnsafeBufferPointer { bp in
                    du.withUnsafeMutableBufferPointer { dup in
                        forEachRow(rows, width: k) { row in
                            let g = dhp.baseAddress! + row * k, d = dup.baseAddress! + row * 2 * k
                            let u = up.baseAddress! + row * 2 * k, u0 = bp.baseAddress! + row * 2 * k
                            for j in 0..<k {
                                let gate = Swish.value(u[j], beta: 1), gateBaseline = Swish.value(u0[j], beta: 1)
                                let midpoint = (u[j] + u0[j]) / 2
                                let slope = RescaleMultiplier.secant(
                                    dy: gate - gateBaseline, dx: u[j] - u0[j], midpoint: midpoint,
                                    derivative: Swish.derivative(midpoint, beta: 1))
                                // Δ(g·x₂) = ḡ·Δx₂ + Δg·x̄₂, Δg = slope·Δx₁.
                                d[j] = g[j] * (u[k + j] + u0[k + j]) / 2 * slope
                                d[k + j] = g[j] * (gate + gateBaseline) / 2
                            }
                        }
                    }
                }
            }
        }
        return du
    }

    /// Runs `body(row)` for every row, rows split over threads when a row's k elements are few
    /// against the work worth a thread (as `GELU`'s grain of 16,384 elements).
    @inline(__always)
    static func forEachRow(_ rows: Int, width k: Int, _ body: (Int) -> Void) {
        Parallel.forEachChunk(rows, grain: max(1, 16384 / max(1, k))) { range in
            for row in range { body(row) }
        }
    }

    /// Relevance of `packed` [rows, 2k] from the relevance r [rows, k] of h: `.uniform` gives
    /// each half R/2 (x₁ takes the gate's half by the identity rule), `.constantGate` gives x₂
    /// all of R and x₁ none. Conservative exactly, per element.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func relevance<Scalar: TensorScalar>(_ r: [Scalar], rows: Int, rule: RelevanceRules.GatedProductRule) -> [Scalar] {
        let k = rows > 0 ? r.count / rows : 0
        precondition(rows * k == r.count, "SwiGLU relevance \(r.count) for \(rows) rows")
        var ru = [Scalar].uninitialized(2 * r.count)
        for row in 0..<rows {
            let base = row * 2 * k
            for j in 0..<k {
                let value = r[row * k + j]
                switch rule {
                case .uniform:
                    ru[base + j] = value / 2
                    ru[base + k + j] = value / 2
                case .constantGate:
                    ru[base + j] = 0
                    ru[base + k + j] = value
                }
            }
        }
        return ru
    }
}
