import XCTest
@testable import VitRelReporting

/// Nice ticks: known ranges give the known 1-2-5 ticks, and the pixel mapping is linear.
final class ReportChartAxisTests: XCTestCase {
    func assertTicks(_ range: ClosedRange<Double>, maxIntervals: Int = 6, _ expected: [Double], labels: [String]? = nil,
                     file: StaticString = #filePath, line: UInt = #line) {
        let axis = ChartAxis(covering: range, maxIntervals: maxIntervals)
        XCTAssertEqual(axis.ticks, expected, "\(range)", file: file, line: line)
        XCTAssertEqual(axis.lower, expected.first, file: file, line: line)
        XCTAssertEqual(axis.upper, expected.last, file: file, line: line)
        if let labels { XCTAssertEqual(axis.ticks.map(axis.label), labels, file: file, line: line) }
    }

    func testKnownRangesGiveKnownTicks() {
        assertTicks(0...1, [0, 0.2, 0.4, 0.6, 0.8, 1.0], labels: ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        assertTicks(-0.13...0.87, [-0.2, 0, 0.2, 0.4, 0.6, 0.8, 1.0], labels: ["−0.2", "0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        assertTicks(3...97, [0, 20, 40, 60, 80, 100], labels: ["0", "20", "40", "60", "80", "100"])
        assertTicks(0...100, maxIntervals: 8, [0, 20, 40, 60, 80, 100])
        assertTicks(0.3...0.31, [0.3, 0.302, 0.304, 0.306, 0.308, 0.31], labels: ["0.300", "0.302", "0.304", "0.306", "0.308", "0.310"])
        assertTicks(-2.5...1.1, [-3, -2, -1, 0, 1, 2], labels: ["−3", "−2", "−1", "0", "1", "2"])
        assertTicks(1200...48000, [0, 10000, 20000, 30000, 40000, 50000])
        assertTicks(-0.004 ... -0.001, [-0.004, -0.0035, -0.003, -0.0025, -0.002, -0.0015, -0.001])
        // One value: widened by 10% (±1 at zero).
        assertTicks(0.5...0.5, [0.44, 0.46, 0.48, 0.5, 0.52, 0.54, 0.56])
        assertTicks(0...0, [-1, -0.5, 0, 0.5, 1])
    }

    func testStepsAreOneTwoOrFiveTimesAPowerOfTenAndCoverTheRange() {
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<500 {
            let a = Double(generator.next() % 20_000) / 1000 - 10, span = Double(generator.next() % 10_000 + 1) / 10_000
            let scale = [1e-3, 1.0, 1e4][Int(generator.next() % 3)]
            let range = (a * scale)...((a + span) * scale)
            let axis = ChartAxis(covering: range)
            // Covered to within 1e-9 of a step (rounding noise must not add an interval).
            XCTAssertLessThanOrEqual(axis.lower, range.lowerBound + 1e-9 * axis.step)
            XCTAssertGreaterThanOrEqual(axis.upper, range.upperBound - 1e-9 * axis.step)
            XCTAssertLessThanOrEqual(axis.ticks.count - 1, 6)
            let power = pow(10, (log10(axis.step)).rounded(.down)), mantissa = (axis.step / power).rounded()
            XCTAssertTrue([1, 2, 5].contains(mantissa), "step \(axis.step)")
            // The next smaller 1-2-5 step would need more than 6 intervals.
            let smaller = mantissa == 1 ? 0.5 * power : mantissa == 2 ? power : 2 * power
            let intervals = (range.upperBound / smaller - 1e-9).rounded(.up) - (range.lowerBound / smaller + 1e-9).rounded(.down)
            XCTAssertGreaterThan(intervals, 6, "\(range): step \(smaller) would do")
        }
    }

    func testPixelMappingIsLinearAndRounded() {
        let axis = ChartAxis(covering: 0...1)
        XCTAssertEqual(axis.pixel(0, from: 300, to: 100), 300)
        XCTAssertEqual(axis.pixel(1, from: 300, to: 100), 100)
        XCTAssertEqual(axis.pixel(0.5, from: 300, to: 100), 200)
        XCTAssertEqual(axis.pixel(0.251, from: 0, to: 10), 3)
        XCTAssertEqual(axis.fraction(0.25), 0.25)
    }

    /// Values that differ only by rounding noise (one ulp apart: an audit of identical films)
    /// are one value: the axis is the one-value axis, never ticks collapsed onto one double,
    /// whose zero span made every pixel a NaN (found by vitrel-fuzz, seed 1 case 803).
    func testRoundingNoiseAroundOneValueGetsTheOneValueAxis() {
        for value in [0.5, 0.3333333333333333, 1e-300, -7.25, 123456.789] {
            let noisy = ChartAxis(covering: value...value.nextUp.nextUp)
            XCTAssertEqual(noisy, ChartAxis(covering: value...value), "\(value)")
            XCTAssertLessThan(noisy.lower, noisy.upper)
            XCTAssertLessThanOrEqual(noisy.lower, value)
            XCTAssertGreaterThanOrEqual(noisy.upper, value.nextUp.nextUp)
            for tick in noisy.ticks { XCTAssertTrue(noisy.fraction(tick).isFinite) }
        }
        let narrow = ChartAxis(covering: 1.0...1.000001)  // a real, if narrow, spread keeps its own axis
        XCTAssertLessThan(narrow.upper - narrow.lower, 1e-5)
    }
}
