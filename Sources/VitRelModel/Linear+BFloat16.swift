/// What a Linear layer's traced bfloat16 product read (`Linear.tracedForward` at
/// `ProductPrecision.bf16`), kept in the trace so that the backward pass multiplies by the same
/// rounded values and rounds nothing twice.
public struct BFloat16Operands: Sendable {
    /// W [out, in] rounded to bfloat16.
    public let weight: BFloat16Matrix
    /// x [rows, in] rounded to bfloat16.
    public let input: [UInt16]
}

// MARK: - bfloat16 products (ProductPrecision.bf16, Float layers)

extension Linear {
    /// The untraced pass's product (`VisionTransformer.logits`): `forward(_:rows:into:)`, or the
    /// bfloat16 product when `reducedWeight` is set (Float models only).
    public func inferenceForward(_ x: [Scalar], rows: Int, into y: inout [Scalar]) {
        guard let reducedWeight, Scalar.self == Float.self else {
            forward(x, rows: rows, into: &y)
            return
        }
        precondition(x.count == rows * inputCount && y.count == rows * outputCount, "Linear input \(x.count) ≠ \(rows)×\(inputCount)")
        x.withUnsafeBytes { xBytes in
            y.withUnsafeMutableBytes { yBytes in
                withFloatBias { bias in
                    BFloat16Products.linear(
                        x: xBytes.bindMemory(to: Float.self).baseAddress!, rows: rows, weight: reducedWeight, bias: bias,
                        y: yBytes.bindMemory(to: Float.self).baseAddress!)
                }
            }
        }
    }

    /// Sets `reducedWeight` for `precision` (a bfloat16 copy of the weight, or none). Callers
    /// check `BFloat16Matrix.isSupported` first (`VisionTransformer.setInferencePrecision`).
    public mutating func setInferencePrecision(_ precision: ProductPrecision) {
        guard precision == .bf16, Scalar.self == Float.self else {
            reducedWeight = nil
            return
        }
        reducedWeight = roundedWeight()
    }

    /// The weight rounded to bfloat16 (Float layers).
    func roundedWeight() -> BFloat16Matrix {
        let (rows, columns) = (outputCount, inputCount)
        return weight.scalars.withUnsafeBytes { bytes in
            BFloat16Matrix(rows: rows, columns: columns, floats: bytes.bindMemory(to: Float.self))
        }
    }

    /// The traced forward product at `precision`, for training (`TrainingConfiguration.precision`).
    /// fp32: `forward(_:rows:)`, no operands. bf16 (Float layers only): x and W rounded to
    /// bfloat16 (nearest even), y = x̃·W̃ᵀ + b summed in Float32 (the same product, in the same
    /// blocks, as the untraced pass at bf16, so the same bits), and x̃, W̃ returned for `backward`.
    /// The weight is rounded afresh on every call: the optimiser changes it between steps.
    public func tracedForward(_ x: [Scalar], rows: Int, precision: ProductPrecision) -> (y: [Scalar], operands: BFloat16Operands?) {
        guard precision == .bf16 else { return (forward(x, rows: rows), nil) }
        precondition(Scalar.self == Float.self, "bfloat16 products are for Float32 layers")
        let m = rows, n = outputCount, k = inputCount
        precondition(x.count == m * k, "Linear input \(x.count) ≠ \(m)×\(k)")
        let operands = BFloat16Operands(weight: roundedWeight(), input: Self.rounded(x))
        var y = [Scalar].uninitialized(m * n)
        guard m > 0, n > 0 else { return (y, operands) }
        operands.input.withUnsafeBufferPointer { input in
            y.withUnsafeMutableBytes { yBytes in
                withFloatBias { bias in
                    BFloat16Products.linear(
                        roundedInput: input.baseAddress!, rows: m, weight: operands.weight, bias: bias,
                        y: yBytes.bindMemory(to: Float.self).baseAddress!)
                }
            }
        }
        return (y, operands)
    }

    /// The backward pass of a bf16 `tracedForward`, mixed-precision training as Micikevicius et
    /// al. 2018 ("Mixed precision training", §3) lay it out, with bfloat16 for the products as in
    /// Kalamkar et al. 2019 ("A study of BFLOAT16 for deep learning training"): dy rounded once
    /// to bfloat16, dW += d̃yᵀ·x̃ (x̃ as the forward product read it) and dx = d̃y·W̃, both summed
    /// in Float32; db += Σ_rows dy from the unrounded dy. Weights, their gradients and AdamW's
    /// moments stay Float32 (the master copy). dx rows whose dy is all zero (the last block's
    /// tokens other than CLS under CLS pooling) are skipped, as in `inputGradient`.
    func bfloat16Backward(
        _ dy: [Scalar], input x: [Scalar], operands: BFloat16Operands, rows: Int, gradient: inout Linear,
        accumulate: Bool, needInputGradient: Bool
    ) -> [Scalar] {
        precondition(Scalar.self == Float.self, "bfloat16 products are for Float32 layers")
        let m = rows, n = outputCount, k = inputCount
        precondition(
            operands.input.count == m * k && operands.weight.rows == n && operands.weight.columns == k,
            "bfloat16 operands of another product")
        guard m > 0, n > 0, k > 0 else { return needInputGradient ? .zeros(m * k) : [] }
        let active = needInputGradient ? Kernels.nonZeroRows(dy, rows: m, columns: n) : []
        // All of dy for dW; for dx only the active rows (all of them but under CLS pooling's last block).
        let roundedGradient = accumulate || active.count == m ? Self.rounded(dy) : []
        if accumulate {
            roundedGradient.withUnsafeBufferPointer { a in
                operands.input.withUnsafeBufferPointer { b in
                    gradient.weight.scalars.withUnsafeMutableBytes { dwBytes in
                        BFloat16Products.gemm(
                            transposeA: true, transposeB: false, m: n, n: k, k: m, a: a.baseAddress!, lda: n,
                            b: b.baseAddress!, ldb: k, c: dwBytes.bindMemory(to: Float.self).baseAddress!, ldc: k,
                            accumulate: true)
                    }
                }
            }
            if gradient.bias != nil {
                dy.withUnsafeBufferPointer { dyp in
                    gradient.bias!.scalars.withUnsafeMutableBufferPointer { dbp in
                        Kernels.accumulateColumnSums(dyp.baseAddress!, rows: m, columns: n, into: dbp.baseAddress!)
                    }
                }
            }
        }
        guard needInputGradient else { return [] }
        guard !active.isEmpty else { return .zeros(m * k) }
        let compact = active.count == m ? roundedGradient : Self.rounded(Kernels.gatherRows(dy, active, columns: n))
        var dx = [Scalar].uninitialized(active.count * k)
        compact.withUnsafeBufferPointer { a in
            operands.weight.bits.withUnsafeBufferPointer { w in
                dx.withUnsafeMutableBytes { dxBytes in
                    BFloat16Products.gemm(
                        transposeA: false, transposeB: false, m: active.count, n: k, k: n, a: a.baseAddress!, lda: n,
                        b: w.baseAddress!, ldb: k, c: dxBytes.bindMemory(to: Float.self).baseAddress!, ldc: k,
                        accumulate: false)
                }
            }
        }
        guard active.count < m else { return dx }
        var full = [Scalar].zeros(m * k)
        Kernels.scatterRows(dx, active, columns: k, into: &full)
        return full
    }

    /// `body` with the bias as Float32 values (nil for a bias-free layer); Float layers only.
    private func withFloatBias<Result>(_ body: (UnsafePointer<Float>?) -> Result) -> Result {
        guard let bias else { return body(nil) }
        return bias.scalars.withUnsafeBytes { body($0.bindMemory(to: Float.self).baseAddress!) }
    }

    /// x rounded to bfloat16 (Float layers only).
    private static func rounded(_ x: [Scalar]) -> [UInt16] {
        x.withUnsafeBytes { bytes in
            bytes.isEmpty ? [] : BFloat16Products.rounded(bytes.bindMemory(to: Float.self).baseAddress!, count: x.count)
        }
    }
}
