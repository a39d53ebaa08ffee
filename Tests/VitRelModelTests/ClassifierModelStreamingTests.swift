import XCTest
import VitRelTestSupport
@testable import VitRelModel

/// `ClassifierModel.logits(reading:batchSize:…)`: files are read a batch at a time (a file of
/// the next batch need not exist while the first is classified), an unreadable file is passed
/// over in order, and the logits are those of the decoded images.
final class ClassifierModelStreamingTests: XCTestCase {
    func testFilesAreReadABatchAtATimeAndFailuresAreReportedInOrder() throws {
        let model = try ClassifierModel.load(from: TestPaths.fixture("checkpoints/timm_token"))
        let directory = try TestPaths.temporaryDirectory(self)
        var urls = [URL]()
        for i in 0..<5 { urls.append(try TestImages.write(in: directory, name: "x\(i).png", brightness: Float(i) / 5)) }
        let broken = directory.appendingPathComponent("broken.png")
        try Data("not an image".utf8).write(to: broken)
        let late = directory.appendingPathComponent("late.png")  // written only once the first batch is done
        let files = [urls[0], broken, urls[1], urls[2], late, urls[3]]

        var failed = [Int](), batchesDone = [Int]()
        let rows = try model.logits(reading: files, batchSize: 3, failed: { index, error in
            failed.append(index)
            XCTAssertTrue("\(error)".contains(files[index].path), "\(error)")
        }, progress: { done, total in
            XCTAssertEqual(total, files.count)
            batchesDone.append(done)
            if done == 3 { _ = try? TestImages.write(in: directory, name: "late.png", brightness: 0.7) }
        })
        XCTAssertEqual(batchesDone, [3, 6])
        XCTAssertEqual(failed, [1], "only the broken file; late.png was read after the first batch")
        XCTAssertEqual(rows.map(\.index), [0, 2, 3, 4, 5])

        let images = try rows.map { try ImageIO.read(files[$0.index]) }
        let reference = try model.logits(for: images, batchSize: 1).scalars
        let streamed = rows.flatMap(\.logits)
        XCTAssertEqual(streamed.count, reference.count)
        for (a, b) in zip(streamed, reference) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    }
}
