/// Matrix-multiply FLOPs of one forward pass (2·m·n·k per GEMM); elementwise work is not
/// counted, so achieved GFLOP/s against the machine's sgemm rate is an honest efficiency.
extension ViTConfig {
    public func forwardFlopsPerImage(gridHeight: Int? = nil, gridWidth: Int? = nil) -> Double {
        let patches = Double((gridHeight ?? self.gridHeight) * (gridWidth ?? self.gridWidth))
        let n = patches + Double(prefixTokenCount)
        let d = Double(embedDimension), hidden = Double(mlpHiddenDimension), inner = Double(mlpInnerDimension)
        let patchFeatures = Double(channels * patchSize * patchSize)
        let perBlock = 2 * n * d * 3 * d  // qkv
            + 2 * 2 * n * n * d  // q·kᵀ and A·v over all heads
            + 2 * n * d * d  // projection
            + 2 * n * d * (hidden + inner)  // fc1 and fc2 (SwiGLU's fc2 reads half of fc1's width)
        return 2 * patches * patchFeatures * d + Double(depth) * perBlock + 2 * d * Double(classCount)
    }
}
