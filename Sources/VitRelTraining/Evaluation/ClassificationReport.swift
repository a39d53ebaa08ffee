import Foundation

/// Per-class and averaged metrics of a single-label classifier, with sklearn's
/// `classification_report` semantics (zero_division = 0), the confusion matrix, and
/// one-vs-rest AUROC when scores are given.
///
/// For class c with tp true positives, support n_c (true c) and p_c predictions of c:
/// precision = tp/p_c, recall = tp/n_c, F1 = 2tp/(n_c + p_c), each 0 when its denominator is 0.
/// Macro averages are plain means over all classes (a class without support counts as 0s);
/// weighted averages weight by support; accuracy is Σ tp / n.
public struct ClassificationReport: Codable, Equatable, Sendable {
    public struct ClassMetrics: Codable, Equatable, Sendable {
        public var name: String
        public var precision: Double
        public var recall: Double
        public var f1: Double
        public var support: Int
        /// One-vs-rest AUROC; nil without scores or when the class is absent from, or is all of,
        /// the labels.
        public var auroc: Double?
    }

    public struct Average: Codable, Equatable, Sendable {
        public var precision: Double
        public var recall: Double
        public var f1: Double
        public var support: Int
    }

    public var classes: [ClassMetrics]
    public var accuracy: Double
    public var macroAverage: Average
    public var weightedAverage: Average
    public var confusionMatrix: ConfusionMatrix
    /// Mean of the defined per-class AUROCs (sklearn's `multi_class="ovr", average="macro"`
    /// when every class occurs); nil without scores.
    public var macroAUROC: Double?

    /// Macro-averaged recall (balanced accuracy), the trainer's model-selection metric.
    public var macroRecall: Double { macroAverage.recall }
    public var sampleCount: Int { macroAverage.support }

    /// - Parameters:
    ///   - labels: true class per example.
    ///   - predictions: predicted class per example.
    ///   - scores: optional [n][C] class scores (probabilities or logits) for AUROC.
    ///   - classNames: one name per class; their count is the class count.
    public init(labels: [Int], predictions: [Int], scores: [[Double]]? = nil, classNames: [String]) throws {
        let classCount = classNames.count
        let matrix = try ConfusionMatrix(labels: labels, predictions: predictions, classCount: classCount)
        func ratio(_ numerator: Int, _ denominator: Int) -> Double {
            denominator == 0 ? 0 : Double(numerator) / Double(denominator)
        }
        var aurocs = [Double?](repeating: nil, count: classCount)
        if let scores {
            guard scores.allSatisfy({ $0.count == classCount }) else {
                throw EvaluationError.invalidScores("score rows must have \(classCount) entries")
            }
            aurocs = try AUROC.oneVsRest(labels: labels, scores: scores)
        }
        let perClass = (0..<classCount).map { c in
            let tp = matrix.truePositives(c), support = matrix.support(c), predicted = matrix.predicted(c)
            return ClassMetrics(
                name: classNames[c], precision: ratio(tp, predicted), recall: ratio(tp, support),
                f1: ratio(2 * tp, support + predicted), support: support, auroc: aurocs[c])
        }
        let total = labels.count
        accuracy = ratio((0..<classCount).reduce(0) { $0 + matrix.truePositives($1) }, total)
        func mean(_ values: [Double], weights: [Double]) -> Double {
            let weightSum = weights.reduce(0, +)
            guard weightSum > 0 else { return 0 }
            return zip(values, weights).reduce(0) { $0 + $1.0 * $1.1 } / weightSum
        }
        let ones = [Double](repeating: 1, count: classCount), supports = perClass.map { Double($0.support) }
        func average(_ weights: [Double]) -> Average {
            Average(
                precision: mean(perClass.map(\.precision), weights: weights), recall: mean(perClass.map(\.recall), weights: weights),
                f1: mean(perClass.map(\.f1), weights: weights), support: total)
        }
        classes = perClass
        macroAverage = average(ones)
        weightedAverage = average(supports)
        confusionMatrix = matrix
        let defined = aurocs.compactMap { $0 }
        macroAUROC = defined.isEmpty ? nil : defined.reduce(0, +) / Double(defined.count)
    }

    /// Predictions are the arg-max of each row of `probabilities` (the first on ties, as numpy),
    /// which also serve as the AUROC scores.
    public init(labels: [Int], probabilities: [[Double]], classNames: [String]) throws {
        guard labels.count == probabilities.count else {
            throw EvaluationError.lengthMismatch("\(labels.count) labels, \(probabilities.count) probability rows")
        }
        let predictions = probabilities.map { row in row.indexOfMaximum ?? 0 }
        try self.init(labels: labels, predictions: predictions, scores: probabilities, classNames: classNames)
    }

    /// The report as pretty-printed JSON with sorted keys.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// The layout of sklearn's `classification_report(..., digits:)`, character for character.
    public func sklearnText(digits: Int = 2) -> String {
        let width = max(classes.map { $0.name.unicodeScalars.count }.max() ?? 0, "weighted avg".count, digits)
        func right(_ text: String, _ width: Int) -> String {
            let length = text.unicodeScalars.count
            return length >= width ? text : String(repeating: " ", count: width - length) + text
        }
        func number(_ value: Double) -> String { right(String(format: "%.\(digits)f", value), 9) }
        func row(_ name: String, _ precision: Double, _ recall: Double, _ f1: Double, _ support: Int) -> String {
            right(name, width) + " " + " " + number(precision) + " " + number(recall) + " " + number(f1) + " " + right("\(support)", 9) + "\n"
        }
        var text = right("", width) + " " + ["precision", "recall", "f1-score", "support"].map { " " + right($0, 9) }.joined()
        text += "\n\n"
        for metrics in classes { text += row(metrics.name, metrics.precision, metrics.recall, metrics.f1, metrics.support) }
        text += "\n"
        text += right("accuracy", width) + " " + " " + right("", 9) + " " + right("", 9) + " " + number(accuracy) + " " + right("\(sampleCount)", 9) + "\n"
        text += row("macro avg", macroAverage.precision, macroAverage.recall, macroAverage.f1, macroAverage.support)
        text += row("weighted avg", weightedAverage.precision, weightedAverage.recall, weightedAverage.f1, weightedAverage.support)
        return text
    }

    /// sklearn's report, then the one-vs-rest AUROCs (when known) and the confusion matrix.
    public func text(digits: Int = 2) -> String {
        var text = sklearnText(digits: digits)
        let rowNames = classes.indices.map { "[\($0)] " + classes[$0].name }
        let nameWidth = max(rowNames.map(\.count).max() ?? 0, "macro AUROC".count)
        func pad(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
        if macroAUROC != nil {
            text += "\n" + pad("", nameWidth) + "  " + pad("AUROC", 9) + "\n"
            for metrics in classes {
                text += pad(metrics.name, nameWidth) + "  " + pad(metrics.auroc.map { String(format: "%.\(digits)f", $0) } ?? "n/a", 9) + "\n"
            }
            text += pad("macro AUROC", nameWidth) + "  " + pad(String(format: "%.\(digits)f", macroAUROC!), 9) + "\n"
        }
        let cellWidth = max(5, (confusionMatrix.counts.flatMap { $0 }.max() ?? 0).description.count + 1)
        text += "\nconfusion matrix (rows: true class, columns: predicted)\n"
        text += pad("", nameWidth) + classes.indices.map { pad("[\($0)]", cellWidth) }.joined() + "\n"
        for (c, row) in confusionMatrix.counts.enumerated() {
            let name = rowNames[c] + String(repeating: " ", count: max(0, nameWidth - rowNames[c].count))
            text += name + row.map { pad("\($0)", cellWidth) }.joined() + "\n"
        }
        return text
    }
}
