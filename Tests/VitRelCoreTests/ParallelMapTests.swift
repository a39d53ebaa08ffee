import XCTest
@testable import VitRelCore

/// `Parallel.map`: the serial map's elements in the serial map's order, whatever the thread
/// count, and nothing for nothing.
final class ParallelMapTests: XCTestCase {
    func testEqualsTheSerialMapOnOneAndTwoThreads() {
        let saved = Parallel.threadCount
        defer { Parallel.setThreadCount(saved) }
        let transform = { (i: Int) -> String in "element \(i * i - 7)" }
        let expected = (0..<1001).map(transform)
        for threads in [1, 2] {
            Parallel.setThreadCount(threads)
            XCTAssertEqual(Parallel.map(1001, transform), expected, "\(threads) threads")
        }
        XCTAssertEqual(Parallel.map(1) { $0 + 41 }, [41])
        XCTAssertEqual(Parallel.map(0) { _ -> Int in XCTFail("called for an empty range"); return 0 }, [])
    }

    /// Inside another parallel region the elements are made on the calling thread, still in order.
    func testInsideAParallelRegionItRunsSeriallyAndKeepsTheOrder() {
        let saved = Parallel.threadCount
        defer { Parallel.setThreadCount(saved) }
        Parallel.setThreadCount(2)
        var inner = [[Int]](repeating: [], count: 2)
        inner.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            Parallel.forEachTask(2) { task in base[task] = Parallel.map(50) { task * 100 + $0 } }
        }
        XCTAssertEqual(inner, [Array(0..<50), Array(100..<150)])
    }
}
