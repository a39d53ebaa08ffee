import Foundation

/// The model as the metrics see it: a batch of inputs [B, C, H, W] in the model's input space
/// (already normalised) to logits [B, classes].
///
/// A closure rather than a type, so that a Vision Transformer, a LIME surrogate or the tests'
/// linear model `logits = W·x + b` all plug in the same way.
public typealias BatchModel = (Tensor<Float>) throws -> Tensor<Float>

/// What a metric reads from the model: raw logits or softmax probabilities (Quantus's
/// `softmax` argument; each metric defaults to its Quantus 0.6.0 default).
public enum ModelOutput: String, CaseIterable, Codable, Sendable {
    case logits
    case softmax
}

/// Counts what a `MetricModel` ran, shared by its copies (`vitrel bench metrics` prints it).
public final class ForwardPassCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var inputCount = 0
    private var batchCount = 0

    public init() {}

    /// Inputs evaluated (one per image in every batch).
    public var passes: Int { lock.lock(); defer { lock.unlock() }; return inputCount }
    /// Calls of the batch model.
    public var batches: Int { lock.lock(); defer { lock.unlock() }; return batchCount }

    public func reset() {
        lock.lock(); defer { lock.unlock() }
        inputCount = 0
        batchCount = 0
    }

    func record(inputs: Int) {
        lock.lock(); defer { lock.unlock() }
        inputCount += inputs
        batchCount += 1
    }
}

/// A `BatchModel` with the batching every metric uses.
///
/// A metric builds the perturbed inputs of one image in order and hands them over one at a
/// time; they are evaluated `batchSize` at a time, as Quantus does (its default is 64; ours 32
/// to bound memory at 224²: 32 inputs are 19 MB). Results do not depend on the batch size when
/// the model's per-image output does not (true of the tests' linear model; a ViT batch may
/// differ in the last bits through BLAS blocking).
public struct MetricModel {
    public let forward: BatchModel
    public var batchSize: Int
    /// Shared by copies of this value: every input any copy evaluates is counted.
    public let counter: ForwardPassCounter

    public init(batchSize: Int = 32, counter: ForwardPassCounter = ForwardPassCounter(), _ forward: @escaping BatchModel) {
        precondition(batchSize >= 1, "batch size must be at least 1, got \(batchSize)")
        self.forward = forward
        self.batchSize = batchSize
        self.counter = counter
    }

    /// Output rows (logits or softmax probabilities, in Double) of `count` inputs of `shape`;
    /// `makeInput(i)` is called once per input, in increasing `i`, so it may carry state (the
    /// cumulative perturbations of pixel flipping and region perturbation do).
    public func rows(
        count: Int, shape: ImageShape, output: ModelOutput, requiredClasses: Int = 1,
        makeInput: (Int) throws -> [Float]
    ) throws -> [[Double]] {
        var result = [[Double]]()
        result.reserveCapacity(count)
        var batch = [Float]()
        var pending = 0
        func flush() throws {
            guard pending > 0 else { return }
            let logits = try forward(Tensor(shape: [pending, shape.channels, shape.height, shape.width], scalars: batch))
            counter.record(inputs: pending)
            guard logits.rank == 2, logits.shape[0] == pending, logits.shape[1] >= requiredClasses else {
                throw MetricError.modelOutput(shape: logits.shape, inputs: pending, target: requiredClasses - 1)
            }
            let classes = logits.shape[1]
            for b in 0..<pending {
                let row = logits.scalars[(b * classes)..<((b + 1) * classes)].map(Double.init)
                result.append(output == .softmax ? Self.softmax(row) : row)
            }
            batch.removeAll(keepingCapacity: true)
            pending = 0
        }
        for i in 0..<count {
            let input = try makeInput(i)
            precondition(input.count == shape.count, "perturbed input has \(input.count) values, shape \(shape) needs \(shape.count)")
            batch.append(contentsOf: input)
            pending += 1
            if pending == batchSize { try flush() }
        }
        try flush()
        return result
    }

    /// The output for class `target` of `count` inputs (see `rows`).
    public func scores(
        count: Int, shape: ImageShape, target: Int, output: ModelOutput, makeInput: (Int) throws -> [Float]
    ) throws -> [Double] {
        try rows(count: count, shape: shape, output: output, requiredClasses: target + 1, makeInput: makeInput).map { $0[target] }
    }

    /// Softmax of one row, max-shifted, in Double.
    static func softmax(_ row: [Double]) -> [Double] {
        let maximum = row.max() ?? 0
        let exps = row.map { Foundation.exp($0 - maximum) }
        let total = exps.reduce(0, +)
        return exps.map { $0 / total }
    }
}

/// Channels, height and width of one model input.
public struct ImageShape: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var channels: Int
    public var height: Int
    public var width: Int

    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// The shape of an input tensor [C, H, W] or [1, C, H, W].
    public init(of input: Tensor<Float>) throws {
        let dimensions = input.rank == 4 && input.shape[0] == 1 ? Array(input.shape.dropFirst()) : input.shape
        guard dimensions.count == 3, dimensions.allSatisfy({ $0 > 0 }) else { throw MetricError.inputShape(input.shape) }
        self.init(channels: dimensions[0], height: dimensions[1], width: dimensions[2])
    }

    /// Pixels per channel.
    public var plane: Int { height * width }
    /// Features: channels × pixels.
    public var count: Int { channels * plane }
    public var description: String { "[\(channels), \(height), \(width)]" }
}
