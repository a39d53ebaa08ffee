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
}
