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

/// results.csv: RFC 4180 fields, lossless numbers, and resuming after a torn write.
final class ComparisonTableTests: XCTestCase {
    func record(_ image: String, _ method: String = "chefer-lrp", _ metric: String = "faithfulness-estimate", score: Double = 0.25) -> ComparisonRecord {
        ComparisonRecord(
            image: image, label: "COVID-19", predicted: "Normal", target: "Normal", probability: 0.1 + 0.2,
            method: method, metric: metric, score: score, forwardPasses: 65, explanations: 0, metricSeconds: 1e-3,
            note: "a \"quoted\", note", curve: [0.1, -2.5e-300, .pi])
    }

    func testFieldsAreQuotedOnlyWhenNeededAndParseBack() throws {
        XCTAssertEqual(CSVFormat.field("plain"), "plain")
        XCTAssertEqual(CSVFormat.field("a,b"), "\"a,b\"")
        XCTAssertEqual(CSVFormat.field("say \"hi\""), "\"say \"\"hi\"\"\"")
        XCTAssertEqual(CSVFormat.field("two\nlines"), "\"two\nlines\"")
        let fields = ["Infection Segmentation Data/Test/Normal/images/Normal (3).png", "a,b", "say \"hi\"", "two\nlines", ""]
        let text = CSVFormat.line(fields) + "\n" + CSVFormat.line(["x", "y"]) + "\r\n"
        XCTAssertEqual(try CSVFormat.records(text), [fields, ["x", "y"]])
        XCTAssertThrowsError(try CSVFormat.records("a,\"open\nnever closed")) { error in
            XCTAssertEqual(error as? CSVError, .unterminatedQuote(line: 2))
        }
    }

    func testRecordsRoundTripBitForBit() throws {
        var original = record("Infection Segmentation Data/Test/COVID-19/images/covid_1 (2).png")
        original.score = .nan
        let parsed = try ComparisonRecord(fields: try CSVFormat.records(CSVFormat.line(original.fields) + "\n")[0])
        XCTAssertEqual(parsed, original)
        XCTAssertEqual(parsed.probability.bitPattern, (0.1 + 0.2).bitPattern, "0.30000000000000004 survives")
        XCTAssertEqual(parsed.curve.map(\.bitPattern), original.curve.map(\.bitPattern))
        XCTAssertThrowsError(try ComparisonRecord(fields: ["too", "few"]))
        var fields = original.fields
        fields[8] = "high"
        XCTAssertThrowsError(try ComparisonRecord(fields: fields)) { error in
            XCTAssertTrue("\(error)".contains("score \"high\" is not a number"), "\(error)")
        }
    }

    func testAResumedFileKeepsFinishedRowsAndCutsATornLine() throws {
        let url = try TestPaths.temporaryDirectory(self).appendingPathComponent("results.csv")
        do {
            let file = try ResultsFile(url: url)
            try file.append(record("a.png"))
            try file.append(record("b.png"))
            try file.append(record("a.png"))  // same key: ignored
            XCTAssertEqual(file.records.count, 2)
        }
        // A kill in the middle of a row leaves a line without its end.
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("c.png,COVID-19,Nor".utf8))
        try handle.close()

        let resumed = try ResultsFile(url: url)
        XCTAssertEqual(resumed.records, [record("a.png"), record("b.png")])
        XCTAssertTrue(resumed.contains(ComparisonRecord.Key(image: "b.png", method: "chefer-lrp", metric: "faithfulness-estimate"), checksum: ""))
        XCTAssertFalse(resumed.contains(ComparisonRecord.Key(image: "c.png", method: "chefer-lrp", metric: "faithfulness-estimate"), checksum: ""))
        try resumed.append(record("c.png", score: -1))
        let text = try String(contentsOf: url, encoding: .utf8)
        XCTAssertFalse(text.contains("Nor\n") || text.contains(",Norc.png"), "the torn line is gone")
        let rows = try CSVFormat.records(text)
        XCTAssertEqual(rows.count, 4)
        XCTAssertEqual(rows[0], ComparisonRecord.header)
        XCTAssertEqual(try ComparisonRecord(fields: rows[3]), record("c.png", score: -1))
    }

    func testAFileThatIsNotOursIsRefusedWithItsName() throws {
        let url = try TestPaths.temporaryDirectory(self).appendingPathComponent("other.csv")
        try "name,value\nx,1\n".write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ResultsFile(url: url)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix(url.path) && message.contains("not a vitrel results file"), message)
        }
        let header = CSVFormat.line(ComparisonRecord.header)
        try (header + "\n" + "a.png,COVID-19\n").write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ResultsFile(url: url)) { error in
            XCTAssertTrue("\(error)".contains("row 2"), "\(error)")
        }
    }
}
