import Foundation

/// How a model fares on a set of films after one `FilmIntervention`: its classification
/// report, the mean probability it gives each class per true class, and how many of its
/// predictions the intervention changed.
public struct InterventionOutcome: Codable, Sendable {
    /// `FilmIntervention.name` and `.description`.
    public var name: String
    public var intervention: String
    public var report: ClassificationReport
    /// [true class][class]: mean softmax probability over the films of that true class.
    public var meanProbabilities: [[Double]]
    /// Films whose predicted class differs from the unaltered films' prediction.
    public var changedPredictions: Int
    /// Per film, the softmax probabilities [class] after the intervention.
    public var probabilities: [[Double]]
}

/// The interventions of the shortcut audit, run on a batch of pictures.
public enum InterventionRun {
    /// The model inputs [N, 3, H, W] of `pictures` (the transform's geometry-step pictures,
    /// `PreparedSplit.pictures`) after `intervention`: each picture changed
    /// (`FilmIntervention.apply(to:)`) and normalised as the model expects
    /// (`Preprocessing.normalise`). The pictures are the ones computed, not reconstructed from
    /// normalised tensors, so a pixel the intervention leaves alone keeps its unaltered input's
    /// bits, and `.none` gives the unaltered inputs themselves.
    public static func intervened(_ pictures: [Image], by intervention: FilmIntervention, preprocessing: Preprocessing) -> Tensor<Float> {
        guard intervention != .none else { return preprocessing.normalise(batch: pictures) }
        return preprocessing.normalise(batch: Parallel.map(pictures.count) { intervention.apply(to: pictures[$0]) })
    }

    /// Classifies `pictures` (labels `labels`) unaltered and after each intervention.
    /// The first outcome is always the unaltered films' (`.none`), the reference for
    /// `changedPredictions`.
    public static func outcomes(
        model: ClassifierModel, pictures: [Image], labels: [Int], interventions: [FilmIntervention], batchSize: Int = 32
    ) throws -> [InterventionOutcome] {
        let classes = model.classNames.count
        var reference: [Int]?
        var outcomes = [InterventionOutcome]()
        for intervention in [FilmIntervention.none] + interventions.filter({ $0 != .none }) {
            let changed = intervened(pictures, by: intervention, preprocessing: model.preprocessing)  // [N, 3, H, W]
            let source = try InMemoryDataSource(images: changed, targets: .classes(labels), augmentation: .standard)
            let predictions = try ModelPredictions(model: model.network, source: source, batchSize: batchSize)
            let probabilities = predictions.softmaxProbabilities
            let predicted = probabilities.map { row in row.indexOfMaximum! }
            if reference == nil { reference = predicted }
            var sums = [[Double]](repeating: [Double](repeating: 0, count: classes), count: classes)
            var counts = [Int](repeating: 0, count: classes)
            for (row, label) in zip(probabilities, labels) {
                counts[label] += 1
                for k in 0..<classes { sums[label][k] += row[k] }
            }
            outcomes.append(InterventionOutcome(
                name: intervention.name, intervention: intervention.description,
                report: try predictions.classificationReport(classNames: model.classNames),
                meanProbabilities: zip(sums, counts).map { row, n in row.map { n > 0 ? $0 / Double(n) : .nan } },
                changedPredictions: zip(predicted, reference!).filter { $0 != $1 }.count,
                probabilities: probabilities))
        }
        return outcomes
    }
}
