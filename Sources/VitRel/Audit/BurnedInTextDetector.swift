import Foundation

/// Finds burned-in text and laterality markers on a radiograph: the "L"/"R" letters, dates and
/// hospital labels that DeGrave et al. (Nat. Mach. Intell. 2021) found COVID classifiers
/// trained on composite data attend to.
///
/// A heuristic, stated in full so a reader can judge it (the audit draws what it found):
/// 1. candidates are pixels at least as bright as the larger of `minimumBrightness` and the
///    film's `brightnessPercentile`-th percentile — burned-in text is written at full white;
/// 2. 8-connected components of candidates;
/// 3. a component is text when all of it lies in the band `bandFraction` of a side from the
///    edges (text sits at the film's edges, anatomy in its middle), it has at least
///    `minimumPixels` pixels, at most `maximumAreaFraction` of the film, and its bounding box
///    spans at most `maximumExtentFraction` of each side (a clavicle or a white border is
///    larger);
/// 4. each text component is dilated by `dilation` pixels to cover its antialiased rim.
///
/// It misses text that is not near-white or lies inside the central region, and can take a
/// small bright calcification or a wire at the edge for text; masks it draws are for the
/// shortcut audit's intervention, not for diagnosis.
public struct BurnedInTextDetector: Codable, Hashable, Sendable {
    public var minimumBrightness: Double
    public var brightnessPercentile: Double
    public var bandFraction: Double
    public var minimumPixels: Int
    public var maximumAreaFraction: Double
    public var maximumExtentFraction: Double
    public var dilation: Int

    public init(
        minimumBrightness: Double = 0.85, brightnessPercentile: Double = 99, bandFraction: Double = 0.25,
        minimumPixels: Int = 3, maximumAreaFraction: Double = 0.01, maximumExtentFraction: Double = 0.2, dilation: Int = 1
    ) {
        self.minimumBrightness = minimumBrightness
        self.brightnessPercentile = brightnessPercentile
        self.bandFraction = bandFraction
        self.minimumPixels = minimumPixels
        self.maximumAreaFraction = maximumAreaFraction
        self.maximumExtentFraction = maximumExtentFraction
        self.dilation = dilation
    }

    /// The text pixels of a gray film (`pixels` row-major [height, width], values in [0, 1]).
    public func detect(_ pixels: [Float], height: Int, width: Int) -> [Bool] {
        precondition(pixels.count == height * width, "\(pixels.count) pixels for \(height)×\(width)")
        let threshold = Float(max(minimumBrightness, Statistics.percentile(pixels.map(Double.init), brightnessPercentile)))
        let candidate = pixels.map { $0 >= threshold }
        let bandRows = Int((bandFraction * Double(height)).rounded()), bandColumns = Int((bandFraction * Double(width)).rounded())
        func inBand(_ y: Int, _ x: Int) -> Bool {
            y < bandRows || y >= height - bandRows || x < bandColumns || x >= width - bandColumns
        }
        var text = [Bool](repeating: false, count: pixels.count)
        var seen = [Bool](repeating: false, count: pixels.count)
        var stack = [Int]()
        for start in 0..<pixels.count where candidate[start] && !seen[start] {
            // Flood fill one 8-connected component, tracking its extent and whether it leaves the band.
            var component = [Int]()
            var top = height, bottom = -1, left = width, right = -1
            var withinBand = true
            seen[start] = true
            stack.append(start)
            while let index = stack.popLast() {
                component.append(index)
                let y = index / width, x = index % width
                top = min(top, y); bottom = max(bottom, y); left = min(left, x); right = max(right, x)
                if !inBand(y, x) { withinBand = false }
                for dy in -1...1 {
                    for dx in -1...1 where dy != 0 || dx != 0 {
                        let ny = y + dy, nx = x + dx
                        guard ny >= 0, ny < height, nx >= 0, nx < width else { continue }
                        let neighbour = ny * width + nx
                        if candidate[neighbour] && !seen[neighbour] {
                            seen[neighbour] = true
                            stack.append(neighbour)
                        }
                    }
                }
            }
            let isText = withinBand && component.count >= minimumPixels
                && Double(component.count) <= maximumAreaFraction * Double(height * width)
                && Double(bottom - top + 1) <= maximumExtentFraction * Double(height)
                && Double(right - left + 1) <= maximumExtentFraction * Double(width)
            if isText { for index in component { text[index] = true } }
        }
        return Self.dilated(text, height: height, width: width, by: dilation)
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
