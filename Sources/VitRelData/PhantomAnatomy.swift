import Foundation

/// One lung field's outline on a PA radiograph, in its side's lateral coordinate
/// s = |u − ½| / thoraxHalfWidth (0 at the midline, about 1 at the chest wall).
///
/// The field is bounded by the mediastinum (medially), a rounded apex (a parabola in s),
/// the slightly inclined lateral chest wall, and the hemidiaphragm dome, whose lateral end
/// dips into the costophrenic angle. The heart and aortic knob are cut out by the anatomy,
/// as in COVID-QU-Ex lung masks.
struct LungOutline: Sendable {
    var apexV: Float
    /// Lateral position of the apex's highest point.
    var apexCenterS: Float
    /// How fast the apex falls away either side of its peak (v per s²).
    var apexCurvature: Float
    var medialS: Float
    /// Lateral wall at the costophrenic angle; the wall leans inwards by `wallLean` at the apex.
    var wallS: Float
    var wallLean: Float
    var domeV: Float
    var domePeakS: Float
    var costophrenicDepth: Float

    @inline(__always) func lateralS(_ v: Float) -> Float {
        let r = min(1, max(0, (v - apexV) / (domeV + costophrenicDepth - apexV)))
        return wallS - wallLean * (1 - r)
    }

    @inline(__always) func bottomV(_ s: Float) -> Float {
        if s > domePeakS {
            let t = (s - domePeakS) / (wallS - domePeakS)
            return domeV + costophrenicDepth * t * t
        }
        let t = (domePeakS - s) / (domePeakS - medialS)
        return domeV + 0.3 * costophrenicDepth * t * t
    }

    /// How far (canonical units, roughly) the point lies inside the outline; negative outside.
    @inline(__always) func depth(s: Float, v: Float, thoraxHalfWidth: Float) -> Float {
        let top = apexV + apexCurvature * (s - apexCenterS) * (s - apexCenterS)
        let horizontal = min(s - medialS, lateralS(v) - s) * thoraxHalfWidth
        return min(horizontal, min(v - top, bottomV(s) - v))
    }
}

/// The random anatomy of one phantom, drawn once and rendered row by row.
///
/// Densities add in display units: soft tissue (~0.55 at the centre, thinning laterally)
/// minus aerated lung (~0.4) plus bone (~0.1) and the mediastinal structures;
/// `PhantomExposure` then maps density to brightness.
struct PhantomAnatomy: Sendable {
    var thoraxHalfWidth: Float
    var rightLung: LungOutline   // patient's right, image left
    var leftLung: LungOutline    // patient's left, image right
    var lungAirDepth: Float
    /// Faint parenchymal texture (all classes).
    var lungTexture: ValueNoise
    var lungFineTexture: ValueNoise
    var lungTextureAmplitude: Float

    var bodyHalfWidth: Float
    var bodyDensity: Float
    var neckHalfWidth: Float
    var shoulderV: Float
    var shoulderFlare: Float
    var background: Float

    var spineHalfWidth: Float
    var spineDensity: Float
    var vertebraPeriod: Float
    var vertebraPhase: Float
    var tracheaHalfWidth: Float
    var carinaV: Float

    /// The heart shadow: an ellipse centred left of the midline (patient's left, image right),
    /// sitting on the left hemidiaphragm.
    var heart: RadialBlob
    var aorticKnob: RadialBlob

    var bones: [BoneBand]
    var blobs: [RadialBlob]
    /// Pulmonary vessels, visible only inside the lung fields.
    var vessels: [TaperedSegment]

    init(parameters: PhantomParameters, generator g: inout SeededGenerator) {
        let hw = g.drawFloat(0.39...0.44)
        thoraxHalfWidth = hw
        let apexV = g.drawFloat(0.09...0.13)
        let rightDome = g.drawFloat(0.65...0.73)
        let leftDome = rightDome + g.drawFloat(0.005...0.04)     // the left hemidiaphragm sits lower
        func outline(dome: Float, medial: Float) -> LungOutline {
            LungOutline(
                apexV: apexV + g.drawFloat(-0.01...0.01),
                apexCenterS: g.drawFloat(0.32...0.42),
                apexCurvature: g.drawFloat(0.75...1.0),
                medialS: medial,
                wallS: g.drawFloat(0.88...0.96),
                wallLean: g.drawFloat(0.06...0.14),
                domeV: dome,
                domePeakS: g.drawFloat(0.42...0.55),
                costophrenicDepth: g.drawFloat(0.06...0.1))
        }
        rightLung = outline(dome: rightDome, medial: g.drawFloat(0.12...0.17))
        leftLung = outline(dome: leftDome, medial: g.drawFloat(0.13...0.18))
        lungAirDepth = g.drawFloat(parameters.lungAirDepthRange)
        lungTexture = ValueNoise(cells: 14, generator: &g)
        lungFineTexture = ValueNoise(cells: 40, generator: &g)
        lungTextureAmplitude = g.drawFloat(0.01...0.02)

        bodyHalfWidth = hw + g.drawFloat(0.07...0.13)
        bodyDensity = g.drawFloat(0.52...0.58)
        neckHalfWidth = g.drawFloat(0.07...0.09)
        shoulderV = apexV - g.drawFloat(0.1...0.16)
        shoulderFlare = g.drawFloat(0.08...0.16)
        background = g.drawFloat(0.02...0.06)

        spineHalfWidth = g.drawFloat(0.026...0.032)
        spineDensity = g.drawFloat(0.04...0.07)
        vertebraPeriod = g.drawFloat(0.042...0.05)
        vertebraPhase = g.drawFloat(0...1)
        tracheaHalfWidth = g.drawFloat(0.015...0.02)
        carinaV = apexV + g.drawFloat(0.2...0.25)

        // A dome sitting on the diaphragm, its lower half hidden below it: the right border
        // (right atrium) just past the mediastinum into the right hemithorax, the left border
        // (left ventricle) about two-thirds into the left, tilted towards the apex;
        // cardiothoracic ratio about 0.42.
        heart = RadialBlob(
            centerU: 0.5 + hw * g.drawFloat(0.2...0.26), centerV: leftDome - g.drawFloat(0.02...0.05),
            radiusU: hw * g.drawFloat(0.4...0.45), radiusV: g.drawFloat(0.15...0.18), angle: g.drawFloat(0.1...0.3),
            density: g.drawFloat(0.01...0.02), power: 1)
        aorticKnob = RadialBlob(
            centerU: 0.5 + hw * (leftLung.medialS + g.drawFloat(-0.03...0.0)), centerV: carinaV - g.drawFloat(0.02...0.05),
            radiusU: g.drawFloat(0.02...0.026), radiusV: g.drawFloat(0.026...0.034), angle: 0,
            density: 0.03, power: 1)

        var bones: [BoneBand] = []
        var blobs: [RadialBlob] = []
        var vessels: [TaperedSegment] = []
        for (lung, side) in [(rightLung, Float(-1)), (leftLung, Float(1))] {
            // Posterior ribs: from the spine, arching out and down towards the chest wall.
            let ribCount = 10
            let firstRib = lung.apexV - g.drawFloat(0.01...0.03)
            let spacing = (lung.domeV - 0.01 - firstRib) / Float(ribCount - 1)
            let ribDensity = g.drawFloat(0.08...0.12)
            for i in 0..<ribCount {
                let medialV = firstRib + Float(i) * spacing + g.drawFloat(-0.004...0.004)
                bones.append(BoneBand(
                    side: side, thoraxHalfWidth: hw, c0: medialV, c1: -g.drawFloat(0.02...0.07), c2: g.drawFloat(0.16...0.22),
                    sStart: 0.06, sEnd: min(lung.wallS + 0.08, 0.5 + 0.1 * Float(i)),
                    halfWidth: g.drawFloat(0.012...0.016), density: ribDensity, visibilityOutsideLungs: 0.25))
            }
            // Anterior ribs: fainter, from the wall down towards the sternum (cartilage unseen).
            for j in 0..<6 {
                let lateralV = lung.apexV + 0.03 + Float(j) * spacing * 1.2 + g.drawFloat(-0.005...0.005)
                let drop = g.drawFloat(0.12...0.18), bend = g.drawFloat(0.0...0.08)
                // v = lateralV + drop·(wall − s) + bend·(wall − s)², as a quadratic in s.
                let wall = lung.wallS
                bones.append(BoneBand(
                    side: side, thoraxHalfWidth: hw,
                    c0: lateralV + drop * wall + bend * wall * wall, c1: -drop - 2 * bend * wall, c2: bend,
                    sStart: 0.3, sEnd: wall + 0.05,
                    halfWidth: g.drawFloat(0.009...0.012), density: ribDensity * g.drawFloat(0.45...0.6),
                    visibilityOutsideLungs: 0.25))
            }
            // Clavicle: medial end near the sternal notch, rising towards the acromion.
            bones.append(BoneBand(
                side: side, thoraxHalfWidth: hw,
                c0: lung.apexV + g.drawFloat(0.04...0.07), c1: -g.drawFloat(0.08...0.12), c2: g.drawFloat(0.0...0.03),
                sStart: 0.05, sEnd: g.drawFloat(1.1...1.25),
                halfWidth: g.drawFloat(0.022...0.027), density: g.drawFloat(0.16...0.2)))
            // Humeral head at the edge of the field.
            blobs.append(RadialBlob(
                centerU: 0.5 + side * (bodyHalfWidth + g.drawFloat(0.06...0.1)), centerV: lung.apexV - g.drawFloat(0.0...0.04),
                radiusU: g.drawFloat(0.06...0.075), radiusV: g.drawFloat(0.065...0.08), angle: 0,
                density: g.drawFloat(0.12...0.16), power: 1))
            // Hilum and the vessels branching out from it, thinning towards the periphery.
            let hilumU = 0.5 + side * hw * (lung.medialS + g.drawFloat(0.06...0.1))
            let hilumV = lung.apexV + (lung.domeV - lung.apexV) * g.drawFloat(0.45...0.55)
            blobs.append(RadialBlob(
                centerU: hilumU, centerV: hilumV, radiusU: g.drawFloat(0.04...0.05), radiusV: g.drawFloat(0.06...0.075),
                angle: 0, density: g.drawFloat(0.05...0.07), power: 2))
            let branchCount = 9
            for k in 0..<branchCount {
                let angle = -1.25 + 2.7 * (Float(k) + g.drawFloat(0.2...0.8)) / Float(branchCount)
                let length = g.drawFloat(0.1...0.17)
                let density = g.drawFloat(0.025...0.04)
                // Branches leave from the rim of the hilum, not its centre (no bright star).
                let startU = hilumU + side * cos(angle) * 0.03, startV = hilumV + sin(angle) * 0.04
                let endU = startU + side * cos(angle) * length, endV = startV + sin(angle) * length
                vessels.append(TaperedSegment(
                    startU: startU, startV: startV, endU: endU, endV: endV,
                    startHalfWidth: 0.009, endHalfWidth: 0.005, startDensity: density, endDensity: density * 0.7))
                for _ in 0..<2 {
                    let childAngle = angle + g.drawFloat(-0.6...0.6)
                    let childLength = g.drawFloat(0.06...0.11)
                    vessels.append(TaperedSegment(
                        startU: endU, startV: endV,
                        endU: endU + side * cos(childAngle) * childLength, endV: endV + sin(childAngle) * childLength,
                        startHalfWidth: 0.005, endHalfWidth: 0.0025, startDensity: density * 0.7, endDensity: density * 0.15))
                }
            }
        }
        // Gastric air bubble under the left hemidiaphragm, in most films.
        if g.chance(0.6) {
            blobs.append(RadialBlob(
                centerU: 0.5 + hw * g.drawFloat(0.35...0.55), centerV: leftDome + g.drawFloat(0.06...0.09),
                radiusU: g.drawFloat(0.04...0.06), radiusV: g.drawFloat(0.025...0.035), angle: 0,
                density: -g.drawFloat(0.06...0.1), power: 2))
        }
        self.bones = bones
        self.blobs = blobs
        self.vessels = vessels
    }

    /// How far (canonical units) (u, v) lies inside a lung field; negative outside.
    /// `heartInside` and `knobInside` are `heart.inside(u, v)` and `aorticKnob.inside(u, v)`.
    @inline(__always) func lungDepth(u: Float, v: Float, heartInside: Float, knobInside: Float) -> Float {
        let lung = u < 0.5 ? rightLung : leftLung
        let depth = lung.depth(s: abs(u - 0.5) / thoraxHalfWidth, v: v, thoraxHalfWidth: thoraxHalfWidth)
        // The heart and aortic knob are not lung: cut them out (signed distance ≈ (r − 1)·radius).
        let heartDistance = ((1 - heartInside).squareRoot() - 1) * min(heart.radiusU, heart.radiusV)
        let knobDistance = ((1 - knobInside).squareRoot() - 1) * aorticKnob.radiusU
        return min(depth, min(heartDistance, knobDistance))
    }

    /// Writes the anatomy's density for one output row into `density` and the lung depth
    /// (positive inside a lung field) into `lungDepth`.
    func render(row: PhantomRow, width: Int, density: UnsafeMutablePointer<Float>, lungDepth depthOut: UnsafeMutablePointer<Float>) {
        let twoPi = 2 * Float.pi
        for x in 0..<width {
            let u = row.u(x), v = row.v(x)
            let a = abs(u - 0.5)
            // Soft tissue: an elliptical cross-section under the neck and rounded shoulders,
            // which flare out towards the arms at the top of the field.
            let overNeck = max(0, a - neckHalfWidth - 0.04)
            let shoulderTop = a < neckHalfWidth ? -1 : shoulderV + 0.9 * overNeck * overNeck
            let flare = shoulderFlare * min(1, max(0, (shoulderV + 0.25 - v) / 0.18))
            // The chest widens towards the lower ribs.
            let halfWidth = bodyHalfWidth * (0.93 + 0.1 * min(1, max(0, (v - shoulderV) / 0.6)))
            let inside = min(1, max(0, (v - shoulderTop) / 0.03)) * min(1, max(0, (halfWidth + flare - a) / 0.03))
            let ratio = a / halfWidth
            let thickness = ratio < 1 ? 1 - ratio * ratio : 0
            var d = background + bodyDensity * inside * (0.2 + 0.8 * thickness)
            if a < spineHalfWidth {
                let r = a / spineHalfWidth
                let vertebra = 0.9 + 0.1 * cos(twoPi * (v / vertebraPeriod + vertebraPhase))
                d += spineDensity * (1 - r * r).squareRoot() * vertebra
            }
            if a < tracheaHalfWidth && v < carinaV {
                let r = a / tracheaHalfWidth
                d -= 0.06 * (1 - r * r).squareRoot() * min(1, (carinaV - v) / 0.03)
            }
            let heartInside = heart.inside(u, v)
            if heartInside > 0 {
                // The heart sits on the diaphragm: below it, liver and heart are one density.
                let aboveDiaphragm = min(1, max(0, (leftLung.domeV + 0.03 - v) / 0.05))
                d += heart.density * heartInside.squareRoot() * aboveDiaphragm
            }
            let knobInside = aorticKnob.inside(u, v)
            if knobInside > 0 { d += aorticKnob.density * knobInside.squareRoot() }
            // Lung fields: aerated lung removes density, most where the lung is thickest.
            let depth = lungDepth(u: u, v: v, heartInside: heartInside, knobInside: knobInside)
            depthOut[x] = depth
            if depth > 0 {
                let lung = u < 0.5 ? rightLung : leftLung
                let t = min(1, depth / 0.05)
                let zone = min(1, max(0, (v - lung.apexV) / (lung.domeV - lung.apexV)))
                let texture = lungTextureAmplitude * (lungTexture.value(u, v) + 0.5 * lungFineTexture.value(u, v))
                d -= (lungAirDepth * (1 - 0.12 * zone) - texture) * (t * (2 - t)).squareRoot()
            }
            density[x] = d
        }
        for bone in bones { bone.add(row: row, lungDepth: depthOut, to: density, width: width) }
        for blob in blobs { blob.add(row: row, to: density, width: width) }
        for vessel in vessels {
            for x in row.span(vessel.box, width: width) where depthOut[x] > 0 {
                density[x] += vessel.value(row.u(x), row.v(x)) * min(1, depthOut[x] / 0.01)
            }
        }
    }
}
