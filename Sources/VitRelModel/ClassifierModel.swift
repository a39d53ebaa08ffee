import Foundation

/// A checkpoint made ready to classify images: the network, its preprocessing and class names.
public struct ClassifierModel: Sendable {
    public var network: VisionTransformer<Float>
    public var preprocessing: Preprocessing
    public var directory: URL
    public var format: ViTCheckpoint.Format

    public var config: ViTConfig { network.config }
    public var classNames: [String] { network.config.classNames }

    public init(network: VisionTransformer<Float>, preprocessing: Preprocessing, directory: URL, format: ViTCheckpoint.Format) {
        self.network = network
        self.preprocessing = preprocessing
        self.directory = directory
        self.format = format
    }

    /// Loads a timm or Hugging Face folder; errors name the folder and the problem.
    public static func load(from directory: URL) throws -> ClassifierModel {
        let checkpoint = try ViTCheckpoint.load(from: directory)
        do {
            let network = try VisionTransformer<Float>(config: checkpoint.config, weights: checkpoint.weights)
            return ClassifierModel(
                network: network, preprocessing: checkpoint.preprocessing, directory: directory, format: checkpoint.format)
        } catch let error as ModelError {
            throw ModelLoadError(directory: directory, problem: error.description)
        }
    }

    /// The model's input tensor [B, 3, H, W] for decoded images.
    public func inputs(for images: [Image]) -> Tensor<Float> {
        preprocessing.apply(batch: images)
    }

    /// Logits [B, classes] for decoded images, in batches of `batchSize`.
    public func logits(for images: [Image], batchSize: Int = 16) throws -> Tensor<Float> {
        var rows = [Float]()
        for start in stride(from: 0, to: images.count, by: batchSize) {
            let batch = Array(images[start..<(start + min(batchSize, images.count - start))])
            rows += try network(inputs(for: batch)).scalars
        }
        return Tensor(shape: [images.count, config.classCount], scalars: rows)
    }

    /// Resolves a class given by name (case-insensitive) or index.
    public func classIndex(_ name: String) throws -> Int {
        if let index = Int(name) {
            guard index >= 0 && index < config.classCount else { throw ClassLookupError.targetOutOfRange(index, config.classCount) }
            return index
        }
        if let index = classNames.firstIndex(where: { $0.caseInsensitiveCompare(name) == .orderedSame }) { return index }
        throw ClassLookupError.unknownClass(name, classNames)
    }
}

/// A model folder whose weights do not fit its configuration.
public struct ModelLoadError: Error, CustomStringConvertible {
    public var directory: URL
    public var problem: String
    public var description: String { "\(directory.path): \(problem)" }
}

/// Softmax of logits rows, in Double for stable probabilities.
public func softmaxProbabilities(_ logits: [Float]) -> [Double] {
    let maximum = Double(logits.max() ?? 0)
    let exps = logits.map { Foundation.exp(Double($0) - maximum) }
    let total = exps.reduce(0, +)
    return exps.map { $0 / total }
}
