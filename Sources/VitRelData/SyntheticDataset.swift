import Foundation

/// Writes a synthetic chest-X-ray dataset in the COVID-QU-Ex layout, so every reader and
/// command that takes the real dataset takes it too:
///
///     <root>/Infection Segmentation Data/{Train,Val,Test}/{COVID-19,Non-COVID,Normal}/
///         {images,lung masks,infection masks[,shortcut masks]}/<name>.png
///     <root>/synth.json
///
/// `shortcut masks` (only when the shortcut probability is above 0) marks each image's
/// `PhantomShortcut` square (all zero when the image has none), so localisation metrics can
/// measure how much relevance lands on the shortcut (`MaskKind.shortcut`; `vitrel compare --mask shortcut`).
///
/// Names follow the dataset's own style (`covid_12.png`, `non_COVID (12).png`,
/// `Normal (12).png`); images are 8-bit gray, masks 0/255. Image k of a class is phantom
/// number 3·(k − 1) + classIndex, so a phantom does not depend on `perClass`, and the same
/// seed gives byte-identical files whatever the thread count.
public enum SyntheticDataset {
    public static let manifestFileName = "synth.json"
    /// The folder beside `images` that holds the shortcut masks.
    public static let shortcutMaskFolderName = MaskKind.shortcut.folderName
    static let subsetFolderName = "Infection Segmentation Data"

    /// Writes `perClass` phantoms of each class, split in order by `splits` (name, fraction):
    /// the first ⌊cumulative fraction × perClass⌉ numbers go to the first split, and so on.
    /// `progress(done, total)` is called on the calling thread after each batch.
    ///
    /// - Throws: `DatasetError.outputNotEmpty` when the subset folder already has files (old
    ///   and new images must never mix); file-system errors as thrown by the writer.
    @discardableResult
    public static func write(
        to root: URL, perClass: Int, seed: UInt64, size: Int = 256, shortcutProbability: Double = 0,
        splits: [(String, Double)] = [("Train", 0.7), ("Val", 0.15), ("Test", 0.15)],
        progress: ((Int, Int) -> Void)? = nil
    ) throws -> SyntheticDatasetManifest {
        try write(to: root, perClass: perClass, seed: seed,
                  parameters: PhantomParameters(size: size, shortcutProbability: shortcutProbability),
                  splits: splits, progress: progress)
    }

    /// As above, with every phantom parameter given.
    @discardableResult
    public static func write(
        to root: URL, perClass: Int, seed: UInt64, parameters: PhantomParameters,
        splits: [(String, Double)] = [("Train", 0.7), ("Val", 0.15), ("Test", 0.15)],
        progress: ((Int, Int) -> Void)? = nil
    ) throws -> SyntheticDatasetManifest {
        precondition(perClass > 0, "perClass \(perClass) is not positive")
        precondition(!splits.isEmpty && splits.allSatisfy { $0.1 >= 0 }, "split fractions must be non-negative")
        precondition(abs(splits.map(\.1).reduce(0, +) - 1) < 1e-9, "split fractions \(splits.map(\.1)) do not sum to 1")
        let subset = root.appendingPathComponent(subsetFolderName)
        if !DatasetFiles.names(in: subset).isEmpty { throw DatasetError.outputNotEmpty(subset) }

        // Number k (1-based) of each class goes to the split whose cumulative range holds it.
        var boundaries: [Int] = []
        var cumulative = 0.0
        for (_, fraction) in splits {
            cumulative += fraction
            boundaries.append(Int((cumulative * Double(perClass)).rounded()))
        }
        boundaries[boundaries.count - 1] = perClass
        func splitName(number: Int) -> String {
            splits[boundaries.firstIndex(where: { number <= $0 })!].0
        }

        struct Job { var label: ChestXRayClass; var number: Int; var split: String; var directory: URL }
        var jobs: [Job] = []
        for number in 1...perClass {
            for label in ChestXRayClass.allCases {
                let split = splitName(number: number)
                let directory = subset.appendingPathComponent(split).appendingPathComponent(label.folderName)
                jobs.append(Job(label: label, number: number, split: split, directory: directory))
            }
        }
        // Only splits that receive images get folders: an empty class folder is a reader error.
        let writesShortcutMasks = parameters.shortcutProbability > 0
        let folders = ["images", MaskKind.lung.folderName, MaskKind.infection.folderName]
            + (writesShortcutMasks ? [shortcutMaskFolderName] : [])
        var created: Set<URL> = []
        for job in jobs where created.insert(job.directory).inserted {
            for folder in folders {
                try FileManager.default.createDirectory(
                    at: job.directory.appendingPathComponent(folder), withIntermediateDirectories: true)
            }
        }

        let generator = ChestPhantomGenerator(parameters: parameters)
        var entries = [SyntheticDatasetManifest.Entry?](repeating: nil, count: jobs.count)
        var firstError: Error?
        let lock = NSLock()
        let batch = 64
        for start in stride(from: 0, to: jobs.count, by: batch) {
            let end = min(jobs.count, start + batch)
            entries.withUnsafeMutableBufferPointer { buffer in
                let slots = buffer.baseAddress!
                Parallel.forEachChunk(end - start) { range in
                    for offset in range {
                        let i = start + offset
                        let job = jobs[i]
                        let index = 3 * (job.number - 1) + job.label.rawValue
                        let sample = generator.generate(seed: seed, index: index, label: job.label)
                        let fileName = job.label.datasetFileName(number: job.number)
                        do {
                            try ImageIO.writePNG(sample.image, to: job.directory.appendingPathComponent("images")
                                .appendingPathComponent(fileName))
                            try ImageIO.writePNG(sample.lungMask, to: job.directory.appendingPathComponent(MaskKind.lung.folderName)
                                .appendingPathComponent(fileName))
                            try ImageIO.writePNG(sample.infectionMask, to: job.directory.appendingPathComponent(MaskKind.infection.folderName)
                                .appendingPathComponent(fileName))
                            if writesShortcutMasks {
                                try ImageIO.writePNG(sample.shortcutMask, to: job.directory.appendingPathComponent(shortcutMaskFolderName)
                                    .appendingPathComponent(fileName))
                            }
                        } catch {
                            lock.lock()
                            if firstError == nil { firstError = error }
                            lock.unlock()
                        }
                        slots[i] = SyntheticDatasetManifest.Entry(
                            split: job.split, className: job.label.folderName, fileName: fileName, generatorIndex: index,
                            hasShortcut: sample.hasShortcut, shortcutClass: sample.shortcutClass?.folderName,
                            markers: sample.markerText,
                            infectionAreaFraction: sample.infectionAreaFraction)
                    }
                }
            }
            if let error = firstError { throw error }
            progress?(end, jobs.count)
        }

        let images = entries.map { $0! }
        var counts: [String: [String: Int]] = [:]
        for entry in images { counts[entry.split, default: [:]][entry.className, default: 0] += 1 }
        let manifest = SyntheticDatasetManifest(
            generator: "vitrel ChestPhantomGenerator", vitrelVersion: VitRel.version, seed: seed, perClass: perClass,
            parameters: parameters, splits: splits.map { .init(name: $0.0, fraction: $0.1) },
            counts: counts, images: images)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(manifest).write(to: root.appendingPathComponent(manifestFileName))
        return manifest
    }
}
