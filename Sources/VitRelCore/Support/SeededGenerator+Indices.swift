/// Random indices from vitrel's seeded generator: what the metrics draw, and the resampling of
/// `Statistics.bootstrapInterval`.
///
/// Every metric that draws takes a seed; draw k of a metric comes from
/// `SeededGenerator(seed: seed, stream: k)`, so a draw does not depend on how many were made
/// before it, on the batch size or on the thread count.
extension SeededGenerator {
    /// Uniform integer in 0..<n without modulo bias (Lemire 2019, with rejection).
    public mutating func index(below n: Int) -> Int {
        precondition(n > 0, "index(below: \(n))")
        let bound = UInt64(n)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return Int(product.high)
    }

    /// `count` distinct indices of 0..<n in draw order (a partial Fisher–Yates shuffle whose
    /// swaps are kept in a dictionary, so it costs O(count), not O(n)).
    public mutating func subset(of n: Int, count: Int) -> [Int] {
        precondition(count >= 0 && count <= n, "subset of \(count) from \(n)")
        var swapped = [Int: Int]()
        var result = [Int]()
        result.reserveCapacity(count)
        for i in 0..<count {
            let j = i + index(below: n - i)
            let atJ = swapped[j] ?? j
            let atI = swapped[i] ?? i
            result.append(atJ)
            swapped[j] = atI
        }
        return result
    }

    /// A uniformly random permutation of 0..<n (Fisher–Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        var values = Array(0..<n)
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) { values.swapAt(i, index(below: i + 1)) }
        }
        return values
    }
}
