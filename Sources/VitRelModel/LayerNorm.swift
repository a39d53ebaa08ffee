/// Layer normalisation over the last axis (Ba et al. 2016): y = (x − μ)/σ · γ + β with
/// σ = sqrt(biased variance + ε).
public struct LayerNorm<Scalar: TensorScalar>: Sendable {
    /// γ, [dimension]
    public var weight: Tensor<Scalar>
    /// β, [dimension]
    public var bias: Tensor<Scalar>
    public var epsilon: Double

    public init(weight: Tensor<Scalar>, bias: Tensor<Scalar>, epsilon: Double) {
        precondition(weight.rank == 1 && bias.shape == weight.shape, "LayerNorm γ \(weight.shape), β \(bias.shape)")
        self.weight = weight
        self.bias = bias
        self.epsilon = epsilon
    }

    public var dimension: Int { weight.count }

    public func zeroed() -> LayerNorm {
        LayerNorm(weight: Tensor(zeros: weight.shape), bias: Tensor(zeros: bias.shape), epsilon: epsilon)
    }

    /// What the backward pass and the relevance rules need: per-row mean and 1/σ.
    public struct Cache: Sendable {
        /// [rows]
        public var mean: [Scalar]
        /// [rows], 1/σ
        public var inverseStandardDeviation: [Scalar]
    }

    /// Normalises each of `rows` rows of x [rows, dimension].
    public func forward(_ x: [Scalar], rows: Int) -> (y: [Scalar], cache: Cache) {
        var y = [Scalar].uninitialized(rows * dimension)
        let cache = forward(x, rows: rows, into: &y)
        return (y, cache)
    }

    /// Writes the normalised rows into `y` (a preallocated [rows, dimension] buffer).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    @discardableResult
    public func forward(_ x: [Scalar], rows: Int, into y: inout [Scalar]) -> Cache {
        let d = dimension
        precondition(x.count == rows * d && y.count == rows * d, "LayerNorm input \(x.count) ≠ \(rows)×\(d)")
        var mean = [Scalar].uninitialized(rows)
        var inverseStd = [Scalar].uninitialized(rows)
        let eps = Scalar(epsilon)
        x.withUnsafeBufferPointer { xp in
            weight.scalars.withUnsafeBufferPointer { gp in
                bias.scalars.withUnsafeBufferPointer { bp in
                    y.withUnsafeMutableBufferPointer { yp in
                        mean.withUnsafeMutableBufferPointer { mp in
                            inverseStd.withUnsafeMutableBufferPointer { sp in
                                Parallel.forEachChunk(rows, grain: max(1, 16384 / d)) { range in
                                    for r in range {
                                        let row = xp.baseAddress! + r * d
                                        let out = yp.baseAddress! + r * d
                                        if Scalar.self == Float.self {
                                            func floats(_ p: UnsafePointer<Scalar>) -> UnsafePointer<Float> {
                                                UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
                                            }
                                            let (mu, rstd) = FastMath.layerNormRow(
                                                floats(row), UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self),
                                                count: d, gamma: floats(gp.baseAddress!), beta: floats(bp.baseAddress!),
                                                epsilon: Float(epsilon))
                                            mp[r] = Scalar(mu)
                                            sp[r] = Scalar(rstd)
                                            continue
                                        }
                                        var sum: Scalar = 0
                                        for i in 0..<d { sum += row[i] }
                                        let mu = sum / Scalar(d)
                                        var squares: Scalar = 0
                                        for i in 0..<d { let c = row[i] - mu; squares += c * c }
                                        // Overflowing squares give NaN, not β: see FastMath.layerNormRow.
                                        let rstd = squares.isFinite ? 1 / (squares / Scalar(d) + eps).squareRoot() : .nan
                                        for i in 0..<d { out[i] = (row[i] - mu) * rstd * gp[i] + bp[i] }
                                        mp[r] = mu
                                        sp[r] = rstd
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return Cache(mean: mean, inverseStandardDeviation: inverseStd)
    }

    /// Backward pass: returns dx and, when `accumulate`, adds dγ, dβ into `gradient`.
    ///
    /// With x̂ = (x − μ)/σ and g = dy·γ: dx = (g − mean(g) − x̂·mean(g·x̂))/σ.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(
        _ dy: [Scalar], input x: [Scalar], cache: Cache, rows: Int, gradient: inout LayerNorm,
        accumulate: Bool = true, detachDeviation: Bool = false
    ) -> [Scalar] {
        // With σ held constant (the conservation-aware rule's modified gradient) the x̂ term
        // of the exact gradient vanishes: dx = (g − mean(g))/σ.
        let keepsDeviationTerm: Scalar = detachDeviation ? 0 : 1
        let d = dimension
        var dx = [Scalar].uninitialized(rows * d)
        // dy ⊙ x̂, reduced over rows afterwards in a fixed order (deterministic dγ).
        var dyTimesNormalised = [Scalar].uninitialized(rows * d)
        dy.withUnsafeBufferPointer { dyp in
            x.withUnsafeBufferPointer { xp in
                weight.scalars.withUnsafeBufferPointer { gp in
                    dx.withUnsafeMutableBufferPointer { dxp in
                        dyTimesNormalised.withUnsafeMutableBufferPointer { tp in
                            Parallel.forEachChunk(rows, grain: max(1, 16384 / d)) { range in
                                for r in range {
                                    let mu = cache.mean[r], rstd = cache.inverseStandardDeviation[r]
                                    let xr = xp.baseAddress! + r * d, dyr = dyp.baseAddress! + r * d
                                    let dxr = dxp.baseAddress! + r * d, tr = tp.baseAddress! + r * d
                                    var meanG: Scalar = 0, meanGX: Scalar = 0
                                    for i in 0..<d {
                                        let xhat = (xr[i] - mu) * rstd
                                        let g = dyr[i] * gp[i]
                                        meanG += g
                                        meanGX += g * xhat
                                        tr[i] = dyr[i] * xhat
                                    }
                                    meanG /= Scalar(d)
                                    meanGX /= Scalar(d)
                                    for i in 0..<d {
                                        let xhat = (xr[i] - mu) * rstd
                                        dxr[i] = (dyr[i] * gp[i] - meanG - keepsDeviationTerm * xhat * meanGX) * rstd
                                    }
                                }
                            }
                        }
                    }
                }
            }
            guard accumulate else { return }
            gradient.bias.scalars.withUnsafeMutableBufferPointer { dbp in
                Kernels.accumulateColumnSums(dyp.baseAddress!, rows: rows, columns: d, into: dbp.baseAddress!)
            }
        }
        guard accumulate else { return dx }
        dyTimesNormalised.withUnsafeBufferPointer { tp in
            gradient.weight.scalars.withUnsafeMutableBufferPointer { dgp in
                Kernels.accumulateColumnSums(tp.baseAddress!, rows: rows, columns: d, into: dgp.baseAddress!)
            }
        }
        return dx
    }
}

// MARK: - DeepLIFT

extension LayerNorm {
    /// DeepLIFT multipliers of x given multipliers dy of y (see `GradientRule.deepLIFTRescale`),
    /// from the forward values at the input (x, cache) and at the baseline (x′, baselineCache).
    ///
    /// Per row, y = γ ⊙ c·r + β with c = x − μ, v = mean(c²) + ε and r = v^(−½):
    /// - c is linear in x (Δc = C·Δx, C = I − 11ᵀ/D), and v − v′ = (2/D)·c̄·Δc exactly,
    ///   because c² − c′² = (c + c′)·Δc: the square's secant multiplier is exact;
    /// - r gets the rescale rule m_r = Δr/Δv (the derivative −½·v̄^(−3/2) when Δv is tiny);
    /// - c·r gets the product rule Δ(c·r) = r̄·Δc + c̄·Δr (bars: endpoint means), exact.
    /// So Δy = γ ⊙ (r̄·Δc + c̄·m_r·(2/D)·(c̄·Δc)) with Δc = C·Δx is a linear map M of Δx that
    /// reproduces Δy exactly, and dx = Mᵀ·dy. As x′ → x it becomes the exact Jacobian.
    /// β cancels in Δy and takes nothing.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func rescaleBackward(
        _ dy: [Scalar], input x: [Scalar], cache: Cache, baselineInput x0: [Scalar], baselineCache cache0: Cache, rows: Int
    ) -> [Scalar] {
        let d = dimension
        precondition(dy.count == rows * d && x.count == rows * d && x0.count == rows * d, "LayerNorm rescale shapes")
        let gamma = weight.scalars
        var dx = [Scalar].uninitialized(rows * d)
        var centredMean = [Scalar].uninitialized(d), weighted = [Scalar].uninitialized(d)
        for row in 0..<rows {
            let base = row * d
            let mu = cache.mean[row], mu0 = cache0.mean[row]
            let r = cache.inverseStandardDeviation[row], r0 = cache0.inverseStandardDeviation[row]
            var dv: Scalar = 0, projection: Scalar = 0
            for i in 0..<d {
                let c = x[base + i] - mu, c0 = x0[base + i] - mu0
                centredMean[i] = (c + c0) / 2
                weighted[i] = gamma[i] * dy[base + i]
                dv += centredMean[i] * (c - c0)
                projection += centredMean[i] * weighted[i]
            }
            dv *= 2 / Scalar(d)
            let meanV = (1 / (r * r) + 1 / (r0 * r0)) / 2
            let mr = RescaleMultiplier.isTiny(dv, midpoint: meanV)
                ? -1 / (2 * meanV * meanV.squareRoot())
                : (r - r0) / dv
            let meanR = (r + r0) / 2
            let coefficient = 2 * mr / Scalar(d) * projection
            var mean: Scalar = 0
            for i in 0..<d {
                let mc = meanR * weighted[i] + coefficient * centredMean[i]
                dx[base + i] = mc
                mean += mc
            }
            mean /= Scalar(d)
            for i in 0..<d { dx[base + i] -= mean }
        }
        return dx
    }
}

// MARK: - Relevance

extension LayerNorm {
    /// Relevance of x [rows, D] given relevance r at the output y (see `LayerNormRule`).
    /// Returns the input relevance and Σβ·R/y, the relevance the shift β absorbs.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func relevance(
        _ r: [Scalar], input x: [Scalar], output y: [Scalar], cache: Cache, rows: Int,
        rule: RelevanceRules.LayerNormRule, epsilon: Double = 0
    ) -> (relevance: [Scalar], biasAbsorbed: Double) {
        if rule == .identity { return (r, 0) }
        let d = dimension
        let s = RelevanceKernels.signedQuotient(r, y, epsilon: epsilon)
        var result = [Scalar].uninitialized(rows * d)
        let gamma = weight.scalars
        for row in 0..<rows {
            let base = row * d
            let mu = cache.mean[row], rstd = cache.inverseStandardDeviation[row]
            switch rule {
            case .identity:
                break
            case .conservative:
                // y − β = γ·(x − μ)/σ with 1/σ constant: R_k = x_k/σ·(γ_k s_k − mean_i γ_i s_i).
                var meanGS: Scalar = 0
                for i in 0..<d { meanGS += gamma[i] * s[base + i] }
                meanGS /= Scalar(d)
                for k in 0..<d { result[base + k] = x[base + k] * rstd * (gamma[k] * s[base + k] - meanGS) }
            case .gradientTimesInput:
                var meanG: Scalar = 0, meanGX: Scalar = 0
                for i in 0..<d {
                    let g = gamma[i] * s[base + i]
                    meanG += g
                    meanGX += g * (x[base + i] - mu) * rstd
                }
                meanG /= Scalar(d)
                meanGX /= Scalar(d)
                for k in 0..<d {
                    let xhat = (x[base + k] - mu) * rstd
                    result[base + k] = x[base + k] * (gamma[k] * s[base + k] - meanG - xhat * meanGX) * rstd
                }
            case .frozenMeanAndStandardDeviation:
                for k in 0..<d { result[base + k] = x[base + k] * rstd * gamma[k] * s[base + k] }
            }
        }
        let absorbed = RelevanceKernels.biasAbsorption(s, bias: bias.scalars, rows: rows)
        return (result, absorbed)
    }
}
