import Foundation

/// Where the patient sits on the detector: the map from output pixels to the canonical
/// thorax frame in which all phantom anatomy is drawn.
///
/// Canonical coordinates (u, v) run over [0, 1] across and down a centred, upright thorax
/// (midline u = 0.5). A pose scales, rotates (small, as a patient leaning) and shifts that
/// frame; because the map is affine, each output row is a straight line in the canonical
/// frame, so every feature can clip its work to the span of a row its bounding box covers.
struct PhantomPose: Sendable {
    /// Canonical coordinates of pixel (x, y)'s centre: u = u0 + ux·x + uy·y, v likewise.
    var u0: Float, ux: Float, uy: Float
    var v0: Float, vx: Float, vy: Float
    /// Output pixels per canonical unit (scale × size).
    var pixelsPerUnit: Float

    init(size: Int, scale: Double, rotationRadians: Double, shiftX: Double, shiftY: Double) {
        // p = pixel centre / size; q = R(−θ)·(p − c) / scale + ½ with c = ½ + shift.
        let cosine = cos(rotationRadians), sine = sin(rotationRadians)
        let n = Double(size)
        let cx = 0.5 + shiftX, cy = 0.5 + shiftY
        let half = 0.5 / n
        ux = Float(cosine / (scale * n))
        uy = Float(sine / (scale * n))
        vx = Float(-sine / (scale * n))
        vy = Float(cosine / (scale * n))
        u0 = Float(0.5 + (cosine * (half - cx) + sine * (half - cy)) / scale)
        v0 = Float(0.5 + (-sine * (half - cx) + cosine * (half - cy)) / scale)
        pixelsPerUnit = Float(scale * n)
    }

    /// The canonical line of output row `y`: u(x) = start.u + x·step.u, likewise v.
    func row(_ y: Int) -> PhantomRow {
        let fy = Float(y)
        return PhantomRow(u: u0 + uy * fy, v: v0 + vy * fy, du: ux, dv: vx)
    }
}

/// One output row as a line in the canonical frame.
struct PhantomRow {
    var u: Float, v: Float, du: Float, dv: Float

    @inline(__always) func u(_ x: Int) -> Float { u + du * Float(x) }
    @inline(__always) func v(_ x: Int) -> Float { v + dv * Float(x) }

    /// The columns `0..<width` whose canonical point lies in `box` (empty when none).
    func span(_ box: CanonicalBox, width: Int) -> Range<Int> {
        var low = 0.0 as Float, high = Float(width - 1)
        func clip(_ start: Float, _ step: Float, _ lower: Float, _ upper: Float) {
            if step == 0 {
                if start < lower || start > upper { high = -1 }
                return
            }
            var a = (lower - start) / step, b = (upper - start) / step
            if a > b { swap(&a, &b) }
            low = max(low, a)
            high = min(high, b)
        }
        clip(u, du, box.uMin, box.uMax)
        clip(v, dv, box.vMin, box.vMax)
        guard high >= low else { return 0..<0 }
        let first = max(0, Int(low.rounded(.down)))
        let last = min(width - 1, Int(high.rounded(.up)))
        return first <= last ? first..<(last + 1) : 0..<0
    }
}

/// An axis-aligned box in canonical coordinates: where a feature can be non-zero.
struct CanonicalBox: Sendable {
    var uMin: Float, uMax: Float, vMin: Float, vMax: Float

    init(uMin: Float, uMax: Float, vMin: Float, vMax: Float) {
        self.uMin = uMin; self.uMax = uMax; self.vMin = vMin; self.vMax = vMax
    }

    /// The square box around a disc (a safe bound for any ellipse whose radii are ≤ `radius`).
    init(centerU: Float, centerV: Float, radius: Float) {
        self.init(uMin: centerU - radius, uMax: centerU + radius, vMin: centerV - radius, vMax: centerV + radius)
    }
}
