import XCTest
@testable import VitRelData
import VitRelTestSupport

/// The dataset readers take `.dcm` files as they take PNG and JPEG: listed, decoded (as
/// displayed), matched with PNG masks by stem, and refused per file when unusable.
final class DatasetDICOMTests: XCTestCase {
    private func copyFixture(_ name: String, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: DICOMManifest.fixture(name), to: url)
    }

    func testClassFoldersListAndDecodeDcmAndSkipARefusedOne() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try DatasetTestTrees.writeImages(root, ["Normal/a.png"])
        try copyFixture("mono1_12bit_window.dcm", to: root.appendingPathComponent("Normal/b.DCM"))
        try copyFixture("mono2_16bit_signed_rle.dcm", to: root.appendingPathComponent("COVID/c.dcm"))
        try copyFixture("multiframe.dcm", to: root.appendingPathComponent("COVID/d.dcm"))
        let index = try DatasetIndex.open(root)
        XCTAssertEqual(index.layout, .classFolders)
        XCTAssertEqual(index.items.map(\.imageURL.lastPathComponent).sorted(), ["a.png", "b.DCM", "c.dcm", "d.dcm"])

        let report = index.loadImages()
        XCTAssertEqual(report.loaded.map(\.item.imageURL.lastPathComponent).sorted(), ["a.png", "b.DCM", "c.dcm"])
        XCTAssertEqual(report.skipped.map(\.url.lastPathComponent), ["d.dcm"])
        XCTAssertTrue(report.skipped[0].reason.contains("2 frames"), report.skipped[0].reason)
        let rle = try XCTUnwrap(report.loaded.first { $0.item.imageURL.lastPathComponent == "c.dcm" })
        XCTAssertEqual(rle.image, try ImageIO.read(DICOMManifest.fixture("mono2_16bit_signed_rle.dcm")))
    }

    func testCovidQuExAndSplitFoldersTakeDcmWithPNGMasksByStem() throws {
        let root = try TestPaths.temporaryDirectory(self)
        let classDirectory = root.appendingPathComponent("Infection Segmentation Data/Test/COVID-19")
        try copyFixture("mono2_12bit_window.dcm", to: classDirectory.appendingPathComponent("images/covid_1.dcm"))
        let mask = Image(width: 24, height: 20, channels: 1, pixels: (0..<480).map { $0 % 24 < 12 ? 1 : 0 })
        for folder in ["lung masks", "infection masks"] {
            try FileManager.default.createDirectory(at: classDirectory.appendingPathComponent(folder), withIntermediateDirectories: true)
            try ImageIO.writePNG(mask, to: classDirectory.appendingPathComponent("\(folder)/covid_1.png"))
        }
        let index = try DatasetIndex.open(root, requiredMasks: [.lung, .infection])
        XCTAssertEqual(index.layout, .covidQuEx)
        let item = try XCTUnwrap(index.items.first)
        XCTAssertEqual(item.maskURL(.lung)?.lastPathComponent, "covid_1.png")
        let loaded = try XCTUnwrap(index.loadImages(includeMasks: true).loaded.first)
        XCTAssertEqual(loaded.lungMask?.pixels, mask.pixels)

        let splits = try TestPaths.temporaryDirectory(self)
        try copyFixture("mono2_8bit_minmax.dcm", to: splits.appendingPathComponent("val/Normal/n.dcm"))
        try copyFixture("mono2_12bit_voilut.dcm", to: splits.appendingPathComponent("train/Normal/m.dcm"))
        let splitIndex = try DatasetIndex.open(splits)
        XCTAssertEqual(splitIndex.layout, .splitFolders)
        XCTAssertEqual(splitIndex.items(in: .validation).map(\.imageURL.lastPathComponent), ["n.dcm"])
        XCTAssertEqual(splitIndex.loadImages().loadedCount, 2)
    }

    /// `--window` reaches the dataset readers: a prepared split (what train and audit read) is
    /// the window's displayed image, preprocessed, and differs from the file's own window.
    func testPreparedSplitsApplyTheRequestedWindow() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try copyFixture("mono1_12bit_window.dcm", to: root.appendingPathComponent("val/Normal/a.dcm"))
        try DatasetTestTrees.writeImages(root, ["train/Normal/b.png"])
        let index = try DatasetIndex.open(root)
        let preprocessing = Preprocessing(
            inputHeight: 16, inputWidth: 16, interpolation: .bilinear, resizeMode: .exact, cropPercent: 1,
            mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])
        let window = ImageReadOptions(dicomWindow: try DICOMWindow(center: 3000, width: 1200))
        let windowed = PreparedSplit.prepare(index, split: .validation, preprocessing: preprocessing, options: window)
        let own = PreparedSplit.prepare(index, split: .validation, preprocessing: preprocessing)
        XCTAssertEqual(windowed.count, 1)
        let file = root.appendingPathComponent("val/Normal/a.dcm")
        XCTAssertEqual(windowed.inputs.scalars, try preprocessing.input(reading: file, options: window).scalars)
        XCTAssertEqual(own.inputs.scalars, try preprocessing.input(reading: file, options: .fileDefaults).scalars)
        XCTAssertNotEqual(windowed.inputs.scalars, own.inputs.scalars)
    }
}
