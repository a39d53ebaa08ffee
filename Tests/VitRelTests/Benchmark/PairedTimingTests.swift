import XCTest
@testable import VitRel

/// The arithmetic of the benchmarks' paired rounds, on constructed rounds (no clock involved).
final class PairedTimingTests: XCTestCase {
    private func round(reference: Double, subject: Double, referenceCPU: Double? = nil, subjectCPU: Double? = nil) -> PairedTiming.Round {
        PairedTiming.Round(
            referenceSeconds: reference, referenceCPUSeconds: referenceCPU ?? 2 * reference,
            subjectSeconds: subject, subjectCPUSeconds: subjectCPU ?? 2 * subject)
    }

    /// Each round's ratio uses its own reference: a host that halves in speed for one round
    /// (reference and subject both twice as slow) leaves that round's ratio unchanged.
    func testRateRatioPairsEachSubjectWithItsOwnReference() {
        let timing = PairedTiming(rounds: [
            round(reference: 0.1, subject: 2.0),
            round(reference: 0.2, subject: 4.0),  // the whole host at half speed
            round(reference: 0.1, subject: 2.5),
        ])
        // subject work 36 over 2 s = 18/s; reference work 2 over 0.1 s = 20/s → 0.9
        let ratio = timing.rateRatio(subjectWork: 36, referenceWork: 2)
        XCTAssertEqual(ratio.median, 0.9, accuracy: 1e-12)
        XCTAssertEqual(ratio.lowest, 0.72, accuracy: 1e-12)
        XCTAssertEqual(ratio.highest, 0.9, accuracy: 1e-12)
        XCTAssertEqual(timing.referenceRate(work: 2).median, 20, accuracy: 1e-12)
        XCTAssertEqual(timing.medianSubjectSeconds, 2.5)
        XCTAssertEqual(timing.timeRatio.median, 20, accuracy: 1e-12)
    }

    func testCPURatioUsesProcessCPUSeconds() {
        let timing = PairedTiming(rounds: [round(reference: 0.1, subject: 2.0, referenceCPU: 0.2, subjectCPU: 3.0)])
        XCTAssertEqual(timing.rateRatio(subjectWork: 30, referenceWork: 2, perCPUSecond: true).median, 1, accuracy: 1e-12)
    }

    func testMedianOfOddAndEvenCounts() {
        XCTAssertEqual(PairedTiming.median([3, 1, 2]), 2)
        XCTAssertEqual(PairedTiming.median([4, 1, 3, 2]), 2.5)
        XCTAssertTrue(PairedTiming.median([]).isNaN)
    }

    func testRepeatsFillHalfASecondWithinBounds() {
        XCTAssertEqual(PairedTiming.repeatsFilling(halfASecondAfter: 3), 1)
        XCTAssertEqual(PairedTiming.repeatsFilling(halfASecondAfter: 0.04), 13)
        XCTAssertEqual(PairedTiming.repeatsFilling(halfASecondAfter: 0.000_1), 64)
        XCTAssertEqual(PairedTiming.repeatsFilling(halfASecondAfter: 0), 1)
    }
}
