import Foundation

// The three shapes phantom anatomy is drawn with. Each knows its canonical bounding box and
// adds its density to the covered span of one output row (`PhantomRow`), so a row costs only
// the features that cross it.

/// A bone seen in projection: a curved band (rib, clavicle) following a quadratic
/// v = c0 + c1·s + c2·s² over the lateral coordinate s = side·(u − ½)/thoraxHalfWidth.
///
/// The cross-section is a tube with a cortical shell: chord length through the outer
/// radius minus part of the chord through the marrow, so edges are slightly brighter than
/// the middle, as ribs are on a radiograph.
struct BoneBand: Sendable {
    /// −1 for the patient's right (image left), +1 for the patient's left (image right).
    var side: Float
    var thoraxHalfWidth: Float
    var c0: Float, c1: Float, c2: Float
    var sStart: Float, sEnd: Float
    var halfWidth: Float
    var density: Float
    /// Ribs stand out against aerated lung and fade over soft tissue; clavicles do not.
    var visibilityOutsideLungs: Float
    var box: CanonicalBox

    init(side: Float, thoraxHalfWidth: Float, c0: Float, c1: Float, c2: Float,
         sStart: Float, sEnd: Float, halfWidth: Float, density: Float, visibilityOutsideLungs: Float = 1) {
        self.visibilityOutsideLungs = visibilityOutsideLungs
        self.side = side
        self.thoraxHalfWidth = thoraxHalfWidth
        self.c0 = c0; self.c1 = c1; self.c2 = c2
        self.sStart = sStart; self.sEnd = sEnd
        self.halfWidth = halfWidth
        self.density = density
        var vLow = Float.infinity, vHigh = -Float.infinity
        var candidates = [sStart, sEnd]
        if c2 != 0 {
            let vertex = -c1 / (2 * c2)
            if vertex > sStart && vertex < sEnd { candidates.append(vertex) }
        }
        for s in candidates {
            let v = c0 + c1 * s + c2 * s * s
            vLow = min(vLow, v)
            vHigh = max(vHigh, v)
        }
        let uA = 0.5 + side * sStart * thoraxHalfWidth, uB = 0.5 + side * sEnd * thoraxHalfWidth
        box = CanonicalBox(uMin: min(uA, uB) - halfWidth, uMax: max(uA, uB) + halfWidth,
                           vMin: vLow - 2 * halfWidth, vMax: vHigh + 2 * halfWidth)
    }

    func add(row: PhantomRow, lungDepth: UnsafePointer<Float>, to density: UnsafeMutablePointer<Float>, width: Int) {
        let inverseHalfWidth = 1 / thoraxHalfWidth
        let fade: Float = 0.06
        for x in row.span(box, width: width) {
            let s = side * (row.u(x) - 0.5) * inverseHalfWidth
            if s <= sStart || s >= sEnd { continue }
            let dv = row.v(x) - (c0 + (c1 + c2 * s) * s)
            let slope = (c1 + 2 * c2 * s) * inverseHalfWidth     // dv/du along the curve
            let t2 = dv * dv / ((1 + slope * slope) * halfWidth * halfWidth)
            if t2 >= 1 { continue }
            let marrow = max(0, 0.5625 - t2)                     // inner radius 0.75
            let profile = (1 - t2).squareRoot() - 0.6 * marrow.squareRoot()
            let endFade = min(1, (s - sStart) / fade, (sEnd - s) / fade)
            let inLung = min(1, max(0, lungDepth[x] / 0.02))
            let visibility = visibilityOutsideLungs + (1 - visibilityOutsideLungs) * inLung
            density[x] += self.density * profile * endFade * visibility
        }
    }
}

/// A rotated elliptical blob with a smooth (1 − r²)^k falloff: hila, humeral heads, the
/// gastric air bubble (negative density).
struct RadialBlob: Sendable {
    var centerU: Float, centerV: Float
    var radiusU: Float, radiusV: Float
    var cosine: Float, sine: Float
    var density: Float
    /// 1: dome-like (bone, soft tissue); 2: bell-like (diffuse structures).
    var power: Int
    var box: CanonicalBox

    init(centerU: Float, centerV: Float, radiusU: Float, radiusV: Float, angle: Float, density: Float, power: Int) {
        self.centerU = centerU; self.centerV = centerV
        self.radiusU = radiusU; self.radiusV = radiusV
        cosine = cos(angle); sine = sin(angle)
        self.density = density
        self.power = power
        box = CanonicalBox(centerU: centerU, centerV: centerV, radius: max(radiusU, radiusV))
    }

    /// (1 − r²) at canonical (u, v); ≤ 0 outside the ellipse.
    @inline(__always) func inside(_ u: Float, _ v: Float) -> Float {
        let du = u - centerU, dv = v - centerV
        let a = (cosine * du + sine * dv) / radiusU
        let b = (-sine * du + cosine * dv) / radiusV
        return 1 - (a * a + b * b)
    }

    func add(row: PhantomRow, to density: UnsafeMutablePointer<Float>, width: Int) {
        for x in row.span(box, width: width) {
            let w = inside(row.u(x), row.v(x))
            if w <= 0 { continue }
            density[x] += self.density * (power == 1 ? w.squareRoot() : w * w)
        }
    }
}

/// A tapering line segment (a pulmonary vessel or an air bronchogram): width and density
/// fall linearly from the start to the end, as branches thin towards the periphery.
struct TaperedSegment: Sendable {
    var startU: Float, startV: Float, endU: Float, endV: Float
    var startHalfWidth: Float, endHalfWidth: Float
    var startDensity: Float, endDensity: Float
    var box: CanonicalBox

    init(startU: Float, startV: Float, endU: Float, endV: Float,
         startHalfWidth: Float, endHalfWidth: Float, startDensity: Float, endDensity: Float) {
        self.startU = startU; self.startV = startV; self.endU = endU; self.endV = endV
        self.startHalfWidth = startHalfWidth; self.endHalfWidth = endHalfWidth
        self.startDensity = startDensity; self.endDensity = endDensity
        let pad = max(startHalfWidth, endHalfWidth)
        box = CanonicalBox(uMin: min(startU, endU) - pad, uMax: max(startU, endU) + pad,
                           vMin: min(startV, endV) - pad, vMax: max(startV, endV) + pad)
    }

    /// The segment's density at (u, v): 0 off the line, a soft ridge on it.
    @inline(__always) func value(_ u: Float, _ v: Float) -> Float {
        let eu = endU - startU, ev = endV - startV
        let lengthSquared = eu * eu + ev * ev
        var t = ((u - startU) * eu + (v - startV) * ev) / lengthSquared
        t = min(1, max(0, t))
        let du = u - (startU + t * eu), dv = v - (startV + t * ev)
        let halfWidth = startHalfWidth + (endHalfWidth - startHalfWidth) * t
        let r2 = (du * du + dv * dv) / (halfWidth * halfWidth)
        if r2 >= 1 { return 0 }
        let w = 1 - r2
        return (startDensity + (endDensity - startDensity) * t) * w * w
    }
}

/// Smooth random texture: values on a coarse grid over the canonical frame, interpolated
/// with a smoothstep (value noise). Used for the faint parenchymal pattern of every lung, so
/// that "any texture in the lung" is not by itself evidence of disease.
struct ValueNoise: Sendable {
    var cells: Int
    var values: [Float]   // (cells + 1)², row-major over v then u, each in [−1, 1]

    init(cells: Int, generator g: inout SeededGenerator) {
        self.cells = cells
        values = (0..<((cells + 1) * (cells + 1))).map { _ in g.drawFloat(-1...1) }
    }

    @inline(__always) func value(_ u: Float, _ v: Float) -> Float {
        let gu = min(Float(cells) - 0.001, max(0, u * Float(cells)))
        let gv = min(Float(cells) - 0.001, max(0, v * Float(cells)))
        let iu = Int(gu), iv = Int(gv)
        var fu = gu - Float(iu), fv = gv - Float(iv)
        fu = fu * fu * (3 - 2 * fu)
        fv = fv * fv * (3 - 2 * fv)
        return values.withUnsafeBufferPointer { t in
            let i = iv * (cells + 1) + iu
            let top = t[i] + (t[i + 1] - t[i]) * fu
            let bottom = t[i + cells + 1] + (t[i + cells + 2] - t[i + cells + 1]) * fu
            return top + (bottom - top) * fv
        }
    }
}
