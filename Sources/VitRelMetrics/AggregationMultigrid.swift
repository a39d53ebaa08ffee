/// A multigrid V-cycle for the 9-point systems of ROAD's noisy linear imputation, used as the
/// preconditioner of its conjugate gradients.
///
/// Jacobi-preconditioned CG needs about as many iterations as the removed region is wide
/// (hundreds at 224² when a smooth attribution removes one large blob); with a V-cycle it
/// takes a few dozen whatever the size. Coarse levels aggregate 2×2 blocks of nodes with
/// piecewise-constant interpolation P and the Galerkin operator PᵀAP (Braess 1995; Vaněk et al.
/// 1996), which keeps the 9-point structure, so every level is the same kind of grid. Damped
/// Jacobi smoothing before and after the coarse correction and an exact (Cholesky) solve on
/// the coarsest level make the cycle a fixed symmetric positive definite operator, as CG needs.
struct AggregationMultigrid {
    /// The 8 neighbour offsets (row, column), in a fixed order shared by every level.
    static let offsetList: [(dy: Int, dx: Int)] = [(1, 1), (0, 1), (-1, 1), (1, -1), (0, -1), (-1, -1), (1, 0), (-1, 0)]

    /// One level: a grid of nodes, active where the level has unknowns, with a 9-point operator.
    /// Vectors on a level have one entry per grid node; inactive entries are 0.
    struct Level {
        let height: Int
        let width: Int
        /// Active node indices, in grid order.
        let nodes: [Int]
        /// Per active node (aligned with `nodes`).
        let diagonal: [Double]
        /// Per active node × 8: grid index of the coupled neighbour; the node itself (with entry
        /// 0) where there is none, so that `apply` runs without branches.
        let neighbours: [Int]
        /// Per active node × 8: the matrix entry coupling to that neighbour, or 0.
        let entries: [Double]

        /// Builds a level from per-grid-node arrays (diagonal [H·W], off-diagonal [H·W·8] in
        /// `offsetList` order; a zero entry means no coupling).
        init(height: Int, width: Int, active: [Bool], diagonal gridDiagonal: [Double], offDiagonal: [Double]) {
            self.height = height
            self.width = width
            let nodes = (0..<(height * width)).filter { active[$0] }
            self.nodes = nodes
            diagonal = nodes.map { gridDiagonal[$0] }
            var neighbours = [Int](repeating: 0, count: nodes.count * 8)
            var entries = [Double](repeating: 0, count: nodes.count * 8)
            for (i, node) in nodes.enumerated() {
                let row = node / width, column = node % width
                for k in 0..<8 { neighbours[i * 8 + k] = node }
                for k in 0..<8 where offDiagonal[node * 8 + k] != 0 {
                    let offset = AggregationMultigrid.offsetList[k]
                    neighbours[i * 8 + k] = (row + offset.dy) * width + column + offset.dx
                    entries[i * 8 + k] = offDiagonal[node * 8 + k]
                }
            }
            self.neighbours = neighbours
            self.entries = entries
        }

        var size: Int { height * width }

        /// y = A·x on the active nodes.
        func apply(_ x: [Double], into y: inout [Double]) {
            nodes.withUnsafeBufferPointer { nodes in
                neighbours.withUnsafeBufferPointer { neighbours in
                    entries.withUnsafeBufferPointer { entries in
                        x.withUnsafeBufferPointer { x in
                            y.withUnsafeMutableBufferPointer { y in
                                for i in 0..<nodes.count {
                                    var sum = diagonal[i] * x[nodes[i]]
                                    for k in (i * 8)..<(i * 8 + 8) { sum += entries[k] * x[neighbours[k]] }
                                    y[nodes[i]] = sum
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    let levels: [Level]
    /// parents[d][i]: grid index on level d + 1 of the aggregate holding active node i of level d.
    private let parents: [[Int]]
    /// ω / diagonal per active node of each level (the Jacobi step).
    private let scaledInverseDiagonals: [[Double]]
    /// Lower Cholesky factor (row-major) of the coarsest level's matrix.
    private let coarsestFactor: [Double]
    let smoothingSteps = 2
    let damping = 0.7

    init(finest: Level) {
        var levels = [finest]
        while levels[levels.count - 1].nodes.count > 256 && levels[levels.count - 1].height >= 4 && levels[levels.count - 1].width >= 4 {
            levels.append(Self.coarsen(levels[levels.count - 1]))
        }
        self.levels = levels
        parents = (0..<(levels.count - 1)).map { d in
            levels[d].nodes.map { Self.aggregate(of: $0, fineWidth: levels[d].width, coarseWidth: levels[d + 1].width) }
        }
        let damping = self.damping
        scaledInverseDiagonals = levels.map { level in level.diagonal.map { damping / $0 } }
        coarsestFactor = Self.choleskyFactor(of: levels[levels.count - 1])
    }

    /// Grid index of the 2×2 aggregate holding fine node `node`.
    @inline(__always)
    static func aggregate(of node: Int, fineWidth: Int, coarseWidth: Int) -> Int {
        (node / fineWidth / 2) * coarseWidth + (node % fineWidth) / 2
    }

    /// PᵀAP for 2×2 aggregates.
    static func coarsen(_ fine: Level) -> Level {
        let height = (fine.height + 1) / 2, width = (fine.width + 1) / 2
        var active = [Bool](repeating: false, count: height * width)
        var diagonal = [Double](repeating: 0, count: height * width)
        var offDiagonal = [Double](repeating: 0, count: height * width * 8)
        var direction = [Int](repeating: -1, count: 9)  // (dy + 1) * 3 + dx + 1 → k
        for (k, offset) in offsetList.enumerated() { direction[(offset.dy + 1) * 3 + offset.dx + 1] = k }
        for (i, node) in fine.nodes.enumerated() {
            let aggregate = Self.aggregate(of: node, fineWidth: fine.width, coarseWidth: width)
            active[aggregate] = true
            diagonal[aggregate] += fine.diagonal[i]
            for k in 0..<8 where fine.entries[i * 8 + k] != 0 {
                let other = Self.aggregate(of: fine.neighbours[i * 8 + k], fineWidth: fine.width, coarseWidth: width)
                if other == aggregate {
                    diagonal[aggregate] += fine.entries[i * 8 + k]
                } else {
                    let dy = other / width - aggregate / width, dx = other % width - aggregate % width
                    offDiagonal[aggregate * 8 + direction[(dy + 1) * 3 + dx + 1]] += fine.entries[i * 8 + k]
                }
            }
        }
        return Level(height: height, width: width, active: active, diagonal: diagonal, offDiagonal: offDiagonal)
    }

    static func choleskyFactor(of level: Level) -> [Double] {
        let n = level.nodes.count
        var position = [Int: Int]()
        for (i, node) in level.nodes.enumerated() { position[node] = i }
        var matrix = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            matrix[i * n + i] = level.diagonal[i]
            for k in 0..<8 where level.entries[i * 8 + k] != 0 {
                matrix[i * n + position[level.neighbours[i * 8 + k]]!] = level.entries[i * 8 + k]
            }
        }
        for j in 0..<n {
            var pivot = matrix[j * n + j]
            for k in 0..<j { pivot -= matrix[j * n + k] * matrix[j * n + k] }
            let root = pivot.squareRoot()
            matrix[j * n + j] = root
            for i in (j + 1)..<max(j + 1, n) {
                var sum = matrix[i * n + j]
                for k in 0..<j { sum -= matrix[i * n + k] * matrix[j * n + k] }
                matrix[i * n + j] = sum / root
            }
        }
        return matrix
    }

    /// One V-cycle from zero: an approximation of A⁻¹b on the finest level.
    func precondition(_ b: [Double]) -> [Double] { cycle(0, b) }

    private func cycle(_ depth: Int, _ b: [Double]) -> [Double] {
        let level = levels[depth]
        if depth == levels.count - 1 { return coarsestSolve(level, b) }
        var x = [Double](repeating: 0, count: level.size)
        var product = [Double](repeating: 0, count: level.size)
        smooth(depth, &x, b, &product)
        level.apply(x, into: &product)
        let parent = parents[depth]
        var restricted = [Double](repeating: 0, count: levels[depth + 1].size)
        for (i, node) in level.nodes.enumerated() { restricted[parent[i]] += b[node] - product[node] }
        let correction = cycle(depth + 1, restricted)
        for (i, node) in level.nodes.enumerated() { x[node] += correction[parent[i]] }
        smooth(depth, &x, b, &product)
        return x
    }

    /// Damped Jacobi sweeps x ← x + ω D⁻¹ (b − A x).
    private func smooth(_ depth: Int, _ x: inout [Double], _ b: [Double], _ product: inout [Double]) {
        let level = levels[depth], step = scaledInverseDiagonals[depth]
        for _ in 0..<smoothingSteps {
            level.apply(x, into: &product)
            for (i, node) in level.nodes.enumerated() { x[node] += step[i] * (b[node] - product[node]) }
        }
    }

    private func coarsestSolve(_ level: Level, _ b: [Double]) -> [Double] {
        let n = level.nodes.count
        var y = level.nodes.map { b[$0] }
        for i in 0..<n {
            var sum = y[i]
            for k in 0..<i { sum -= coarsestFactor[i * n + k] * y[k] }
            y[i] = sum / coarsestFactor[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            var sum = y[i]
            for k in (i + 1)..<max(i + 1, n) { sum -= coarsestFactor[k * n + i] * y[k] }
            y[i] = sum / coarsestFactor[i * n + i]
        }
        var x = [Double](repeating: 0, count: level.size)
        for (i, node) in level.nodes.enumerated() { x[node] = y[i] }
        return x
    }
}
