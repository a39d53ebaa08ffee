import Foundation
import VitRel

/// The documents of a comparison: summary tables (Markdown, JSON), figures (boxplots per
/// class, mean curves), `index.html` and `report.ipynb`, all made from the rows of
/// `results.csv` — so a resumed run reports exactly what an uninterrupted one would.
struct ComparisonReport {
    var records: [ComparisonRecord]
    var methods: [String]
    var metrics: [String]
    var classes: [String]
    var run: ComparisonRunRecord
    var metricSettings: [String: String]
    var gridFiles: [(image: String, file: String)]
    var failures: [ComparisonRunner.Failure]
    var bootstrapSeed: UInt64

    var summary: ComparisonSummary {
        ComparisonSummary(records: records, methods: methods, metrics: metrics, classes: classes, seed: bootstrapSeed)
    }

    /// "0.271 [0.236, 0.305]" — mean and 95% interval; "n/a" when nothing is finite.
    static func format(_ statistics: Statistics.Summary, digits: Int = 3) -> String {
        guard statistics.count > 0 else { return "n/a" }
        let number = { (value: Double) in String(format: "%.\(digits)f", value) }
        return "\(number(statistics.mean)) [\(number(statistics.interval.lower)), \(number(statistics.interval.upper))]"
    }

    /// The overall table: one row per metric, one column per method (Table 1 of the COVID ViT
    /// paper has its first row).
    func headlineRows(_ summary: ComparisonSummary) -> [[String]] {
        summary.metrics.map { table in
            [table.metric + Self.direction(table.higherIsBetter)]
                + methods.map { method in table.row(method)?.cell(ComparisonSummary.allGroup).map { Self.format($0.statistics) } ?? "n/a" }
                + [table.row(methods[0])?.cell(ComparisonSummary.allGroup).map { "\($0.statistics.count)" } ?? "0"]
        }
    }

    static func direction(_ higherIsBetter: Bool?) -> String {
        switch higherIsBetter {
        case true?: return " ↑"
        case false?: return " ↓"
        case nil: return ""
        }
    }

    /// The headline table as text for the terminal.
    func headline() -> String {
        let summary = self.summary
        let header = ["metric"] + methods + ["n"]
        let rows = headlineRows(summary)
        let widths = header.indices.map { c in ([header[c]] + rows.map { $0[c] }).map(\.count).max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    /// Writes the documents into `folder`; returns their paths.
    func write(to folder: URL) throws -> [String] {
        let summary = self.summary
        var written = [String]()
        let summaryJSON = folder.appendingPathComponent("summary.json")
        try writeJSON(SummaryDocument(run: run, summary: summary, failures: failures), to: summaryJSON)
        written.append(summaryJSON.path)
        let markdown = folder.appendingPathComponent("summary.md")
        do {
            try self.markdown(summary).write(to: markdown, atomically: true, encoding: .utf8)
        } catch {
            throw CLIError("cannot write \(markdown.path): \((error as NSError).localizedDescription)")
        }
        written.append(markdown.path)
        return written
    }

    struct SummaryDocument: Encodable {
        var run: ComparisonRunRecord
        var summary: ComparisonSummary
        var failures: [ComparisonRunner.Failure]
    }

    func markdownTable(header: [String], rows: [[String]]) -> String {
        func escape(_ cell: String) -> String { cell.replacingOccurrences(of: "|", with: "\\|") }
        var lines = ["| " + header.map(escape).joined(separator: " | ") + " |"]
        lines.append("|" + header.indices.map { $0 == 0 ? "---|" : "---:|" }.joined())
        lines += rows.map { "| " + $0.map(escape).joined(separator: " | ") + " |" }
        return lines.joined(separator: "\n")
    }

    func markdown(_ summary: ComparisonSummary) -> String {
        var text = "# Explanation comparison\n\n"
        text += "```sh\n\(run.command)\n```\n\n"
        text += "vitrel \(run.version) · model `\(run.settings.model)` · data `\(run.settings.data)` (\(run.settings.split)) · "
        text += "\(summary.images) images (\(run.settings.selection)\(run.settings.onlyCorrect ? ", correctly classified only" : "")) · "
        text += "explaining the \(run.settings.target == "label" ? "true" : "predicted") class\n\n"
        text += "Mean over images with its 95% percentile bootstrap interval (\(summary.bootstrapResamples) resamples, seed \(summary.bootstrapSeed)); "
        text += "↑ higher is better, ↓ lower is better. NaN scores (e.g. an empty infection mask) are left out and counted as skipped.\n\n"
        text += "## Overall\n\n" + markdownTable(header: ["metric"] + methods + ["n"], rows: headlineRows(summary)) + "\n\n"
        for table in summary.metrics {
            text += "## \(table.metric)\(Self.direction(table.higherIsBetter))\n\n\(table.description).\n\n"
            if let setting = metricSettings[table.metric] { text += "Settings: `\(setting)`\n\n" }
            let rows = table.methods.map { row in
                [row.method] + row.cells.map { cell in
                    Self.format(cell.statistics) + " (n=\(cell.statistics.count)\(cell.statistics.skipped > 0 ? ", \(cell.statistics.skipped) skipped" : ""))"
                }
            }
            text += markdownTable(header: ["method"] + summary.groups, rows: rows) + "\n\n"
        }
        if !failures.isEmpty {
            text += "## Images that could not be compared\n\n" + failures.map { "- `\($0.image)`: \($0.problem)" }.joined(separator: "\n") + "\n"
        }
        return text
    }
}
