import Foundation

/// Finds burned-in text and laterality markers on a radiograph: the "L"/"R" letters, dates and
/// hospital labels that DeGrave et al. (Nat. Mach. Intell. 2021) found COVID classifiers
/// trained on composite data attend to.
///
/// A heuristic, stated in full so a reader can judge it (the audit draws what it found); the
/// settings were chosen by eye on validation films of the COVID-19 Radiography Database at
/// 128 × 128, where they find most "R" markers and labels:
/// 1. candidates are pixels at least `minimumBrightness` bright and at least `minimumContrast`
///    brighter than the mean of the square window around them (`windowFraction` of the
///    shorter side; edges replicated, as scipy's `uniform_filter(mode="nearest")`): text is
///    written brighter than what surrounds it;
/// 2. 8-connected components of candidates;
/// 3. a component is text when it lies wholly in the band `bandFraction` of a side from the
///    edges (text sits at the film's edges, anatomy in its middle) without touching the
///    film's outermost rows and columns (those are the film's own edge lines), has between
///    `minimumPixels` pixels and `maximumAreaFraction` of the film, spans at most
///    `maximumExtentFraction` of each side, and is at least `minimumRingContrast` brighter on
///    average than the non-candidate pixels within 2 pixels of it (a letter on the dark
///    outside of the body; the edge of a rib or a clavicle has bright bone beside it);
/// 4. each text component is dilated by `dilation` pixels to cover its antialiased rim.
///
/// It misses dim or low-contrast text and text inside the central region, and can take the
/// bright edge of a bone at the film's side for text; its masks are for the shortcut audit's
/// intervention, not for diagnosis.
public struct BurnedInTextDetector: Codable, Hashable, Sendable {
    public var minimumBrightness: Double
    public var minimumContrast: Double
    public var windowFraction: Double
    public var bandFraction: Double
    public var minimumPixels: Int
    public var maximumAreaFraction: Double
    public var maximumExtentFraction: Double
    public var minimumRingContrast: Double
    public var dilation: Int

    public init(
        minimumBrightness: Double = 0.45, minimumContrast: Double = 0.15, windowFraction: Double = 0.16, bandFraction: Double = 0.2,
        minimumPixels: Int = 4, maximumAreaFraction: Double = 0.005, maximumExtentFraction: Double = 0.15,
        minimumRingContrast: Double = 0.25, dilation: Int = 1
    ) {
        self.minimumBrightness = minimumBrightness
        self.minimumContrast = minimumContrast
        self.windowFraction = windowFraction
        self.bandFraction = bandFraction
        self.minimumPixels = minimumPixels
        self.maximumAreaFraction = maximumAreaFraction
        self.maximumExtentFraction = maximumExtentFraction
        self.minimumRingContrast = minimumRingContrast
        self.dilation = dilation
    }

    /// The side of the local-mean window on a film whose shorter side is `side`: odd, ≥ 3.
    public func windowSide(forShorterSide side: Int) -> Int {
        let raw = max(3, Int((windowFraction * Double(side)).rounded()))
        return raw % 2 == 1 ? raw : raw + 1
    }

    /// The text pixels of a gray film (`pixels` row-major [height, width], values in [0, 1]).
    public func detect(_ pixels: [Float], height: Int, width: Int) -> [Bool] {
        precondition(pixels.count == height * width, "\(pixels.count) pixels for \(height)×\(width)")
        let local = Self.boxMean(pixels, height: height, width: width, side: windowSide(forShorterSide: min(height, width)))
        var candidate = [Bool](repeating: false, count: pixels.count)
        for i in pixels.indices {
            candidate[i] = Double(pixels[i]) >= minimumBrightness && Double(pixels[i]) - local[i] >= minimumContrast
        }
        let bandRows = Int((bandFraction * Double(height)).rounded()), bandColumns = Int((bandFraction * Double(width)).rounded())
        func inBand(_ y: Int, _ x: Int) -> Bool {
            y < bandRows || y >= height - bandRows || x < bandColumns || x >= width - bandColumns
        }
        var text = [Bool](repeating: false, count: pixels.count)
        for component in ConnectedComponent.all(in: candidate, height: height, width: width) {
            guard component.pixels.allSatisfy({ inBand($0 / width, $0 % width) }),
                  component.top > 0, component.left > 0, component.bottom < height - 1, component.right < width - 1,
                  component.pixels.count >= minimumPixels,
                  Double(component.pixels.count) <= maximumAreaFraction * Double(height * width),
                  Double(component.height) <= maximumExtentFraction * Double(height),
                  Double(component.width) <= maximumExtentFraction * Double(width)
            else { continue }
            // Contrast against the ring of non-candidate pixels within 2 pixels of the component.
            var ring = Set<Int>()
            for index in component.pixels {
                let y = index / width, x = index % width
                for ny in max(0, y - 2)...min(height - 1, y + 2) {
                    for nx in max(0, x - 2)...min(width - 1, x + 2) where !candidate[ny * width + nx] { ring.insert(ny * width + nx) }
                }
            }
            guard !ring.isEmpty else { continue }
            let componentMean = component.pixels.reduce(0.0) { $0 + Double(pixels[$1]) } / Double(component.pixels.count)
            // Summed in pixel order: a Set's order changes from run to run, and so would the bits.
            let ringMean = ring.sorted().reduce(0.0) { $0 + Double(pixels[$1]) } / Double(ring.count)
            if componentMean - ringMean >= minimumRingContrast { for index in component.pixels { text[index] = true } }
        }
        return Self.dilated(text, height: height, width: width, by: dilation)
    }

    /// The mean of the `side` × `side` window around every pixel, edges replicated (scipy's
    /// `uniform_filter(mode="nearest")`), through a summed-area table in Double.
    static func boxMean(_ pixels: [Float], height: Int, width: Int, side: Int) -> [Double] {
        let radius = side / 2
        let paddedHeight = height + 2 * radius, paddedWidth = width + 2 * radius
        // table[(y + 1) * (paddedWidth + 1) + (x + 1)] = Σ of the padded image over [0, y] × [0, x].
        var table = [Double](repeating: 0, count: (paddedHeight + 1) * (paddedWidth + 1))
        for y in 0..<paddedHeight {
            let sourceY = min(max(y - radius, 0), height - 1)
            var rowSum = 0.0
            for x in 0..<paddedWidth {
                rowSum += Double(pixels[sourceY * width + min(max(x - radius, 0), width - 1)])
                table[(y + 1) * (paddedWidth + 1) + x + 1] = table[y * (paddedWidth + 1) + x + 1] + rowSum
            }
        }
        let area = Double(side * side)
        var means = [Double](repeating: 0, count: height * width)
        for y in 0..<height {
            for x in 0..<width {
                // Window rows y…y+side−1 and columns x…x+side−1 of the padded image.
                let a = table[(y + side) * (paddedWidth + 1) + x + side], b = table[y * (paddedWidth + 1) + x + side]
                let c = table[(y + side) * (paddedWidth + 1) + x], d = table[y * (paddedWidth + 1) + x]
                means[y * width + x] = (a - b - c + d) / area
            }
        }
        return means
    }

    /// `mask` grown by `radius` pixels (a square structuring element).
    static func dilated(_ mask: [Bool], height: Int, width: Int, by radius: Int) -> [Bool] {
        guard radius > 0 else { return mask }
        var grown = mask
        for index in mask.indices where mask[index] {
            let y = index / width, x = index % width
            for ny in max(0, y - radius)...min(height - 1, y + radius) {
                for nx in max(0, x - radius)...min(width - 1, x + radius) { grown[ny * width + nx] = true }
            }
        }
        return grown
    }
}
