import ArgumentParser
import Foundation
import VitRel
import VitRelCompare

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Architecture, parameter count, classes and preprocessing of a model folder.")

    @OptionGroup var modelOptions: ModelOptions
    @Flag(help: "Print JSON.")
    var json = false

    struct Summary: Encodable {
        var folder: String
        var format: String
        var config: ViTConfig
        var parameters: Int
        var positionEmbeddingGrid: [Int]
        var preprocessing: Preprocessing
    }

    func run() throws {
        let model = try modelOptions.load()
        let c = model.config
        let summary = Summary(
            folder: model.directory.path, format: model.format.rawValue, config: c, parameters: model.network.parameterCount,
            positionEmbeddingGrid: [model.network.positionGrid.height, model.network.positionGrid.width],
            preprocessing: model.preprocessing)
        if json { print(try jsonString(summary)); return }
        print("""
            folder          \(summary.folder) (\(summary.format))
            input           \(c.channels)×\(c.imageHeight)×\(c.imageWidth), patch \(c.patchSize) → \(c.gridHeight)×\(c.gridWidth) grid, \(c.tokenCount) tokens
            encoder         width \(c.embedDimension), depth \(c.depth), \(c.headCount) heads, MLP \(c.mlpDescription), qkv bias \(c.qkvBias)
            pooling         \(c.pooling.rawValue)\(c.normAfterPooling ? " (norm after pooling)" : ""), LayerNorm ε \(c.layerNormEpsilon), final ε \(c.finalNormEpsilon)
            parameters      \(summary.parameters)
            classes         \(c.classNames.enumerated().map { "\($0.offset): \($0.element)" }.joined(separator: ", "))
            preprocessing   \(model.preprocessing.summary)
            """)
    }
}
