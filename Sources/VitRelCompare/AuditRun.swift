import Foundation
import VitRel

/// What `vitrel audit` asks for: the model, the split, the explanation methods and the audit's
/// settings (`ShortcutAudit`), and where its files go.
package struct AuditRequest {
    package var model: ClassifierModel
    /// The dataset root, and how the report names it (as typed).
    package var data: URL
    package var dataName: String
    package var subset: CovidQuExSubset = .infection
    /// Data class names mapped onto the model's (`--class-map`).
    package var classAliases: [String: String] = [:]
    package var split: DatasetSplit
    /// The split's name as the report prints it (as typed: "val", "Test").
    package var splitName: String
    package var imageOptions: ImageReadOptions = .fileDefaults
    /// One per method, in report order.
    package var explainers: [PixelExplainer]
    /// Films explained per class, drawn with `selectionSeed`.
    package var perClass: Int
    package var selectionSeed: UInt64 = 0
    package var borderFraction: Double = GroundTruthMask.defaultBorderFraction
    package var cornerFraction: Double = GroundTruthMask.defaultCornerFraction
    package var batchSize: Int = 32
    package var output: URL
    /// The command line the report records.
    package var command: String

    package init(
        model: ClassifierModel, data: URL, dataName: String? = nil, split: DatasetSplit, splitName: String? = nil,
        explainers: [PixelExplainer], perClass: Int, output: URL, command: String
    ) {
        self.model = model
        self.data = data
        self.dataName = dataName ?? data.path
        self.split = split
        self.splitName = splitName ?? split.rawValue
        self.explainers = explainers
        self.perClass = perClass
        self.output = output
        self.command = command
    }
}

/// The engine of `vitrel audit`: the split read with its pictures (the interventions edit them,
/// LIME perturbs them), every intervention on every image, the films drawn and explained, and
/// the report written (audit.md, audit.json, interventions.csv, films.csv, figures/ as PNG and
/// SVG). Made in two steps so the caller can say what will run before the long part:
/// `init` reads the split and claims the output folder (its lock is held while this value
/// lives), `run` does the work. Unreadable files are reported through the observer once each
/// and left out.
package struct AuditRun {
    package let request: AuditRequest
    package let audit: ShortcutAudit
    /// The split as read, pictures kept.
    package let prepared: PreparedSplit
    private let index: DatasetIndex
    private let lock: OutputFolderLock

    package init(_ request: AuditRequest, observer: RunObserver) throws {
        let model = request.model
        let (height, width) = (model.config.imageHeight, model.config.imageWidth)
        // A band of round(border · side) pixels on both sides can cover a small input whole:
        // nothing would be left to crop to.
        guard GroundTruthMask.centre(fraction: request.borderFraction).region(height: height, width: width)!.contains(true) else {
            throw AuditError.noCentre(borderFraction: request.borderFraction, height: height, width: width)
        }
        index = try DatasetIndex.open(request.data, subset: request.subset)
            .mapped(toModelClasses: model.classNames, aliases: request.classAliases)
        prepared = PreparedSplit.prepare(
            index, split: request.split, preprocessing: model.preprocessing, options: request.imageOptions, keepingPictures: true)
        for skipped in prepared.skipped { observer.inputProblem(path: skipped.url.path, message: skipped.description) }
        guard prepared.count > 0 else {
            throw AuditError.noReadableImages(data: request.dataName, split: request.splitName, summary: index.splitSummary)
        }
        try createFolder(request.output.appendingPathComponent("figures"))
        lock = try OutputFolderLock(folder: request.output)
        audit = ShortcutAudit(
            model: model, borderFraction: request.borderFraction, cornerFraction: request.cornerFraction, batchSize: request.batchSize)
        self.request = request
    }

    /// Runs the interventions and the explanations and writes the report's files.
    package func run(observer: RunObserver) throws -> ShortcutAuditReport {
        let model = request.model, pictures = prepared.pictures!
        let outcomes = try InterventionRun.outcomes(
            model: model, pictures: pictures, labels: prepared.labels, interventions: audit.interventions,
            batchSize: request.batchSize)

        let selection = ImageSelection(quota: .perClass(request.perClass), seed: request.selectionSeed)
        let chosen = request.perClass == 0
            ? [] : try selection.select(prepared.items, classCount: model.classNames.count) { $0.map { _ in true } }
        let position = Dictionary(uniqueKeysWithValues: prepared.items.enumerated().map { ($1.imageURL, $0) })
        let bar = observer.progress(label: "explain", total: chosen.count, shown: true)
        var films = [ShortcutAudit.ExplainedFilm]()
        for (n, item) in chosen.enumerated() {
            bar.update(n, extra: item.imageURL.lastPathComponent)
            let row = position[item.imageURL]!
            films.append(try audit.explain(
                image: index.relativePath(of: item.imageURL),
                film: PreparedImage(pixels: pictures[row].rgb(), input: prepared.inputs.slice(row)),
                label: item.classIndex, explainers: request.explainers))
        }
        bar.finish(chosen.count, extra: "explained")

        let report = ShortcutAuditReport(
            audit: audit, classNames: model.classNames, methods: request.explainers.map(\.method.rawValue), outcomes: outcomes,
            films: films, command: request.command, model: model.directory.path, data: request.dataName, split: request.splitName)
        let out = request.output, figures = out.appendingPathComponent("figures")
        try writeTextFile(report.markdown(), to: out.appendingPathComponent("audit.md"))
        try writeTextFile(report.interventionsCSV(), to: out.appendingPathComponent("interventions.csv"))
        try writeTextFile(report.filmsCSV(), to: out.appendingPathComponent("films.csv"))
        try writeJSON(report, to: out.appendingPathComponent("audit.json"))
        for (name, drawing) in report.figures(examples: examples()) {
            let png = figures.appendingPathComponent(name + ".png"), svg = figures.appendingPathComponent(name + ".svg")
            do { try ImageIO.writePNG(drawing.render(), to: png) } catch {
                throw OutputFileError.unwritable(path: png.path, reason: OutputFileError.reason(error))
            }
            do { try drawing.svg().write(to: svg) } catch {
                throw OutputFileError.unwritable(path: svg.path, reason: OutputFileError.reason(error))
            }
        }
        return report
    }

    /// The first film of each class, for the intervention figure.
    func examples() -> [(label: Int, picture: Image)] {
        request.model.classNames.indices.compactMap { label in
            prepared.labels.firstIndex(of: label).map { (label, prepared.pictures![$0]) }
        }
    }
}

/// What stops an audit before it starts. One line each.
package enum AuditError: Error, Equatable, CustomStringConvertible {
    /// The border band covers the whole input: nothing is left to crop to.
    case noCentre(borderFraction: Double, height: Int, width: Int)
    /// No image of the split could be read.
    case noReadableImages(data: String, split: String, summary: String)

    package var description: String {
        switch self {
        case .noCentre(let border, let height, let width):
            return "--border \(border) leaves no centre on the model's \(height)×\(width) input; choose a smaller band"
        case .noReadableImages(let data, let split, let summary):
            return "\(data): no readable images in split \(split); the dataset has \(summary)"
        }
    }
}
