/// A fully connected layer y = x·Wᵀ + b, with PyTorch's weight layout W[out, in].
///
/// Forward, backward and (later) relevance rules live here together; the input the backward
/// needs is passed back in by the caller, which keeps it in its trace.
public struct Linear<Scalar: TensorScalar>: Sendable {
    /// [outputCount, inputCount]
    public var weight: Tensor<Scalar>
    /// [outputCount], or nil for a bias-free layer.
    public var bias: Tensor<Scalar>?

    public init(weight: Tensor<Scalar>, bias: Tensor<Scalar>?) {
        precondition(weight.rank == 2, "Linear weight must be [out, in], got \(weight.shape)")
        if let bias { precondition(bias.shape == [weight.shape[0]], "bias \(bias.shape) for weight \(weight.shape)") }
        self.weight = weight
        self.bias = bias
    }

    /// A zero layer of the same shape (gradient accumulator).
    public func zeroed() -> Linear {
        Linear(weight: Tensor(zeros: weight.shape), bias: bias.map { Tensor(zeros: $0.shape) })
    }

    public var inputCount: Int { weight.shape[1] }
    public var outputCount: Int { weight.shape[0] }

    /// y[rows, out] = x[rows, in]·Wᵀ + b.
    public func forward(_ x: [Scalar], rows: Int) -> [Scalar] {
        precondition(x.count == rows * inputCount, "Linear input \(x.count) ≠ \(rows)×\(inputCount)")
        var y = [Scalar].uninitialized(rows * outputCount)
        forward(x, rows: rows, into: &y)
        return y
    }

    /// Writes x·Wᵀ + b into `y` (which may be a preallocated buffer).
    public func forward(_ x: [Scalar], rows: Int, into y: inout [Scalar]) {
        let m = rows, n = outputCount, k = inputCount
        x.withUnsafeBufferPointer { xp in
            weight.scalars.withUnsafeBufferPointer { wp in
                y.withUnsafeMutableBufferPointer { yp in
                    var beta: Scalar = 0
                    if let bias {
                        bias.scalars.withUnsafeBufferPointer { bp in
                            for r in 0..<m { (yp.baseAddress! + r * n).update(from: bp.baseAddress!, count: n) }
                        }
                        beta = 1
                    }
                    Scalar.gemm(
                        transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1,
                        a: xp.baseAddress!, lda: k, b: wp.baseAddress!, ldb: k, beta: beta, c: yp.baseAddress!, ldc: n)
                }
            }
        }
    }

    /// Backward pass: returns dx = dy·W (when `needInputGradient`, else an empty array) and,
    /// when `accumulate`, adds dW += dyᵀ·x and db += Σ_rows dy into `gradient`.
    public func backward(
        _ dy: [Scalar], input x: [Scalar], rows: Int, gradient: inout Linear, accumulate: Bool = true,
        needInputGradient: Bool = true
    ) -> [Scalar] {
        let m = rows, n = outputCount, k = inputCount
        precondition(dy.count == m * n && x.count == m * k, "Linear backward shapes")
        if accumulate { accumulateParameterGradients(dy, input: x, rows: rows, into: &gradient) }
        guard needInputGradient else { return [] }
        return inputGradient(dy, rows: rows)
    }

    /// dW += dyᵀ·x ; db += Σ_rows dy.
    public func accumulateParameterGradients(_ dy: [Scalar], input x: [Scalar], rows: Int, into gradient: inout Linear) {
        let m = rows, n = outputCount, k = inputCount
        dy.withUnsafeBufferPointer { dyp in
            x.withUnsafeBufferPointer { xp in
                gradient.weight.scalars.withUnsafeMutableBufferPointer { dwp in
                    Scalar.gemm(
                        transposeA: true, transposeB: false, m: n, n: k, k: m, alpha: 1,
                        a: dyp.baseAddress!, lda: n, b: xp.baseAddress!, ldb: k, beta: 1, c: dwp.baseAddress!, ldc: k)
                }
            }
            if gradient.bias != nil {
                gradient.bias!.scalars.withUnsafeMutableBufferPointer { dbp in
                    Kernels.accumulateColumnSums(dyp.baseAddress!, rows: m, columns: n, into: dbp.baseAddress!)
                }
            }
        }
    }

    /// dx = dy·W (no parameter gradients).
    public func inputGradient(_ dy: [Scalar], rows: Int) -> [Scalar] {
        let m = rows, n = outputCount, k = inputCount
        var dx = [Scalar].uninitialized(m * k)
        dy.withUnsafeBufferPointer { dyp in
            weight.scalars.withUnsafeBufferPointer { wp in
                dx.withUnsafeMutableBufferPointer { dxp in
                    Scalar.gemm(
                        transposeA: false, transposeB: false, m: m, n: k, k: n, alpha: 1,
                        a: dyp.baseAddress!, lda: n, b: wp.baseAddress!, ldb: k, beta: 0, c: dxp.baseAddress!, ldc: k)
                }
            }
        }
        return dx
    }
}
