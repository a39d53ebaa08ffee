import Foundation
import XCTest
@testable import VitRel
@testable import VitRelModel
@testable import VitRelData
@testable import VitRelRendering
@testable import VitRelExplain
@testable import VitRelMetrics
@testable import VitRelTraining
@testable import VitRelReporting

/// Films, masks and a tiny model for the shortcut-audit tests, built in code (no fixture files).
enum AuditFixtures {
    /// A gray film, row-major [height, width], with the pixels it was drawn from.
    struct Film {
        var height: Int
        var width: Int
        var pixels: [Float]

        init(height: Int, width: Int, background: Float) {
            self.height = height
            self.width = width
            pixels = [Float](repeating: background, count: height * width)
        }

        subscript(y: Int, x: Int) -> Float {
            get { pixels[y * width + x] }
            set { pixels[y * width + x] = newValue }
        }

        /// Sets the `h` × `w` rectangle at (top, left) to `value`; returns its pixel indices.
        @discardableResult
        mutating func fill(top: Int, left: Int, height h: Int, width w: Int, _ value: Float) -> Set<Int> {
            var indices = Set<Int>()
            for y in top..<(top + h) {
                for x in left..<(left + w) {
                    pixels[y * width + x] = value
                    indices.insert(y * width + x)
                }
            }
            return indices
        }

        /// Draws `text` with the project's bitmap font at `value`; returns the inked pixel indices.
        @discardableResult
        mutating func drawText(_ text: String, x: Int, y: Int, scale: Int, value: Float) -> Set<Int> {
            var canvas = Canvas(width: width, height: height, background: .black)
            canvas.drawText(text, x: x, y: y, scale: scale, color: .white)
            var inked = Set<Int>()
            for index in 0..<(height * width) where canvas.pixels[index] == 1 {
                pixels[index] = value
                inked.insert(index)
            }
            return inked
        }
    }

    /// The detector's test film, 128 × 128: background 0.1; an elliptical "body" 0.6–0.9 in the
    /// centre with a white 3 × 3 "calcification"; a clavicle-like bar at 0.95, 20 × 4, that
    /// starts in the edge band (32 pixels at the default band fraction 0.25) and runs into the
    /// centre; near-white (1.0) letters "R" in the top-left and "12" in the bottom-right
    /// corner, drawn at scale 2. The bar and the calcification are small enough for text:
    /// only leaving the band rules them out.
    static func radiograph() -> (film: Film, body: Set<Int>, bar: Set<Int>, glyphs: Set<Int>) {
        var film = Film(height: 128, width: 128, background: 0.1)
        var body = Set<Int>()
        for y in 0..<128 {
            for x in 0..<128 {
                let dy = Double(y - 68) / 44, dx = Double(x - 64) / 36
                let r2 = dy * dy + dx * dx
                guard r2 <= 1 else { continue }
                film[y, x] = Float(0.6 + 0.3 * (1 - r2))
                body.insert(y * 128 + x)
            }
        }
        film.fill(top: 60, left: 63, height: 3, width: 3, 1)
        let bar = film.fill(top: 40, left: 20, height: 4, width: 20, 0.95)
        let glyphs = film.drawText("R", x: 4, y: 4, scale: 2, value: 1)
            .union(film.drawText("12", x: 100, y: 108, scale: 2, value: 1))
        return (film, body.subtracting(bar), bar, glyphs)
    }

    /// `mask` grown by `radius` in the Chebyshev metric, gathered per pixel (the library
    /// scatters from each marked pixel instead).
    static func dilated(_ mask: [Bool], height: Int, width: Int, radius: Int) -> [Bool] {
        (0..<(height * width)).map { index in
            let y = index / width, x = index % width
            for ny in (y - radius)...(y + radius) where ny >= 0 && ny < height {
                for nx in (x - radius)...(x + radius) where nx >= 0 && nx < width && mask[ny * width + nx] { return true }
            }
            return false
        }
    }

    /// The 8-connected components of `mask`, each as sorted pixel indices, labelled by a
    /// breadth-first search.
    static func components(_ mask: [Bool], height: Int, width: Int) -> [[Int]] {
        var label = [Int](repeating: -1, count: mask.count)
        var result = [[Int]]()
        for start in mask.indices where mask[start] && label[start] < 0 {
            var queue = [start], head = 0
            label[start] = result.count
            while head < queue.count {
                let index = queue[head]
                head += 1
                for dy in -1...1 {
                    for dx in -1...1 {
                        let y = index / width + dy, x = index % width + dx
                        guard y >= 0, y < height, x >= 0, x < width, mask[y * width + x], label[y * width + x] < 0 else { continue }
                        label[y * width + x] = result.count
                        queue.append(y * width + x)
                    }
                }
            }
            result.append(queue.sorted())
        }
        return result
    }

    /// A uniform random gray film in `range`.
    static func noise(height: Int, width: Int, in range: ClosedRange<Float>, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<(height * width)).map { _ in range.lowerBound + (range.upperBound - range.lowerBound) * Float(generator.nextUnit()) }
    }

    /// A random ViT on 20 × 20 inputs (4-pixel patches, a 5 × 5 grid), 3 classes, with the
    /// ImageNet mean and std, so that normalisation differs per channel.
    ///
    /// At timm's initialisation (std 0.02) such a model predicts one class for every film;
    /// `gain` scales every weight matrix so that its predictions depend on the film (at the
    /// defaults, all three classes are predicted on `pixelFilms(count: 9, seed: 3)` and every
    /// intervention changes some prediction).
    static func tinyModel(classNames: [String] = ["COVID-19", "Non-COVID", "Normal"], seed: UInt64 = 0, gain: Float = 15) -> ClassifierModel {
        let config = ViTConfig(
            imageHeight: 20, imageWidth: 20, patchSize: 4, channels: 3, embedDimension: 16, depth: 1, headCount: 2,
            mlpHiddenDimension: 32, classCount: classNames.count, classNames: classNames)
        let preprocessing = Preprocessing(
            inputHeight: 20, inputWidth: 20, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
        var network = VisionTransformer<Float>(config: config, seed: seed)
        func amplify(_ layer: inout Linear<Float>) { layer.weight.scalars = layer.weight.scalars.map { $0 * gain } }
        amplify(&network.patchEmbedding.projection)
        for b in network.blocks.indices {
            amplify(&network.blocks[b].attention.queryKeyValue)
            amplify(&network.blocks[b].attention.projection)
            amplify(&network.blocks[b].mlp.fc1)
            amplify(&network.blocks[b].mlp.fc2)
        }
        amplify(&network.head)
        return ClassifierModel(
            network: network, preprocessing: preprocessing, directory: URL(fileURLWithPath: "/nonexistent/tiny-audit-model"), format: .timm)
    }

    /// `count` gray 20 × 20 films: noise with a bright block whose place and brightness vary,
    /// and every third film with a white 2 × 2 "marker" in its top-left corner (text to the
    /// default detector, which takes at most 1% of the film: 4 pixels).
    /// The text detector for these 20 × 20 films: its default area limit (0.5%) is 2 pixels here.
    static let smallFilmDetector = BurnedInTextDetector(maximumAreaFraction: 0.02)

    static func pixelFilms(count: Int, seed: UInt64) -> [[Float]] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { n in
            var film = Film(height: 20, width: 20, background: 0)
            film.pixels = noise(height: 20, width: 20, in: 0.05...0.5, seed: seed &+ UInt64(n))
            let top = 3 + Int(generator.nextUnit() * 10), left = 3 + Int(generator.nextUnit() * 10)
            film.fill(top: top, left: left, height: 5, width: 5, Float(0.6 + 0.3 * generator.nextUnit()))
            if n % 3 == 0 { film.fill(top: 1, left: 1, height: 2, width: 2, 1) }
            return film.pixels
        }
    }

    /// Gray pixel films as the pictures the transform's geometry gives (one plane each, as
    /// `PreparedSplit.pictures` keeps a gray picture).
    static func pictures(_ films: [[Float]]) -> [Image] {
        films.map { Image(width: 20, height: 20, channels: 1, pixels: $0) }
    }

    /// The model inputs [N, 3, 20, 20] of gray pixel films.
    static func inputs(_ films: [[Float]], preprocessing: Preprocessing) -> Tensor<Float> {
        preprocessing.normalise(pixelBatch: Tensor(shape: [films.count, 1, 20, 20], scalars: films.flatMap { $0 }))
    }

    /// The arg-max of a row (the first of equal maxima).
    static func argmax(_ row: [Double]) -> Int {
        row.indices.reduce(0) { row[$1] > row[$0] ? $1 : $0 }
    }
}
