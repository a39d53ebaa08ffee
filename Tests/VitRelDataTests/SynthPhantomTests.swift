import XCTest
@testable import VitRelData

/// ChestPhantomGenerator: determinism, masks that mark exactly the evidence, the
/// radiological distribution of the evidence, and the shortcut rule.
final class SynthPhantomTests: XCTestCase {
    private let small = ChestPhantomGenerator(parameters: PhantomParameters(size: 128))

    // MARK: Determinism

    func testSameSeedGivesIdenticalPixelsAndDifferentSeedsDiffer() {
        for label in ChestXRayClass.allCases {
            let a = small.generate(seed: 11, index: 4, label: label)
            let b = small.generate(seed: 11, index: 4, label: label)
            XCTAssertEqual(a, b, "\(label)")
            let c = small.generate(seed: 12, index: 4, label: label)
            XCTAssertNotEqual(a.image.pixels, c.image.pixels, "\(label): seeds 11 and 12 gave the same image")
            let d = small.generate(seed: 11, index: 5, label: label)
            XCTAssertNotEqual(a.image.pixels, d.image.pixels, "\(label): indices 4 and 5 gave the same image")
        }
    }

    func testBatchDoesNotDependOnThreadCountOrBatchComposition() {
        let labels = (0..<12).map { ChestXRayClass(rawValue: $0 % 3)! }
        let saved = Parallel.threadCount
        defer { Parallel.setThreadCount(saved) }
        Parallel.setThreadCount(1)
        let one = small.generate(seed: 3, labels: labels, firstIndex: 20)
        Parallel.setThreadCount(2)
        let two = small.generate(seed: 3, labels: labels, firstIndex: 20)
        XCTAssertEqual(one, two)
        for (offset, sample) in two.enumerated() {
            XCTAssertEqual(sample, small.generate(seed: 3, index: 20 + offset, label: labels[offset]))
        }
    }

    func testPixelsLieOnTheEightBitGridAndMasksAreBinary() {
        for label in ChestXRayClass.allCases {
            let sample = small.generate(seed: 1, index: 0, label: label)
            XCTAssertEqual(sample.image.channels, 1)
            XCTAssertEqual(sample.image.width, 128)
            XCTAssertTrue(sample.image.pixels.allSatisfy { ($0 * 255).rounded() / 255 == $0 && (0...1).contains($0) })
            XCTAssertTrue(sample.lungMask.pixels.allSatisfy { $0 == 0 || $0 == 1 })
            XCTAssertTrue(sample.infectionMask.pixels.allSatisfy { $0 == 0 || $0 == 1 })
        }
    }

    // MARK: Anatomy

    func testEveryPhantomHasTwoLungFieldsDarkerThanTheMediastinum() {
        for index in 0..<15 {
            let sample = small.generate(seed: 8, index: index, label: ChestXRayClass(rawValue: index % 3)!)
            let lungs = PhantomGeometry.lungFields(sample.lungMask)
            XCTAssertEqual(lungs.count, 2, "phantom \(index) has \(lungs.count) lung fields")
            guard lungs.count == 2 else { continue }
            let midline = (PhantomGeometry.centroid(lungs[0], width: 128).x + PhantomGeometry.centroid(lungs[1], width: 128).x) / 2
            let rows = lungs.flatMap { $0 }.map { $0 / 128 }
            var lungSum = 0.0, lungCount = 0.0, mediastinumSum = 0.0, mediastinumCount = 0.0
            for y in rows.min()!...rows.max()! {
                for x in 0..<128 {
                    let i = y * 128 + x
                    if sample.lungMask.pixels[i] == 1 {
                        lungSum += Double(sample.image.pixels[i]); lungCount += 1
                    } else if abs(Double(x) - midline) < 4 {
                        mediastinumSum += Double(sample.image.pixels[i]); mediastinumCount += 1
                    }
                }
            }
            XCTAssertLessThan(lungSum / lungCount + 0.15, mediastinumSum / mediastinumCount, "phantom \(index)")
        }
    }

    // MARK: Infection masks

    func testInfectionMaskIsEmptyForNormalAndNonEmptyInsideTheLungsOtherwise() {
        for index in 0..<30 {
            for label in ChestXRayClass.allCases {
                let sample = small.generate(seed: 21, index: index, label: label)
                let infected = sample.infectionMask.pixels.reduce(0, +)
                if label == .normal {
                    XCTAssertEqual(infected, 0, "Normal phantom \(index) has infection")
                    XCTAssertEqual(sample.infectionAreaFraction, 0)
                } else {
                    XCTAssertGreaterThan(infected, 0, "\(label) phantom \(index) has an empty infection mask")
                }
                for i in sample.infectionMask.pixels.indices where sample.infectionMask.pixels[i] == 1 {
                    XCTAssertEqual(sample.lungMask.pixels[i], 1, "\(label) phantom \(index): infection outside the lungs at \(i)")
                }
                let lungPixels = sample.lungMask.pixels.reduce(0, +)
                XCTAssertEqual(sample.infectionAreaFraction, Double(infected) / Double(lungPixels), accuracy: 1e-12)
            }
        }
    }

    func testInfectionMaskMarksExactlyThePixelsTheEvidenceRaises() {
        var parameters = PhantomParameters(size: 128, shortcutProbability: 0.5)
        parameters.markerProbability = 0.5
        let generator = ChestPhantomGenerator(parameters: parameters)
        let threshold = Float(parameters.infectionThreshold)
        for index in 0..<12 {
            for label in ChestXRayClass.allCases {
                let sample = generator.generate(seed: 5, index: index, label: label)
                let counterfactual = generator.generate(seed: 5, index: index, label: label, includeEvidence: false)
                XCTAssertEqual(counterfactual.lungMask, sample.lungMask)
                XCTAssertEqual(counterfactual.infectionMask.pixels.reduce(0, +), 0)
                XCTAssertEqual(counterfactual.hasShortcut, sample.hasShortcut)
                let raised = zip(sample.image.pixels, counterfactual.image.pixels).map { $0 - $1 > threshold ? Float(1) : 0 }
                XCTAssertEqual(raised, sample.infectionMask.pixels, "\(label) phantom \(index)")
                if label == .normal { XCTAssertEqual(sample.image, counterfactual.image) }
                // Outside the mask, evidence never changes a pixel by more than the threshold.
                for i in sample.image.pixels.indices where sample.infectionMask.pixels[i] == 0 {
                    XCTAssertLessThanOrEqual(abs(sample.image.pixels[i] - counterfactual.image.pixels[i]), threshold)
                }
            }
        }
    }

    // MARK: Radiological distribution of the evidence (Wong et al., Radiology 2020)

    func testCovidOpacitiesAreBilateralLowerZoneAndPeripheralWhileNonCovidIsMostlyOneSided() {
        let count = 30
        var covidBilateral = 0, covidLower = 0, covidPeripheral = 0, nonCovidBilateral = 0
        for index in 0..<count {
            let covid = small.generate(seed: 33, index: index, label: .covid19)
            let lungs = PhantomGeometry.lungFields(covid.lungMask)
            XCTAssertEqual(lungs.count, 2)
            let infected = Set(covid.infectionMask.pixels.indices.filter { covid.infectionMask.pixels[$0] == 1 })
            if lungs.allSatisfy({ !infected.isDisjoint(with: $0) }) { covidBilateral += 1 }
            let lungCentroid = PhantomGeometry.centroid(lungs.flatMap { $0 }, width: 128)
            let infectionCentroid = PhantomGeometry.centroid(Array(infected), width: 128)
            if infectionCentroid.y > lungCentroid.y { covidLower += 1 }
            // Peripheral: farther from the midline, on average, than the lung it lies in.
            let midline = (PhantomGeometry.centroid(lungs[0], width: 128).x + PhantomGeometry.centroid(lungs[1], width: 128).x) / 2
            func lateral(_ pixels: [Int]) -> Double {
                pixels.map { abs(Double($0 % 128) - midline) }.reduce(0, +) / Double(pixels.count)
            }
            if lateral(Array(infected)) > lateral(lungs.flatMap { $0 }) { covidPeripheral += 1 }

            let nonCovid = small.generate(seed: 33, index: index, label: .nonCovid)
            let nonCovidLungs = PhantomGeometry.lungFields(nonCovid.lungMask)
            let nonCovidInfected = Set(nonCovid.infectionMask.pixels.indices.filter { nonCovid.infectionMask.pixels[$0] == 1 })
            if nonCovidLungs.allSatisfy({ !nonCovidInfected.isDisjoint(with: $0) }) { nonCovidBilateral += 1 }
        }
        XCTAssertGreaterThanOrEqual(Double(covidBilateral) / Double(count), 0.8, "COVID-19 bilateral in \(covidBilateral)/\(count)")
        XCTAssertGreaterThanOrEqual(Double(covidLower) / Double(count), 0.8, "COVID-19 below the lung centre in \(covidLower)/\(count)")
        XCTAssertGreaterThanOrEqual(Double(covidPeripheral) / Double(count), 0.8, "COVID-19 peripheral in \(covidPeripheral)/\(count)")
        XCTAssertLessThanOrEqual(Double(nonCovidBilateral) / Double(count), 0.5, "Non-COVID bilateral in \(nonCovidBilateral)/\(count)")
        XCTAssertLessThan(nonCovidBilateral, covidBilateral)
    }

    func testNonCovidConsolidationIsDenserThanCovidGroundGlass() {
        var covidRise = 0.0, nonCovidRise = 0.0
        for index in 0..<20 {
            for label in [ChestXRayClass.covid19, .nonCovid] {
                let sample = small.generate(seed: 44, index: index, label: label)
                let plain = small.generate(seed: 44, index: index, label: label, includeEvidence: false)
                let marked = sample.infectionMask.pixels.indices.filter { sample.infectionMask.pixels[$0] == 1 }
                let rise = marked.map { Double(sample.image.pixels[$0] - plain.image.pixels[$0]) }.reduce(0, +) / Double(marked.count)
                if label == .covid19 { covidRise += rise } else { nonCovidRise += rise }
            }
        }
        XCTAssertGreaterThan(nonCovidRise, 1.3 * covidRise, "mean rise inside the mask: Non-COVID \(nonCovidRise / 20), COVID-19 \(covidRise / 20)")
    }

    /// Exposure varies as much as the evidence: a threshold on mean brightness alone cannot
    /// tell COVID-19 from Normal, so a classifier has to look inside the lungs.
    func testGlobalBrightnessAloneDoesNotSeparateCovidFromNormal() {
        var means: [(Float, Bool)] = []
        for index in 0..<40 {
            for label in [ChestXRayClass.covid19, .normal] {
                let pixels = small.generate(seed: 55, index: 2 * index + (label == .normal ? 1 : 0), label: label).image.pixels
                means.append((pixels.reduce(0, +) / Float(pixels.count), label == .covid19))
            }
        }
        var best = 0
        for (threshold, _) in means {
            let above = means.filter { ($0.0 >= threshold) == $0.1 }.count
            best = max(best, above, means.count - above)
        }
        XCTAssertLessThan(Double(best) / Double(means.count), 0.75, "best brightness threshold separates \(best)/\(means.count)")
    }

    // MARK: Burned-in text

    func testProjectionMarkersDoNotDependOnTheClass() {
        var parameters = PhantomParameters(size: 128)
        parameters.markerProbability = 0.5
        let generator = ChestPhantomGenerator(parameters: parameters)
        var marked = 0
        for index in 0..<20 {
            let texts = ChestXRayClass.allCases.map { generator.generate(seed: 9, index: index, label: $0).markerText }
            XCTAssertEqual(Set(texts).count, 1, "phantom \(index): markers \(texts) vary with the class")
            if !texts[0].isEmpty { marked += 1 }
        }
        XCTAssertTrue((3...17).contains(marked), "\(marked)/20 phantoms have markers at p = 0.5")
    }

    func testShortcutAppearsInAboutPOfImagesAtTheClassCornerAndNeverInTheMask() {
        let probability = 0.3
        let generator = ChestPhantomGenerator(parameters: PhantomParameters(size: 64, shortcutProbability: probability))
        let count = 150
        var flagged = 0
        for index in 0..<count {
            let label = ChestXRayClass(rawValue: index % 3)!
            let sample = generator.generate(seed: 77, index: index, label: label)
            if sample.hasShortcut { flagged += 1 }
            for corner in ChestXRayClass.allCases {
                let square = PhantomShortcut.square(for: corner, size: 64)
                var allWhite = true
                for y in square.y..<(square.y + square.side) {
                    for x in square.x..<(square.x + square.side) {
                        if sample.image.pixels[y * 64 + x] != 1 { allWhite = false }
                        XCTAssertEqual(sample.infectionMask.pixels[y * 64 + x], 0)
                    }
                }
                // The square is present exactly when flagged, and only at the class's corner.
                XCTAssertEqual(allWhite, sample.hasShortcut && corner == label, "phantom \(index) (\(label)), corner of \(corner)")
            }
        }
        // Binomial(150, 0.3): mean 45, sd 5.6; ±4 sd.
        XCTAssertTrue((23...67).contains(flagged), "\(flagged)/\(count) shortcuts at p = \(probability)")
        let none = ChestPhantomGenerator(parameters: PhantomParameters(size: 64, shortcutProbability: 0))
        XCTAssertFalse((0..<30).contains { none.generate(seed: 77, index: $0, label: .covid19).hasShortcut })
    }

    func testSwappedPlacementPutsTheShortcutAtTheNextClassCornerAndItsMaskMarksExactlyTheSquare() {
        var parameters = PhantomParameters(size: 64, shortcutProbability: 1)
        let matched = ChestPhantomGenerator(parameters: parameters)
        parameters.shortcutPlacement = .swapped
        let swapped = ChestPhantomGenerator(parameters: parameters)
        let next: [ChestXRayClass: ChestXRayClass] = [.covid19: .nonCovid, .nonCovid: .normal, .normal: .covid19]
        for index in 0..<6 {
            for label in ChestXRayClass.allCases {
                let a = matched.generate(seed: 3, index: index, label: label)
                let b = swapped.generate(seed: 3, index: index, label: label)
                XCTAssertEqual(a.shortcutClass, label)
                XCTAssertEqual(b.shortcutClass, next[label])
                XCTAssertEqual(b.infectionMask, a.infectionMask, "the placement never touches the evidence")
                for (sample, tagged) in [(a, label), (b, next[label]!)] {
                    let square = PhantomShortcut.square(for: tagged, size: 64)
                    var expected = [Float](repeating: 0, count: 64 * 64)
                    for y in square.y..<(square.y + square.side) {
                        for x in square.x..<(square.x + square.side) { expected[y * 64 + x] = 1 }
                    }
                    XCTAssertEqual(sample.shortcutMask.pixels, expected, "\(label) phantom \(index)")
                    for i in expected.indices where expected[i] == 1 {
                        XCTAssertEqual(sample.image.pixels[i], 1)
                        XCTAssertEqual(sample.infectionMask.pixels[i], 0)
                    }
                }
                // Away from the two corners the films are identical.
                let corners = zip(a.shortcutMask.pixels, b.shortcutMask.pixels).map { $0 + $1 > 0 }
                for i in corners.indices where !corners[i] { XCTAssertEqual(a.image.pixels[i], b.image.pixels[i]) }
            }
        }
        let none = ChestPhantomGenerator(parameters: PhantomParameters(size: 64)).generate(seed: 3, index: 0, label: .normal)
        XCTAssertNil(none.shortcutClass)
        XCTAssertEqual(none.shortcutMask.pixels.reduce(0, +), 0)
    }

    // MARK: Evidence strength

    func testFainterEvidenceChangesOnlyTheOpacitiesAndItsMaskStillMarksExactlyWhatTheyRaise() {
        var parameters = PhantomParameters(size: 128)
        parameters.markerProbability = 0.5
        let full = ChestPhantomGenerator(parameters: parameters)
        parameters.evidenceStrength = 1
        XCTAssertEqual(full.generate(seed: 8, index: 1, label: .covid19),
                       ChestPhantomGenerator(parameters: parameters).generate(seed: 8, index: 1, label: .covid19),
                       "strength 1 is the default")
        parameters.evidenceStrength = 0.5
        let half = ChestPhantomGenerator(parameters: parameters)
        parameters.evidenceStrength = 0
        let none = ChestPhantomGenerator(parameters: parameters)
        let threshold = Float(parameters.infectionThreshold)
        var fullArea = 0, halfArea = 0
        var fullRaise = 0.0, halfRaise = 0.0
        for index in 0..<8 {
            for label in [ChestXRayClass.covid19, .nonCovid] {
                let strong = full.generate(seed: 8, index: index, label: label)
                let faint = half.generate(seed: 8, index: index, label: label)
                XCTAssertEqual(faint, half.generate(seed: 8, index: index, label: label), "same seed, same pixels")
                let film = full.generate(seed: 8, index: index, label: label, includeEvidence: false)
                XCTAssertEqual(half.generate(seed: 8, index: index, label: label, includeEvidence: false), film,
                               "the film without evidence does not depend on the strength")
                XCTAssertEqual(none.generate(seed: 8, index: index, label: label).image, film.image)
                XCTAssertEqual(none.generate(seed: 8, index: index, label: label).infectionMask.pixels.reduce(0, +), 0)
                let raised = zip(faint.image.pixels, film.image.pixels).map { $0 - $1 > threshold ? Float(1) : 0 }
                XCTAssertEqual(raised, faint.infectionMask.pixels, "\(label) phantom \(index)")
                for i in film.image.pixels.indices {
                    // Brightness and quantisation are monotone and the noise is shared, so
                    // half the density never raises a pixel more than the full density does.
                    let faintRaise = faint.image.pixels[i] - film.image.pixels[i]
                    let strongRaise = strong.image.pixels[i] - film.image.pixels[i]
                    XCTAssertLessThanOrEqual(faintRaise, strongRaise)
                    XCTAssertGreaterThanOrEqual(faintRaise, 0)
                    if faint.infectionMask.pixels[i] == 1 { XCTAssertEqual(strong.infectionMask.pixels[i], 1) }
                    fullRaise += Double(strongRaise)
                    halfRaise += Double(faintRaise)
                }
                fullArea += Int(strong.infectionMask.pixels.reduce(0, +))
                halfArea += Int(faint.infectionMask.pixels.reduce(0, +))
            }
        }
        XCTAssertLessThan(halfArea, fullArea)
        XCTAssertGreaterThan(halfArea, 0)
        // The raise is a smooth function of the density: half the density, about half the raise.
        XCTAssertEqual(halfRaise / fullRaise, 0.5, accuracy: 0.1)
    }
}

/// Pixel-set helpers for the phantom tests.
enum PhantomGeometry {
    /// The 4-connected components of a 0/1 mask with more than 20 pixels, largest first,
    /// as lists of pixel indices.
    static func lungFields(_ mask: Image) -> [[Int]] {
        let width = mask.width, height = mask.height
        var seen = [Bool](repeating: false, count: width * height)
        var components: [[Int]] = []
        for start in 0..<(width * height) where mask.pixels[start] == 1 && !seen[start] {
            var stack = [start], component: [Int] = []
            seen[start] = true
            while let i = stack.popLast() {
                component.append(i)
                let x = i % width, y = i / width
                for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)]
                where nx >= 0 && nx < width && ny >= 0 && ny < height {
                    let j = ny * width + nx
                    if mask.pixels[j] == 1 && !seen[j] { seen[j] = true; stack.append(j) }
                }
            }
            if component.count > 20 { components.append(component) }
        }
        return components.sorted { $0.count > $1.count }
    }

    static func centroid(_ pixels: [Int], width: Int) -> (x: Double, y: Double) {
        let n = Double(pixels.count)
        return (pixels.map { Double($0 % width) }.reduce(0, +) / n, pixels.map { Double($0 / width) }.reduce(0, +) / n)
    }
}
