/// A class asked of a model (`--target`, `--class`) that it does not have; one-line messages.
/// The model's own error, so that resolving a class name needs nothing from the explanation
/// methods built on the model.
public enum ClassLookupError: Error, CustomStringConvertible, Equatable {
    case targetOutOfRange(Int, Int)
    case unknownClass(String, [String])

    public var description: String {
        switch self {
        case .targetOutOfRange(let target, let classes): return "target class \(target) is out of range (the model has \(classes) classes: 0…\(classes - 1))"
        case .unknownClass(let name, let known): return "unknown class \"\(name)\"; the model knows: \(known.joined(separator: ", "))"
        }
    }
}
