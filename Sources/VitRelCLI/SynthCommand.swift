import ArgumentParser
import Foundation
import VitRel

struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write synthetic chest radiograph phantoms with known evidence, in the COVID-QU-Ex layout.",
        discussion: """
            Each phantom has a thorax, lung fields, ribs, spine and mediastinum, heart shadow and \
            diaphragm, varied in size, pose, exposure, contrast and noise, with burned-in markers \
            ("L", "R", "A-P") at random. COVID-19: bilateral, peripheral, lower-zone ground-glass \
            opacities; Non-COVID: denser lobar consolidation, often one-sided; Normal: clear lungs. \
            The infection mask marks exactly the evidence; lung masks are written too. \
            --shortcut P adds a class-correlated marker to a fraction P of the images (not part \
            of the infection mask), to test whether an explanation exposes a shortcut. \
            Same seed, same bytes.
            """)

    @Option(help: ArgumentHelp("Output root.", valueName: "dir")) var out: String
    @Option(help: "Images per class (split 70/15/15 into Train/Val/Test).") var perClass = 100
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Option(help: "Image side in pixels.") var size = 256
    @Option(help: "Fraction of images with a class-correlated shortcut marker.") var shortcut = 0.0
    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        if perClass < 1 { throw ValidationError("--per-class must be at least 1") }
        if size < 64 { throw ValidationError("--size must be at least 64") }
        if !(0...1).contains(shortcut) { throw ValidationError("--shortcut must be in [0, 1]") }
    }

    func run() throws {
        runtime.apply()
        let bar = ProgressBar(label: "synth", total: 3 * perClass)
        let manifest = try SyntheticDataset.write(
            to: URL(fileURLWithPath: out), perClass: perClass, seed: seed, size: size, shortcutProbability: shortcut,
            progress: { done, _ in bar.update(done) })
        bar.finish(extra: "done")
        printError("wrote \(3 * perClass) phantoms with lung and infection masks to \(out) (seed \(seed))")
        _ = manifest
    }
}
