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
