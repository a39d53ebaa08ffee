import Foundation

/// One opacity in a lung field: a ground-glass patch or a lobar consolidation.
struct OpacityPatch: Sendable {
    enum Kind: Sendable {
        /// COVID-19: hazy, soft-edged increase in density through which vessels stay visible.
        case groundGlass
        /// Bacterial (lobar) pneumonia: dense, sharply marginated airspace opacity, often
        /// bounded by a fissure and crossed by air bronchograms.
        case consolidation
    }

    var kind: Kind
    /// Peak density (display units).
    var amplitude: Float
    /// The patch outline: overlapping ellipses (their union), so patches are not perfect ovals.
    var lobes: [RadialBlob]
    var box: CanonicalBox
    /// Mottling: a product of two cosines, so the haze is not a perfectly smooth bump.
    var mottleFrequencyU: Float, mottleFrequencyV: Float
    var mottlePhaseU: Float, mottlePhaseV: Float
    /// A fissure cutting the patch straight: keeps the side where normal·(p − centre) > −offset.
    var fissureNormalU: Float = 0, fissureNormalV: Float = 0, fissureOffset: Float = .infinity
    /// Air bronchograms: aerated bronchi seen as dark branches inside a consolidation.
    var bronchograms: [TaperedSegment] = []

    /// The patch's density at (u, v), before the lung-field weighting.
    @inline(__always) func value(_ u: Float, _ v: Float) -> Float {
        var w: Float = 0
        for lobe in lobes { w = max(w, lobe.inside(u, v)) }
        if w <= 0 { return 0 }
        let mottle = 0.5 + 0.5 * cos(mottleFrequencyU * u + mottlePhaseU) * cos(mottleFrequencyV * v + mottlePhaseV)
        switch kind {
        case .groundGlass:
            return amplitude * w * w * (0.7 + 0.3 * mottle)
        case .consolidation:
            var p = min(1, 3 * w) * (0.88 + 0.12 * mottle)
            if fissureOffset.isFinite {
                let signed = fissureNormalU * (u - lobes[0].centerU) + fissureNormalV * (v - lobes[0].centerV) + fissureOffset
                p *= min(1, max(0, signed / 0.005 + 0.5))
            }
            for bronchus in bronchograms { p *= 1 - bronchus.value(u, v) }
            return amplitude * p
        }
    }
}

/// The class evidence of one phantom, drawn inside the lung fields.
///
/// - COVID-19: multiple ground-glass opacities, bilateral, peripheral and lower-zone
///   predominant — the typical pattern on chest radiographs (Wong et al., "Frequency and
///   distribution of chest radiographic findings in patients positive for COVID-19",
///   Radiology 2020; Rubin et al., Fleischner Society statement, Radiology 2020).
/// - Non-COVID (other pneumonias): denser lobar consolidation, usually one-sided, in any
///   zone, sharply marginated (Franquet, "Imaging of pneumonia", Eur Radiol 2001).
/// - Normal: none.
struct PhantomEvidence: Sendable {
    var patches: [OpacityPatch]

    init(label: ChestXRayClass, anatomy: PhantomAnatomy, parameters: PhantomParameters, generator g: inout SeededGenerator) {
        var patches: [OpacityPatch] = []
        let hw = anatomy.thoraxHalfWidth
        /// A patch of `kind` around (u, v): a main ellipse and 1–2 smaller overlapping ones.
        func patch(_ kind: OpacityPatch.Kind, u: Float, v: Float, radiusU: Float, radiusV: Float, amplitude: Float) -> OpacityPatch {
            var lobes = [RadialBlob(centerU: u, centerV: v, radiusU: radiusU, radiusV: radiusV,
                                    angle: g.drawFloat(-0.5...0.5), density: amplitude, power: 1)]
            for _ in 0..<g.draw(1...2) {
                let angle = g.drawFloat(0...6.283), distance = g.drawFloat(0.3...0.6)
                lobes.append(RadialBlob(
                    centerU: u + cos(angle) * distance * radiusU, centerV: v + sin(angle) * distance * radiusV,
                    radiusU: radiusU * g.drawFloat(0.5...0.75), radiusV: radiusV * g.drawFloat(0.5...0.75),
                    angle: g.drawFloat(-0.5...0.5), density: amplitude, power: 1))
            }
            var box = lobes[0].box
            for lobe in lobes.dropFirst() {
                box = CanonicalBox(uMin: min(box.uMin, lobe.box.uMin), uMax: max(box.uMax, lobe.box.uMax),
                                   vMin: min(box.vMin, lobe.box.vMin), vMax: max(box.vMax, lobe.box.vMax))
            }
            let period = kind == .groundGlass ? g.drawFloat(0.025...0.04) : g.drawFloat(0.02...0.03)
            return OpacityPatch(
                kind: kind, amplitude: amplitude, lobes: lobes, box: box,
                mottleFrequencyU: 2 * .pi / period, mottleFrequencyV: 2 * .pi / (period * g.drawFloat(0.8...1.25)),
                mottlePhaseU: g.drawFloat(0...6.283), mottlePhaseV: g.drawFloat(0...6.283))
        }
        switch label {
        case .normal:
            break
        case .covid19:
            let bilateral = g.chance(parameters.covidBilateralProbability)
            let onlySide = g.draw(0...1)
            for sideIndex in 0...1 where bilateral || sideIndex == onlySide {
                let lung = sideIndex == 0 ? anatomy.rightLung : anatomy.leftLung
                let side: Float = sideIndex == 0 ? -1 : 1
                var count = g.draw(parameters.groundGlassPatchesPerLung)
                if !bilateral { count = max(2, count) }
                for _ in 0..<count {
                    // Lower zone: the square root skews the height towards the base.
                    let height = 0.45 + 0.5 * Float(g.nextUnit()).squareRoot()
                    let v = lung.apexV + height * (lung.domeV - lung.apexV)
                    // Peripheral: centred just inside the lateral chest wall.
                    let s = max(lung.medialS + 0.12, lung.lateralS(v) - g.drawFloat(0.08...0.24))
                    patches.append(patch(
                        .groundGlass, u: 0.5 + side * s * hw, v: v,
                        radiusU: g.drawFloat(0.06...0.1), radiusV: g.drawFloat(0.065...0.11),
                        amplitude: g.drawFloat(parameters.groundGlassAmplitudeRange)))
                }
            }
        case .nonCovid:
            let bilateral = g.chance(parameters.nonCovidBilateralProbability)
            let primarySide = g.chance(0.6) ? 0 : 1          // right-sided pneumonia is commoner
            for sideIndex in 0...1 where bilateral || sideIndex == primarySide {
                let lung = sideIndex == 0 ? anatomy.rightLung : anatomy.leftLung
                let side: Float = sideIndex == 0 ? -1 : 1
                // Zone: lower lobes most often, then middle (lingula) and upper.
                let zoneDraw = g.nextUnit()
                let zone = zoneDraw < 0.45 ? 2 : (zoneDraw < 0.75 ? 1 : 0)
                let heightRange: ClosedRange<Double> = [0.22...0.35, 0.45...0.6, 0.66...0.82][zone]
                let v = lung.apexV + g.drawFloat(heightRange) * (lung.domeV - lung.apexV)
                let lateral = lung.lateralS(v)
                let s = lung.medialS + (lateral - lung.medialS) * g.drawFloat(0.4...0.65)
                let radiusU = g.drawFloat(0.09...0.13), radiusV = g.drawFloat(0.08...0.12)
                let centerU = 0.5 + side * s * hw
                var consolidation = patch(
                    .consolidation, u: centerU, v: v, radiusU: radiusU, radiusV: radiusV,
                    amplitude: g.drawFloat(parameters.consolidationAmplitudeRange))
                if g.chance(0.6) {
                    // Upper lobe: bounded below by the horizontal fissure; lower lobe: bounded
                    // above-and-in by the oblique fissure.
                    let upper = zone == 0 || (zone == 1 && g.chance(0.5))
                    let (normalU, normalV): (Float, Float) = upper ? (0, -1) : (side * 0.45, 0.89)
                    consolidation.fissureNormalU = normalU
                    consolidation.fissureNormalV = normalV
                    consolidation.fissureOffset = radiusV * g.drawFloat(0.15...0.5)
                }
                for _ in 0..<g.draw(1...3) {
                    // Bronchi run from the hilum outwards: start medial, head lateral.
                    let angle = g.drawFloat(-0.7...0.7)
                    let startU = centerU - side * radiusU * 0.6, startV = v + g.drawFloat(-0.3...0.3) * radiusV
                    let length = radiusU * g.drawFloat(0.8...1.3)
                    consolidation.bronchograms.append(TaperedSegment(
                        startU: startU, startV: startV,
                        endU: startU + side * cos(angle) * length, endV: startV + sin(angle) * length,
                        startHalfWidth: 0.005, endHalfWidth: 0.0025, startDensity: 0.55, endDensity: 0.25))
                }
                patches.append(consolidation)
            }
        }
        self.patches = patches
    }

    /// Adds the evidence density of one output row to `evidence`, only where `lungDepth > 0`:
    /// opacities fill airspaces, so nothing is drawn outside the lung fields, and the weight
    /// ramps up over the first pixel inside so the edge stays inside the lung mask.
    func render(row: PhantomRow, width: Int, lungDepth: UnsafePointer<Float>, into evidence: UnsafeMutablePointer<Float>) {
        for patch in patches {
            for x in row.span(patch.box, width: width) where lungDepth[x] > 0 {
                evidence[x] += patch.value(row.u(x), row.v(x)) * min(1, lungDepth[x] / 0.01)
            }
        }
    }
}
