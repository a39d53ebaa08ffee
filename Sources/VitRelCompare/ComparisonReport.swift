import Foundation
import VitRel

/// The documents of a comparison: summary tables (Markdown, JSON), figures (boxplots per
/// class, mean curves), `index.html` and `report.ipynb`, all made from the rows of
/// `results.csv` — so a resumed run reports exactly what an uninterrupted one would.
struct ComparisonReport {
    let records: [ComparisonRecord]
    let methods: [String]
    let metrics: [String]
    let classes: [String]
    let run: ComparisonRunRecord
    let metricSettings: [String: RecordedSettings]
    let gridFiles: [(image: String, file: String)]
    let failures: [ComparisonFailure]
    let bootstrapSeed: UInt64
    /// The bootstrap summary of `records`, computed once: every table, figure and document
    /// reads this one.
    let summary: ComparisonSummary

    init(
        records: [ComparisonRecord], methods: [String], metrics: [String], classes: [String], run: ComparisonRunRecord,
        metricSettings: [String: RecordedSettings], gridFiles: [(image: String, file: String)], failures: [ComparisonFailure],
        bootstrapSeed: UInt64
    ) {
        self.records = records
        self.methods = methods
        self.metrics = metrics
        self.classes = classes
        self.run = run
        self.metricSettings = metricSettings
        self.gridFiles = gridFiles
        self.failures = failures
        self.bootstrapSeed = bootstrapSeed
        summary = ComparisonSummary(records: records, methods: methods, metrics: metrics, classes: classes, seed: bootstrapSeed)
    }

    /// "0.271 [0.236, 0.305]" — mean and 95% interval; "n/a" when nothing is finite.
    static func format(_ statistics: Statistics.Summary, digits: Int = 3) -> String {
        guard statistics.count > 0 else { return "n/a" }
        let number = { (value: Double) in String(format: "%.\(digits)f", value) }
        return "\(number(statistics.mean)) [\(number(statistics.interval.lower)), \(number(statistics.interval.upper))]"
    }

    static func direction(_ higherIsBetter: Bool?) -> String {
        switch higherIsBetter {
        case true?: return " ↑"
        case false?: return " ↓"
        case nil: return ""
        }
    }

    /// The direction in words, for figures (the bitmap font has no arrows).
    static func directionWords(_ higherIsBetter: Bool?) -> String {
        switch higherIsBetter {
        case true?: return " (higher is better)"
        case false?: return " (lower is better)"
        case nil: return ""
        }
    }

    /// The overall table: one row per metric, one column per method (the first row of
    /// Table 1 of the COVID ViT paper is its faithfulness estimate row).
    func headlineTable(_ summary: ComparisonSummary) -> (header: [String], rows: [[String]]) {
        let rows = summary.metrics.map { table in
            [table.metric + Self.direction(table.higherIsBetter)]
                + methods.map { method in table.row(method)?.cell(ComparisonSummary.allGroup).map { Self.format($0.statistics) } ?? "n/a" }
                + [methods.map { table.row($0)?.cell(ComparisonSummary.allGroup)?.statistics.count ?? 0 }.max().map(String.init) ?? "0"]
        }
        return (["metric"] + methods + ["n"], rows)
    }

    /// One metric's table: one row per method, one column per group (all, then each class).
    func metricTable(_ table: ComparisonSummary.MetricTable, groups: [String]) -> (header: [String], rows: [[String]]) {
        let rows = table.methods.map { row in
            [row.method] + row.cells.map { cell in
                Self.format(cell.statistics) + " (n=\(cell.statistics.count)"
                    + (cell.statistics.skipped > 0 ? ", \(cell.statistics.skipped) NaN)" : ")")
            }
        }
        return (["method"] + groups, rows)
    }

    /// The headline table as text for the terminal.
    func headline() -> String {
        let (header, rows) = headlineTable(summary)
        let widths = header.indices.map { c in ([header[c]] + rows.map { $0[c] }).map(\.count).max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    private var settingsLine: String {
        let settings = run.settings
        return "vitrel \(run.version)" + (run.blas.map { " on \($0)" } ?? "") + (run.kernels.map { ", \($0) kernels" } ?? "") + (run.threads.map { ", \($0) threads" } ?? "") + " · model \(settings.model) (weights FNV-1a \(settings.modelChecksum)) · data \(settings.data), split \(settings.split) · "
            + "\(summary.images) images (\(settings.selection)\(settings.onlyCorrect ? ", correctly classified only" : "")) · "
            + "explaining the \(settings.target == "label" ? "true" : "predicted") class · masks: \(settings.mask)"
    }

    private var readingNote: String {
        "Each cell: mean over images with its 95% percentile bootstrap interval (\(summary.bootstrapResamples) resamples, seed \(summary.bootstrapSeed)); "
            + "↑ higher is better, ↓ lower is better. NaN scores (e.g. relevance mass on a Normal image, whose infection mask is empty) are left out and counted."
    }

    // MARK: Writing

    /// Writes the documents into `folder`; returns their paths.
    func write(to folder: URL) throws -> [String] {
        let figures = folder.appendingPathComponent("figures")
        try createFolder(figures)
        let charts = try drawCharts(summary, into: figures)
        var written = [String]()
        let summaryJSON = folder.appendingPathComponent("summary.json")
        try writeJSON(SummaryDocument(run: run, summary: summary, failures: failures), to: summaryJSON)
        written.append(summaryJSON.path)
        let markdownFile = folder.appendingPathComponent("summary.md")
        try writeTextFile(markdown(summary, charts: charts), to: markdownFile)
        written.append(markdownFile.path)
        let page = html(summary, charts: charts)
        try page.write(to: folder.appendingPathComponent("index.html"))
        written.append(folder.appendingPathComponent("index.html").path)
        let notebook = try self.notebook(summary, charts: charts, folder: folder)
        try notebook.write(to: folder.appendingPathComponent("report.ipynb"))
        written.append(folder.appendingPathComponent("report.ipynb").path)
        return written
    }

    struct SummaryDocument: Encodable {
        var run: ComparisonRunRecord
        var summary: ComparisonSummary
        var failures: [ComparisonFailure]
    }

    /// The figures of one metric, by path relative to the output folder.
    struct Charts {
        var boxplots: [String: String] = [:]
        var curves: [String: String] = [:]
    }

    private func drawCharts(_ summary: ComparisonSummary, into figures: URL) throws -> Charts {
        var charts = Charts()
        var byKey = [String: [String: [ComparisonRecord]]]()
        for record in records { byKey[record.metric, default: [:]][record.method, default: []].append(record) }
        for table in summary.metrics {
            let rows = byKey[table.metric] ?? [:]
            // Figure 5 of the COVID ViT paper: one box per method within each class.
            let values = methods.map { method in classes.map { label in (rows[method] ?? []).filter { $0.label == label }.map(\.score) } }
            let box = BoxPlotChart(
                title: "\(table.metric) by class" + Self.directionWords(table.higherIsBetter), yLabel: table.metric,
                groups: classes, series: methods, values: values
            ).withPooledGroup(ComparisonSummary.allGroup)
            let boxName = "boxplot-\(table.metric)"
            try writeFigure(box.drawing(), name: boxName, into: figures)
            charts.boxplots[table.metric] = "figures/\(boxName).png"

            guard let curve = MetricKind(rawValue: table.metric)?.descriptor.curve, !table.curves.isEmpty else { continue }
            let series = table.curves.map { curve in
                LineChart.Series(
                    name: "\(curve.method) (n=\(curve.count))", x: curve.mean.indices.map(Double.init), y: curve.mean,
                    band: (curve.lower, curve.upper))
            }
            let line = LineChart(
                title: curve.title, xLabel: curve.overLayers ? "layers randomised (output first)" : "perturbation steps",
                yLabel: curve.axis, series: series)
            let curveName = "curve-\(table.metric)"
            try writeFigure(line.drawing(), name: curveName, into: figures)
            charts.curves[table.metric] = "figures/\(curveName).png"
        }
        return charts
    }

    /// The caption of a metric's curve figure.
    static func curveTitle(_ metric: String) -> String {
        MetricKind(rawValue: metric)?.descriptor.curve?.title ?? "\(metric) curve"
    }

    /// Writes `<name>.png` and `<name>.svg` of one figure into `folder`.
    private func writeFigure(_ drawing: FigureDrawing, name: String, into folder: URL) throws {
        try ImageIO.writePNG(drawing.render(), to: folder.appendingPathComponent(name + ".png"))
        try drawing.svg().write(to: folder.appendingPathComponent(name + ".svg"))
    }

    /// The SVG written beside a PNG figure (every figure has one).
    static func svgPath(_ pngPath: String) -> String {
        (pngPath.hasSuffix(".png") ? String(pngPath.dropLast(4)) : pngPath) + ".svg"
    }

    // MARK: Documents

    /// The images that failed, as a Markdown list.
    var failureList: String { failures.map { "- `\($0.image)`: \($0.problem)" }.joined(separator: "\n") }

    /// A table as Markdown: the first column left-aligned, the numbers right-aligned.
    static func markdownTable(_ content: (header: [String], rows: [[String]])) -> String {
        MarkdownTable(
            header: content.header, rows: content.rows, alignments: [.left] + Array(repeating: .right, count: content.header.count - 1)
        ).markdown
    }

    func markdown(_ summary: ComparisonSummary, charts: Charts) -> String {
        var text = "# Explanation comparison\n\n```sh\n\(run.command)\n```\n\n\(settingsLine)\n\n\(readingNote)\n\n"
        text += "## Overall\n\n" + Self.markdownTable(headlineTable(summary)) + "\n\n"
        for metric in summary.metrics {
            text += "## \(metric.metric)\(Self.direction(metric.higherIsBetter))\n\n\(metric.description).\n\n"
            if let setting = metricSettings[metric.metric] { text += "Settings: \(setting.readable).\n\n" }
            text += Self.markdownTable(metricTable(metric, groups: summary.groups)) + "\n\n"
            if let path = charts.boxplots[metric.metric] { text += "![\(metric.metric) by class](\(path)) ([SVG](\(Self.svgPath(path))))\n\n" }
            if let path = charts.curves[metric.metric] { text += "![\(metric.metric) curve](\(path)) ([SVG](\(Self.svgPath(path))))\n\n" }
        }
        if !gridFiles.isEmpty {
            text += "## Explanations of single images\n\n"
                + gridFiles.map { "![\($0.image)](\($0.file)) ([SVG](\(Self.svgPath($0.file))))" }.joined(separator: "\n\n") + "\n\n"
        }
        if !failures.isEmpty {
            text += "## Images that could not be compared\n\n" + failureList + "\n"
        }
        return text
    }

    func html(_ summary: ComparisonSummary, charts: Charts) -> HTMLReport {
        var page = HTMLReport(title: "Explanation comparison: \(methods.joined(separator: " vs "))")
        page.command(run.command)
        page.paragraph(settingsLine)
        page.paragraph(readingNote)
        page.heading("Overall")
        let headline = headlineTable(summary)
        page.table(header: headline.header, rows: headline.rows, caption: "Mean [95% bootstrap interval] over all images")
        for metric in summary.metrics {
            page.heading("\(metric.metric)\(Self.direction(metric.higherIsBetter))")
            page.paragraph(metric.description + (metricSettings[metric.metric].map { ". Settings: \($0.readable)." } ?? ""))
            let content = metricTable(metric, groups: summary.groups)
            page.table(header: content.header, rows: content.rows)
            if let path = charts.boxplots[metric.metric] {
                page.image(path, caption: "\(metric.metric) per class and method", otherFormats: [Self.svgPath(path)])
            }
            if let path = charts.curves[metric.metric] {
                page.image(path, caption: Self.curveTitle(metric.metric), otherFormats: [Self.svgPath(path)])
            }
        }
        if !gridFiles.isEmpty {
            page.heading("Explanations of single images")
            for grid in gridFiles { page.image(grid.file, caption: grid.image, otherFormats: [Self.svgPath(grid.file)]) }
        }
        if !failures.isEmpty {
            page.heading("Images that could not be compared")
            page.table(header: ["image", "problem"], rows: failures.map { [$0.image, $0.problem] })
        }
        page.heading("Files")
        for (name, what) in [("results.csv", "every row: image × method × metric"), ("summary.json", "the tables above"),
                             ("report.ipynb", "this report as a Jupyter notebook"), ("run.json", "the settings the rows depend on")] {
            page.link("\(name): \(what)", to: name)
        }
        return page
    }

    func notebook(_ summary: ComparisonSummary, charts: Charts, folder: URL) throws -> Notebook {
        var notebook = Notebook()
        func image(_ path: String, caption: String) throws -> Notebook.Output {
            let url = folder.appendingPathComponent(path)
            do { return .image(png: try Data(contentsOf: url), description: caption) } catch {
                throw OutputFileError.unreadable(path: url.path, reason: OutputFileError.reason(error))
            }
        }
        notebook.appendMarkdown("# Explanation comparison: \(methods.joined(separator: " vs "))\n\n```sh\n\(run.command)\n```\n\n\(settingsLine)\n\n\(readingNote)")
        notebook.appendMarkdown("## Overall\n\n" + Self.markdownTable(headlineTable(summary)))
        notebook.appendCode(
            "import pandas as pd\nfrom IPython.display import Image\n\n# Every row: image × method × metric (NaN scores carry a note).\nresults = pd.read_csv(\"results.csv\")\n"
                + "results.pivot_table(index=\"metric\", columns=\"method\", values=\"score\", aggfunc=\"mean\")")
        for metric in summary.metrics {
            var text = "## \(metric.metric)\(Self.direction(metric.higherIsBetter))\n\n\(metric.description)."
            if let setting = metricSettings[metric.metric] { text += " Settings: \(setting.readable)." }
            notebook.appendMarkdown(text + "\n\n" + Self.markdownTable(metricTable(metric, groups: summary.groups)))
            if let path = charts.boxplots[metric.metric] {
                notebook.appendCode("Image(filename=\"\(path)\")", outputs: [try image(path, caption: "\(metric.metric) per class and method")])
            }
            if let path = charts.curves[metric.metric] {
                notebook.appendCode("Image(filename=\"\(path)\")", outputs: [try image(path, caption: Self.curveTitle(metric.metric))])
            }
        }
        if !gridFiles.isEmpty {
            notebook.appendMarkdown("## Explanations of single images\n\nInput | each method's map per class | LIME's top 3 and 8 superpixels (Figure 4 of the COVID ViT paper).")
            for grid in gridFiles {
                notebook.appendCode("Image(filename=\"\(grid.file)\")  # \(grid.image)", outputs: [try image(grid.file, caption: grid.image)])
            }
        }
        if !failures.isEmpty {
            notebook.appendMarkdown("## Images that could not be compared\n\n" + failureList)
        }
        return notebook
    }
}
