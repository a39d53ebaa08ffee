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

/// The interventions of the shortcut audit, run on a batch of model inputs.
public enum InterventionRun {
    /// `inputs` ([N, 3, H, W], normalised by `preprocessing`) after `intervention`, normalised
    /// again: each film is taken back to its gray pixels, changed, and normalised as the model
    /// expects. Pixels the intervention leaves alone keep their input values bit for bit: the
    /// round trip through gray pixels is off in the last bits, which would move the
    /// probabilities of a film that an intervention does not touch.
    public static func intervened(_ inputs: Tensor<Float>, by intervention: FilmIntervention, preprocessing: Preprocessing) -> Tensor<Float> {
        precondition(inputs.rank == 4 && inputs.shape[1] == 3, "inputs of shape \(inputs.shape); expected [N, 3, H, W]")
        if intervention == .none { return inputs }
        let count = inputs.shape[0], height = inputs.shape[2], width = inputs.shape[3], plane = height * width
        var gray = [Float](repeating: 0, count: count * plane)
        var untouched = [Bool](repeating: false, count: count * plane)
        gray.withUnsafeMutableBufferPointer { buffer in
            untouched.withUnsafeMutableBufferPointer { kept in
                let base = buffer.baseAddress!, keptBase = kept.baseAddress!
                Parallel.forEachChunk(count) { range in
                    for n in range {
                        let film = preprocessing.pixelImage(fromInput: inputs.slice(n)).gray().pixels
                        let changed = intervention.apply(film, height: height, width: width)
                        for i in 0..<plane {
                            base[n * plane + i] = changed[i]
                            keptBase[n * plane + i] = changed[i].bitPattern == film[i].bitPattern
                        }
                    }
                }
            }
        }
        var result = preprocessing.normalise(pixelBatch: Tensor(shape: [count, 1, height, width], scalars: gray))  // [N, 3, H, W]
        for n in 0..<count {
            for i in 0..<plane where untouched[n * plane + i] {
                for c in 0..<3 { result.scalars[(n * 3 + c) * plane + i] = inputs.scalars[(n * 3 + c) * plane + i] }
            }
        }
        return result
    }

    /// Classifies `inputs` (labels `labels`) unaltered and after each intervention.
    /// The first outcome is always the unaltered films' (`.none`), the reference for
    /// `changedPredictions`.
    public static func outcomes(
        model: ClassifierModel, inputs: Tensor<Float>, labels: [Int], interventions: [FilmIntervention], batchSize: Int = 32
    ) throws -> [InterventionOutcome] {
        let classes = model.classNames.count
        var reference: [Int]?
        var outcomes = [InterventionOutcome]()
        for intervention in [FilmIntervention.none] + interventions.filter({ $0 != .none }) {
            let changed = intervened(inputs, by: intervention, preprocessing: model.preprocessing)
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
