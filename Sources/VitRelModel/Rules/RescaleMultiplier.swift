/// The multiplier DeepLIFT's rescale rule gives a scalar nonlinearity y = f(x) between a
/// baseline x′ and an input x (Shrikumar et al. 2017, §3.5.1): m = Δy/Δx, so that m·Δx = Δy.
enum RescaleMultiplier {
    /// Whether Δx is too small for the secant: below √ulp·(1 + |x̄|) the quotient Δy/Δx is
    /// mostly the rounding of Δy, while the derivative at the midpoint x̄ misses Δy/Δx by only
    /// f‴·Δx²/24 — below rounding there. (Shrikumar et al. fall back to the gradient at
    /// |Δx| < 1e-10 in Float64; √ulp is 1.5e-8 there, 3.5e-4 in Float32.)
    @inline(__always)
    static func isTiny<S: TensorScalar>(_ dx: S, midpoint: S) -> Bool {
        abs(dx) <= S.ulpOfOne.squareRoot() * (1 + abs(midpoint))
    }

    /// Δy/Δx, or `derivative` (evaluated at the midpoint by the caller) when Δx is tiny.
    @inline(__always)
    static func secant<S: TensorScalar>(dy: S, dx: S, midpoint: S, derivative: @autoclosure () -> S) -> S {
        isTiny(dx, midpoint: midpoint) ? derivative() : dy / dx
    }

    /// DeepLIFT's backward pass through an elementwise nonlinearity y = f(x): dx_i = dy_i·m_i,
    /// m_i = `secant` of (x_i, y_i) against the baseline (x′_i, y′_i), with `derivative` f′ at the
    /// midpoint where Δx is tiny. GELU's and Swish's rules, which differ only in f′.
    @inline(__always)
    static func elementwise<S: TensorScalar>(
        _ dy: [S], input x: [S], output y: [S], baselineInput x0: [S], baselineOutput y0: [S], derivative: (S) -> S
    ) -> [S] {
        var dx = [S].uninitialized(x.count)
        for i in 0..<x.count {
            let midpoint = (x[i] + x0[i]) / 2
            dx[i] = dy[i] * secant(dy: y[i] - y0[i], dx: x[i] - x0[i], midpoint: midpoint, derivative: derivative(midpoint))
        }
        return dx
    }
}
