import Foundation

/// Deterministic synthetic chest radiographs (PA/AP, grayscale) with known evidence.
///
/// Each phantom is rendered from anatomy (soft tissue, lung fields, posterior and anterior
/// ribs, clavicles, spine, trachea, heart, aortic knob, hila and vessels, diaphragm domes,
/// gastric bubble), a pose (scale, small rotation, shift), an exposure (offset, gain, gamma,
/// noise), the class evidence (`PhantomEvidence`) and burned-in text (`PhantomMarkers`, and
/// optionally `PhantomShortcut`). Every random choice comes from `SeededGenerator` streams
/// derived from (seed, index), so a phantom depends only on its seed, index and label —
/// never on the thread count or on which other phantoms are made in the same run. The
/// anatomy, exposure, noise and text streams do not depend on the label either: the same
/// (seed, index) as Normal is the exact counterfactual of the diseased image.
///
/// The infection mask is measured, not drawn: the image is rendered with and without the
/// evidence (same anatomy, noise and text) and the mask is where the 8-bit values differ by
/// more than `infectionThreshold`. Evidence is scaled by `evidenceStrength` before rendering,
/// so fainter evidence gives a smaller mask that still marks exactly what it raises.
///
/// ```swift
/// let generator = ChestPhantomGenerator(parameters: PhantomParameters(size: 128))
/// let sample = generator.generate(seed: 7, index: 0, label: .covid19)
/// ```
public struct ChestPhantomGenerator: Sendable {
    public var parameters: PhantomParameters

    public init(parameters: PhantomParameters = PhantomParameters()) {
        self.parameters = parameters
    }

    /// The independent random streams of one phantom.
    private enum Stream: UInt64 {
        case anatomy = 1, exposure, evidence, noise, markers, shortcut
    }

    /// Phantom number `index` of the run with `seed`, showing `label`'s evidence
    /// (or, with `includeEvidence: false`, the same film without it).
    public func generate(seed: UInt64, index: Int, label: ChestXRayClass, includeEvidence: Bool = true) -> PhantomSample {
        var imageSeedGenerator = SeededGenerator(seed: seed, stream: UInt64(truncatingIfNeeded: index))
        let imageSeed = imageSeedGenerator.next()
        func stream(_ s: Stream) -> SeededGenerator { SeededGenerator(seed: imageSeed, stream: s.rawValue) }

        let size = parameters.size
        var anatomyGenerator = stream(.anatomy)
        let pose = PhantomPose(
            size: size, scale: anatomyGenerator.draw(parameters.scaleRange),
            rotationRadians: anatomyGenerator.draw(-parameters.maxRotationDegrees...parameters.maxRotationDegrees) * .pi / 180,
            shiftX: anatomyGenerator.draw(-parameters.maxShift...parameters.maxShift),
            shiftY: anatomyGenerator.draw(-parameters.maxShift...parameters.maxShift))
        let anatomy = PhantomAnatomy(parameters: parameters, generator: &anatomyGenerator)
        var exposureGenerator = stream(.exposure)
        let exposure = PhantomExposure(parameters: parameters, generator: &exposureGenerator)
        var evidenceGenerator = stream(.evidence)
        let evidence = PhantomEvidence(
            label: includeEvidence ? label : .normal, anatomy: anatomy, parameters: parameters, generator: &evidenceGenerator)
        var markersGenerator = stream(.markers)
        let markers = PhantomMarkers(parameters: parameters, generator: &markersGenerator)
        var shortcutGenerator = stream(.shortcut)
        let shortcutClass = shortcutGenerator.chance(parameters.shortcutProbability)
            ? PhantomShortcut.taggedClass(for: label, placement: parameters.shortcutPlacement) : nil
        let evidenceStrength = Float(parameters.evidenceStrength)
        var noiseGenerator = stream(.noise)

        let count = size * size
        var withEvidence = [UInt8](repeating: 0, count: count)
        var withoutEvidence = [UInt8](repeating: 0, count: count)
        var lung = [UInt8](repeating: 0, count: count)
        // One row of scratch at a time: density, lung depth and evidence density.
        let densityRow = UnsafeMutablePointer<Float>.allocate(capacity: size)
        let depthRow = UnsafeMutablePointer<Float>.allocate(capacity: size)
        let opacityRow = UnsafeMutablePointer<Float>.allocate(capacity: size)
        defer { densityRow.deallocate(); depthRow.deallocate(); opacityRow.deallocate() }
        let hasEvidence = !evidence.patches.isEmpty && evidenceStrength > 0
        for y in 0..<size {
            let row = pose.row(y)
            anatomy.render(row: row, width: size, density: densityRow, lungDepth: depthRow)
            if hasEvidence {
                opacityRow.update(repeating: 0, count: size)
                evidence.render(row: row, width: size, lungDepth: depthRow, into: opacityRow)
            }
            let offset = y * size
            for x in 0..<size {
                // The same noise sample goes into both renderings, so they differ by evidence alone.
                let noise = exposure.noise(&noiseGenerator)
                let plain = Self.quantise(exposure.brightness(densityRow[x]) + noise)
                withoutEvidence[offset + x] = plain
                withEvidence[offset + x] = hasEvidence
                    ? Self.quantise(exposure.brightness(densityRow[x] + evidenceStrength * opacityRow[x]) + noise) : plain
                lung[offset + x] = depthRow[x] > 0 ? 1 : 0
            }
        }
        // Text is burned in after exposure, identically into both renderings: never evidence.
        func burnInText(into pixels: UnsafeMutablePointer<UInt8>) {
            markers.draw(into: pixels, size: size)
            if let shortcutClass { PhantomShortcut.draw(for: shortcutClass, into: pixels, size: size) }
        }
        withEvidence.withUnsafeMutableBufferPointer { burnInText(into: $0.baseAddress!) }
        withoutEvidence.withUnsafeMutableBufferPointer { burnInText(into: $0.baseAddress!) }

        let threshold = Float(parameters.infectionThreshold)
        var infection = [Float](repeating: 0, count: count)
        var infected = 0, lungPixels = 0
        for i in 0..<count {
            lungPixels += Int(lung[i])
            if Float(Int(withEvidence[i]) - Int(withoutEvidence[i])) / 255 > threshold {
                infection[i] = 1
                infected += 1
            }
        }
        return PhantomSample(
            image: Image(width: size, height: size, channels: 1, pixels: withEvidence.map { Float($0) / 255 }),
            lungMask: Image(width: size, height: size, channels: 1, pixels: lung.map { Float($0) }),
            infectionMask: Image(width: size, height: size, channels: 1, pixels: infection),
            label: label, shortcutClass: shortcutClass,
            shortcutMask: shortcutClass.map { PhantomShortcut.mask(for: $0, size: size) }
                ?? Image(width: size, height: size, channels: 1, pixels: [Float](repeating: 0, count: count)),
            markerText: markers.text,
            infectionAreaFraction: lungPixels > 0 ? Double(infected) / Double(lungPixels) : 0)
    }

    /// Phantoms `firstIndex ..< firstIndex + labels.count`, one per label, made in parallel
    /// (`Parallel.threadCount` threads); the result does not depend on the thread count.
    public func generate(seed: UInt64, labels: [ChestXRayClass], firstIndex: Int = 0, includeEvidence: Bool = true) -> [PhantomSample] {
        Parallel.map(labels.count) { i in
            generate(seed: seed, index: firstIndex + i, label: labels[i], includeEvidence: includeEvidence)
        }
    }

    @inline(__always) private static func quantise(_ value: Float) -> UInt8 {
        UInt8(min(1, max(0, value)) * 255 + 0.5)
    }
}
