/// How image files are turned into `Image`s, where the file alone does not decide it.
///
/// Today that is only DICOM's VOI window: PNG and JPEG hold display values already, a DICOM
/// radiograph holds detector values that a window maps to gray. The options travel from the
/// CLI's flags to every reader (`ImageIO.read`, `Preprocessing.input(reading:)`, the dataset
/// loaders), so `predict`, `explain` and `compare` see the same image for the same flags.
public struct ImageReadOptions: Equatable, Hashable, Sendable {
    /// Replaces the file's VOI LUT or window when set (`--window C,W`); PNG and JPEG ignore it.
    public var dicomWindow: DICOMWindow?

    public init(dicomWindow: DICOMWindow? = nil) {
        self.dicomWindow = dicomWindow
    }

    /// The file's own settings.
    public static let fileDefaults = ImageReadOptions()
}
