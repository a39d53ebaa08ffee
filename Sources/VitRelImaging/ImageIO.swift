import Foundation

/// Reading and writing image files: PNG (libpng), JPEG (libjpeg) and DICOM (DCMTK, read only),
/// chosen by the data's leading bytes; the name counts only for a `.dcm` file that is neither
/// PNG nor JPEG (a DICOM dataset without the preamble has no magic bytes).
///
/// Every failure is an `ImageError` whose one-line message names the file; bad input never
/// crashes the process or exits it (libjpeg's default error handler would call `exit()`).
///
///     let xray = try ImageIO.read(URL(fileURLWithPath: "covid_1579.png"))   // 1×256×256
///     try ImageIO.writePNG(xray.rgb(), to: URL(fileURLWithPath: "out.png"))
public enum ImageIO {
    /// Largest width × height decoded (Pillow's `MAX_IMAGE_PIXELS` is of the same order):
    /// a 40-byte hostile header must not make vitrel allocate gigabytes.
    public static let maximumPixelCount = 100_000_000

    /// Reads and decodes a PNG, JPEG or DICOM file (a DICOM file as displayed: see
    /// `DICOMCodec`; `options.dicomWindow` replaces its window).
    public static func read(_ url: URL, options: ImageReadOptions = .fileDefaults) throws -> Image {
        try readSamples(url, options: options).image()
    }

    /// Reads an image file into its 8- or 16-bit samples, without the float copy `read`
    /// makes: what `Preprocessing.input(reading:)` resizes from, a row at a time.
    static func readSamples(_ url: URL, options: ImageReadOptions = .fileDefaults) throws -> DecodedSamples {
        let path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ImageError.fileNotFound(file: path)
        }
        if isDirectory.boolValue { throw ImageError.unreadable(file: path, reason: "is a directory") }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ImageError.unreadable(file: path, reason: (error as NSError).localizedDescription)
        }
        return try decodeSamples(data, name: path, options: options)
    }

    /// Decodes PNG, JPEG or DICOM bytes; `name` is the file name used in error messages (and
    /// its `.dcm` extension marks a DICOM dataset without preamble).
    public static func decode(_ data: Data, name: String, options: ImageReadOptions = .fileDefaults) throws -> Image {
        try decodeSamples(data, name: name, options: options).image()
    }

    static func decodeSamples(_ data: Data, name: String, options: ImageReadOptions = .fileDefaults) throws -> DecodedSamples {
        guard !data.isEmpty else { throw ImageError.emptyFile(file: name) }
        switch ImageFormat.detect(data) {
        case .supported(.png):
            return try PNGCodec.decodeSamples(data, name: name)
        case .supported(.jpeg):
            return try JPEGCodec.decodeSamples(data, name: name)
        case .supported(.dicom):
            return try DICOMCodec.decodeSamples(data, name: name, window: options.dicomWindow)
        case _ where DICOMCodec.claims(fileName: name):
            return try DICOMCodec.decodeSamples(data, name: name, window: options.dicomWindow)
        case .truncatedSignature(let format):
            throw ImageError.truncated(file: name, format: format, detail: "only \(data.count) bytes of the signature")
        case .unsupported(let what):
            throw ImageError.unsupportedFormat(file: name, detail: what)
        }
    }

    /// Writes `image` as PNG: 1–4 channels (gray, gray+alpha, RGB, RGBA), 8 or 16 bits per
    /// sample. Samples are clamped to [0, 1] and rounded to the nearest code.
    public static func writePNG(_ image: Image, to url: URL, bitDepth: Int = 8) throws {
        let data = try PNGCodec.encode(image, bitDepth: bitDepth, name: url.path)
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw ImageError.unwritable(file: url.path, reason: (error as NSError).localizedDescription)
        }
    }

    /// The PNG bytes `writePNG` would write.
    public static func encodePNG(_ image: Image, bitDepth: Int = 8) throws -> Data {
        try PNGCodec.encode(image, bitDepth: bitDepth, name: "<PNG in memory>")
    }
}
