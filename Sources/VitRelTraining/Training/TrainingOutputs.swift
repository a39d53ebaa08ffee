import Foundation

/// Where a run leaves its files, and how it saves a model.
///
/// The checkpoint format belongs to the checkpoint writer, so the trainer only calls
/// `saveCheckpoint(model, url)`: with `bestCheckpointURL` whenever validation macro recall
/// improves, and with `finalCheckpointURL` after the last epoch. The resume state, which the
/// trainer owns, goes to `stateURL` after every epoch.
public struct TrainingOutputs {
    public var directory: URL
    public var saveCheckpoint: ((VisionTransformer<Float>, URL) throws -> Void)?

    public init(directory: URL, saveCheckpoint: ((VisionTransformer<Float>, URL) throws -> Void)? = nil) {
        self.directory = directory
        self.saveCheckpoint = saveCheckpoint
    }

    /// `<directory>/training-state.vtstate` (format: `TrainingState`).
    public var stateURL: URL { directory.appendingPathComponent("training-state.vtstate") }
    /// `<directory>/best`: the model with the best validation macro recall so far.
    public var bestCheckpointURL: URL { directory.appendingPathComponent("best") }
    /// `<directory>/final`: the model after the last epoch.
    public var finalCheckpointURL: URL { directory.appendingPathComponent("final") }
}
