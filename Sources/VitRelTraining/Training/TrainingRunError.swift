/// Why a `TrainingRun` cannot start; each message is one line and says what is wrong.
public enum TrainingRunError: Error, CustomStringConvertible, Equatable {
    /// The architecture name is not a timm ViT this library knows.
    case unknownArchitecture(String)
    /// The architecture with its overrides does not make a model (`ViTConfig.validationProblem`).
    case invalidArchitecture(String)
    /// The model to start from (`model`, its folder as given) classifies other classes than the data holds.
    case classesDiffer(model: String, modelClasses: [String], dataClasses: [String])
    /// None of the training split's images could be read (`data`: the dataset root as given).
    case noReadableTrainingImages(data: String)

    public var description: String {
        switch self {
        case .unknownArchitecture(let name):
            return "unknown architecture \"\(name)\"; expected vit_{tiny,small,base,large}_patch{8,16,32}_{224,384}"
        case .invalidArchitecture(let problem):
            return "invalid architecture: \(problem)"
        case .classesDiffer(let model, let modelClasses, let dataClasses):
            return "\(model): the model's classes \(modelClasses.joined(separator: ", ")) are not the data's \(dataClasses.joined(separator: ", "))"
        case .noReadableTrainingImages(let data):
            return "\(data): no readable training images"
        }
    }
}
