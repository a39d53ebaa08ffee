import XCTest
import VitRelTestSupport
@testable import VitRelData

/// DatasetIndex on split folders (`<root>/{train,val,test}/<class>/*`): splits and classes from
/// folder names, mixed formats, names with spaces, and every malformed tree as a one-line error.
final class DatasetSplitFolderTests: XCTestCase {
    private let jpeg = TestPaths.fixture("imaging/jpeg/gray.jpg")

    private func copyJPEG(to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: jpeg, to: url)
    }

    func testSplitsAndClassesComeFromFolderNamesWithSpacesAndMixedFormats() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try DatasetTestTrees.writeImages(root, [
            "Train/COVID/COVID-1.png", "Train/COVID/COVID-2.PNG", "Train/Normal/Normal-1.png",
            "Train/Viral Pneumonia/Viral Pneumonia-1.png", "Train/Viral Pneumonia/Viral Pneumonia-2.png",
            "validation/COVID/COVID-3.png", "validation/Viral Pneumonia/Viral Pneumonia (3).png",
            "TEST/Normal/Normal-9.png",
        ])
        try copyJPEG(to: root.appendingPathComponent("Train/Normal/Normal-2.jpg"))
        try copyJPEG(to: root.appendingPathComponent("validation/Normal/Normal-3.jpeg"))
        // Beside the splits: documentation and metadata are not data and are left alone.
        try Data("readme".utf8).write(to: root.appendingPathComponent("README.md"))
        try Data().write(to: root.appendingPathComponent("Train/Normal/.DS_Store"))
        try Data().write(to: root.appendingPathComponent("Train/Normal/Thumbs.db"))

        let index = try DatasetIndex.open(root)
        XCTAssertEqual(index.layout, .splitFolders)
        XCTAssertEqual(index.classNames, ["COVID", "Normal", "Viral Pneumonia"])
        XCTAssertEqual(index.classCounts, [3, 4, 3])
        func names(_ split: DatasetSplit) -> [String] { index.items(in: split).map(\.imageURL.lastPathComponent) }
        XCTAssertEqual(names(.train), ["COVID-1.png", "COVID-2.PNG", "Normal-1.png", "Normal-2.jpg",
                                       "Viral Pneumonia-1.png", "Viral Pneumonia-2.png"])
        XCTAssertEqual(names(.validation), ["COVID-3.png", "Normal-3.jpeg", "Viral Pneumonia (3).png"])
        XCTAssertEqual(names(.test), ["Normal-9.png"])
        for item in index.items {
            XCTAssertEqual(index.classNames[item.classIndex], item.className)
            XCTAssertEqual(item.imageURL.deletingLastPathComponent().lastPathComponent, item.className)
        }
        // Every listed file decodes, the JPEGs included.
        let report = index.loadImages()
        XCTAssertEqual(report.loaded.count, 10, "\(report.skipped)")
        XCTAssertTrue(report.skipped.isEmpty, "\(report.skipped)")
    }

    func testSplitNamesAreCaseInsensitiveAndASplitMayLackAClass() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try DatasetTestTrees.writeImages(root, ["train/A/a.png", "train/B/b.png", "Val/B/c.png"])
        let index = try DatasetIndex.open(root)
        XCTAssertEqual(index.classNames, ["A", "B"])
        XCTAssertEqual(index.items(in: .validation).map(\.classIndex), [1])
        for name in ["Train", "train", "TRAIN", "training"] { XCTAssertEqual(DatasetSplit(folderName: name), .train) }
        for name in ["Val", "val", "validation", "Valid"] { XCTAssertEqual(DatasetSplit(folderName: name), .validation) }
        for name in ["Test", "test", "TESTING"] { XCTAssertEqual(DatasetSplit(folderName: name), .test) }
    }

    func testAStrayNonImageFileInAClassFolderIsAnErrorNamingIt() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try DatasetTestTrees.writeImages(root, ["train/COVID/c.png", "train/Normal/n.png"])
        let stray = root.appendingPathComponent("train/Normal/labels.csv")
        try Data("a,b".utf8).write(to: stray)
        let error = DatasetTestTrees.assertDatasetError(containing: stray.path) { _ = try DatasetIndex.open(root) }
        guard case .notAnImage(let url)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(url.path, stray.path)
    }

    func testAnEmptyClassFolderIsAnErrorNamingIt() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try DatasetTestTrees.writeImages(root, ["train/COVID/c.png"])
        let empty = root.appendingPathComponent("train/Viral Pneumonia")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let error = DatasetTestTrees.assertDatasetError(containing: empty.path) { _ = try DatasetIndex.open(root) }
        guard case .emptyClassFolder(let url)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(url.path, empty.path)
    }

    func testAFolderThatNamesNoSplitBesideSplitFoldersIsAnError() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try DatasetTestTrees.writeImages(root, ["train/A/a.png", "COVID/b.png"])
        let error = DatasetTestTrees.assertDatasetError(containing: root.appendingPathComponent("COVID").path) {
            _ = try DatasetIndex.open(root)
        }
        guard case .unexpectedFolder? = error else { return XCTFail("\(String(describing: error))") }
    }

    func testTwoFoldersNamingOneSplitAreAnError() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try DatasetTestTrees.writeImages(root, ["train/A/a.png", "val/A/b.png", "validation/A/c.png"])
        let error = DatasetTestTrees.assertDatasetError(containing: root.appendingPathComponent("validation").path) {
            _ = try DatasetIndex.open(root)
        }
        guard case .duplicateSplit(let first, let second)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual([first.path, second.path], [root.appendingPathComponent("val").path, root.appendingPathComponent("validation").path])
    }

    func testATreeMatchingNoLayoutNamesAllThree() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("docs"), withIntermediateDirectories: true)
        let error = DatasetTestTrees.assertDatasetError(containing: root.path) { _ = try DatasetIndex.open(root) }
        let message = try XCTUnwrap(error?.description)
        for layout in ["COVID-QU-Ex", "split folders", "class folders"] { XCTAssertTrue(message.contains(layout), message) }
    }

    /// The real COVID-19 Radiography Database copy in ../shared (skipped when absent).
    func testTheSharedRadiographyFolderIsReadAsSplitFolders() throws {
        let url = TestPaths.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data/covid19-radiography")
        guard FileManager.default.fileExists(atPath: url.path) else { throw XCTSkip("\(url.path) is absent") }
        let index = try DatasetIndex.open(url)
        XCTAssertEqual(index.layout, .splitFolders)
        XCTAssertEqual(index.classNames, ["COVID", "Normal", "Viral Pneumonia"])
        XCTAssertEqual(index.restricted(to: .train).classCounts, [1600, 1600, 936])
        XCTAssertEqual(index.restricted(to: .validation).classCounts, [300, 300, 201])
        XCTAssertTrue(index.items(in: .test).isEmpty)
    }
}
