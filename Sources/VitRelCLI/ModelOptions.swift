import ArgumentParser
import Foundation
import VitRel

/// `--model`, shared by every command that runs a model.
struct ModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Model folder: timm (config.json + model.safetensors) or Hugging Face ViTForImageClassification. Default: the shipped model in Models/.",
        valueName: "dir"))
    var model: String?

    func load() throws -> ClassifierModel {
        if let model { return try ClassifierModel.load(from: URL(fileURLWithPath: model)) }
        guard let shipped = ShippedModel.locate() else { throw CLIError(ShippedModel.notFoundMessage()) }
        return try ClassifierModel.load(from: shipped)
    }
}

/// `--precision`, for commands whose bulk work is untraced forward passes (predict, evaluate,
/// LIME, the perturbation metrics, the audit's interventions). Explanations' traced passes
/// and relevance stay Float32 whatever it says.
struct PrecisionOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Precision of the untraced forward passes: fp32, or bf16 (Linear layers in bfloat16 with Float32 sums through oneDNN; README: Precision). Explanations' relevance passes stay fp32.",
        valueName: "fp32|bf16"))
    var precision: ProductPrecision = .fp32

    func apply(to model: inout ClassifierModel) throws {
        do { try model.network.setInferencePrecision(precision) } catch { throw CLIError("\(error)") }
    }
}

/// `--resize`, for commands that turn image files into model inputs: Pillow's 8-bit
/// arithmetic (timm's eval pipeline, the default) or vitrel's float resize.
struct ResizeOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "How 8-bit images are resized to the model's input: pillow (Pillow's 8-bit fixed point, bit for bit what timm's eval transform feeds the model) or float (no rounding; vitrel's path before, which the committed reports used). 16-bit images are resized in float either way (README: Preprocessing).",
        valueName: "pillow|float"))
    var resize: Preprocessing.ResizeArithmetic = .pillow

    func apply(to model: inout ClassifierModel) {
        model.preprocessing.resizeArithmetic = resize
    }
}
