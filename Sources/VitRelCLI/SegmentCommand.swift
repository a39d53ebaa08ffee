import ArgumentParser
import Foundation
import VitRel
import VitRelCompare

struct SegmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segment",
        abstract: "Superpixels of an image drawn as boundaries, for a visual check of LIME's features.",
        discussion: """
            Segments the image as LIME does (a gray image is segmented as its RGB copy; \
            quickshift's tie-breaking noise comes from --seed), draws the boundaries of every \
            superpixel in yellow over it and writes an RGB PNG of the image's size. With the same \
            --seed and settings, and an image already at the model's input size, these are the \
            superpixels `vitrel explain --method lime` switches on and off (explain segments the \
            resized, centre-cropped model input).

            Settings belong to one method each (--segments and --compactness to slic; \
            --kernel-size, --max-dist and --ratio to quickshift; --patch-size to grid); giving \
            one to another method is an error.
            """)

    @Option(help: ArgumentHelp("Image to segment (PNG, JPEG or DICOM).", valueName: "file"))
    var image: String
    @Option(help: "Superpixel algorithm.")
    var method: SuperpixelMethod = .quickshift
    @OptionGroup(title: "Superpixel settings") var superpixels: SuperpixelOptions
    @Option(help: "quickshift: seed of the tie-breaking noise (as `explain --seed`).")
    var seed: UInt64 = 0
    @Option(help: ArgumentHelp("The drawing, an RGB PNG.", valueName: "file.png"))
    var out: String
    @Option(help: ArgumentHelp("Also write the labels [H, W] int32, numbered 0..<count.", valueName: "file.npy"))
    var labels: String?
    @OptionGroup var imageOptions: ImageReadingOptions
    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        runtime.apply()
        if let first = superpixels.misplaced(for: method).first {
            throw ValidationError("\(first) does not apply to --method \(method.rawValue)")
        }
        let picture = try ImageIO.read(URL(fileURLWithPath: image), options: try imageOptions.options())
        let segmenter = superpixels.segmenter(method, defaultPatchSize: 16)
        let segmentation = try LIMEExplainer(segmenter: segmenter).segment(picture, seed: seed)
        try ImageIO.writePNG(SuperpixelOutline().draw(segmentation, over: picture.rgb()), to: URL(fileURLWithPath: out))
        if let labels {
            try NPY.write(segmentation.labelArray, to: URL(fileURLWithPath: labels))
        }
        print("\(segmentation.count) superpixels (\(segmenter.summary)) → \(out)")
    }
}
