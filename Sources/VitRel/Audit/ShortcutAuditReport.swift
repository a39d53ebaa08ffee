import Foundation

/// What `vitrel audit` writes: the intervention table, the region shares of each method per
/// class, how well each method's border share predicts the blanking's effect, and a plain
/// reading of whether the model uses the film's edges.
public struct ShortcutAuditReport: Encodable {
    public var borderFraction: Double
    public var cornerFraction: Double
    public var textDetector: BurnedInTextDetector
    public var classNames: [String]
    public var methods: [String]
    public var outcomes: [InterventionOutcome]
    public var films: [ShortcutAudit.ExplainedFilm]
    public var command: String
    public var model: String
    public var data: String
    public var split: String
    /// The regions' own shares of the area.
    public var area: RegionShares

    public init(
        audit: ShortcutAudit, classNames: [String], methods: [String], outcomes: [InterventionOutcome],
        films: [ShortcutAudit.ExplainedFilm], command: String, model: String, data: String, split: String
    ) {
        borderFraction = audit.borderFraction
        cornerFraction = audit.cornerFraction
        textDetector = audit.textDetector
        self.classNames = classNames
        self.methods = methods
        self.outcomes = outcomes
        self.films = films
        self.command = command
        self.model = model
        self.data = data
        self.split = split
        let regions = audit.regions
        area = RegionShares(areaOf: regions.border, corners: regions.corners)
    }

    /// The audit's interventions, in the order of `outcomes` after the unaltered films.
    public var interventions: [FilmIntervention] {
        ShortcutAudit.interventions(borderFraction: borderFraction, textDetector: textDetector)
    }

    /// Mean share of `region` (border, corners, centre) of `method` over the films of `label`
    /// (nil: all films), with its bootstrap interval.
    public func shareSummary(method: String, label: Int?, region: KeyPath<RegionShares, Double>) -> Statistics.Summary {
        Statistics.summary(films.filter { label == nil || $0.label == label }.compactMap { $0.shares[method]?[keyPath: region] })
    }

    /// Spearman ρ between each method's border share and the loss of the predicted class's
    /// probability under each intervention, over all explained films.
    public func agreement(method: String, intervention: String) -> Double {
        ShortcutAudit.borderAgreement(films, method: method, intervention: intervention)
    }

    private static func f(_ value: Double, _ digits: Int = 3) -> String {
        value.isFinite ? String(format: "%.\(digits)f", value) : "n/a"
    }

    /// One line for the terminal.
    public func headline() -> String {
        guard let base = outcomes.first else { return "no outcomes" }
        return outcomes.map { "\($0.name) accuracy \(Self.f($0.report.accuracy))" }.joined(separator: ", ")
            + " (\(base.report.sampleCount) images)"
    }

    public func markdown() -> String {
        var text = "# Shortcut audit\n\n"
        text += "`\(command)`\n\nModel `\(model)`, data `\(data)`, split `\(split)`. Border band \(Self.f(borderFraction, 2)) of each side "
            + "(\(Self.f(area.border * 100, 1))% of the area), corner rectangles \(Self.f(cornerFraction, 2)) of each side "
            + "(\(Self.f(area.corners * 100, 1))% of the area).\n\n"
        text += "## Interventions (\(outcomes.first?.report.sampleCount ?? 0) images)\n\n"
        var header = ["intervention", "accuracy", "macro recall"] + classNames.map { "recall \($0)" } + ["predictions changed"]
        var rows = outcomes.map { outcome -> [String] in
            [outcome.intervention, Self.f(outcome.report.accuracy), Self.f(outcome.report.macroRecall)]
                + outcome.report.classes.map { Self.f($0.recall) } + ["\(outcome.changedPredictions)"]
        }
        text += MarkdownTable(header: header, rows: rows).markdown + "\n"
        text += "Mean probability of each class, by true class:\n\n"
        header = ["intervention", "true class"] + classNames.map { "p(\($0))" }
        rows = []
        for outcome in outcomes {
            for (label, name) in classNames.enumerated() {
                rows.append([outcome.intervention, name] + outcome.meanProbabilities[label].map { Self.f($0) })
            }
        }
        text += MarkdownTable(header: header, rows: rows).markdown + "\n"
        guard !films.isEmpty else { return text }

        text += "## Where the explanations put positive relevance (\(films.count) films, predicted class)\n\n"
        text += "Share of positive relevance in each region, mean [95% bootstrap interval]; a map spread evenly gives the area's share "
            + "(border \(Self.f(area.border)), corners \(Self.f(area.corners))). Ratio = border share / border area.\n\n"
        header = ["method", "class", "border", "corners", "centre", "border ratio"]
        rows = []
        for method in methods {
            for label in [nil] + classNames.indices.map(Optional.some) {
                let border = shareSummary(method: method, label: label, region: \.border)
                let corners = shareSummary(method: method, label: label, region: \.corners)
                let centre = shareSummary(method: method, label: label, region: \.centre)
                func cell(_ s: Statistics.Summary) -> String { "\(Self.f(s.mean)) [\(Self.f(s.interval.lower)), \(Self.f(s.interval.upper))]" }
                rows.append([method, label.map { classNames[$0] } ?? "all", cell(border), cell(corners), cell(centre),
                             Self.f(border.mean / area.border, 2)])
            }
        }
        text += MarkdownTable(header: header, rows: rows).markdown + "\n"
        text += "## Which explanation predicts the interventions\n\n"
        text += "Spearman ρ over films between a method's border share and the probability the prediction loses under each "
            + "intervention (higher: the map's border relevance goes with what the border really does to the model).\n\n"
        let names = outcomes.dropFirst().map(\.name)
        header = ["method"] + names
        rows = methods.map { method in [method] + names.map { Self.f(agreement(method: method, intervention: $0), 2) } }
        text += MarkdownTable(header: header, rows: rows).markdown + "\n"
        return text
    }

    /// interventions.csv: one row per intervention × true class (and "all").
    public func interventionsCSV() -> String {
        var lines = ["intervention,class,images,accuracy_or_recall," + classNames.map { CSVFormat.field("mean_p_" + $0) }.joined(separator: ",") + ",predictions_changed"]
        for outcome in outcomes {
            lines.append([outcome.name, "all", "\(outcome.report.sampleCount)", "\(outcome.report.accuracy)"].joined(separator: ",")
                + "," + classNames.map { _ in "" }.joined(separator: ",") + ",\(outcome.changedPredictions)")
            for (label, metrics) in outcome.report.classes.enumerated() {
                lines.append([outcome.name, CSVFormat.field(metrics.name), "\(metrics.support)", "\(metrics.recall)"].joined(separator: ",")
                    + "," + outcome.meanProbabilities[label].map { "\($0)" }.joined(separator: ",") + ",")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// films.csv: one row per explained film × method.
    public func filmsCSV() -> String {
        let interventionNames = outcomes.dropFirst().map(\.name)
        var lines = ["image,label,predicted,probability," + interventionNames.map { "p_after_\($0)" }.joined(separator: ",")
            + ",text_area,method,border_share,corner_share,centre_share"]
        for film in films {
            let common = [CSVFormat.field(film.image), CSVFormat.field(classNames[film.label]), CSVFormat.field(classNames[film.predicted]),
                          "\(film.probability)"] + interventionNames.map { "\(film.probabilityAfter[$0] ?? .nan)" } + ["\(film.textArea)"]
            for method in methods {
                let s = film.shares[method]
                lines.append((common + [method, "\(s?.border ?? .nan)", "\(s?.corners ?? .nan)", "\(s?.centre ?? .nan)"]).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
