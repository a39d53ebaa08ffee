import Foundation

/// What `<model folder>/training.json` says about the run that made the model: the command,
/// data and seed, the image counts, every epoch's losses and validation numbers, and the wall
/// time (the one field two equal runs do not share).
public struct TrainingRecord: Codable, Equatable, Sendable {
    /// training.json.
    public static let fileName = "training.json"

    /// One epoch's line of the history.
    public struct Epoch: Codable, Equatable, Sendable {
        /// 1-based.
        public var epoch: Int
        /// Mean training loss and accuracy (augmented, training mode).
        public var loss: Double
        public var accuracy: Double
        public var validationAccuracy: Double?
        public var validationMacroRecall: Double?
        /// Whether this epoch's model is the one in the folder so far.
        public var best: Bool

        public init(
            epoch: Int, loss: Double, accuracy: Double, validationAccuracy: Double?, validationMacroRecall: Double?, best: Bool
        ) {
            self.epoch = epoch
            self.loss = loss
            self.accuracy = accuracy
            self.validationAccuracy = validationAccuracy
            self.validationMacroRecall = validationMacroRecall
            self.best = best
        }

        public init(_ summary: EpochSummary) {
            self.init(
                epoch: summary.epoch, loss: summary.trainingLoss, accuracy: summary.trainingAccuracy,
                validationAccuracy: summary.validation?.accuracy, validationMacroRecall: summary.validation?.macroRecall,
                best: summary.isBest)
        }
    }

    /// The command line that ran.
    public var command: String
    /// The dataset root as given.
    public var data: String
    public var seed: UInt64
    /// Precision of the training steps' products (`TrainingConfiguration.precision`); nil in
    /// records written before the option existed, which trained at fp32.
    public var precision: ProductPrecision?
    /// Epochs done, resumed ones included.
    public var epochs: Int
    public var trainImages: Int
    public var validationImages: Int
    public var wallSeconds: Double
    public var vitrelVersion: String
    public var history: [Epoch]

    public init(
        command: String, data: String, seed: UInt64, precision: ProductPrecision? = nil, epochs: Int, trainImages: Int, validationImages: Int,
        wallSeconds: Double, vitrelVersion: String, history: [Epoch]
    ) {
        self.command = command
        self.data = data
        self.seed = seed
        self.precision = precision
        self.epochs = epochs
        self.trainImages = trainImages
        self.validationImages = validationImages
        self.wallSeconds = wallSeconds
        self.vitrelVersion = vitrelVersion
        self.history = history
    }

    /// Writes the record as every vitrel JSON file is written (`jsonString`; no trailing
    /// newline, as training.json always was).
    public func write(to url: URL) throws {
        try jsonString(self).write(to: url, atomically: true, encoding: .utf8)
    }

    /// The record at `url`.
    public init(contentsOf url: URL) throws {
        self = try JSONDecoder().decode(TrainingRecord.self, from: Data(contentsOf: url))
    }
}
