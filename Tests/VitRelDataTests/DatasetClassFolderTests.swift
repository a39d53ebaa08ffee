import XCTest
import VitRelTestSupport
@testable import VitRelData

/// DatasetIndex on class folders: layout variants, deterministic and stable splits,
/// class order, model class mapping and bad trees.
final class DatasetClassFolderTests: XCTestCase {
    private func names(_ prefix: String, _ count: Int, from start: Int = 1) -> [String] {
        (start..<(start + count)).map { "\(prefix)-\($0).png" }
    }

    /// Empty files at `<root>/<relative>`: the index lists files without decoding them.
    private func touch(_ root: URL, _ relativePaths: [String]) throws {
        for path in relativePaths {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data().write(to: url)
        }
    }

    func testReadsPlainAndImagesSubfolderVariantsInCanonicalOrder() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try DatasetTestTrees.writeImages(root, names("Viral Pneumonia/images/Viral Pneumonia", 2)
            + names("Normal/images/Normal", 3) + names("COVID/COVID", 2)
            + ["Lung_Opacity/Lung_Opacity-1.JPG", "Lung_Opacity/Lung_Opacity-2.jpeg", "Normal/masks/Normal-1.png"])
        try Data("not an image".utf8).write(to: root.appendingPathComponent("README.md.txt"))
        try Data().write(to: root.appendingPathComponent("Normal/.DS_Store"))
        try Data("notes".utf8).write(to: root.appendingPathComponent("Normal/notes.txt"))
        let index = try DatasetIndex.open(root)
        XCTAssertEqual(index.layout, .classFolders)
        XCTAssertEqual(index.classNames, ["COVID", "Lung_Opacity", "Normal", "Viral Pneumonia"])
        XCTAssertEqual(index.classCounts, [2, 2, 3, 2])
        let normal1 = try XCTUnwrap(index.items.first { $0.imageURL.lastPathComponent == "Normal-1.png" })
        XCTAssertEqual(normal1.lungMaskURL?.path, root.appendingPathComponent("Normal/masks/Normal-1.png").path)
        XCTAssertNil(index.items.first { $0.imageURL.lastPathComponent == "Normal-2.png" }?.lungMaskURL)
        XCTAssertTrue(index.items.allSatisfy { $0.infectionMaskURL == nil })
        XCTAssertEqual(index.classDirectories["COVID"]?.path, root.appendingPathComponent("COVID").path)
    }

    func testSplitsAreDeterministicStableWhenFilesAreAddedAndFollowTheFractions() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try touch(root, names("A/a", 150) + names("B/b", 150))
        let first = try DatasetIndex.classFolders(root: root, seed: 5)
        XCTAssertEqual(try DatasetIndex.classFolders(root: root, seed: 5).items, first.items)
        // Binomial(300, p): train 0.7 (sd 7.9), validation and test 0.15 (sd 6.2); ±4 sd.
        XCTAssertTrue((178...242).contains(first.items(in: .train).count), "\(first.items(in: .train).count) train")
        XCTAssertTrue((20...70).contains(first.items(in: .validation).count), "\(first.items(in: .validation).count) val")
        XCTAssertTrue((20...70).contains(first.items(in: .test).count), "\(first.items(in: .test).count) test")

        try touch(root, names("A/a", 40, from: 151) + names("C/c", 20))
        let grown = try DatasetIndex.classFolders(root: root, seed: 5)
        XCTAssertEqual(grown.items.count, 360)
        let splitByPath = Dictionary(uniqueKeysWithValues: grown.items.map { ($0.imageURL.path, $0.split) })
        for item in first.items { XCTAssertEqual(splitByPath[item.imageURL.path], item.split, item.imageURL.lastPathComponent) }

        let reseeded = try DatasetIndex.classFolders(root: root, seed: 6)
        XCTAssertNotEqual(reseeded.items.map(\.split), grown.items.map(\.split))
        // The split depends on the path under the root, not on where the root lives.
        XCTAssertEqual(SplitFractions.standard.split(ofRelativePath: "A/a-1.png", seed: 5),
                       first.items.first { $0.imageURL.lastPathComponent == "a-1.png" }?.split)
    }

    func testMappingToModelClassesReordersIndicesAndIgnoresCaseAndPunctuation() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try DatasetTestTrees.writeImages(root, ["COVID-19/c.png", "Non-COVID/n.png", "Normal/o.png"])
        let index = try DatasetIndex.open(root)
        XCTAssertEqual(index.classNames, ["COVID-19", "Non-COVID", "Normal"])
        let mapped = try index.mapped(toModelClasses: ["normal", "covid_19", "NON COVID"])
        XCTAssertEqual(mapped.classNames, ["normal", "covid_19", "NON COVID"])
        let byFile = Dictionary(uniqueKeysWithValues: mapped.items.map { ($0.imageURL.lastPathComponent, $0) })
        XCTAssertEqual(byFile["c.png"]?.classIndex, 1)
        XCTAssertEqual(byFile["n.png"]?.classIndex, 2)
        XCTAssertEqual(byFile["o.png"]?.classIndex, 0)
        XCTAssertEqual(byFile["o.png"]?.className, "normal")
        XCTAssertEqual(mapped.classCounts, [1, 1, 1])
        let aliased = try index.mapped(toModelClasses: ["COVID", "Normal", "Pneumonia"],
                                       aliases: ["COVID-19": "COVID", "Non-COVID": "Pneumonia"])
        XCTAssertEqual(aliased.items.map(\.classIndex), [0, 2, 1])
    }

    func testUnknownClassNamesTheClassTheFolderAndTheModelsClasses() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try DatasetTestTrees.writeImages(root, ["COVID-19/c.png", "Non-COVID/n.png", "Normal/o.png"])
        let index = try DatasetIndex.open(root)
        let error = DatasetTestTrees.assertDatasetError(containing: root.appendingPathComponent("Non-COVID").path) {
            _ = try index.mapped(toModelClasses: ["COVID", "Normal", "Viral Pneumonia"], aliases: ["COVID-19": "COVID"])
        }
        XCTAssertEqual(error?.description,
                       "unknown class \"Non-COVID\" in \(root.appendingPathComponent("Non-COVID").path); the model knows: COVID, Normal, Viral Pneumonia")
    }

    func testEmptyClassFolderIsAnErrorNamingIt() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try DatasetTestTrees.writeImages(root, ["A/a.png"])
        let empty = root.appendingPathComponent("B (empty)")
        try FileManager.default.createDirectory(at: empty.appendingPathComponent("images"), withIntermediateDirectories: true)
        let error = DatasetTestTrees.assertDatasetError(containing: empty.path) { _ = try DatasetIndex.open(root) }
        guard case .emptyClassFolder(let url)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(url.path, empty.path)
    }

    func testRootMatchingNeitherLayoutIsAnErrorNamingIt() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try Data("x".utf8).write(to: root.appendingPathComponent("loose.png"))
        try FileManager.default.createDirectory(at: root.appendingPathComponent("docs"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: root.appendingPathComponent("docs/readme.txt"))
        let error = DatasetTestTrees.assertDatasetError(containing: root.path) { _ = try DatasetIndex.open(root) }
        guard case .unrecognizedLayout(let url)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(url.path, root.path)
    }
}
