import XCTest
import VitRelTestSupport
@testable import VitRelData

/// DatasetIndex on the COVID-QU-Ex layout: the real samples, subsets, masks and bad trees.
final class DatasetCovidQuExTests: XCTestCase {
    private let infection = "Infection Segmentation Data"
    private let lung = "Lung Segmentation Data"

    func testRealSamplesGiveTwelveImagesFourPerClassWithMatchedMasks() throws {
        let root = try TestPaths.covidSamples()
        let index = try DatasetIndex.open(root, requiredMasks: [.lung, .infection])
        XCTAssertEqual(index.layout, .covidQuEx)
        XCTAssertEqual(index.classNames, ["COVID-19", "Non-COVID", "Normal"])
        XCTAssertEqual(index.items.count, 12)
        XCTAssertEqual(index.classCounts, [4, 4, 4])
        XCTAssertTrue(index.items.allSatisfy { $0.split == .test })
        let names = Set(index.items.map(\.imageURL.lastPathComponent))
        XCTAssertTrue(names.isSuperset(of: ["covid_1579.png", "non_COVID (11906).png", "Normal (10).png", "Normal (100).png"]))
        for item in index.items {
            XCTAssertEqual(item.className, index.classNames[item.classIndex])
            XCTAssertEqual(item.imageURL.deletingLastPathComponent().deletingLastPathComponent().lastPathComponent, item.className)
            XCTAssertNil(item.maskURL(.shortcut), "COVID-QU-Ex has no shortcut masks")
            for kind in [MaskKind.lung, .infection] {
                let mask = try XCTUnwrap(item.maskURL(kind), "\(item.imageURL.lastPathComponent) has no \(kind) mask")
                XCTAssertEqual(mask.lastPathComponent, item.imageURL.lastPathComponent)
                XCTAssertEqual(mask.deletingLastPathComponent().lastPathComponent, kind.folderName)
                XCTAssertTrue(FileManager.default.fileExists(atPath: mask.path), mask.path)
            }
            XCTAssertTrue(FileManager.default.fileExists(atPath: item.imageURL.path), item.imageURL.path)
        }
        // The same tree always gives the same index.
        XCTAssertEqual(try DatasetIndex.open(root).items, index.items)
    }

    func testRealSamplesReadThroughTheSubsetFolderAndBoth() throws {
        let root = try TestPaths.covidSamples()
        let direct = try DatasetIndex.open(root.appendingPathComponent(infection))
        XCTAssertEqual(direct.items.count, 12)
        XCTAssertEqual(direct.root.standardizedFileURL, root.standardizedFileURL)
        XCTAssertEqual(try DatasetIndex.covidQuEx(root: root, subset: .both).items.count, 12)
        DatasetTestTrees.assertDatasetError(containing: root.appendingPathComponent(lung).path) {
            _ = try DatasetIndex.covidQuEx(root: root, subset: .lung)
        }
    }

    func testBothSubsetsKeepAnImageOnceFromTheInfectionSubset() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try DatasetTestTrees.covidQuEx(root, [
            (lung, "Train", "Normal", "Normal (1).png"),
            (lung, "Train", "Normal", "Normal (2).png"),
            (lung, "Val", "COVID-19", "covid_7.png"),
            (infection, "Test", "Normal", "Normal (1).png"),
        ])
        let both = try DatasetIndex.covidQuEx(root: root, subset: .both)
        XCTAssertEqual(both.classNames, ["COVID-19", "Normal"])
        XCTAssertEqual(both.items.count, 3)
        let duplicate = try XCTUnwrap(both.items.first { $0.imageURL.lastPathComponent == "Normal (1).png" })
        XCTAssertEqual(duplicate.split, .test)
        XCTAssertTrue(duplicate.imageURL.path.contains(infection))
        XCTAssertEqual(try DatasetIndex.covidQuEx(root: root, subset: .lung).items.count, 3)
        XCTAssertEqual(try DatasetIndex.covidQuEx(root: root, subset: .infection).items.count, 1)
    }

    func testMasksAreOptionalUnlessRequired() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try DatasetTestTrees.covidQuEx(root, [
            (infection, "Train", "COVID-19", "covid_1.png"),
            (infection, "Train", "COVID-19", "covid_2.png"),
        ], withoutMasks: ["covid_2.png"])
        let index = try DatasetIndex.covidQuEx(root: root)
        let unmasked = try XCTUnwrap(index.items.first { $0.imageURL.lastPathComponent == "covid_2.png" })
        XCTAssertNil(unmasked.lungMaskURL)
        XCTAssertNil(unmasked.infectionMaskURL)
        let imagePath = root.appendingPathComponent("\(infection)/Train/COVID-19/images/covid_2.png").path
        let error = DatasetTestTrees.assertDatasetError(containing: imagePath) {
            _ = try DatasetIndex.covidQuEx(root: root, requiredMasks: [.infection])
        }
        guard case .missingMask(_, let kind, let expected)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(kind, .infection)
        XCTAssertEqual(expected.path, root.appendingPathComponent("\(infection)/Train/COVID-19/infection masks/covid_2.png").path)
    }

    func testMasksMatchByStemWhenExtensionsDiffer() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try DatasetTestTrees.writeImages(root, [
            "\(infection)/Train/Normal/images/Normal (3).jpg",
            "\(infection)/Train/Normal/lung masks/Normal (3).png",
        ])
        let item = try XCTUnwrap(try DatasetIndex.covidQuEx(root: root, requiredMasks: [.lung]).items.first)
        XCTAssertEqual(item.lungMaskURL?.lastPathComponent, "Normal (3).png")
    }

    func testEmptyClassFolderIsAnErrorNamingIt() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try DatasetTestTrees.covidQuEx(root, [(infection, "Train", "COVID-19", "covid_1.png")])
        let emptyImages = root.appendingPathComponent("\(infection)/Train/Normal/images")
        try FileManager.default.createDirectory(at: emptyImages, withIntermediateDirectories: true)
        let error = DatasetTestTrees.assertDatasetError(containing: emptyImages.path) { _ = try DatasetIndex.covidQuEx(root: root) }
        guard case .emptyClassFolder(let url)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(url.path, emptyImages.path)
        // A class folder without an `images` folder at all names the class folder.
        try FileManager.default.removeItem(at: emptyImages)
        let classFolder = root.appendingPathComponent("\(infection)/Train/Normal")
        DatasetTestTrees.assertDatasetError(containing: classFolder.path) { _ = try DatasetIndex.covidQuEx(root: root) }
    }

    func testCanonicalClassOrderIsTheDatasetsOwn() {
        let names = ChestXRayClass.allCases.map(\.folderName)
        XCTAssertEqual(names, ["COVID-19", "Non-COVID", "Normal"])
        XCTAssertEqual(DatasetIndex.canonicalOrder(Set(names)), names)
        XCTAssertEqual(ChestXRayClass.allCases.map { ChestXRayClass(folderName: $0.folderName) }, ChestXRayClass.allCases)
        XCTAssertEqual(ChestXRayClass.nonCovid.datasetFileName(number: 12), "non_COVID (12).png")
    }

    func testMissingRootIsAnErrorNamingIt() throws {
        let root = try TestPaths.temporaryDirectory(self).appendingPathComponent("no such folder")
        let error = DatasetTestTrees.assertDatasetError(containing: root.path) { _ = try DatasetIndex.open(root) }
        guard case .notFound(let url)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(url.path, root.path)
    }
}
