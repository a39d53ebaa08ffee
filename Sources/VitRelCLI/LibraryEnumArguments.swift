import ArgumentParser
import VitRel
import VitRelCompare

// The library's enums as command-line values, in one place: ArgumentParser parses them, lists
// their values in `--help` and refuses anything else with a usage error (exit 64) naming the
// allowed values, so no command parses these strings by hand. The library stays free of
// ArgumentParser.

extension CovidQuExSubset: ExpressibleByArgument {}
extension ExplanationOptions.HeadFusion: ExpressibleByArgument {}
extension ExplanationOptions.GradCAMVariant: ExpressibleByArgument {}
extension ShortcutPlacement: ExpressibleByArgument {}
extension MatrixLibrary: ExpressibleByArgument {}
extension ProductPrecision: ExpressibleByArgument {}
extension ConservationRuleSet: ExpressibleByArgument {}
extension ConservationAudit.Arithmetic: ExpressibleByArgument {}
extension Preprocessing.ResizeArithmetic: ExpressibleByArgument {}
extension RegionPerturbation.Order: ExpressibleByArgument {}
extension ClassBalancing: ExpressibleByArgument {}

/// `compare --target`: which class each image is explained and measured for.
enum ExplainedClass: String, CaseIterable, ExpressibleByArgument {
    /// The model's prediction.
    case predicted
    /// The image's true class (its folder).
    case label
}

/// `compare --localisation`: whether the localisation metrics read the positive relevance only
/// (Arras et al. 2022) or the signed map.
enum LocalisationSign: String, CaseIterable, ExpressibleByArgument {
    case positive
    case signed
}

/// `convert --dtype`: safetensors' names (F16, BF16) in either spelling, case-insensitive.
extension SafeTensors.DType: ExpressibleByArgument {
    public init?(argument: String) {
        switch argument.lowercased() {
        case "f32", "float32": self = .float32
        case "f16", "float16", "half": self = .float16
        case "bf16", "bfloat16": self = .bfloat16
        default: return nil
        }
    }
    public static var allValueStrings: [String] { ["f32", "f16", "bf16"] }
}

/// `--shard K/N`: a malformed value is a usage error naming the flag (exit 64).
extension Shard: ExpressibleByArgument {
    public init?(argument: String) {
        guard let shard = try? Shard(parsing: argument) else { return nil }
        self = shard
    }
}
