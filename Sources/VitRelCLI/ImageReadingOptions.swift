import ArgumentParser
import VitRel

/// `--window C,W` (every command that reads images): the DICOM window that replaces the file's VOI
/// LUT or window. Parsed here, checked by the library's `DICOMWindow`, applied by its decoder.
struct ImageReadingOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "DICOM window: centre and width (≥ 1) in modality units (after Rescale Slope/Intercept), replacing the file's VOI LUT or window; PNG and JPEG are not affected. Write --window=-600,1500 for a negative centre.",
        valueName: "C,W"))
    var window: String?

    func validate() throws { _ = try options() }

    /// What the library reads images with.
    func options() throws -> ImageReadOptions {
        guard let window else { return .fileDefaults }
        do { return ImageReadOptions(dicomWindow: try DICOMWindow(parsing: window)) } catch {
            throw ValidationError("--window: \(error)")
        }
    }
}
