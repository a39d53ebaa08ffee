import Foundation
import VitRel

/// One comparison into one folder, as `vitrel compare` runs it: the output folder claimed (or
/// its earlier run checked for resumption), the images drawn, every missing row measured and
/// appended to results.csv as soon as it exists, the figure grids drawn, and the summaries,
/// figures, HTML page and notebook written from the rows.
///
/// ```swift
/// let request = ComparisonRequest(model: model, data: "phantoms", split: "Test", methods: [.cheferLRP],
///                                 metrics: [.pixelFlipping], metricSettings: ComparisonMetricSettings(perturbation: .black),
///                                 output: URL(fileURLWithPath: "out"), command: "vitrel compare …")
/// let outcome = try ComparisonRun(request).run(observer: QuietRunObserver())
/// ```
public struct ComparisonRun {
    public var request: ComparisonRequest

    public init(_ request: ComparisonRequest) {
        self.request = request
    }

    /// Runs the comparison; problems with single images are reported through `observer` and
    /// listed in the outcome, anything else stops the run with a one-line error.
    public func run(observer: RunObserver) throws -> ComparisonOutcome {
        let model = request.model
        let suite = request.metricSettings.suite(patchSize: model.config.patchSize)
        let index = try DatasetIndex.open(URL(fileURLWithPath: request.data), subset: request.subset)
            .mapped(toModelClasses: model.classNames, aliases: request.classAliases)
        let split = request.split
        guard let chosenSplit = DatasetSplit(folderName: split) else {
            throw ComparisonError.notApplicable("split must be train, val (validation) or test, got \(split)")
        }
        let candidates = index.items(in: chosenSplit)
        guard !candidates.isEmpty else {
            throw ComparisonInputError.emptySplit(data: request.data, split: split, summary: index.splitSummary)
        }

        let runner = try ComparisonRunner(
            model: model, index: index, imageOptions: request.imageOptions, methods: request.methods, metrics: request.metrics, suite: suite,
            explainers: request.explainers, explainTrueClass: request.explainTrueClass, mask: request.mask,
            metricBatch: request.metricSettings.batchSize, randomisationSeed: request.metricSettings.seed)
        let settings = try request.settings(suite: suite)

        // Claimed before anything in the folder is read or removed (fresh), and held until the
        // run ends: a second run into this folder stops here with one line. Shards share the
        // folder, and each claims its own shard.
        let folder = ComparisonOutputFolder(url: request.output)
        let shards = ShardFolder(output: folder.url)
        try createFolder(folder.url, isOutputFolder: true)
        var locks = [OutputFolderLock]()
        defer { withExtendedLifetime(locks) {} }
        if let shard = request.shard {
            guard !request.fresh else { throw ComparisonFolderError.freshShard(folder: folder.url.path, shard: shard.description) }
            locks.append(try OutputFolderLock(folder: folder.url, mode: .shared))
            try shards.create()
            locks.append(try OutputFolderLock(folder: shards.url, fileName: shards.lockFileName(shard)))
        } else {
            locks.append(try OutputFolderLock(folder: folder.url))
        }
        var settingsToKeep = try folder.prepare(settings: settings, fresh: request.fresh)

        // The images: drawn, and (with onlyCorrect) kept only when predicted correctly.
        let selected = try request.selection.select(candidates, classCount: model.classNames.count) { batch in
            batch.map { item in
                guard request.onlyCorrect else { return true }
                do { return try runner.prediction(for: item).predicted == item.classIndex } catch {
                    observer.inputProblem(path: item.imageURL.path, message: "\(error)")
                    return false
                }
            }
        }
        guard !selected.isEmpty else {
            throw ComparisonError.noImages(
                request.onlyCorrect ? "the model classifies none of the \(candidates.count) \(split) images correctly" : "the split is empty")
        }
        if let shortfall = request.selection.quota.shortfall(
            selected: selected, candidates: candidates, classNames: model.classNames, split: split, onlyCorrect: request.onlyCorrect) {
            observer.warning(shortfall)
        }
        let methodNames = request.methods.map(\.rawValue), metricNames = request.metrics.map(\.rawValue)
        func runRecord() -> ComparisonRunRecord {
            ComparisonRunRecord(
                settings: settingsToKeep, command: request.command, version: VitRel.version,
                blas: VitRel.blasConfiguration, kernels: VitRel.kernelInstructionSet, threads: Parallel.threadCount,
                methods: methodNames, metrics: metricNames, images: selected.count)
        }
        let resultsURL = folder.url.appendingPathComponent("results.csv")
        if let shard = request.shard {
            // run.json is shared: checked again and written under a lock, so that of two shards
            // started together with other settings, the second is refused.
            do {
                let settingsLock = try OutputFolderLock(folder: shards.url, fileName: "run-json.lock", patience: 60)
                settingsToKeep = try folder.prepare(settings: settings, fresh: false)
                try writeJSON(runRecord(), to: folder.url.appendingPathComponent("run.json"))
                withExtendedLifetime(settingsLock) {}
            }
            return try measureShard(
                shard, of: selected, runner: runner, shards: shards, done: ResultsFile.finishedRecords(at: resultsURL), observer: observer)
        }
        let record = runRecord()
        try writeJSON(record, to: folder.url.appendingPathComponent("run.json"))

        let results = try ResultsFile(url: resultsURL)
        let resumed = results.records.count
        runner.gridCandidates = Set(
            Self.gridImages(selected, perClass: request.gridsPerClass, classCount: model.classNames.count).map { runner.key(for: $0) })
        let failures = try runner.measure(selected, into: results, adopting: shards.finishedRecords(), observer: observer)
        try results.synchronize()
        // Grids of images that could be compared only: a failed image would fail again, and be reported twice.
        let failed = Set(failures.map(\.image))
        let gridImages = Self.gridImages(
            selected.filter { !failed.contains(runner.key(for: $0)) }, perClass: request.gridsPerClass, classCount: model.classNames.count)
        let gridFiles = try runner.drawGrids(
            gridImages, alpha: request.alpha, folder: folder.url.appendingPathComponent("figures"), observer: observer)

        let selectedKeys = Set(selected.map { runner.key(for: $0) })
        let report = ComparisonReport(
            records: results.records.filter { record in
                methodNames.contains(record.method) && metricNames.contains(record.metric) && selectedKeys.contains(record.image)
            },
            methods: methodNames, metrics: metricNames, classes: model.classNames,
            run: record, metricSettings: settingsToKeep.metricSettings, gridFiles: gridFiles, failures: failures,
            bootstrapSeed: request.metricSettings.seed)
        let written = try report.write(to: folder.url)
        return ComparisonOutcome(
            selected: selected.count, failures: failures, resumedRows: resumed, adoptedRows: runner.adoptedRows,
            headline: report.headline(), writtenFiles: written)
    }

    /// A shard's part: its members of the selection measured into `shards/K-of-N.csv` (rows a
    /// whole run already left in results.csv are copied, not measured), its record written when
    /// it starts and when it ends. Grids and reports are the assembly's.
    private func measureShard(
        _ shard: Shard, of selected: [LabelledImage], runner: ComparisonRunner, shards: ShardFolder, done: [ComparisonRecord],
        observer: RunObserver
    ) throws -> ComparisonOutcome {
        let members = shard.members(of: selected)
        let expectedRows = members.count * request.methods.count * request.metrics.count
        try shards.write(ShardRecord(shard: shard, images: members.count, expectedRows: expectedRows, complete: false, failures: []))
        let rows = try ResultsFile(url: shards.rowsURL(shard))
        let resumed = rows.records.count
        let failures = try runner.measure(members, into: rows, adopting: Dictionary(grouping: done, by: \.key), observer: observer)
        try rows.synchronize()
        try shards.write(ShardRecord(shard: shard, images: members.count, expectedRows: expectedRows, complete: true, failures: failures))
        return ComparisonOutcome(
            selected: members.count, failures: failures, resumedRows: resumed, adoptedRows: runner.adoptedRows, headline: "",
            writtenFiles: [shards.rowsURL(shard).path, shards.recordURL(shard).path], shard: shard)
    }

    /// The first `perClass` selected images of each class, for the figure grids.
    static func gridImages(_ selected: [LabelledImage], perClass: Int, classCount: Int) -> [LabelledImage] {
        (0..<classCount).flatMap { c in selected.filter { $0.classIndex == c }.prefix(perClass) }
    }
}

/// What a comparison run did, for the caller to print.
public struct ComparisonOutcome {
    /// Images drawn.
    public var selected: Int
    /// Images that could not be compared, and why (also in summary.md).
    public var failures: [ComparisonFailure]
    /// Rows found in results.csv (a shard's: its rows file) from an earlier run and kept.
    public var resumedRows: Int
    /// Rows copied from elsewhere instead of measured: shards' rows a whole run assembles, or
    /// a whole run's rows a shard finds done.
    public var adoptedRows: Int
    /// The overall table (a row per metric, a column per method) as text for a terminal.
    public var headline: String
    /// The documents written (summary.json, summary.md, index.html, report.ipynb; a shard's
    /// rows file and record).
    public var writtenFiles: [String]
    /// The shard this run was (nil for a whole run); `selected` then counts its members.
    public var shard: Shard? = nil

    /// Images measured.
    public var compared: Int { selected - failures.count }
}
