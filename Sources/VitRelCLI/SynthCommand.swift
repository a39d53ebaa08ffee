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
            --shortcut P burns a class-correlated white square into a fraction P of the images, \
            in a corner that depends on the class (COVID-19 top right, Non-COVID bottom left, \
            Normal bottom right; never part of the infection mask), to test whether an \
            explanation exposes a shortcut; each class folder then also gets a 'shortcut masks' \
            folder marking the square, and synth.json names the class of each square. \
            --shortcut-placement swapped puts the square at the next class's corner instead \
            (COVID-19 gets Non-COVID's, Non-COVID Normal's, Normal COVID-19's): a test set on \
            which a model that follows the square is wrong. --evidence-strength S scales the \
            density of every opacity (1 = default, 0.5 = half as dense, 0 = none) without \
            changing anything else about the phantom, and the infection mask shrinks to what \
            the fainter evidence still raises. Same seed and options, same bytes.
            """)

    @Option(help: ArgumentHelp("Output root.", valueName: "dir")) var out: String
    @Option(help: "Images per class (split 70/15/15 into Train/Val/Test).") var perClass = 100
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Option(help: "Image side in pixels.") var size = 256
    @Option(help: "Fraction of images with a class-correlated shortcut marker.") var shortcut = 0.0
    @Option(help: ArgumentHelp(
        "Whose corner the shortcut marker goes to: matched (the image's class) or swapped (the next class's).",
        valueName: "placement"))
    var shortcutPlacement = ShortcutPlacement.matched
    @Option(help: ArgumentHelp("Density of the disease evidence relative to the default (1).", valueName: "S"))
    var evidenceStrength = 1.0
    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        if perClass < 1 { throw ValidationError("--per-class must be at least 1") }
        // 4096 is beyond any chest detector's side (about 3000 pixels); one 4096² phantom with its
        // masks holds about 200 MB while it is drawn.
        if size < 64 || size > 4096 { throw ValidationError("--size must lie in 64…4096, got \(size)") }
        if !(0...1).contains(shortcut) { throw ValidationError("--shortcut must be in [0, 1]") }
        if !(0...4).contains(evidenceStrength) { throw ValidationError("--evidence-strength must be in [0, 4]") }
    }

    func run() throws {
        runtime.apply()
        let bar = ProgressBar(label: "synth", total: 3 * perClass)
        var parameters = PhantomParameters(size: size, shortcutProbability: shortcut)
        parameters.shortcutPlacement = shortcutPlacement
        parameters.evidenceStrength = evidenceStrength
        try SyntheticDataset.write(
            to: URL(fileURLWithPath: out), perClass: perClass, seed: seed, parameters: parameters,
            progress: { done, _ in bar.update(done) })
        bar.finish(extra: "done")
        printError("wrote \(3 * perClass) phantoms with lung and infection masks to \(out) (seed \(seed))")
    }
}
