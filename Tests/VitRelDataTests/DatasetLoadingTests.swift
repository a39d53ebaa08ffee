import XCTest
import VitRelTestSupport
@testable import VitRelData

/// DatasetIndex.loadImages: decodes what it can, lists what it cannot, and why.
final class DatasetLoadingTests: XCTestCase {
    func testUnreadableImagesAreSkippedWithTheirPathAndReason() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try DatasetTestTrees.writeImages(root, ["A/a1.png", "A/a2.png", "B/b1.png"])
        let broken = root.appendingPathComponent("B/broken (1).png")
        try Data("definitely not a PNG".utf8).write(to: broken)
        let index = try DatasetIndex.open(root)
        XCTAssertEqual(index.items.count, 4)
        let saved = Parallel.threadCount
        defer { Parallel.setThreadCount(saved) }
        Parallel.setThreadCount(2)
        let report = index.loadImages()
        XCTAssertEqual(report.loadedCount, 3)
        XCTAssertEqual(report.loaded.map(\.item.imageURL.lastPathComponent), ["a1.png", "a2.png", "b1.png"])
        XCTAssertEqual(report.skipped.map(\.url.path), [broken.path])
        XCTAssertFalse(report.skipped[0].reason.isEmpty)
        XCTAssertFalse(report.skipped[0].reason.contains("\n"))
        XCTAssertEqual(report.description, "loaded 3 images, skipped 1 unreadable")
        XCTAssertEqual(report.loaded[0].image.width, 8)
        Parallel.setThreadCount(1)
        let serial = index.loadImages()
        XCTAssertEqual(serial.loaded.map(\.image), report.loaded.map(\.image))
        XCTAssertEqual(serial.skipped, report.skipped)
    }

    func testMasksAreDecodedOnRequestAndAMismatchedMaskSkipsItsImage() throws {
        let root = try TestPaths.temporaryDirectory(self)
        let subset = "Infection Segmentation Data/Train/COVID-19"
        try DatasetTestTrees.covidQuEx(root, [
            ("Infection Segmentation Data", "Train", "COVID-19", "covid_1.png"),
            ("Infection Segmentation Data", "Train", "COVID-19", "covid_2.png"),
        ])
        let wrongSize = root.appendingPathComponent("\(subset)/lung masks/covid_2.png")
        try DatasetTestTrees.writeImage(wrongSize, side: 4)
        let index = try DatasetIndex.open(root, requiredMasks: [.lung, .infection])
        XCTAssertEqual(index.loadImages().loadedCount, 2, "masks are not decoded unless asked")
        let report = index.loadImages(includeMasks: true)
        XCTAssertEqual(report.loadedCount, 1)
        XCTAssertNotNil(report.loaded[0].lungMask)
        XCTAssertNotNil(report.loaded[0].infectionMask)
        XCTAssertEqual(report.skipped.map(\.url.path), [wrongSize.path])
        XCTAssertEqual(report.skipped[0].reason, "lung mask is 4×4 but its image is 8×8")
    }

    func testAChosenSubsetOfItemsIsLoaded() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try DatasetTestTrees.writeImages(root, ["A/a1.png", "A/a2.png", "B/b1.png"])
        let index = try DatasetIndex.open(root)
        let report = index.loadImages(index.items.filter { $0.className == "B" })
        XCTAssertEqual(report.loaded.map(\.item.className), ["B"])
    }
}
