import ArgumentParser
import Foundation
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
            BenchCommand.self, ShardsCommand.self,
        ]
    )

    /// ArgumentParser's usage errors carry vitrel's one prefix (see Diagnostics.swift).
    static var _errorPrefix: String { errorPrefix }

    /// ArgumentParser's `main`, except that an option value refused once the model is known
    /// (a `ValidationError` thrown by `run()`) points at the subcommand's help rather than at
    /// `vitrel --help`, with the same exit status 64 as a refusal during parsing.
    static func main() {
        // Line-buffered even into a pipe or a log file, so that a long command's per-image and
        // per-epoch lines appear as they are made (tee, CI logs, nohup), not at exit.
        setvbuf(stdout, nil, _IOLBF, 0)
        var command: ParsableCommand
        do { command = try parseAsRoot() } catch { exit(withError: error) }
        do {
            try command.run()
        } catch let error as ValidationError {
            printError(errorPrefix + error.message)
            let path = commandPath(to: type(of: command), under: Self.configuration.subcommands) ?? []
            printError("  See '\((["vitrel"] + path).joined(separator: " ")) --help' for more information.")
            Foundation.exit(ExitCode.validationFailure.rawValue)
        } catch {
            exit(withError: error)
        }
    }
}

/// The subcommand names leading from the root to `command` (["bench", "explain"] for `vitrel
/// bench explain`), so that a usage error points at the help of the command that refused.
func commandPath(to command: ParsableCommand.Type, under subcommands: [ParsableCommand.Type]) -> [String]? {
    for subcommand in subcommands {
        let name = subcommand.configuration.commandName ?? "\(subcommand)".lowercased()
        if subcommand == command { return [name] }
        if let rest = commandPath(to: command, under: subcommand.configuration.subcommands) { return [name] + rest }
    }
    return nil
}
