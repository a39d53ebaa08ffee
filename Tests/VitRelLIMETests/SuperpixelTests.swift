import XCTest
import VitRelTestSupport
import VitRelCore
import VitRelImaging
@testable import VitRelLIME

/// SLIC, quickshift and the patch grid against scikit-image 0.26 (fixtures from
/// `Tools/make_lime_fixtures.py`), and the `Segmentation` invariants.
final class SuperpixelTests: XCTestCase {
    override func tearDown() {
        Parallel.setThreadCount(ProcessInfo.processInfo.activeProcessorCount)
        super.tearDown()
    }

    private func input(_ fixtures: LIMEFixtures, _ entry: LIMEFixtures.SegmentationCase) throws -> Image {
        var image = try fixtures.image(entry.image!)
        if let crop = entry.crop_height_width { image = croppedTopLeft(image, height: crop[0], width: crop[1]) }
        // "lab" on the gray pattern means scikit-image saw it replicated to RGB.
        return entry.mode == "lab" && image.channels == 1 ? grayReplicatedToRGB(image) : image
    }

    func testSLICAgreesWithScikitImageOnSyntheticImages() throws {
        let fixtures = try LIMEFixtures()
        XCTAssertEqual(fixtures.manifest.slic.count, 7)
        for entry in fixtures.manifest.slic {
            let image = try input(fixtures, entry)
            let slic = SLIC(segmentCount: entry.n_segments!, compactness: entry.compactness ?? 10, sigma: entry.sigma ?? 0)
            let segmentation = try slic.segment(image)
            let expected = try fixtures.labels(entry.labels)
            let ari = adjustedRandIndex(segmentation.labels.map(Int.init), expected)
            XCTAssertGreaterThanOrEqual(ari, 0.9, "\(entry.labels): ARI \(ari)")
            XCTAssertEqual(Double(segmentation.count), Double(entry.count), accuracy: 0.1 * Double(entry.count),
                           "\(entry.labels): \(segmentation.count) segments, scikit-image \(entry.count)")
        }
    }

    func testQuickshiftAgreesWithScikitImageOnSyntheticImages() throws {
        let fixtures = try LIMEFixtures()
        XCTAssertEqual(fixtures.manifest.quickshift.count, 2)
        for entry in fixtures.manifest.quickshift {
            let image = try input(fixtures, entry)
            XCTAssertEqual(image.channels, 3)
            let segmentation = try Quickshift().segment(image, seed: 0)
            let expected = try fixtures.labels(entry.labels)
            let ari = adjustedRandIndex(segmentation.labels.map(Int.init), expected)
            XCTAssertGreaterThanOrEqual(ari, 0.8, "\(entry.labels): ARI \(ari)")
            XCTAssertEqual(Double(segmentation.count), Double(entry.count), accuracy: 0.1 * Double(entry.count),
                           "\(entry.labels): \(segmentation.count) segments, scikit-image \(entry.count)")
        }
    }

    func testQuickshiftWithScikitImagesNoiseGivesIdenticalLabels() throws {
        let fixtures = try LIMEFixtures()
        let entry = fixtures.manifest.quickshift_exact
        let image = croppedTopLeft(try fixtures.image(entry.image!), entry.crop!)
        let noise = try fixtures.array(entry.noise!).values
        let segmentation = try Quickshift().segment(image, densityNoise: noise)
        XCTAssertEqual(segmentation.count, entry.count)
        XCTAssertEqual(segmentation.labels.map(Int.init), try fixtures.labels(entry.labels))
    }

    func testQuickshiftOnGrayImageEqualsQuickshiftOnItsRGBCopy() throws {
        let fixtures = try LIMEFixtures()
        let gray = try fixtures.image("gray_image")
        let direct = try Quickshift().segment(gray, seed: 3)
        let replicated = try Quickshift().segment(grayReplicatedToRGB(gray), seed: 3)
        XCTAssertEqual(direct, replicated)
    }

    func testSuperpixelsDoNotDependOnThreadCount() throws {
        let fixtures = try LIMEFixtures()
        let image = try fixtures.image("rgb_image")
        Parallel.setThreadCount(1)
        let slicOne = try SLIC().segment(image)
        let quickshiftOne = try Quickshift().segment(image, seed: 5)
        Parallel.setThreadCount(2)
        XCTAssertEqual(try SLIC().segment(image), slicOne)
        XCTAssertEqual(try Quickshift().segment(image, seed: 5), quickshiftOne)
        Parallel.setThreadCount(3)  // more threads than cores: uneven row bands
        XCTAssertEqual(try SLIC().segment(image), slicOne)
    }

    func testQuickshiftIsReproducibleForASeed() throws {
        let image = try LIMEFixtures().image("rgb_image")
        XCTAssertEqual(try Quickshift().segment(image, seed: 11), try Quickshift().segment(image, seed: 11))
    }

    func testSLICSegmentsAreConnected() throws {
        let segmentation = try SLIC(segmentCount: 50).segment(try LIMEFixtures().image("rgb_image"))
        // Flood fill each label from its first pixel: it must reach every pixel of the label.
        let width = segmentation.width, height = segmentation.height
        var reached = [Bool](repeating: false, count: width * height)
        var seen = Set<Int32>()
        for start in 0..<(width * height) where !seen.contains(segmentation.labels[start]) {
            let label = segmentation.labels[start]
            seen.insert(label)
            var stack = [start]
            reached[start] = true
            while let p = stack.popLast() {
                let x = p % width, y = p / width
                for (xx, yy) in [(x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)]
                where xx >= 0 && xx < width && yy >= 0 && yy < height {
                    let q = yy * width + xx
                    if !reached[q] && segmentation.labels[q] == label {
                        reached[q] = true
                        stack.append(q)
                    }
                }
            }
        }
        XCTAssertTrue(reached.allSatisfy { $0 }, "some superpixel has a disconnected piece")
    }

    func testAdjustedRandIndexMatchesScikitLearn() {
        // sklearn.metrics.adjusted_rand_score on the same pairs.
        XCTAssertEqual(adjustedRandIndex([0, 0, 1, 1, 2, 2], [0, 0, 1, 2, 2, 2]), 0.4444444444444444, accuracy: 1e-12)
        XCTAssertEqual(adjustedRandIndex([0, 0, 1, 1], [5, 5, 7, 7]), 1)  // names do not matter
        XCTAssertEqual(adjustedRandIndex([0, 1, 2, 3], [0, 0, 0, 0]), 0)
        XCTAssertEqual(adjustedRandIndex([0, 0, 0, 1, 1, 1, 2, 2, 2, 2], [1, 1, 0, 0, 0, 2, 2, 2, 2, 1]), 0.20454545454545456, accuracy: 1e-12)
    }

    func testRegularGridMatchesScikitImageDocExamples() {
        // regular_grid's docstring: (20, 40) with 8 and 32 points, (3, 20, 40) with 8.
        let a = SLIC.regularGrid(shape: [20, 40], pointCount: 8)
        XCTAssertEqual(a.starts, [5, 5]); XCTAssertEqual(a.steps, [10, 10])
        let b = SLIC.regularGrid(shape: [20, 40], pointCount: 32)
        XCTAssertEqual(b.starts, [2, 2]); XCTAssertEqual(b.steps, [5, 5])
        let c = SLIC.regularGrid(shape: [3, 20, 40], pointCount: 8)
        XCTAssertEqual(c.starts, [1, 5, 5]); XCTAssertEqual(c.steps, [3, 10, 10])
        // A 2-D image is a single plane: the depth axis gets step 1.
        let d = SLIC.regularGrid(shape: [1, 96, 96], pointCount: 100)
        XCTAssertEqual(d.starts, [0, 4, 4]); XCTAssertEqual(d.steps, [1, 10, 10])
    }

    func testLabConversionMatchesScikitImage() {
        // skimage.color.rgb2lab of four colours (float64).
        let cases: [([Double], [Double])] = [
            ([1, 1, 1], [100, -2.454937862050866e-03, 4.653421154054982e-03]),
            ([1, 0, 0], [53.24058794374490, 80.09230822569219, 67.20275104442869]),
            ([0.2, 0.5, 0.7], [50.97203635488511, -6.398176713447834, -33.70932296799387]),
            ([0.01, 0.02, 0.005], [1.173912899803408, -1.198754627337012, 1.212685112194362]),
        ]
        for (rgb, lab) in cases {
            let result = CIELab.fromSRGB(rgb[0], rgb[1], rgb[2])
            XCTAssertEqual(result.l, lab[0], accuracy: 1e-10)
            XCTAssertEqual(result.a, lab[1], accuracy: 1e-10)
            XCTAssertEqual(result.b, lab[2], accuracy: 1e-10)
        }
    }

    func testPatchGridLabelsAreViTPatchIndices() throws {
        let grid = try PatchGrid(patchSize: 16).segment(width: 224, height: 224)
        XCTAssertEqual(grid.count, 196)
        XCTAssertEqual(grid.label(x: 17, y: 33), 2 * 14 + 1)
        XCTAssertEqual(grid.label(x: 223, y: 223), 195)
        XCTAssertEqual(Set(grid.segmentSizes), [256])
        // Sides that are not multiples of the patch size get narrower edge patches.
        let ragged = try PatchGrid(patchSize: 16).segment(width: 40, height: 20)
        XCTAssertEqual(ragged.count, 3 * 2)
        XCTAssertEqual(ragged.segmentSizes, [256, 256, 128, 64, 64, 32])
    }

    func testSegmentationRelabelsKeepingOrderAndFindsBoundaries() {
        // scikit-image-style labels starting at 1, with a gap.
        let segmentation = Segmentation.relabelling(width: 4, height: 2, labels: [1, 1, 5, 5, 1, 1, 5, 7])
        XCTAssertEqual(segmentation.labels, [0, 0, 1, 1, 0, 0, 1, 2])
        XCTAssertEqual(segmentation.count, 3)
        XCTAssertEqual(segmentation.segmentSizes, [4, 3, 1])
        XCTAssertEqual(segmentation.pixelIndices, [[0, 1, 4, 5], [2, 3, 6], [7]])
        XCTAssertEqual(segmentation.boundaryMask(), [false, true, true, true, false, true, true, true])
        XCTAssertEqual(segmentation.paint([0.5, -1.0, 2.0]), [0.5, 0.5, -1, -1, 0.5, 0.5, -1, 2])
    }

    func testInvalidSuperpixelParametersThrow() {
        let image = Image(width: 8, height: 8, channels: 3, pixels: [Float](repeating: 0.5, count: 192))
        XCTAssertThrowsError(try SLIC(segmentCount: 0).segment(image))
        XCTAssertThrowsError(try SLIC(compactness: 0).segment(image))
        XCTAssertThrowsError(try Quickshift(kernelSize: 0.5).segment(image, seed: 0)) { error in
            XCTAssertEqual("\(error)", "superpixels: Quickshift.kernelSize = 0.5 is invalid; it must be at least 1 (scikit-image's limit)")
        }
        XCTAssertThrowsError(try PatchGrid(patchSize: 0).segment(image))
    }

    /// scikit-image's labels for a real COVID-QU-Ex X-ray (4×4 block means, 64×64).
    func testRealXraySuperpixelsAgreeWithScikitImage() throws {
        let fixtures = try LIMEFixtures()
        guard let xray = fixtures.manifest.real_xray else { throw XCTSkip("fixtures made without ../shared") }
        let sums = try realXrayBlockSums(path: xray.source)
        let bytes = sums.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        XCTAssertEqual(fnv1a64(bytes), xray.block_sums_fnv1a64, "the shared X-ray or its 4x4 reduction changed")
        let gray = Image(width: xray.size, height: xray.size, channels: 1,
                         pixels: sums.map { Float($0) / Float(16 * 255) })
        let rgb = grayReplicatedToRGB(gray)
        for entry in xray.slic {
            let segmentation = try SLIC(segmentCount: entry.n_segments!).segment(rgb)
            let ari = adjustedRandIndex(segmentation.labels.map(Int.init), try fixtures.labels(entry.labels))
            XCTAssertGreaterThanOrEqual(ari, 0.9, "\(entry.labels): ARI \(ari)")
            XCTAssertEqual(Double(segmentation.count), Double(entry.count), accuracy: 0.1 * Double(entry.count))
        }
        let segmentation = try Quickshift().segment(rgb, seed: 0)
        let ari = adjustedRandIndex(segmentation.labels.map(Int.init), try fixtures.labels(xray.quickshift.labels))
        XCTAssertGreaterThanOrEqual(ari, 0.8, "xray quickshift: ARI \(ari)")
        XCTAssertEqual(Double(segmentation.count), Double(xray.quickshift.count), accuracy: 0.1 * Double(xray.quickshift.count))
    }

    /// The 64×64 block sums (4×4) of a 256×256 8-bit shared X-ray, row-major.
    private func realXrayBlockSums(path: String) throws -> [UInt16] {
        let url = try TestPaths.covidSamples().appendingPathComponent(path)
        let image = try ImageIO.read(url)
        XCTAssertEqual([image.width, image.height], [256, 256])
        let k = image.pixels.prefix(256 * 256).map { UInt16(($0 * 255).rounded()) }  // channel 0
        var sums = [UInt16](repeating: 0, count: 4096)
        for block in 0..<4096 {
            let top = (block / 64) * 4, left = (block % 64) * 4
            for i in 0..<16 { sums[block] += k[(top + i / 4) * 256 + left + i % 4] }
        }
        return sums
    }
}
