import XCTest
import VitRelTestSupport
@testable import VitRelData

/// SyntheticDataset: COVID-QU-Ex layout and names, byte-identical output, the manifest.
final class SynthDatasetTests: XCTestCase {
    private let subset = "Infection Segmentation Data"

    /// Every regular file under `root`, by relative path, with its bytes.
    private func files(under root: URL) throws -> [String: Data] {
        var result: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root.path)!
        while let relative = enumerator.nextObject() as? String {
            let url = root.appendingPathComponent(relative)
            if !DatasetFiles.isDirectory(url) { result[relative] = try Data(contentsOf: url) }
        }
        return result
    }

    func testWritesTheCovidQuExLayoutWithTheDatasetsOwnFileNames() throws {
        let root = try TestPaths.temporaryDirectory(self)
        var reported: [(Int, Int)] = []
        let manifest = try SyntheticDataset.write(to: root, perClass: 20, seed: 1, size: 64, shortcutProbability: 0,
                                                  progress: { reported.append(($0, $1)) })
        // 20 per class, cut 70/15/15 by number: 1–14 Train, 15–17 Val, 18–20 Test.
        let expected: [(String, ClosedRange<Int>)] = [("Train", 1...14), ("Val", 15...17), ("Test", 18...20)]
        for (split, numbers) in expected {
            for label in ChestXRayClass.allCases {
                let classDirectory = root.appendingPathComponent(subset).appendingPathComponent(split)
                    .appendingPathComponent(label.folderName)
                for folder in ["images", "lung masks", "infection masks"] {
                    let names = DatasetFiles.names(in: classDirectory.appendingPathComponent(folder))
                    XCTAssertEqual(Set(names), Set(numbers.map { label.datasetFileName(number: $0) }), "\(split)/\(label.folderName)/\(folder)")
                }
                XCTAssertEqual(manifest.counts[split]?[label.folderName], numbers.count)
            }
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent(
            "\(subset)/Train/Non-COVID/images/non_COVID (12).png").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent(
            "\(subset)/Val/Normal/lung masks/Normal (15).png").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent(
            "\(subset)/Test/COVID-19/infection masks/covid_20.png").path))
        XCTAssertEqual(reported.last?.0, 60)
        XCTAssertEqual(reported.last?.1, 60)
        XCTAssertEqual(reported.map(\.0), reported.map(\.0).sorted())
    }

    func testSameSeedWritesByteIdenticalFilesWhateverTheThreadCount() throws {
        let saved = Parallel.threadCount
        defer { Parallel.setThreadCount(saved) }
        let a = try TestPaths.temporaryDirectory(self), b = try TestPaths.temporaryDirectory(self)
        let c = try TestPaths.temporaryDirectory(self)
        Parallel.setThreadCount(1)
        try SyntheticDataset.write(to: a, perClass: 5, seed: 9, size: 64, shortcutProbability: 0.5, progress: nil)
        Parallel.setThreadCount(2)
        try SyntheticDataset.write(to: b, perClass: 5, seed: 9, size: 64, shortcutProbability: 0.5, progress: nil)
        try SyntheticDataset.write(to: c, perClass: 5, seed: 10, size: 64, shortcutProbability: 0.5, progress: nil)
        let filesA = try files(under: a), filesB = try files(under: b), filesC = try files(under: c)
        XCTAssertEqual(filesA.count, 3 * 5 * 4 + 1, "image, lung, infection and shortcut mask per phantom, and synth.json")
        XCTAssertEqual(filesA, filesB)
        XCTAssertEqual(Set(filesA.keys), Set(filesC.keys))
        let differing = filesA.keys.filter { $0.contains("/images/") && filesA[$0] != filesC[$0] }
        XCTAssertEqual(differing.count, 15, "seeds 9 and 10 should give different images")
    }

    func testImagesMatchTheGeneratorAndMasksAreZeroOr255() throws {
        let root = try TestPaths.temporaryDirectory(self)
        let manifest = try SyntheticDataset.write(to: root, perClass: 2, seed: 4, size: 64, shortcutProbability: 0, progress: nil)
        let generator = ChestPhantomGenerator(parameters: manifest.parameters)
        for entry in manifest.images {
            let label = ChestXRayClass(folderName: entry.className)!
            let sample = generator.generate(seed: 4, index: entry.generatorIndex, label: label)
            let directory = root.appendingPathComponent(subset).appendingPathComponent(entry.split)
                .appendingPathComponent(entry.className)
            let image = try ImageIO.read(directory.appendingPathComponent("images").appendingPathComponent(entry.fileName))
            XCTAssertEqual(image.pixels, sample.image.pixels, entry.fileName)
            for (folder, expected) in [("lung masks", sample.lungMask), ("infection masks", sample.infectionMask)] {
                let url = directory.appendingPathComponent(folder).appendingPathComponent(entry.fileName)
                let mask = try ImageIO.read(url)
                XCTAssertEqual(mask.sourceBitDepth, 8)
                XCTAssertEqual(mask.pixels, expected.pixels, "\(folder)/\(entry.fileName)")
                XCTAssertTrue(mask.pixels.allSatisfy { $0 == 0 || $0 == 1 }, "\(folder)/\(entry.fileName) is not 0/255")
            }
            XCTAssertEqual(entry.infectionAreaFraction, sample.infectionAreaFraction)
            XCTAssertEqual(entry.hasShortcut, sample.hasShortcut)
            XCTAssertEqual(entry.markers, sample.markerText)
        }
    }

    func testManifestRecordsSeedParametersCountsAndShortcuts() throws {
        let root = try TestPaths.temporaryDirectory(self)
        let written = try SyntheticDataset.write(to: root, perClass: 10, seed: 123, size: 64, shortcutProbability: 0.4,
                                                 splits: [("Train", 0.8), ("Test", 0.2)], progress: nil)
        let data = try Data(contentsOf: root.appendingPathComponent(SyntheticDataset.manifestFileName))
        let manifest = try JSONDecoder().decode(SyntheticDatasetManifest.self, from: data)
        XCTAssertEqual(manifest, written)
        XCTAssertEqual(manifest.seed, 123)
        XCTAssertEqual(manifest.perClass, 10)
        XCTAssertEqual(manifest.vitrelVersion, VitRel.version)
        XCTAssertEqual(manifest.parameters.size, 64)
        XCTAssertEqual(manifest.parameters.shortcutProbability, 0.4)
        XCTAssertEqual(manifest.splits.map(\.name), ["Train", "Test"])
        XCTAssertEqual(manifest.images.count, 30)
        XCTAssertEqual(manifest.counts["Train"], ["COVID-19": 8, "Non-COVID": 8, "Normal": 8])
        XCTAssertEqual(manifest.counts["Test"], ["COVID-19": 2, "Non-COVID": 2, "Normal": 2])
        XCTAssertTrue(manifest.images.contains { $0.hasShortcut })
        XCTAssertTrue(manifest.images.contains { !$0.hasShortcut })
        for entry in manifest.images {
            XCTAssertEqual(entry.infectionAreaFraction == 0, entry.className == "Normal", entry.fileName)
        }
    }

    func testShortcutMasksAndManifestNameTheTaggedClassAndTheOptionsGiveTheSameBytes() throws {
        var parameters = PhantomParameters(size: 64, shortcutProbability: 0.5)
        parameters.shortcutPlacement = .swapped
        parameters.evidenceStrength = 0.5
        let a = try TestPaths.temporaryDirectory(self), b = try TestPaths.temporaryDirectory(self)
        let manifest = try SyntheticDataset.write(to: a, perClass: 3, seed: 6, parameters: parameters)
        try SyntheticDataset.write(to: b, perClass: 3, seed: 6, parameters: parameters)
        XCTAssertEqual(try files(under: a), try files(under: b))
        XCTAssertEqual(manifest.parameters.shortcutPlacement, .swapped)
        XCTAssertEqual(manifest.parameters.evidenceStrength, 0.5)
        let generator = ChestPhantomGenerator(parameters: parameters)
        for entry in manifest.images {
            let label = ChestXRayClass(folderName: entry.className)!
            let sample = generator.generate(seed: 6, index: entry.generatorIndex, label: label)
            XCTAssertEqual(entry.shortcutClass, sample.shortcutClass?.folderName)
            XCTAssertEqual(entry.hasShortcut, entry.shortcutClass != nil)
            if let tagged = entry.shortcutClass { XCTAssertNotEqual(tagged, entry.className, "swapped placement") }
            let url = a.appendingPathComponent(subset).appendingPathComponent(entry.split).appendingPathComponent(entry.className)
                .appendingPathComponent(SyntheticDataset.shortcutMaskFolderName).appendingPathComponent(entry.fileName)
            XCTAssertEqual(try ImageIO.read(url).pixels, sample.shortcutMask.pixels, entry.fileName)
        }
        XCTAssertTrue(manifest.images.contains { $0.hasShortcut } && manifest.images.contains { !$0.hasShortcut })
        // The extra folder is invisible to the dataset reader.
        let index = try DatasetIndex.open(a, requiredMasks: [.lung, .infection])
        XCTAssertEqual(index.items.count, 9)
        // Without a shortcut there is no shortcut-mask folder.
        let c = try TestPaths.temporaryDirectory(self)
        try SyntheticDataset.write(to: c, perClass: 1, seed: 6, size: 64, shortcutProbability: 0)
        XCTAssertFalse(try files(under: c).keys.contains { $0.contains(SyntheticDataset.shortcutMaskFolderName) })
    }

    func testWrittenDatasetReadsBackWithAllMasks() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try SyntheticDataset.write(to: root, perClass: 4, seed: 2, size: 64, shortcutProbability: 0, progress: nil)
        let index = try DatasetIndex.open(root, requiredMasks: [.lung, .infection])
        XCTAssertEqual(index.layout, .covidQuEx)
        XCTAssertEqual(index.classNames, ["COVID-19", "Non-COVID", "Normal"])
        XCTAssertEqual(index.classCounts, [4, 4, 4])
        // 4 per class at 70/15/15: numbers 1–3 Train, none Val (no empty folders), 4 Test.
        XCTAssertEqual(index.items(in: .train).count, 9)
        XCTAssertEqual(index.items(in: .validation).count, 0)
        XCTAssertEqual(index.items(in: .test).count, 3)
        for item in index.items {
            XCTAssertEqual(item.lungMaskURL?.lastPathComponent, item.imageURL.lastPathComponent)
            XCTAssertEqual(item.infectionMaskURL?.lastPathComponent, item.imageURL.lastPathComponent)
        }
    }

    func testRefusesToWriteOverAnExistingDataset() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try SyntheticDataset.write(to: root, perClass: 1, seed: 2, size: 64, shortcutProbability: 0, progress: nil)
        XCTAssertThrowsError(try SyntheticDataset.write(to: root, perClass: 1, seed: 3, size: 64, shortcutProbability: 0, progress: nil)) {
            guard case DatasetError.outputNotEmpty(let url) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(url.lastPathComponent, "Infection Segmentation Data")
            XCTAssertTrue("\($0)".contains(root.path))
        }
    }
}
