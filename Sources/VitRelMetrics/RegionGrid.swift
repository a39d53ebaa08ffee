/// The fixed grid of non-overlapping square regions that Quantus 0.6.0 `RegionPerturbation` and
/// `Selectivity` perturb (`get_block_indices`).
///
/// When a side is not a multiple of the patch size, Quantus pads it to one, ⌊pad/2⌋ before and
/// ⌈pad/2⌉ after: the input by repeating its edge (the perturbations run on the padded image,
/// so a baseline such as "mean" sees the padding, and the model sees the crop), the attribution
/// with zeros (for the region sums). Regions are numbered row by row; each spans all channels.
struct RegionGrid {
    let shape: ImageShape
    let patchSize: Int
    let top: Int, left: Int
    let padded: ImageShape
    /// Regions per column and per row of the grid.
    let rows: Int, columns: Int

    init(shape: ImageShape, patchSize: Int) throws {
        try require("patchSize", patchSize, atLeast: 1)
        func padding(_ side: Int) -> (before: Int, total: Int) {
            let remainder = side % patchSize
            guard remainder != 0 else { return (0, 0) }
            let total = patchSize - remainder
            return (total / 2, total)
        }
        let vertical = padding(shape.height), horizontal = padding(shape.width)
        self.shape = shape
        self.patchSize = patchSize
        top = vertical.before
        left = horizontal.before
        padded = ImageShape(channels: shape.channels, height: shape.height + vertical.total, width: shape.width + horizontal.total)
        rows = padded.height / patchSize
        columns = padded.width / patchSize
    }

    var regionCount: Int { rows * columns }

    /// `x` [C, H, W] padded by repeating its edge samples (`np.pad(mode="edge")`).
    func edgePadded(_ x: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: padded.count)
        for c in 0..<shape.channels {
            for y in 0..<padded.height {
                let sourceRow = min(max(y - top, 0), shape.height - 1)
                for x0 in 0..<padded.width {
                    let sourceColumn = min(max(x0 - left, 0), shape.width - 1)
                    out[(c * padded.height + y) * padded.width + x0] = x[(c * shape.height + sourceRow) * shape.width + sourceColumn]
                }
            }
        }
        return out
    }

    /// `a` [C, H, W] padded with zeros.
    func zeroPadded(_ a: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: padded.count)
        for c in 0..<shape.channels {
            for y in 0..<shape.height {
                for x0 in 0..<shape.width {
                    out[(c * padded.height + y + top) * padded.width + x0 + left] = a[(c * shape.height + y) * shape.width + x0]
                }
            }
        }
        return out
    }

    /// The unpadded centre of a padded array.
    func cropped(_ p: [Float]) -> [Float] {
        if padded == shape { return p }
        var out = [Float](repeating: 0, count: shape.count)
        for c in 0..<shape.channels {
            for y in 0..<shape.height {
                for x0 in 0..<shape.width {
                    out[(c * shape.height + y) * shape.width + x0] = p[(c * padded.height + y + top) * padded.width + x0 + left]
                }
            }
        }
        return out
    }

    /// Indices into the padded [C, Hp, Wp] array of region `r`, every channel.
    func features(ofRegion r: Int) -> [Int] {
        let row = r / columns, column = r % columns
        var indices = [Int]()
        indices.reserveCapacity(shape.channels * patchSize * patchSize)
        for c in 0..<shape.channels {
            for y in (row * patchSize)..<((row + 1) * patchSize) {
                let base = (c * padded.height + y) * padded.width + column * patchSize
                for x0 in 0..<patchSize { indices.append(base + x0) }
            }
        }
        return indices
    }

    /// Σ of a padded per-feature array over each region, in Double.
    func regionSums(_ paddedValues: [Float]) -> [Double] {
        (0..<regionCount).map { r in features(ofRegion: r).reduce(0.0) { $0 + Double(paddedValues[$1]) } }
    }
}
