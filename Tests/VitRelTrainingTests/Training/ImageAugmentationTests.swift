import Foundation
import XCTest
@testable import VitRelTraining

final class ImageAugmentationTests: XCTestCase {
    static func randomImage(_ shape: [Int], seed: UInt64) -> Tensor<Float> {
        var generator = SeededGenerator(seed: seed)
        return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float(generator.nextGaussian()) })
    }

    func testIdentityParametersReturnTheIdenticalImage() {
        let image = Self.randomImage([3, 9, 13], seed: 1)
        for border in [ImageAugmentation.Border.replicate, .constant(-1)] {
            let augmentation = ImageAugmentation(border: border)
            XCTAssertEqual(augmentation.apply(.identity, to: image), image, "\(border)")  // bit for bit
            XCTAssertEqual(augmentation.apply(.identity, to: Tensor<Double>(image)), Tensor<Double>(image))
        }
    }

    func testIntegerShiftMovesThePatternByThatManyPixels() {
        // A 2×3 bright pattern on a zero background, shifted by (+3, −2).
        let height = 10, width = 12
        var image = Tensor<Float>(zeros: [3, height, width])
        let pattern: [(y: Int, x: Int, value: Float)] = [(4, 2, 1), (4, 3, 2), (4, 4, 3), (5, 2, 4), (5, 3, 5), (5, 4, 6)]
        for c in 0..<3 { for p in pattern { image.scalars[c * height * width + p.y * width + p.x] = p.value + Float(c) } }
        let shift = AugmentationParameters(shiftX: 3, shiftY: -2)
        let shifted = ImageAugmentation(border: .constant(0)).apply(shift, to: image)
        var expected = Tensor<Float>(zeros: [3, height, width])
        for c in 0..<3 { for p in pattern { expected.scalars[c * height * width + (p.y - 2) * width + p.x + 3] = p.value + Float(c) } }
        XCTAssertEqual(shifted, expected)
        // With replicated borders the vacated rows repeat the edge row instead of the fill.
        var ramp = Tensor<Float>(zeros: [1, 4, 5])
        for y in 0..<4 { for x in 0..<5 { ramp.scalars[y * 5 + x] = Float(10 * y + x) } }
        let right = ImageAugmentation(border: .replicate).apply(AugmentationParameters(shiftX: 2), to: ramp)
        for y in 0..<4 {
            XCTAssertEqual(Array(right.scalars[(y * 5)..<(y * 5 + 5)]), [0, 0, 0, 1, 2].map { Float(10 * y) + $0 })
        }
    }

    func testHalfPixelShiftAveragesNeighbours() {
        var image = Tensor<Double>(zeros: [1, 1, 4])
        image.scalars = [0, 2, 4, 8]
        let moved = ImageAugmentation(border: .replicate).apply(AugmentationParameters(shiftX: 0.5), to: image)
        XCTAssertEqual(moved.scalars, [0, 1, 3, 6])  // bilinear: each output is the mean of two sources
    }

    func testQuarterTurnRotatesSquareImagesClockwise() {
        let n = 6
        let image = Self.randomImage([1, n, n], seed: 3)
        let turned = ImageAugmentation().apply(AugmentationParameters(rotation: Double.pi / 2), to: image)
        // Clockwise as displayed: output(y, x) = input(n−1−x, y).
        for y in 0..<n {
            for x in 0..<n {
                XCTAssertEqual(turned.scalars[y * n + x], image.scalars[(n - 1 - x) * n + y], accuracy: 1e-5)
            }
        }
    }

    func testBrightnessAndContrastActAboutTheImageMean() {
        let image = Tensor<Double>(shape: [1, 1, 4], scalars: [1, 2, 3, 6])  // mean 3
        let adjusted = ImageAugmentation().apply(AugmentationParameters(brightness: 0.5, contrast: 2), to: image)
        XCTAssertEqual(adjusted.scalars, [-0.5, 1.5, 3.5, 9.5])  // 3 + 2·(x − 3) + 0.5
    }

    func testSampledParametersStayInTheirRangesAndFollowTheSeed() {
        let augmentation = ImageAugmentation.standard
        var generator = SeededGenerator(seed: 5)
        for _ in 0..<200 {
            let p = augmentation.sampleParameters(imageHeight: 100, imageWidth: 200, using: &generator)
            XCTAssertLessThanOrEqual(abs(p.rotation), 10 * Double.pi / 180)
            XCTAssertTrue((0.9...1.1).contains(p.scale) && (0.9...1.1).contains(p.contrast))
            XCTAssertLessThanOrEqual(abs(p.shiftX), 10)
            XCTAssertLessThanOrEqual(abs(p.shiftY), 5)
            XCTAssertLessThanOrEqual(abs(p.brightness), 0.1)
        }
        var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9)
        XCTAssertEqual(
            augmentation.sampleParameters(imageHeight: 8, imageWidth: 8, using: &a),
            augmentation.sampleParameters(imageHeight: 8, imageWidth: 8, using: &b))
    }

    func testBatchAugmentationDoesNotDependOnThreadCount() {
        let batch = Self.randomImage([5, 3, 16, 16], seed: 7)
        func augmented(threads: Int) -> Tensor<Float> {
            Parallel.setThreadCount(threads)
            var generator = SeededGenerator(seed: 11)
            return ImageAugmentation.standard.augmentBatch(batch, using: &generator)
        }
        let one = augmented(threads: 1), two = augmented(threads: 2)
        Parallel.setThreadCount(ProcessInfo.processInfo.activeProcessorCount)
        XCTAssertEqual(one, two)
        XCTAssertNotEqual(one, batch)
        // Each image gets its own draw: image 0 and image 1 are not transformed alike.
        XCTAssertGreaterThan(one.slice(0).maxAbsDifference(batch.slice(0)), 0)
        XCTAssertNotEqual(
            one.slice(0).maxAbsDifference(batch.slice(0)), one.slice(1).maxAbsDifference(batch.slice(1)))
    }
}
