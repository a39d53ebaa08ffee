import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRel
@testable import VitRelModel
@testable import VitRelData
@testable import VitRelRendering
@testable import VitRelExplain
@testable import VitRelMetrics
@testable import VitRelTraining
@testable import VitRelReporting

/// Two runs into one `--out`: the second stops with one line, touching nothing; once the first
/// is gone (however it ended) the folder is free again.
extension CLICompareTests {
    func testASecondRunIntoABusyFolderIsRefusedAndTouchesNothing() throws {
        let data = try dataset()
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let sentinel = out.appendingPathComponent("results.csv")
        try Data("the first run's rows\n".utf8).write(to: sentinel)
        var held: OutputFolderLock? = try OutputFolderLock(folder: out)  // this process plays the first run
        XCTAssertNotNil(held)
        let second = try CLI.run(arguments(data: data, out: out) + ["--methods", "attention-rollout,lime", "--limit", "2", "--fresh"])
        XCTAssertTrue(second.status > 0 && second.status < 128, second.stderr)
        XCTAssertEqual(second.errorLines.count, 1, second.stderr)
        XCTAssertTrue(second.stderr.contains("another vitrel run (pid \(getpid()))"), second.stderr)
        XCTAssertEqual(try String(contentsOf: sentinel, encoding: .utf8), "the first run's rows\n", "--fresh removed a busy folder's rows")
        held = nil
        try FileManager.default.removeItem(at: sentinel)
        let third = try CLI.run(arguments(data: data, out: out) + ["--methods", "attention-rollout,lime", "--limit", "2"])
        XCTAssertEqual(third.status, 0, third.stderr)
        XCTAssertEqual(try ComparisonRows.read(out).count, 2 * 2 * CLICompareTests.metrics.split(separator: ",").count)
    }
}
