import ArgumentParser
import Foundation
import VitRel

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Write a model folder (timm or Hugging Face) as a timm folder, its weights in F32, F16 or BF16.",
        discussion: """
            The output loads in timm (create_model(architecture, pretrained=False, **model_args) + \
            load_state_dict) and in every vitrel command. F16 and BF16 halve the file (weights are \
            rounded to nearest even, as torch's .half() and .bfloat16() do, and computed in F32 \
            after loading); a weight beyond F16's range (65504) is refused. The command prints how \
            far the stored model's logits move on seeded random inputs, so the cost of the \
            narrower storage is measured, not assumed.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: ArgumentHelp("Folder to write (must not hold a model already).", valueName: "dir"))
    var out: String
    @Option(help: ArgumentHelp("Storage of the weights: f32, f16 or bf16.", valueName: "dtype"))
    var dtype: SafeTensors.DType = .float32
    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        runtime.apply()
        let model = try modelOptions.load()
        let directory = URL(fileURLWithPath: out)
        let weights = directory.appendingPathComponent(ViTCheckpoint.weightsFileName)
        try model.write(timmFolder: directory, storage: dtype)
        let stored = try ClassifierModel.load(from: directory)
        let change = try stored.largestLogitChange(from: model, samples: 4, seed: 0)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: weights.path)[.size] as? Int) ?? 0
        print("wrote \(directory.path) (\(dtype.rawValue), \(bytes / 1_000_000) MB, \(stored.network.parameterCount) parameters)")
        print(String(format: "largest logit change against the source on 4 seeded random inputs: %.3g (largest |logit| %.3g)",
                     change.largestChange, change.largestLogit))
    }
}
