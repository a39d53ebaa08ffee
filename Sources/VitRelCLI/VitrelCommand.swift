import ArgumentParser
import VitRel

@main
struct VitrelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vitrel",
        abstract: "Explain Vision Transformer classifiers of chest X-rays.",
        discussion: """
            Runs ViT checkpoints (timm and Hugging Face safetensors folders) on OpenBLAS and \
            explains their predictions. Every command defaults to the model shipped in Models/.
            """,
        version: VitRel.version,
        subcommands: [
            PredictCommand.self, ExplainCommand.self, CompareCommand.self, ConservationCommand.self, SegmentCommand.self,
            SynthCommand.self, TrainCommand.self, EvaluateCommand.self, AuditCommand.self, InspectCommand.self, ConvertCommand.self,
            BenchCommand.self,
        ]
    )
}
