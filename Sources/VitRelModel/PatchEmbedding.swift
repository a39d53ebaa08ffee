/// Patch embedding: a convolution whose kernel equals its stride, computed as one GEMM over
/// the unfolded patches (im2col without overlap).
///
/// Patch features are ordered (channel, row, column), matching the flattened PyTorch conv
/// weight [D, C, p, p].
public struct PatchEmbedding<Scalar: TensorScalar>: Sendable {
    /// weight [D, C·p·p] (the conv weight flattened), bias [D]
    public var projection: Linear<Scalar>
    public var patchSize: Int
    public var channels: Int

    public init(projection: Linear<Scalar>, patchSize: Int, channels: Int) {
        precondition(projection.inputCount == channels * patchSize * patchSize, "patch projection shape")
        self.projection = projection
        self.patchSize = patchSize
        self.channels = channels
    }

    public func zeroed() -> PatchEmbedding {
        PatchEmbedding(projection: projection.zeroed(), patchSize: patchSize, channels: channels)
    }

    /// [B, C, H, W] images → [B·P, C·p·p] patch rows, P = (H/p)·(W/p) in row-major grid order.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func unfold(_ images: [Scalar], batch: Int, height: Int, width: Int) -> [Scalar] {
        let p = patchSize, c = channels
        let gridH = height / p, gridW = width / p
        let features = c * p * p
        var patches = [Scalar].uninitialized(batch * gridH * gridW * features)
        images.withUnsafeBufferPointer { ip in
            patches.withUnsafeMutableBufferPointer { pp in
                Parallel.forEachChunk(batch * gridH, grain: 1) { range in
                    for bRow in range {
                        let b = bRow / gridH, gy = bRow % gridH
                        for gx in 0..<gridW {
                            let out = pp.baseAddress! + ((b * gridH + gy) * gridW + gx) * features
                            for ch in 0..<c {
                                for i in 0..<p {
                                    let src = ip.baseAddress! + ((b * c + ch) * height + gy * p + i) * width + gx * p
                                    (out + (ch * p + i) * p).update(from: src, count: p)
                                }
                            }
                        }
                    }
                }
            }
        }
        return patches
    }

    /// Inverse of `unfold`: scatters patch rows back to [B, C, H, W] (gradients and
    /// relevance of pixels).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func fold(_ patches: [Scalar], batch: Int, height: Int, width: Int) -> [Scalar] {
        let p = patchSize, c = channels
        let gridH = height / p, gridW = width / p
        let features = c * p * p
        // Zeros: pixels beyond the last full patch (H or W not a multiple of p) get no value.
        var images = [Scalar].zeros(batch * c * height * width)
        patches.withUnsafeBufferPointer { pp in
            images.withUnsafeMutableBufferPointer { ip in
                for b in 0..<batch {
                    for gy in 0..<gridH {
                        for gx in 0..<gridW {
                            let src = pp.baseAddress! + ((b * gridH + gy) * gridW + gx) * features
                            for ch in 0..<c {
                                for i in 0..<p {
                                    let dst = ip.baseAddress! + ((b * c + ch) * height + gy * p + i) * width + gx * p
                                    dst.update(from: src + (ch * p + i) * p, count: p)
                                }
                            }
                        }
                    }
                }
            }
        }
        return images
    }

    /// [B, C, H, W] → ([B·P, D] patch tokens, the unfolded patches for the backward pass).
    public func forward(_ images: [Scalar], batch: Int, height: Int, width: Int) -> (tokens: [Scalar], patches: [Scalar]) {
        let patches = unfold(images, batch: batch, height: height, width: width)
        let rows = batch * (height / patchSize) * (width / patchSize)
        return (projection.forward(patches, rows: rows), patches)
    }
}

// MARK: - Relevance

extension PatchEmbedding {
    /// Relevance of the unfolded patches [B·P, C·p·p] given relevance of the patch tokens
    /// [B·P, D]. `zB` uses each image's min/max over (C, H, W) as bounds (Montavon et al.
    /// 2017; Chefer's `Conv2d.relprop` for 3-channel input), bias ignored.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func relevance(
        _ r: [Scalar], patches: [Scalar], batch: Int, patchesPerImage: Int, rule: RelevanceRules.PatchRule,
        stabiliser: Double = 1e-9
    ) -> (relevance: [Scalar], biasAbsorbed: Double) {
        guard case .zB = rule else {
            if case .linear(let linearRule) = rule {
                return projection.relevance(
                    r, input: patches, rows: batch * patchesPerImage, rule: linearRule, stabiliser: stabiliser)
            }
            fatalError("unreachable")
        }
        let features = projection.inputCount, d = projection.outputCount
        let w = projection.weight.scalars
        let positive = w.map { max($0, 0) }, negative = w.map { min($0, 0) }
        var positiveSums = [Scalar].zeros(d), negativeSums = [Scalar].zeros(d)
        for j in 0..<d {
            for f in 0..<features { positiveSums[j] += positive[j * features + f]; negativeSums[j] += negative[j * features + f] }
        }
        let z = MatrixProducts.timesTransposed(patches, w, m: batch * patchesPerImage, k: features, n: d)
        var s = [Scalar].uninitialized(r.count)
        var lows = [Scalar](), highs = [Scalar]()
        for b in 0..<batch {
            let range = (b * patchesPerImage * features)..<((b + 1) * patchesPerImage * features)
            let low = patches[range].min() ?? 0, high = patches[range].max() ?? 0
            lows.append(low)
            highs.append(high)
            for row in (b * patchesPerImage)..<((b + 1) * patchesPerImage) {
                for j in 0..<d {
                    let za = z[row * d + j] - low * positiveSums[j] - high * negativeSums[j] + Scalar(stabiliser)
                    s[row * d + j] = r[row * d + j] / za
                }
            }
        }
        let sw = MatrixProducts.times(s, w, m: batch * patchesPerImage, k: d, n: features)
        let swPositive = MatrixProducts.times(s, positive, m: batch * patchesPerImage, k: d, n: features)
        let swNegative = MatrixProducts.times(s, negative, m: batch * patchesPerImage, k: d, n: features)
        var result = [Scalar].uninitialized(patches.count)
        for row in 0..<(batch * patchesPerImage) {
            let b = row / patchesPerImage
            for f in 0..<features {
                let i = row * features + f
                result[i] = patches[i] * sw[i] - lows[b] * swPositive[i] - highs[b] * swNegative[i]
            }
        }
        return (result, 0)
    }
}
