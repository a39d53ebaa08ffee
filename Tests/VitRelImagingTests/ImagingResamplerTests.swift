import Foundation
import XCTest
import VitRelTestSupport
import VitRelCore
@testable import VitRelImaging

final class ImagingResamplerTests: XCTestCase {
    func testFloatResizeMatchesPillowModeFForEveryFilterAndSize() throws {
        let fixtures = try ImagingManifest.load().pillowFloatResize
        let input = try ImagingManifest.array(fixtures.input)
        XCTAssertEqual(input.shape, [17, 23])
        let source = try XCTUnwrap(input.values(as: Float.self))
        XCTAssertEqual(fixtures.outputs.count, 18)
        for output in fixtures.outputs {
            let filter = try XCTUnwrap(ResampleFilter(rawValue: output.filter))
            let expected = try XCTUnwrap(try ImagingManifest.array(output.reference).values(as: Float.self))
            let ours = Resampler.resize(source, channels: 1, height: 17, width: 23,
                                        toHeight: output.height, toWidth: output.width, filter: filter)
            let worst = zip(ours, expected).map { abs($0 - $1) }.max()!
            XCTAssertEqual(ours.count, expected.count)
            XCTAssertLessThanOrEqual(worst, 1e-5, "\(output.filter) → \(output.width)×\(output.height)")
        }
    }

    func testDoubleResizeMatchesTorchAntialiasedInterpolate() throws {
        let cases = try ImagingManifest.load().torchInterpolate
        XCTAssertTrue(cases.contains { $0.mode == "bicubic" && $0.height > 14 }, "an upscale case")
        XCTAssertTrue(cases.contains { $0.mode == "bicubic" && $0.height < 4 }, "a strong downscale case")
        for item in cases {
            let input = try ImagingManifest.array(item.input)
            let reference = try ImagingManifest.array(item.reference)
            let (channels, height, width) = (input.shape[0], input.shape[1], input.shape[2])
            XCTAssertEqual(reference.shape, [channels, item.height, item.width])
            let ours = Resampler.resize(input.values(as: Double.self)!, channels: channels, height: height, width: width,
                                        toHeight: item.height, toWidth: item.width, filter: ResampleFilter(rawValue: item.mode)!)
            let worst = zip(ours, reference.values(as: Double.self)!).map { abs($0 - $1) }.max()!
            XCTAssertLessThanOrEqual(worst, 1e-12, "\(item.mode) \(input.shape) → \(item.height)×\(item.width)")
        }
    }

    func testWeightsOfEveryOutputSampleSumToOne() {
        for filter in ResampleFilter.allCases {
            for (from, to) in [(17, 5), (5, 17), (256, 224), (14, 8), (3, 1)] {
                let axis = Resampler.AxisWeights<Double>(inputSize: from, outputSize: to, filter: filter)
                for i in 0..<to {
                    let taps = axis.weights[i * axis.window..<i * axis.window + axis.counts[i]]
                    XCTAssertEqual(taps.reduce(0, +), 1, accuracy: 1e-12, "\(filter) \(from)→\(to) at \(i)")
                    XCTAssertTrue(axis.starts[i] >= 0 && axis.starts[i] + axis.counts[i] <= from)
                }
            }
        }
    }

    func testDownscalingWidensTheKernelByTheScaleFactor() {
        // 256 → 64 is a factor 4: bicubic support 2 · 4 = 8 on each side → 16 taps inside the image.
        let axis = Resampler.AxisWeights<Double>(inputSize: 256, outputSize: 64, filter: .bicubic)
        XCTAssertEqual(axis.counts[32], 16)
        XCTAssertEqual(axis.window, 17)
        let up = Resampler.AxisWeights<Double>(inputSize: 64, outputSize: 256, filter: .bilinear)
        XCTAssertLessThanOrEqual(up.counts.max()!, 3, "upscaling keeps the unit kernel")
    }

    func testConstantsAndLinearRampsArePreserved() {
        let constant = [Double](repeating: 0.37, count: 2 * 9 * 11)
        for filter in ResampleFilter.allCases {
            let out = Resampler.resize(constant, channels: 2, height: 9, width: 11, toHeight: 4, toWidth: 20, filter: filter)
            XCTAssertTrue(out.allSatisfy { abs($0 - 0.37) < 1e-14 }, "\(filter)")
        }
        // Bilinear upscaling reproduces a linear ramp away from the borders.
        let ramp = (0..<10).map { Double($0) }
        let out = Resampler.resize(ramp, channels: 1, height: 1, width: 10, toHeight: 1, toWidth: 20, filter: .bilinear)
        for i in 2..<18 { XCTAssertEqual(out[i], (Double(i) + 0.5) / 2 - 0.5, accuracy: 1e-12) }
    }

    func testFloatAndDoubleAgreeAndClampingBoundsTheResult() {
        var generator = SeededGenerator(seed: 11)
        let source = (0..<3 * 30 * 20).map { _ in generator.nextUnit() < 0.5 ? 0.0 : 1.0 }  // sharp edges: bicubic overshoots
        let double = Resampler.resize(source, channels: 3, height: 30, width: 20, toHeight: 13, toWidth: 27, filter: .bicubic)
        let float = Resampler.resize(source.map(Float.init), channels: 3, height: 30, width: 20, toHeight: 13, toWidth: 27, filter: .bicubic)
        XCTAssertLessThan(zip(double, float).map { abs($0 - Double($1)) }.max()!, 1e-5)
        XCTAssertTrue(double.contains { $0 < 0 || $0 > 1 }, "unclamped bicubic overshoots")
        let clamped = Resampler.resize(source, channels: 3, height: 30, width: 20, toHeight: 13, toWidth: 27, filter: .bicubic, clampTo: 0...1)
        XCTAssertTrue(clamped.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    func testResultDoesNotDependOnParallelSplitting() {
        var generator = SeededGenerator(seed: 12)
        let source = (0..<3 * 256 * 256).map { _ in Float(generator.nextUnit()) }
        let serial = Resampler.resize(source, channels: 3, height: 256, width: 256, toHeight: 224, toWidth: 200,
                                      filter: .bicubic, parallel: false)
        let parallel = Resampler.resize(source, channels: 3, height: 256, width: 256, toHeight: 224, toWidth: 200,
                                        filter: .bicubic, parallel: true)
        XCTAssertEqual(serial, parallel)
    }
}
