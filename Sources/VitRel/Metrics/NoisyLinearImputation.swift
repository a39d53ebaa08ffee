/// Noisy linear imputation of ROAD (Rong et al. 2022, "A consistent and efficient evaluation
/// strategy for attribution methods"), the `NoisyLinearImputer` of the ROAD reference code and
/// Quantus 0.6.0 `noisy_linear_imputation`.
///
/// Every removed pixel takes the weighted mean of its in-image 8-neighbours (weight 1/6 for the
/// four edge neighbours, 1/12 for the diagonals), whether those are kept or removed themselves,
/// so the removed pixels solve one sparse linear system per channel:
///     (Σ_{q∈N(i)} w_iq) u_i − Σ_{q∈N(i) removed} w_iq u_q = Σ_{q∈N(i) kept} w_iq x_q.
/// Then N(0, noise²) is added to each imputed value. The matrix is a graph Laplacian with
/// the kept pixels as boundary, symmetric positive definite as long as one pixel is kept, so
/// it is solved by conjugate gradients with a Jacobi preconditioner (Quantus uses SuperLU);
/// the iteration is serial and deterministic.
public enum NoisyLinearImputation {
    /// Offsets (row, column) and weights of the neighbours.
    static let neighbours: [(dy: Int, dx: Int, weight: Double)] = [
        (1, 1, 1.0 / 12), (0, 1, 1.0 / 6), (-1, 1, 1.0 / 12), (1, -1, 1.0 / 12),
        (0, -1, 1.0 / 6), (-1, -1, 1.0 / 12), (1, 0, 1.0 / 6), (-1, 0, 1.0 / 6),
    ]

    /// `image` [C, H, W] with the pixels `removed` (indices into H·W) imputed in every channel.
    /// `tolerance` bounds the relative residual ‖b − A·u‖ / ‖b‖ of each channel's solve.
    public static func impute(
        _ image: [Float], shape: ImageShape, removed: [Int], noise: Float, generator: inout SeededGenerator,
        tolerance: Double = 1e-9
    ) -> [Float] {
        let plane = shape.plane
        guard !removed.isEmpty else { return image }
        precondition(removed.count < plane, "ROAD imputation needs at least one kept pixel")
        var variable = [Int](repeating: -1, count: plane)
        for (i, p) in removed.enumerated() {
            precondition(p >= 0 && p < plane && variable[p] < 0, "removed pixel \(p) is out of range or repeated")
            variable[p] = i
        }
        let n = removed.count
        // A in a fixed 8-column layout: coupling[i*8 + k] = w for removed neighbour k, else 0.
        var diagonal = [Double](repeating: 0, count: n)
        var coupled = [Int](repeating: -1, count: n * 8)
        var coupling = [Double](repeating: 0, count: n * 8)
        var known = [[Double]](repeating: [Double](repeating: 0, count: n), count: shape.channels)
        for (i, p) in removed.enumerated() {
            let y = p / shape.width, x = p % shape.width
            for (k, neighbour) in neighbours.enumerated() {
                let ny = y + neighbour.dy, nx = x + neighbour.dx
                guard ny >= 0, ny < shape.height, nx >= 0, nx < shape.width else { continue }
                diagonal[i] += neighbour.weight
                let q = ny * shape.width + nx
                if variable[q] >= 0 {
                    coupled[i * 8 + k] = variable[q]
                    coupling[i * 8 + k] = neighbour.weight
                } else {
                    for c in 0..<shape.channels { known[c][i] += neighbour.weight * Double(image[c * plane + q]) }
                }
            }
        }
        func multiply(_ v: [Double], into out: inout [Double]) {
            for i in 0..<n {
                var sum = diagonal[i] * v[i]
                for k in 0..<8 where coupled[i * 8 + k] >= 0 { sum -= coupling[i * 8 + k] * v[coupled[i * 8 + k]] }
                out[i] = sum
            }
        }
        var result = image
        for c in 0..<shape.channels {
            let solution = conjugateGradient(b: known[c], diagonal: diagonal, tolerance: tolerance, multiply: multiply)
            for (i, p) in removed.enumerated() { result[c * plane + p] = Float(solution[i]) }
        }
        if noise != 0 {
            for c in 0..<shape.channels {
                for p in removed {
                    result[c * plane + p] = Float(Double(result[c * plane + p]) + Double(noise) * generator.nextGaussian())
                }
            }
        }
        return result
    }

    /// Jacobi-preconditioned conjugate gradients for A·u = b, A symmetric positive definite;
    /// starts from u = D⁻¹b (each unknown at the weighted mean of its kept neighbours).
    static func conjugateGradient(
        b: [Double], diagonal: [Double], tolerance: Double, multiply: ([Double], inout [Double]) -> Void
    ) -> [Double] {
        let n = b.count
        func dot(_ x: [Double], _ y: [Double]) -> Double {
            var s = 0.0
            for i in 0..<n { s += x[i] * y[i] }
            return s
        }
        let bNorm = dot(b, b).squareRoot()
        guard bNorm > 0 else { return [Double](repeating: 0, count: n) }
        var u = (0..<n).map { b[$0] / diagonal[$0] }
        var product = [Double](repeating: 0, count: n)
        multiply(u, &product)
        var r = (0..<n).map { b[$0] - product[$0] }
        var z = (0..<n).map { r[$0] / diagonal[$0] }
        var p = z
        var rz = dot(r, z)
        for _ in 0..<(10 * n + 100) {
            if dot(r, r).squareRoot() <= tolerance * bNorm { break }
            multiply(p, &product)
            let alpha = rz / dot(p, product)
            for i in 0..<n {
                u[i] += alpha * p[i]
                r[i] -= alpha * product[i]
                z[i] = r[i] / diagonal[i]
            }
            let rzNext = dot(r, z)
            let beta = rzNext / rz
            rz = rzNext
            for i in 0..<n { p[i] = z[i] + beta * p[i] }
        }
        return u
    }
}
