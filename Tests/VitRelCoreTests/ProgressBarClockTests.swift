import XCTest
@testable import VitRelCore

/// `ProgressBar.clock`, the m:ss / h:mm:ss that `train` prints for ETAs and its wall time.
final class ProgressBarClockTests: XCTestCase {
    func testClockRoundsToSecondsAndSwitchesToHoursAtOneHour() {
        XCTAssertEqual(ProgressBar.clock(0), "0:00")
        XCTAssertEqual(ProgressBar.clock(0.49), "0:00")
        XCTAssertEqual(ProgressBar.clock(59.5), "1:00")
        XCTAssertEqual(ProgressBar.clock(852.1), "14:12")
        XCTAssertEqual(ProgressBar.clock(3599.4), "59:59")
        XCTAssertEqual(ProgressBar.clock(3600), "1:00:00")
        XCTAssertEqual(ProgressBar.clock(86_399 + 3 * 86_400), "95:59:59")
    }
}
