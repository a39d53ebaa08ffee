import Foundation

/// Gauss–Legendre quadrature on [−1, 1]: nodes are the roots of P_n (Newton's method from
/// Chebyshev guesses), weights 2/((1 − x²)·P_n'(x)²). Exact for polynomials of degree 2n − 1,
/// which is why integrated gradients converges faster with it than with Riemann sums.
public enum GaussLegendre {
    public static func rule(order n: Int) -> (nodes: [Double], weights: [Double]) {
        precondition(n >= 1, "quadrature order must be positive")
        var nodes = [Double](repeating: 0, count: n), weights = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var x = cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
            var derivative = 0.0
            for _ in 0..<100 {
                var p0 = 1.0, p1 = x
                if n == 1 { p1 = x; p0 = 1 }
                for k in stride(from: 2, through: n, by: 1) {
                    let p2 = ((2 * Double(k) - 1) * x * p1 - (Double(k) - 1) * p0) / Double(k)
                    p0 = p1
                    p1 = p2
                }
                derivative = Double(n) * (x * p1 - p0) / (x * x - 1)
                let step = p1 / derivative
                x -= step
                if abs(step) < 1e-15 { break }
            }
            nodes[i] = x
            weights[i] = 2 / ((1 - x * x) * derivative * derivative)
        }
        return (nodes.reversed(), weights.reversed())
    }
}
